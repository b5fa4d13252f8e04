/**
 * sev_hardware_setup(): the kvm_amd load-time SEV setup (docs/reference/linux-kvm-amd.md §2.2–§2.6,
 * docs/reference/linux-ccp.md §3.5), as data the VM code reads afterwards.
 */
import { deepFreeze } from '@sevsim/hardware';
import type { KernelContext, SevDriver } from '@sevsim/ccp';
import { Cmd, SevDataSnpAddr, SevUserDataSnpStatus, SnpPolicy } from '@sevsim/psp-abi';
import { AsidTable } from './asid-table';
import { type SevCpuFeatures, sevCpuFeatures } from './cpu-features';
import type { MiscCgroup } from './misc-cgroup';
import type { KvmAmdParams } from './params';
import type { KvmAmdMutations, KvmAmdProfile } from './releases';
import { SevFeature, VmTypeId } from './vm';

export interface SevSetup {
  /** Effective sev/sev_es/sev_snp (the params are overwritten with these, docs/reference/linux-kvm-amd.md §2.4). */
  readonly sevEnabled: boolean;
  readonly sevEsEnabled: boolean;
  readonly snpEnabled: boolean;
  /** ASID ranges as unsigned 32-bit values, exactly as KVM computes them (docs/reference/linux-kvm-amd.md §2.5). */
  readonly minSevAsid: number;
  readonly maxSevAsid: number;
  readonly minSevEsAsid: number;
  readonly maxSevEsAsid: number;
  readonly minSnpAsid: number;
  readonly maxSnpAsid: number;
  /** Effective `ciphertext_hiding_asids` (docs/reference/linux-kvm-amd.md §2.3; raw user value kept when SNP is unsupported, docs/reference/linux-kvm-amd.md §7.2 Q1). */
  readonly nrCiphertextHidingAsids: number;
  /** Effective `debug_swap` (≤6.19: cleared unless SEV-ES and the CPU features are there). */
  readonly debugSwap: boolean;
  /** sev_supported_vmsa_features (docs/reference/linux-kvm-amd.md §2.4). */
  readonly supportedVmsaFeatures: bigint;
  /** snp_supported_policy_bits (7.0+) or the fixed SNP_POLICY_MASK_VALID (docs/reference/linux-kvm-amd.md §2.4). */
  readonly snpPolicyBits: bigint;
  /** kvm_caps.supported_vm_types as a bit mask of BIT(type) (docs/reference/linux-kvm-amd.md §2.4, docs/reference/linux-kvm-amd.md §7.1). */
  readonly vmTypes: number;
  /**
   * Whether each flavour counts as usable in the summary lines: a non-empty ASID range, and from
   * 7.2 also advertised in `vmTypes` (so a type the firmware refuses reads "unusable", docs/reference/linux-kvm-amd.md §7.1).
   */
  readonly usable: { readonly sev: boolean; readonly sevEs: boolean; readonly snp: boolean };
  /** The ASID bitmaps; null when setup stopped before allocating them (docs/reference/linux-kvm-amd.md §2.2 step 5). */
  readonly asids: AsidTable | null;
}

/**
 * The setup of a fork of KVM: frozen and shared but for the ASID bitmaps. Every field is named,
 * in `sevHardwareSetup`'s order (a spread costs Node 20 several times as much, and a field added
 * without a line here fails typecheck).
 */
export function forkSetup(s: SevSetup): SevSetup {
  if (s.asids === null) return deepFreeze(s);
  return {
    sevEnabled: s.sevEnabled,
    sevEsEnabled: s.sevEsEnabled,
    snpEnabled: s.snpEnabled,
    minSevAsid: s.minSevAsid,
    maxSevAsid: s.maxSevAsid,
    minSevEsAsid: s.minSevEsAsid,
    maxSevEsAsid: s.maxSevEsAsid,
    minSnpAsid: s.minSnpAsid,
    maxSnpAsid: s.maxSnpAsid,
    nrCiphertextHidingAsids: s.nrCiphertextHidingAsids,
    debugSwap: s.debugSwap,
    supportedVmsaFeatures: s.supportedVmsaFeatures,
    snpPolicyBits: s.snpPolicyBits,
    vmTypes: s.vmTypes,
    usable: deepFreeze(s.usable),
    asids: s.asids.fork(),
  };
}

