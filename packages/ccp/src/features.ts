/**
 * What the driver tells KVM about the firmware's features (docs/reference/linux-ccp.md §3.5, §6):
 * sev_is_snp_ciphertext_hiding_supported(), sev_get_snp_policy_bits() and
 * sev_firmware_supported_vm_types() with the AMD-SB-3023 SEV-ES cut-off.
 */
import { SnpFeatureEcx, SnpPolicy } from '@sevsim/psp-abi';
import type { SevDevice } from './sev-device';
import { snpPlatformStatusLocked } from './platform-status';

/** KVM_X86_*_VM (arch/x86/include/uapi/asm/kvm.h). */
export const KVM_X86_VM = { DEFAULT: 0, SW_PROTECTED: 1, SEV: 2, SEV_ES: 3, SNP: 4 } as const;

/** SNP_POLICY_MASK_BASE: ABI minor/major, SMT, RSVD_MBO, MIGRATE_MA, DEBUG, SINGLE_SOCKET (bits 0–20). */
export const SNP_POLICY_MASK_BASE = (1n << 21n) - 1n;

/** AMD-SB-3023 SNP SVN thresholds at or above which the firmware refuses SEV-ES (docs/reference/linux-ccp.md §3.5). */
export const SEV_ES_SVN_CUTOFF = { 'zen3-4': 0x1b, zen5: 0x04 } as const;

export function isSnpCiphertextHidingSupported(dev: SevDevice): boolean {
  if (!dev.present || !dev.profile.ciphertextHiding) return false;
  return (
    (dev.snpFeatInfo0.ecx & SnpFeatureEcx.CIPHERTEXT_HIDING) !== 0 && !!dev.snpPlatStatus?.ciphertextHidingCap
  );
}

export function snpPolicyBits(dev: SevDevice): bigint {
  if (!dev.ctx.hostSnp || !dev.present) return 0n;
  let bits = SNP_POLICY_MASK_BASE;
  if (dev.snpPlatStatus?.featureInfo) {
    const ecx = dev.snpFeatInfo0.ecx;
    if (ecx & SnpFeatureEcx.RAPL_DISABLE) bits |= SnpPolicy.RAPL_DIS;
    if (ecx & SnpFeatureEcx.CIPHERTEXT_HIDING) bits |= SnpPolicy.CIPHERTEXT_HIDING_DRAM;
    if (ecx & SnpFeatureEcx.AES_256_XTS_POLICY) bits |= SnpPolicy.MEM_AES_256_XTS;
    if (ecx & SnpFeatureEcx.CXL_ALLOW_POLICY) bits |= SnpPolicy.CXL_ALLOW;
    if (dev.apiMajor > 1 || (dev.apiMajor === 1 && dev.apiMinor >= 58)) bits |= SnpPolicy.PAGE_SWAP_DISABLE;
  }
  return bits;
}

/** The SNP SVN from CURRENT_TCB of a fresh SNP_PLATFORM_STATUS, or a negative errno. */
function currentSnpSvn(dev: SevDevice): number {
  const r = snpPlatformStatusLocked(dev);
  if (r.rc < 0 || !r.status) return r.rc < 0 ? r.rc : -1;
  const tcb = r.status.currentTcb;
  // TCB_VERSION: Milan/Genoa SNP SVN in byte 6, Turin in byte 3.
  const byte = dev.ctx.machine.preset.tcbLayout === 'zen5' ? 3n : 6n;
  return Number((tcb >> (8n * byte)) & 0xffn);
}

/** sev_firmware_allows_es(): an error reading the SVN counts as "allowed" (it is < the cut-off). */
function firmwareAllowsEs(dev: SevDevice): boolean {
  return currentSnpSvn(dev) < SEV_ES_SVN_CUTOFF[dev.ctx.machine.preset.tcbLayout];
}

export function firmwareSupportedVmTypes(dev: SevDevice): number {
  if (!dev.present) return 0;
  let types = (1 << KVM_X86_VM.SEV) | (1 << KVM_X86_VM.SEV_ES);
  if (!dev.snpInitialized) return types;
  types |= 1 << KVM_X86_VM.SNP;
  if (!firmwareAllowsEs(dev)) types &= ~(1 << KVM_X86_VM.SEV_ES);
  return types;
}
