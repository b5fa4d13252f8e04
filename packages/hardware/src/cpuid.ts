import type { ResolvedMachineConfig } from './config.js';
import type { CpuPreset } from './presets.js';
import { SEGMENT_SHIFT_MAX, SEGMENT_SHIFT_MIN } from './rmp-layout.js';

export interface CpuidResult {
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
}

/** CPUID Fn8000_001F EAX bit positions (docs/reference/psp-firmware.md §8.2). */
export const CPUID_8000_001F_EAX = {
  SME: 1 << 0,
  SEV: 1 << 1,
  SEV_ES: 1 << 3,
  SNP: 1 << 4,
  VMPL: 1 << 5,
  SECURE_TSC: 1 << 8,
  DEBUG_SWAP: 1 << 14,
  RMPREAD: 1 << 21,
  SEGMENTED_RMP: 1 << 23,
} as const;

/** A leaf with nothing to report: a fresh object each call, like every other leaf's answer. */
function zero(): CpuidResult {
  return { eax: 0, ebx: 0, ecx: 0, edx: 0 };
}

/** Leaf 1 EAX: stepping 1, base family capped at 0xF with the rest in extended family. */
function signature(p: CpuPreset): number {
  const baseFamily = Math.min(p.family, 0xf);
  const extFamily = p.family - baseFamily;
  return 1 | ((p.modelId & 0xf) << 4) | (baseFamily << 8) | ((p.modelId >> 4) << 16) | (extFamily << 20);
}

function memEncryptEax(p: CpuPreset, cfg: ResolvedMachineConfig): number {
  const f = p.features;
  const B = CPUID_8000_001F_EAX;
  let eax =
    (f.sme ? B.SME : 0) |
    (f.sev ? B.SEV : 0) |
    (f.sevEs ? B.SEV_ES : 0) |
    (f.snp ? B.SNP : 0) |
    (f.vmpl ? B.VMPL : 0) |
    (f.secureTsc ? B.SECURE_TSC : 0) |
    (f.debugSwap ? B.DEBUG_SWAP : 0) |
    (f.rmpread ? B.RMPREAD : 0) |
    (f.segmentedRmp ? B.SEGMENTED_RMP : 0);
  // What the kernel's early_detect_mem_encrypt leaves (docs/reference/linux-ccp.md §7.1 step 1): SMEE off hides
  // SME, SEV, SEV-ES and SNP; SMMLock clear hides SEV, SEV-ES and SNP.
  if (!cfg.bios.smee) eax &= ~(B.SME | B.SEV | B.SEV_ES | B.SNP);
  else if (!cfg.bios.smmLock) eax &= ~(B.SEV | B.SEV_ES | B.SNP);
  return eax >>> 0;
}

/** EBX[11:6]: on parts whose BIOS picks the ASID count, the count decides the bits lost. */
function physAddrReduction(p: CpuPreset, cfg: ResolvedMachineConfig): number {
  return p.physAddrReductionByAsids?.[cfg.asids] ?? p.physAddrReduction;
}

export function cpuid(p: CpuPreset, cfg: ResolvedMachineConfig, leaf: number, _subleaf = 0): CpuidResult {
  switch (leaf >>> 0) {
    case 0x0:
      // Highest standard leaf 0x10 and "AuthenticAMD".
      return { eax: 0x10, ebx: 0x68747541, ecx: 0x444d4163, edx: 0x69746e65 };
    case 0x1:
      // ECX bit 31 (hypervisor present) is clear: this is bare metal (docs/reference/linux-ccp.md §7.1 step 2).
      return { eax: signature(p), ebx: 0, ecx: 0, edx: 0 };
    case 0x80000000:
      return { eax: 0x80000025, ebx: 0x68747541, ecx: 0x444d4163, edx: 0x69746e65 };
    case 0x8000001f:
      return {
        eax: memEncryptEax(p, cfg),
        ebx: (p.cbit & 0x3f) | ((physAddrReduction(p, cfg) & 0x3f) << 6) | ((p.vmpls & 0xf) << 12),
        ecx: cfg.asids,
        edx: cfg.bios.minSevAsid,
      };
    case 0x80000025:
      // Segmented-RMP parameters: EAX[5:0] min and EAX[11:6] max segment shift; EBX 0 leaves the
      // kernel's default of 512 RST entries (docs/reference/psp-firmware.md §5.1).
      if (!p.features.segmentedRmp) return zero();
      return { eax: SEGMENT_SHIFT_MIN | (SEGMENT_SHIFT_MAX << 6), ebx: 0, ecx: 0, edx: 0 };
    default:
      // Includes 0x80000024 (SNP_FEATURE_INFO mirror): the firmware model answers that one.
      return zero();
  }
}
