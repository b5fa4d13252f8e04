/**
 * SEV-SNP launch commands (docs/reference/linux-kvm-amd.md §4.8 "SNP") and snp_decommission_context (§4.9 step 5).
 */
import { Errno } from '@sevsim/ccp';
import {
  Cmd,
  SevDataSnpActivate,
  SevDataSnpAddr,
  SevDataSnpLaunchFinish,
  SevDataSnpLaunchStart,
  SevDataSnpLaunchUpdate,
  SnpPageType,
  SnpPolicy,
} from '@sevsim/psp-abi';
import { RmpResult, PAGE_SIZE } from '@sevsim/hardware';
import { fail, ok, type KvmSev, type SevCmdResult } from './kvm-sev';
import { isSnpGuest, type Vm } from './vm';

/** struct kvm_sev_snp_launch_start (policy, flags; gosvw left zero). */
export interface KvmSevSnpLaunchStart {
  policy?: bigint | number;
  flags?: number;
}

/** struct kvm_sev_snp_launch_update, as guest frame numbers of the VM's memory. */
export interface KvmSevSnpLaunchUpdate {
  gfnStart?: number;
  pages?: number;
  type?: number;
  flags?: number;
}

export interface KvmSevSnpLaunchFinish {
  flags?: number;
}

/** INITIAL_VMSA_GPA (docs/reference/linux-kvm-amd.md §4.1). */
const INITIAL_VMSA_GPA = 0xfffffffff000;

/** KVM_SEV_SNP_PAGE_TYPE_{NORMAL, ZERO, UNMEASURED, SECRETS, CPUID} (docs/reference/linux-kvm-amd.md §4.1). */
const LAUNCH_UPDATE_TYPES = new Set<number>([
  SnpPageType.NORMAL,
  SnpPageType.ZERO,
  SnpPageType.UNMEASURED,
  SnpPageType.SECRETS,
  SnpPageType.CPUID,
]);

/** rmp_make_private(pfn, gpa, 4K, asid, immutable=true): the page becomes Pre-Guest. */
function rmpMakePrivate(k: KvmSev, pfn: number, gpa: number, asid: number): boolean {
  return (
    k.ctx.machine.rmp.rmpupdate(pfn, { assigned: true, pageSize: '4K', immutable: true, gpa, asid }) ===
    RmpResult.SUCCESS
  );
}

/** rmp_make_shared(): back to a hypervisor page. */
export function rmpMakeShared(k: KvmSev, pfn: number): boolean {
  return k.ctx.machine.rmp.rmpupdate(pfn, { assigned: false, immutable: false }) === RmpResult.SUCCESS;
}

/** snp_decommission_context(): SNP_DECOMMISSION, then free the context page; on failure keep it. */
export function snpDecommissionContext(k: KvmSev, vm: Vm): number {
  if (vm.gctx === null) return 0;
  const res = k.driver.issueCmd(
    Cmd.SNP_DECOMMISSION,
    SevDataSnpAddr.encode({ address: vm.gctx * PAGE_SIZE }),
  );
  if (res.rc !== 0) return res.rc;
  k.driver.snpFreeFirmwarePage(vm.gctx);
  vm.gctx = null;
  return 0;
}

/**
 * SNP_LAUNCH_START: checks, SNP_GCTX_CREATE into a firmware page (failure → -ENOTTY),
 * SNP_LAUNCH_START, SNP_ACTIVATE; any failure after the context exists decommissions it.
 */
export function snpLaunchStart(k: KvmSev, vm: Vm, params: KvmSevSnpLaunchStart): SevCmdResult {
  if (!isSnpGuest(vm)) return fail(-Errno.ENOTTY);
  if (vm.gctx !== null) return fail(-Errno.EINVAL);
  if ((params.flags ?? 0) !== 0) return fail(-Errno.EINVAL);
  const policy = BigInt(params.policy ?? 0);
  if ((policy & ~k.setup.snpPolicyBits) !== 0n) return fail(-Errno.EINVAL);
  if ((policy & SnpPolicy.RSVD_MBO) === 0n) return fail(-Errno.EINVAL);
  // ≤6.16 KVM itself insisted on SMT and refused SINGLE_SOCKET; 6.17 left both to the firmware
  // (docs/reference/linux-kvm-amd.md §4.8).
  if (
    k.profile.snpPolicySmtSingleSocketChecks &&
    ((policy & SnpPolicy.SMT) === 0n || (policy & SnpPolicy.SINGLE_SOCKET) !== 0n)
  ) {
    return fail(-Errno.EINVAL);
  }

  // snp_context_create().
  const gctx = k.driver.snpAllocFirmwarePage();
  if (gctx === null) return fail(-Errno.ENOTTY);
  const create = k.driver.issueCmd(Cmd.SNP_GCTX_CREATE, SevDataSnpAddr.encode({ address: gctx * PAGE_SIZE }));
  if (create.rc !== 0) {
    k.ctx.log.print(`kvm_amd: Failed to create SEV-SNP context, rc ${create.rc} fw_error ${create.error}`);
    k.driver.snpFreeFirmwarePage(gctx);
    return fail(-Errno.ENOTTY, create.error);
  }
  vm.gctx = gctx;

  const start = k.driver.issueCmd(
    Cmd.SNP_LAUNCH_START,
    SevDataSnpLaunchStart.encode({ gctxPaddr: gctx * PAGE_SIZE, policy }),
  );
  if (start.rc !== 0) {
    snpDecommissionContext(k, vm);
    return fail(start.rc, start.error);
  }
  vm.policy = policy;
  const activate = k.driver.issueCmd(
    Cmd.SNP_ACTIVATE,
    SevDataSnpActivate.encode({ gctxPaddr: gctx * PAGE_SIZE, asid: vm.asid }),
  );
  if (activate.rc !== 0) {
    snpDecommissionContext(k, vm);
    return fail(activate.rc, activate.error);
  }
  return ok();
}

