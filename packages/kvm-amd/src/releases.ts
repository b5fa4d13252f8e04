/**
 * Kernel release profiles: one field per behavioural difference, for the host boot code
 * (@sevsim/kernel), the ccp driver (@sevsim/ccp) and kvm-amd (this package). Which release has
 * what comes from docs/reference/linux-ccp.md §1.2 and docs/reference/linux-kvm-amd.md §7.1; README "Decisions" lists the
 * fields whose release was not pinned by a source.
 */
import type { CcpProfile } from '@sevsim/ccp';
import type { HostSnpProfile, KernelProfile } from '@sevsim/kernel';

export interface KvmAmdProfile {
  /** 6.16+: sev_hardware_setup() calls sev_platform_init(probe=true) (docs/reference/linux-kvm-amd.md §2.3, §7.1 "v6.16"). */
  readonly platformInitAtLoad: boolean;
  /** 6.16+: sev_hardware_unsetup() calls sev_platform_shutdown() (docs/reference/linux-kvm-amd.md §3 step 4). */
  readonly shutdownAtUnload: boolean;
  /** 6.18+: `ciphertext_hiding_asids` param and the SNP/SEV-ES split (docs/reference/linux-kvm-amd.md §2.1, §2.5, §7.1 "v6.18"). */
  readonly ciphertextHidingParam: boolean;
  /**
   * 6.18+: separate min/max_sev_es_asid and min/max_snp_asid printed as such, SEV-ES three-way
   * "enabled/unusable/disabled"; before, both lines printed `min_sev_asid > 1 ? 1 : 0, min_sev_asid - 1`
   * (docs/reference/linux-kvm-amd.md §2.6, §7.1 "v6.18"; the prep patch of the ciphertext-hiding series).
   */
  readonly perTypeAsidSummary: boolean;
  /** Until 7.0 (exclusive): `debug_swap` param gates DebugSwap in sev_supported_vmsa_features (docs/reference/linux-kvm-amd.md §2.1). */
  readonly debugSwapParam: boolean;
  /**
   * 6.18+: INIT2 of an SNP VM with ghcb_version < 2 → -EINVAL (docs/reference/linux-kvm-amd.md §4.6 step 6). The
   * reference dates it "7.0 cycle"; the patch ("KVM: SEV: Enforce minimum GHCB version requirement
   * for SEV-SNP guests", v11 2/8) was applied in Aug 2025 with the Secure TSC series, so 6.18.
   */
  readonly snpGhcbMin2: boolean;
  /**
   * 7.0+: SNP policy checked against `sev_get_snp_policy_bits() & KVM_SNP_POLICY_MASK_VALID`;
   * before, against the fixed SNP_POLICY_MASK_VALID (docs/reference/linux-kvm-amd.md §2.4, §7.1 "7.0 cycle").
   */
  readonly snpPolicyBitsFromFirmware: boolean;
  /** 7.0+: KVM_SEV_SNP_ENABLE_REQ_CERTS (103) exists, KVM_SEV_NR_MAX = 104 (docs/reference/linux-kvm-amd.md §4.1). */
  readonly snpEnableReqCerts: boolean;
  /** 6.18+: SVM_SEV_FEAT_SECURE_TSC in sev_supported_vmsa_features for SNP (docs/reference/linux-kvm-amd.md §2.4). */
  readonly snpSecureTsc: boolean;
  /**
   * 7.2+: "Don't advertise unusable VM types": VM types need a non-empty ASID range and are masked
   * with sev_firmware_supported_vm_types(); SNP summary via sev_str_feature_state
   * (docs/reference/linux-kvm-amd.md §7.1 "Pending (2026-04, v3)", merged per docs/reference/linux-ccp.md §1.2).
   */
  readonly advertiseOnlyUsableVmTypes: boolean;
  /**
   * ≤6.16: snp_launch_start() refuses a policy without SMT or with SINGLE_SOCKET (-EINVAL); 6.17
   * left both to the firmware (kvm-x86-svm-6.17: 9f4701e05fae "Allow SNP guest policy disallow
   * running with SMT enabled", 24be2b7956a5 "Allow SNP guest policy to specify SINGLE_SOCKET";
   * docs/reference/linux-kvm-amd.md §4.8).
   */
  readonly snpPolicySmtSingleSocketChecks: boolean;
  /**
   * 6.12+: `kvm.enable_virt_at_load` (default on) enables virtualization on every CPU when KVM
   * loads, so VM_HSAVE_PA is set from then until unload; 6.11 enabled it with the first VM and
   * disabled it with the last (commit b4886fab6fb6, kvm/next Sep 2024; docs/reference/linux-kvm-amd.md §2.7).
   */
  readonly enableVirtAtLoad: boolean;
  /**
   * 6.14+: a built-in kvm_amd calls sev_module_init() from sev_hardware_setup(), so the PSP driver
   * probes before KVM's SEV set-up; before, the built-in ccp's own device_initcall ran after
   * kvm_amd's, and after snp_rmptable_init() (commit 44e70718df4f, merged for 6.14-rc3;
   * docs/reference/linux-ccp.md §7.4).
   */
  readonly builtinInitsPsp: boolean;
}

