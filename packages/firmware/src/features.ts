/**
 * What a firmware version can do. The running image's version gates commands and feature bits
 * (docs/reference/psp-firmware.md §7.3 "SNP API min versions used by Linux"; §3.8 FEATURE_INFO ECX bits).
 * See README "Decisions" for the versions we had to choose.
 */
import type { CpuPreset } from '@sevsim/hardware';
import { type FirmwareVersion, compareVersion } from './firmware-image';
import { SnpFeatureEcx, SnpPolicy } from '@sevsim/psp-abi';

const at = (major: number, minor: number, build = 0): FirmwareVersion => ({ major, minor, build });

/** SNP commands exist from SNP API 1.51 (docs/reference/psp-firmware.md §7.3). */
export const SNP_MIN_VERSION = at(1, 51);
/** SNP_INIT_EX LIST_PADDR from 1.52 (docs/reference/psp-firmware.md §3.2). */
export const LIST_PADDR_VERSION = at(1, 52);
/** IOMMU pages go to Reclaim at SNP_SHUTDOWN_EX from 1.53; older: Hypervisor (docs/reference/psp-firmware.md §3.3). */
export const IOMMU_RECLAIM_VERSION = at(1, 53);
/** SNP_FEATURE_INFO from 1.55 (docs/reference/psp-firmware.md §3.8). */
export const FEATURE_INFO_VERSION = at(1, 55);
/** Decision: the Turin (Zen 5) images that added CTH and RAPL_DIS start at 1.55.37. */
export const CIPHERTEXT_HIDING_VERSION = at(1, 55, 37);
/** Linux enables PAGE_SWAP_DISABLE in the policy mask from API 1.58 (docs/reference/linux-ccp.md §6). */
export const PAGE_SWAP_DISABLE_VERSION = at(1, 58);

export function atLeast(v: FirmwareVersion, min: FirmwareVersion): boolean {
  return compareVersion(v, min) >= 0;
}

export interface FirmwareFeatures {
  snp: boolean;
  listPaddr: boolean;
  iommuReclaim: boolean;
  featureInfo: boolean;
  /** FEATURE_INFO sub-function 0 {eax, ebx, ecx, edx}. */
  featureInfo0: { eax: number; ebx: number; ecx: number; edx: number };
  ciphertextHiding: boolean;
  x86SnpShutdown: boolean;
  raplDis: boolean;
  /** SNP guest policy bits this firmware accepts (others → POLICY_FAILURE, docs/reference/psp-firmware.md §3.11). */
  snpPolicyMask: bigint;
}

/** Policy bits 0–20 are always defined (docs/reference/psp-firmware.md §3.11); bit 17 must be one. */
const BASE_SNP_POLICY_MASK = (1n << 21n) - 1n;

export function featuresOf(v: FirmwareVersion, preset: CpuPreset): FirmwareFeatures {
  const featureInfo = atLeast(v, FEATURE_INFO_VERSION);
  const zen5Features = preset.zen === 5 && atLeast(v, CIPHERTEXT_HIDING_VERSION);
  let ecx = 0;
  if (featureInfo) ecx |= SnpFeatureEcx.VLEK | SnpFeatureEcx.X86_SNP_SHUTDOWN;
  if (zen5Features) ecx |= SnpFeatureEcx.RAPL_DISABLE | SnpFeatureEcx.CIPHERTEXT_HIDING;
  let policy = BASE_SNP_POLICY_MASK;
  if (ecx & SnpFeatureEcx.RAPL_DISABLE) policy |= SnpPolicy.RAPL_DIS;
  if (ecx & SnpFeatureEcx.CIPHERTEXT_HIDING) policy |= SnpPolicy.CIPHERTEXT_HIDING_DRAM;
  if (atLeast(v, PAGE_SWAP_DISABLE_VERSION)) policy |= SnpPolicy.PAGE_SWAP_DISABLE;
  return {
    snp: atLeast(v, SNP_MIN_VERSION),
    listPaddr: atLeast(v, LIST_PADDR_VERSION),
    iommuReclaim: atLeast(v, IOMMU_RECLAIM_VERSION),
    featureInfo,
    // EAX = highest sub-function (1 in 1.55.25); EBX bit 0 = legacy SEV supported [FW].
    featureInfo0: { eax: 1, ebx: 1, ecx, edx: 0 },
    ciphertextHiding: (ecx & SnpFeatureEcx.CIPHERTEXT_HIDING) !== 0,
    x86SnpShutdown: (ecx & SnpFeatureEcx.X86_SNP_SHUTDOWN) !== 0,
    raplDis: (ecx & SnpFeatureEcx.RAPL_DISABLE) !== 0,
    snpPolicyMask: policy,
  };
}