/**
 * SNP_LAUNCH_UPDATE: per page, the RMP entry must be unassigned, rmp_make_private → Pre-Guest, then
 * the firmware command. A firmware failure reclaims that page; earlier pages of the call go back to
 * shared; the ioctl returns -EIO with the firmware status.
 */
export function snpLaunchUpdate(k: KvmSev, vm: Vm, params: KvmSevSnpLaunchUpdate): SevCmdResult {
  if (!isSnpGuest(vm) || vm.gctx === null) return fail(-Errno.EINVAL);
  const gfnStart = params.gfnStart ?? 0;
  const pages = params.pages ?? vm.memoryPages;
  const type = params.type ?? SnpPageType.NORMAL;
  if (pages <= 0 || (params.flags ?? 0) !== 0 || !LAUNCH_UPDATE_TYPES.has(type)) return fail(-Errno.EINVAL);
  // The range must lie in the guest_memfd-backed memslot.
  if (gfnStart < 0 || gfnStart + pages > vm.memoryPages) return fail(-Errno.EINVAL);

  const madePrivate: number[] = [];
  const undo = (): void => {
    for (const pfn of madePrivate) rmpMakeShared(k, pfn);
  };
  for (let i = 0; i < pages; i++) {
    const gfn = gfnStart + i;
    const pfn = vm.memoryPfn + gfn;
    // "RMP entry is initial shared state" or -EEXIST; kvm_gmem_populate's failure becomes -EIO.
    if (k.ctx.machine.rmp.entry(pfn)?.assigned || !rmpMakePrivate(k, pfn, gfn * PAGE_SIZE, vm.asid)) {
      undo();
      return fail(-Errno.EIO, 0);
    }
    const res = k.driver.issueCmd(
      Cmd.SNP_LAUNCH_UPDATE,
      SevDataSnpLaunchUpdate.encode({
        gctxPaddr: vm.gctx * PAGE_SIZE,
        pageSize: 0,
        pageType: type,
        address: pfn * PAGE_SIZE,
      }),
    );
    if (res.rc !== 0) {
      k.driver.snpReclaimPages(pfn, 1);
      undo();
      return fail(-Errno.EIO, res.error);
    }
    madePrivate.push(pfn);
  }
  for (const pfn of madePrivate) if (!vm.privatePfns.includes(pfn)) vm.privatePfns.push(pfn);
  vm.privatePfns.sort((a, b) => a - b);
  return ok({ gfnStart: gfnStart + pages, pages: 0 });
}

/**
 * SNP_LAUNCH_FINISH: every vCPU VMSA via rmp_make_private at INITIAL_VMSA_GPA + SNP_LAUNCH_UPDATE
 * (type VMSA), then SNP_LAUNCH_FINISH.
 */
export function snpLaunchFinish(k: KvmSev, vm: Vm, params: KvmSevSnpLaunchFinish): SevCmdResult {
  if (!isSnpGuest(vm)) return fail(-Errno.ENOTTY);
  if (vm.gctx === null) return fail(-Errno.EINVAL);
  if ((params.flags ?? 0) !== 0) return fail(-Errno.EINVAL);
  for (const vcpu of vm.vcpus) {
    if (vcpu.protected || vcpu.vmsaPfn === null) return fail(-Errno.EINVAL);
    if (!rmpMakePrivate(k, vcpu.vmsaPfn, INITIAL_VMSA_GPA, vm.asid)) return fail(-Errno.EIO);
    const res = k.driver.issueCmd(
      Cmd.SNP_LAUNCH_UPDATE,
      SevDataSnpLaunchUpdate.encode({
        gctxPaddr: vm.gctx * PAGE_SIZE,
        pageType: SnpPageType.VMSA,
        address: vcpu.vmsaPfn * PAGE_SIZE,
      }),
    );
    if (res.rc !== 0) {
      k.driver.snpReclaimPages(vcpu.vmsaPfn, 1);
      return fail(res.rc, res.error);
    }
    vcpu.protected = true;
  }
  const res = k.driver.issueCmd(
    Cmd.SNP_LAUNCH_FINISH,
    SevDataSnpLaunchFinish.encode({ gctxPaddr: vm.gctx * PAGE_SIZE }),
  );
  if (res.rc !== 0) return fail(res.rc, res.error);
  vm.state = 'running';
  return ok();
}

/** KVM_SEV_SNP_ENABLE_REQ_CERTS (7.0+): vCPUs created or not SNP → -EINVAL. */
export function snpEnableReqCerts(vm: Vm): SevCmdResult {
  if (vm.vcpus.length > 0 || !isSnpGuest(vm)) return fail(-Errno.EINVAL);
  vm.snpCertsEnabled = true;
  return ok();
}