const u32 = (n: number): number => n >>> 0;

/** KVM_SNP_POLICY_MASK_VALID (7.0+): MIGRATE_MA deliberately absent (docs/reference/linux-kvm-amd.md §2.4). */
const API_BITS = 0xffffn;
export const KVM_SNP_POLICY_MASK_VALID =
  API_BITS |
  SnpPolicy.SMT |
  SnpPolicy.RSVD_MBO |
  SnpPolicy.DEBUG |
  SnpPolicy.SINGLE_SOCKET |
  SnpPolicy.CXL_ALLOW |
  SnpPolicy.MEM_AES_256_XTS |
  SnpPolicy.RAPL_DIS |
  SnpPolicy.CIPHERTEXT_HIDING_DRAM |
  SnpPolicy.PAGE_SWAP_DISABLE;

/** SNP_POLICY_MASK_VALID before 7.0: API, SMT, RSVD_MBO, DEBUG, SINGLE_SOCKET (README Decisions). */
export const LEGACY_SNP_POLICY_MASK_VALID =
  API_BITS | SnpPolicy.SMT | SnpPolicy.RSVD_MBO | SnpPolicy.DEBUG | SnpPolicy.SINGLE_SOCKET;

/** "%#x": 0 prints as "0", anything else with a 0x prefix. */
export function hexAlt(n: number): string {
  return n === 0 ? '0' : `0x${(n >>> 0).toString(16)}`;
}

/** sev_str_feature_state() / the nested ternary before it (docs/reference/linux-kvm-amd.md §2.6). */
function featureState(supported: boolean, usable: boolean): string {
  if (!supported) return 'disabled';
  return usable ? 'enabled' : 'unusable';
}

/**
 * is_sev_snp_initialized(): SNP_PLATFORM_STATUS into a firmware page, `state != 0`
 * (docs/reference/linux-kvm-amd.md §2.3; docs/reference/linux-ccp.md §3.5 step 2).
 */
function isSevSnpInitialized(ctx: KernelContext, driver: SevDriver): boolean {
  const pfn = driver.snpAllocFirmwarePage();
  if (pfn === null) return false;
  const res = driver.issueCmd(Cmd.SNP_PLATFORM_STATUS, SevDataSnpAddr.encode({ address: pfn * 4096 }));
  let initialized = false;
  if (res.rc !== 0) {
    ctx.log.print(
      `kvm_amd: SEV: SNP_PLATFORM_STATUS failed ret=${res.rc}, fw_error=${res.error} (${hexAlt(res.error)})`,
    );
  } else {
    initialized =
      SevUserDataSnpStatus.decode(ctx.machine.readPhys(pfn * 4096, SevUserDataSnpStatus.size)).state !== 0;
  }
  driver.snpFreeFirmwarePage(pfn);
  return initialized;
}

interface Gated {
  sevSupported: boolean;
  sevEsSupported: boolean;
  snpSupported: boolean;
  minSevAsid: number;
  maxSevAsid: number;
  minSevEsAsid: number;
  maxSevEsAsid: number;
  minSnpAsid: number;
  maxSnpAsid: number;
  asids: AsidTable | null;
}