/**
 * Deliberate bugs, not release differences: @sevsim/explorer's `--mutation` sets them on top of a
 * release's profile to prove it finds what is wrong. No release has them, so they are not part of
 * `KvmAmdProfile`; kvm_amd reads them only as what `loadKvmAmd` was given.
 */
export interface KvmAmdMutations {
  /**
   * The SEV range starts one below min_sev_asid, an off-by-one against the
   * docs/reference/linux-kvm-amd.md §2.5 formula `[min_sev_asid, max_sev_asid]`.
   */
  readonly mutationSevAsidOffByOne?: boolean;
}

export interface ReleaseProfile {
  readonly version: string;
  readonly patches: readonly string[];
  /** The core kernel code every module relies on (module parameter parsing, @sevsim/kernel). */
  readonly kernel: KernelProfile;
  readonly host: HostSnpProfile;
  readonly ccp: CcpProfile;
  readonly kvm: KvmAmdProfile;
}

type Stage = { kernel: KernelProfile; host: HostSnpProfile; ccp: CcpProfile; kvm: KvmAmdProfile };

/**
 * 6.11, the first release with KVM SNP host support: ccp initialises at probe, SNPEn at boot, no
 * KVM platform init (docs/reference/linux-ccp.md §3.1 step 4 [HISTORIC]); the RMP fix-up is e820
 * only (docs/reference/linux-ccp.md §7.3).
 */
const v6_11: Stage = {
  kernel: { kstrtoboolEnableDisable: false },
  host: { snpEnAtBoot: true, rmpFixupE820Only: true, rmpInitAfterIommu: true, rmpContiguousOnly: true },
  ccp: {
    initOnProbe: true,
    snpFailureAbortsLegacy: false,
    snpPrepare: 'boot',
    x86SnpShutdown: false,
    ciphertextHiding: false,
    // ≤6.15: legacy INIT only, left initialised (no implicit shutdown) (docs/reference/linux-ccp.md §3.8 [HISTORIC]).
    ioctlImplicitInit: 'legacy-persistent',
    snpStatusImplicitInit: false,
    firmwareVmTypes: false,
    snpIoctlsNeedInit: false,
    kdumpSkip: false,
    fwUpload: false,
    legacyLogFormat: true,
    dfFlushErrorToCaller: true,
  },
  kvm: {
    platformInitAtLoad: false,
    shutdownAtUnload: false,
    ciphertextHidingParam: false,
    perTypeAsidSummary: false,
    debugSwapParam: true,
    snpGhcbMin2: false,
    snpPolicyBitsFromFirmware: false,
    snpEnableReqCerts: false,
    snpSecureTsc: false,
    advertiseOnlyUsableVmTypes: false,
    snpPolicySmtSingleSocketChecks: true,
    enableVirtAtLoad: false,
    builtinInitsPsp: false,
  },
};

