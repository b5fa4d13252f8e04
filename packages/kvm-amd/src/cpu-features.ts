/**
 * The boot_cpu_has() bits kvm-amd's SEV setup reads. CPUID 0x8000001F EAX as the kernel sees it
 * after early_detect_mem_encrypt(): SYSCFG.MemEncryptionModEn clear drops SME/SEV/ES/SNP, HWCR.SMMLOCK
 * clear drops SEV/ES/SNP (docs/reference/linux-ccp.md §7.1 step 1).
 */
import type { KernelContext } from '@sevsim/ccp';
import { HWCR_SMMLOCK, MSR, SYSCFG } from '@sevsim/hardware';

export interface SevCpuFeatures {
  readonly sev: boolean;
  readonly sevEs: boolean;
  readonly sevSnp: boolean;
  /** X86_FEATURE_DEBUG_SWAP (and NO_NESTED_DATA_BP, which every preset with it has). */
  readonly debugSwap: boolean;
  /** X86_FEATURE_SNP_SECURE_TSC. */
  readonly secureTsc: boolean;
  /** CPUID 0x8000001F: EBX[5:0] C-bit, ECX max_sev_asid, EDX min_sev_asid (docs/reference/linux-kvm-amd.md §2.2 step 4). */
  readonly cbit: number;
  readonly ecx: number;
  readonly edx: number;
}

const EAX_SEV = 1 << 1;
const EAX_SEV_ES = 1 << 3;
const EAX_SNP = 1 << 4;

export function sevCpuFeatures(ctx: KernelContext): SevCpuFeatures {
  const { machine } = ctx;
  const leaf = machine.cpuid(0x8000001f);
  const memEncrypt = (machine.rdmsr(0, MSR.SYSCFG) & SYSCFG.MEM_ENCRYPT) !== 0n;
  const smmLock = (machine.rdmsr(0, MSR.HWCR) & HWCR_SMMLOCK) !== 0n;
  const sevAllowed = memEncrypt && smmLock;
  const sev = sevAllowed && (leaf.eax & EAX_SEV) !== 0;
  return {
    sev,
    sevEs: sev && (leaf.eax & EAX_SEV_ES) !== 0,
    // bsp_determine_snp() clears X86_FEATURE_SEV_SNP when it finds no RMP it can read (docs/reference/linux-ccp.md §7.1 step 2).
    sevSnp: sev && (leaf.eax & EAX_SNP) !== 0 && ctx.snpFeature,
    debugSwap: machine.preset.features.debugSwap,
    secureTsc: machine.preset.features.secureTsc,
    cbit: leaf.ebx & 0x3f,
    ecx: leaf.ecx >>> 0,
    edx: leaf.edx >>> 0,
  };
}