/** docs/reference/linux-kvm-amd.md §2.2: each failed gate jumps to `out`, leaving that level and all below unsupported. */
function hardwareGates(
  ctx: KernelContext,
  params: KvmAmdParams,
  cpu: SevCpuFeatures,
  cgroup: MiscCgroup,
): Gated {
  const g: Gated = {
    sevSupported: false,
    sevEsSupported: false,
    snpSupported: false,
    minSevAsid: 0,
    maxSevAsid: 0,
    minSevEsAsid: 0,
    maxSevEsAsid: 0,
    minSnpAsid: 0,
    maxSnpAsid: 0,
    asids: null,
  };
  // Step 1: the `sev` *param*, NPT and NRIPS (effective values; every preset has both features).
  if (!params.sev || !params.npt || params.nrips === 0) return g;
  // Step 2: X86_FEATURE_SEV (DECODEASSISTS/FLUSHBYASID are on every modelled CPU).
  if (!cpu.sev) return g;
  // Step 3: a built-in kvm_amd calls sev_module_init(), which cannot fail in the model (README).
  // Step 4: CPUID 0x8000001F ECX = max_sev_asid (0 → out), EDX = min_sev_asid.
  g.maxSevAsid = cpu.ecx;
  if (g.maxSevAsid === 0) return g;
  g.minSevAsid = cpu.edx;
  // Step 5: bitmaps of max+1 bits.
  g.asids = new AsidTable(g.maxSevAsid);
  // Step 6: MISC_CG_RES_SEV capacity only when the range is non-empty.
  if (g.minSevAsid <= g.maxSevAsid) cgroup.setCapacity('sev', g.maxSevAsid - g.minSevAsid + 1);
  // Step 7.
  g.sevSupported = true;
  // Step 8: SEV-ES gates (MMIO caching stays enabled on every preset: README).
  if (!params.sev_es || !cpu.sevEs || params.lbrv === 0 || g.minSevAsid === 1) return g;
  // Step 9: joint ES/SNP range [1, min_sev_asid - 1].
  g.minSevEsAsid = 1;
  g.minSnpAsid = 1;
  g.maxSevEsAsid = u32(g.minSevAsid - 1);
  g.maxSnpAsid = g.maxSevEsAsid;
  cgroup.setCapacity('sev_es', u32(g.minSevAsid - 1));
  g.sevEsSupported = true;
  // Step 10.
  g.snpSupported = params.sev_snp && ctx.hostSnp;
  return g;
}