/**
 * 6.12: the RMP fix-up chunk is also memblock_reserve()d (commit 88a921aa3c6b,
 * docs/reference/linux-ccp.md §7.3); KVM enables virtualization at load (b4886fab6fb6). 6.13 is the
 * same for every modelled difference.
 */
const v6_12: Stage = {
  ...v6_11,
  host: { ...v6_11.host, rmpFixupE820Only: false },
  kvm: { ...v6_11.kvm, enableVirtAtLoad: true },
};

/**
 * 6.14: "Fix broken SNP support with KVM module built-in" (merged for 6.14-rc3):
 * snp_rmptable_init() runs from iommu_snp_enable() (409f45387c93; docs/reference/linux-ccp.md §7.1
 * step 5) and a built-in kvm_amd initialises the PSP driver first (44e70718df4f;
 * docs/reference/linux-ccp.md §7.4); the segmented-RMP series reads RMP_CFG (tip x86/sev,
 * 14 Dec 2024; docs/reference/linux-ccp.md §7.1 step 2). 6.15 = 6.14.
 */
const v6_14: Stage = {
  ...v6_12,
  host: { ...v6_12.host, rmpInitAfterIommu: false, rmpContiguousOnly: false },
  kvm: { ...v6_12.kvm, builtinInitsPsp: true },
};

/** 6.16: "Move SEV/SNP Platform initialization to KVM" (docs/reference/linux-ccp.md §1.2; docs/reference/linux-kvm-amd.md §7.1). */
const v6_16: Stage = {
  kernel: v6_14.kernel,
  host: v6_14.host,
  ccp: {
    ...v6_14.ccp,
    initOnProbe: false,
    snpFailureAbortsLegacy: true,
    ioctlImplicitInit: 'full',
    snpStatusImplicitInit: true,
    legacyLogFormat: false,
  },
  kvm: { ...v6_14.kvm, platformInitAtLoad: true, shutdownAtUnload: true },
};

/**
 * 6.17: kstrtobool() takes e/E and d/D (lib/kstrtox.c, commit ae5b3500856f); KVM leaves the SNP
 * policy's SMT and SINGLE_SOCKET bits to the firmware (kvm-x86-svm-6.17); a failed DF_FLUSH after
 * legacy INIT is only logged (0fa766726c09, in 6.16.1 as a stable fix; docs/reference/linux-ccp.md §3.4 step 8).
 */
const v6_17: Stage = {
  ...v6_16,
  kernel: { kstrtoboolEnableDisable: true },
  ccp: { ...v6_16.ccp, dfFlushErrorToCaller: false },
  kvm: { ...v6_16.kvm, snpPolicySmtSingleSocketChecks: false },
};

/** 6.18: ciphertext hiding (kvm-x86-ciphertext-6.18; docs/reference/linux-ccp.md §6); kdump skip (docs/reference/linux-ccp.md §3.2 step 2). */
const v6_18: Stage = {
  kernel: v6_17.kernel,
  host: v6_16.host,
  ccp: { ...v6_17.ccp, ciphertextHiding: true, kdumpSkip: true },
  kvm: {
    ...v6_17.kvm,
    ciphertextHidingParam: true,
    perTypeAsidSummary: true,
    snpSecureTsc: true,
    snpGhcbMin2: true,
  },
};

/**
 * 7.0: DebugSwap param dropped, firmware policy bits, REQ_CERTS (docs/reference/linux-kvm-amd.md
 * docs/reference/linux-kvm-amd.md §7.1); SNP_PLATFORM_STATUS ioctl no longer inits SNP (Jan 2026 crypto fix, docs/reference/linux-ccp.md §1.2).
 */
const v7_0: Stage = {
  kernel: v6_18.kernel,
  host: v6_18.host,
  ccp: { ...v6_18.ccp, snpStatusImplicitInit: false },
  kvm: {
    ...v6_18.kvm,
    debugSwapParam: false,
    snpPolicyBitsFromFirmware: true,
    snpEnableReqCerts: true,
  },
};

