/**
 * KVM_SEV_INIT / KVM_SEV_ES_INIT / KVM_SEV_INIT2 and __sev_guest_init()
 * (docs/reference/linux-kvm-amd.md §4.4–§4.6; docs/reference/linux-ccp.md §3.6).
 */
import { Errno } from '@sevsim/ccp';
import { asidRange, sevAsidFree, sevAsidNew } from './asid-alloc';
import { fail, ok, type KvmSev, type SevCmdResult } from './kvm-sev';
import { SevFeature, type Vm, type VmType, VmTypeId } from './vm';

/** struct kvm_sev_init (docs/reference/linux-kvm-amd.md §4.1). */
export interface KvmSevInit {
  vmsaFeatures?: bigint | number;
  flags?: number;
  ghcbVersion?: number;
}

/** GHCB_VERSION_MAX 2, GHCB_VERSION_MIN 1 (docs/reference/linux-kvm-amd.md §4.1). */
const GHCB_VERSION_MAX = 2;
const GHCB_VERSION_MIN = 1;

/** __sev_guest_init(): the validation order and errnos of docs/reference/linux-kvm-amd.md §4.6. */
function sevGuestInit(k: KvmSev, vm: Vm, data: KvmSevInit, vmType: VmType): SevCmdResult {
  const esActive = vmType !== VmTypeId.SEV;
  const snpActive = vmType === VmTypeId.SNP;
  const features = BigInt(data.vmsaFeatures ?? 0);
  let ghcb = data.ghcbVersion ?? 0;
  // Step 1: no vCPUs yet.
  if (vm.vcpus.length > 0) return fail(-Errno.EINVAL);
  // Step 2: no flags are defined.
  if ((data.flags ?? 0) !== 0) return fail(-Errno.EINVAL);
  // Step 3: SEV must pass 0; Secure TSC only for SNP.
  let valid = esActive ? k.setup.supportedVmsaFeatures : 0n;
  if (!snpActive) valid &= ~SevFeature.SECURE_TSC;
  if ((features & ~valid) !== 0n) return fail(-Errno.EINVAL);
  // Step 4.
  if (ghcb > GHCB_VERSION_MAX || (!esActive && ghcb !== 0)) return fail(-Errno.EINVAL);
  // Step 5: ES/SNP default to GHCB v2.
  if (esActive && ghcb === 0) ghcb = 2;
  // Step 6 (7.0+): SNP needs GHCB ≥ 2.
  if (k.profile.snpGhcbMin2 && snpActive && ghcb < 2) return fail(-Errno.EINVAL);
  // Step 7.
  if (vm.active) return fail(-Errno.EINVAL);
  // Step 8.
  vm.active = true;
  vm.esActive = esActive;
  vm.vmsaFeatures = snpActive ? features | SevFeature.SNP_ACTIVE : features;
  vm.ghcbVersion = ghcb;
  const reset = (): void => {
    vm.vmsaFeatures = 0n;
    vm.esActive = false;
    vm.active = false;
  };
  // Step 9: ASID.
  const asidRc = sevAsidNew(k, vm);
  if (asidRc !== 0) {
    const { min, max } = asidRange(k, vm);
    reset();
    return fail(
      asidRc,
      0,
      min > max ? `sev_asid_new() finds the ASID range empty (${min} > ${max})` : undefined,
    );
  }
  const freeAsid = (rc: number, error: number): SevCmdResult => {
    sevAsidFree(k, vm);
    vm.asid = 0;
    vm.asidAssigned = false;
    reset();
    return fail(rc, error);
  };
  // Step 10: implicit sev_platform_init(probe=false) — the deferred legacy INIT point (docs/reference/linux-ccp.md §3.6).
  const init = k.driver.platformInit({ probe: false, maxSnpAsid: 0 });
  if (init.rc !== 0) return freeAsid(init.rc, init.error);
  // Step 12: snp_guest_req_init(): the firmware-owned response page, after firmware init.
  if (snpActive) {
    const resp = k.driver.snpAllocFirmwarePage();
    if (resp === null) return freeAsid(-Errno.ENOMEM, 0);
    vm.guestRespBuf = resp;
  }
  // Step 13.
  vm.needInit = false;
  vm.state = 'initialized';
  return ok();
}

/** KVM_SEV_INIT / KVM_SEV_ES_INIT: DEFAULT VMs only; ES_INIT pinned to GHCB v1 (docs/reference/linux-kvm-amd.md §4.4). */
export function sevLegacyInit(k: KvmSev, vm: Vm, es: boolean): SevCmdResult {
  if (vm.type !== VmTypeId.DEFAULT) return fail(-Errno.EINVAL);
  return sevGuestInit(
    k,
    vm,
    { vmsaFeatures: 0n, flags: 0, ghcbVersion: es ? GHCB_VERSION_MIN : 0 },
    es ? VmTypeId.SEV_ES : VmTypeId.SEV,
  );
}

/** KVM_SEV_INIT2 (docs/reference/linux-kvm-amd.md §4.5). */
export function sevInit2(k: KvmSev, vm: Vm, data: KvmSevInit): SevCmdResult {
  if (!vm.needInit) return fail(-Errno.EINVAL);
  if (vm.type !== VmTypeId.SEV && vm.type !== VmTypeId.SEV_ES && vm.type !== VmTypeId.SNP) {
    return fail(-Errno.EINVAL);
  }
  return sevGuestInit(k, vm, data, vm.type);
}