export function sevHardwareSetup(
  ctx: KernelContext,
  driver: SevDriver,
  profile: KvmAmdProfile & KvmAmdMutations,
  params: KvmAmdParams,
  cgroup: MiscCgroup,
): SevSetup {
  const cpu = sevCpuFeatures(ctx);
  const gated = hardwareGates(ctx, params, cpu, cgroup);
  let { sevSupported, sevEsSupported, snpSupported, maxSnpAsid, minSevEsAsid } = gated;
  const { maxSevAsid, maxSevEsAsid, minSnpAsid, asids } = gated;
  // A deliberate bug for the explorer (KvmAmdMutations); every release uses docs/reference/linux-kvm-amd.md §2.5 as is.
  const minSevAsid = profile.mutationSevAsidOffByOne ? gated.minSevAsid - 1 : gated.minSevAsid;

  let nrCth = profile.ciphertextHidingParam ? params.ciphertext_hiding_asids : 0;
  let snpPolicyBits = profile.snpPolicyBitsFromFirmware ? 0n : LEGACY_SNP_POLICY_MASK_VALID;

  // docs/reference/linux-kvm-amd.md §2.3: platform init at load (6.16+), gated on the `sev` *param*, not on sev_supported (docs/reference/linux-kvm-amd.md §7.2 Q4).
  if (profile.platformInitAtLoad && params.sev) {
    let maxSnpAsidArg = 0;
    if (profile.ciphertextHidingParam && driver.isSnpCiphertextHidingSupported()) {
      maxSnpAsidArg = Math.min(nrCth, u32(minSevAsid - 1));
    }
    const init = driver.platformInit({ probe: true, maxSnpAsid: maxSnpAsidArg });
    if (init.rc !== 0) {
      sevSupported = false;
      sevEsSupported = false;
      snpSupported = false;
    } else if (snpSupported) {
      snpSupported = isSevSnpInitialized(ctx, driver);
    }
    if (snpSupported) {
      if (profile.snpPolicyBitsFromFirmware)
        snpPolicyBits = driver.snpPolicyBits() & KVM_SNP_POLICY_MASK_VALID;
      // Only here is the param overwritten with the applied value; otherwise the raw value stays (docs/reference/linux-kvm-amd.md §7.2 Q1).
      nrCth = maxSnpAsidArg;
    }
    if (nrCth !== 0) {
      maxSnpAsid = nrCth;
      minSevEsAsid = u32(maxSnpAsid + 1);
      ctx.log.print('kvm_amd: SEV-SNP ciphertext hiding enabled');
    }
  }

  // docs/reference/linux-kvm-amd.md §7.1 "Pending (2026-04, v3)", merged for 7.2: VM types from usable ranges, masked by firmware.
  let vmTypes = 1 << VmTypeId.DEFAULT;
  if (profile.advertiseOnlyUsableVmTypes) {
    let sevTypes = 0;
    if (sevSupported && minSevAsid <= maxSevAsid) sevTypes |= 1 << VmTypeId.SEV;
    if (sevEsSupported && minSevEsAsid <= maxSevEsAsid) sevTypes |= 1 << VmTypeId.SEV_ES;
    if (snpSupported) sevTypes |= 1 << VmTypeId.SNP;
    vmTypes |= sevTypes & driver.firmwareSupportedVmTypes();
  } else {
    // sev_set_cpu_caps(): from the final enabled flags, no range check (docs/reference/linux-kvm-amd.md §2.4).
    if (sevSupported) vmTypes |= 1 << VmTypeId.SEV;
    if (sevEsSupported) vmTypes |= 1 << VmTypeId.SEV_ES;
    if (snpSupported) vmTypes |= 1 << VmTypeId.SNP;
  }

  // 7.2 prints each flavour as sev_str_feature_state(supported, advertised): a type the firmware
  // refuses (AMD-SB-3023) reads "unusable" like an empty range. Before, usable = a non-empty range.
  const advertised = (t: number): boolean => (vmTypes & (1 << t)) !== 0;
  const usable = profile.advertiseOnlyUsableVmTypes
    ? { sev: advertised(VmTypeId.SEV), sevEs: advertised(VmTypeId.SEV_ES), snp: advertised(VmTypeId.SNP) }
    : { sev: minSevAsid <= maxSevAsid, sevEs: minSevEsAsid <= maxSevEsAsid, snp: minSnpAsid <= maxSnpAsid };

  // docs/reference/linux-kvm-amd.md §2.6: one line per CPU feature flag, prefix "kvm_amd: ".
  if (cpu.sev) {
    ctx.log.print(
      `kvm_amd: SEV ${featureState(sevSupported, usable.sev)} (ASIDs ${minSevAsid} - ${maxSevAsid})`,
    );
  }
  if (profile.perTypeAsidSummary) {
    if (cpu.sevEs) {
      ctx.log.print(
        `kvm_amd: SEV-ES ${featureState(sevEsSupported, usable.sevEs)} (ASIDs ${minSevEsAsid} - ${maxSevEsAsid})`,
      );
    }
    if (cpu.sevSnp) {
      // Only 7.2 gave the SNP line the three-way state; before it was enabled/disabled.
      const state = profile.advertiseOnlyUsableVmTypes
        ? featureState(snpSupported, usable.snp)
        : snpSupported
          ? 'enabled'
          : 'disabled';
      ctx.log.print(`kvm_amd: SEV-SNP ${state} (ASIDs ${minSnpAsid} - ${maxSnpAsid})`);
    }
  } else {
    // Before 6.18 both lines printed `min_sev_asid > 1 ? 1 : 0, min_sev_asid - 1` (unsigned).
    const lo = minSevAsid > 1 ? 1 : 0;
    const hi = u32(minSevAsid - 1);
    if (cpu.sevEs)
      ctx.log.print(`kvm_amd: SEV-ES ${sevEsSupported ? 'enabled' : 'disabled'} (ASIDs ${lo} - ${hi})`);
    if (cpu.sevSnp)
      ctx.log.print(`kvm_amd: SEV-SNP ${snpSupported ? 'enabled' : 'disabled'} (ASIDs ${lo} - ${hi})`);
  }

  // docs/reference/linux-kvm-amd.md §2.4: sev_supported_vmsa_features from the final flags.
  const debugSwap = sevEsSupported && cpu.debugSwap && (profile.debugSwapParam ? params.debug_swap : true);
  let vmsaFeatures = 0n;
  if (debugSwap) vmsaFeatures |= SevFeature.DEBUG_SWAP;
  if (profile.snpSecureTsc && snpSupported && cpu.secureTsc) vmsaFeatures |= SevFeature.SECURE_TSC;

  return {
    sevEnabled: sevSupported,
    sevEsEnabled: sevEsSupported,
    snpEnabled: snpSupported,
    minSevAsid,
    maxSevAsid,
    minSevEsAsid,
    maxSevEsAsid,
    minSnpAsid,
    maxSnpAsid,
    nrCiphertextHidingAsids: nrCth,
    debugSwap,
    supportedVmsaFeatures: vmsaFeatures,
    snpPolicyBits,
    vmTypes,
    usable,
    asids,
  };
}