/** 7.1: "Move SNP initialization to the CCP driver" (x86_sev_for_v7.1_rc1; docs/reference/linux-ccp.md §1.2, §2.3). */
const v7_1: Stage = {
  kernel: v7_0.kernel,
  host: { ...v7_0.host, snpEnAtBoot: false },
  ccp: { ...v7_0.ccp, snpPrepare: 'snp-init', x86SnpShutdown: true },
  kvm: v7_0.kvm,
};

/** 7.2: offline-CPU refusal, ioctl re-init fixes, firmware VM types (docs/reference/linux-ccp.md §1.2, §3.5, §3.8). */
const v7_2: Stage = {
  kernel: v7_1.kernel,
  host: v7_1.host,
  ccp: {
    ...v7_1.ccp,
    snpPrepare: 'snp-init-checked',
    ioctlImplicitInit: 'legacy-only',
    firmwareVmTypes: true,
    snpIoctlsNeedInit: true,
  },
  kvm: { ...v7_1.kvm, advertiseOnlyUsableVmTypes: true },
};

/** Releases in order. 6.13 = 6.12 and 6.15 = 6.14 for every modelled difference. */
const STAGES: ReadonlyArray<readonly [string, Stage]> = [
  ['6.11', v6_11],
  ['6.12', v6_12],
  ['6.13', v6_12],
  ['6.14', v6_14],
  ['6.15', v6_14],
  ['6.16', v6_16],
  ['6.17', v6_17],
  ['6.18', v6_18],
  ['7.0', v7_0],
  ['7.1', v7_1],
  ['7.2', v7_2],
];

export const RELEASES: Readonly<Record<string, ReleaseProfile>> = Object.fromEntries(
  STAGES.map(([version, s]) => [
    version,
    { version, patches: [], kernel: s.kernel, host: s.host, ccp: s.ccp, kvm: s.kvm },
  ]),
);

export interface PatchSpec {
  readonly name: string;
  readonly description: string;
  /** Releases the series applies to. */
  readonly appliesTo: readonly string[];
  apply(profile: ReleaseProfile): ReleaseProfile;
}

/** Named pending series (docs/reference/linux-ccp.md §1.2 [PENDING]). */
export const PATCHES: Readonly<Record<string, PatchSpec>> = {
  'sev-fw-upload': {
    name: 'sev-fw-upload',
    description:
      'Tycho Andersen, "Implement SNP DOWNLOAD_FIRMWARE_EX support" RFC v1 (30 Apr 2026): fw_upload device "sev" (docs/reference/linux-ccp.md §5.2)',
    appliesTo: ['7.2'],
    apply: (p) => ({ ...p, ccp: { ...p.ccp, fwUpload: true } }),
  },
};

export class UnknownReleaseError extends Error {
  override readonly name = 'UnknownReleaseError';
}

export class UnknownPatchError extends Error {
  override readonly name = 'UnknownPatchError';
}

/** The profile of `version` with `patches` applied in the given order. */
export function resolveRelease(version: string, patches: readonly string[] = []): ReleaseProfile {
  const base = RELEASES[version];
  if (!base) {
    throw new UnknownReleaseError(
      `unknown kernel release '${version}' (known: ${Object.keys(RELEASES).join(', ')})`,
    );
  }
  let profile: ReleaseProfile = base;
  for (const name of patches) {
    const patch = PATCHES[name];
    if (!patch) {
      throw new UnknownPatchError(`unknown patch '${name}' (known: ${Object.keys(PATCHES).join(', ')})`);
    }
    if (!patch.appliesTo.includes(version)) {
      throw new UnknownPatchError(
        `patch '${name}' does not apply to ${version} (applies to: ${patch.appliesTo.join(', ')})`,
      );
    }
    profile = patch.apply(profile);
  }
  return { ...profile, patches: [...patches] };
}
