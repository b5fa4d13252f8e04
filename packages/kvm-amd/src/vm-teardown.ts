/**
 * sev_vm_destroy() on VM fd release, plus what freeing the vCPUs and the guest_memfd does to the
 * RMP (docs/reference/linux-kvm-amd.md §4.9).
 */
import { Cmd, SevDataDeactivate, SevDataDecommission } from '@sevsim/psp-abi';
import { sevAsidFree } from './asid-alloc';
import type { KvmSev } from './kvm-sev';
import { rmpMakeShared, snpDecommissionContext } from './snp-launch';
import { isSnpGuest, type Vm } from './vm';

/** sev_unbind_asid(): DEACTIVATE then DECOMMISSION, only when LAUNCH_START gave a handle. */
function sevUnbindAsid(k: KvmSev, handle: number): void {
  if (handle === 0) return;
  k.driver.issueCmd(Cmd.DEACTIVATE, SevDataDeactivate.encode({ handle }));
  k.driver.issueCmd(Cmd.DECOMMISSION, SevDataDecommission.encode({ handle }));
}

export function destroyVmState(k: KvmSev, vm: Vm): void {
  vm.state = 'destroyed';
  // Step 1: not a SEV guest → nothing.
  if (!vm.active) return;
  if (isSnpGuest(vm)) {
    // Step 5: guest-request buffers first, then the context.
    if (vm.guestRespBuf !== null) {
      k.driver.snpFreeFirmwarePage(vm.guestRespBuf);
      vm.guestRespBuf = null;
    }
    const rc = snpDecommissionContext(k, vm);
    // sev_free_vcpu(): VMSA pages back to shared; guest_memfd release: private pages back to shared.
    for (const vcpu of vm.vcpus) if (vcpu.protected && vcpu.vmsaPfn !== null) rmpMakeShared(k, vcpu.vmsaPfn);
    for (const pfn of vm.privatePfns) rmpMakeShared(k, pfn);
    // A failed SNP_DECOMMISSION leaks the ASID on purpose (WARN "Failed to release guest context").
    if (rc !== 0) {
      // WARN_ONCE prints its message without the pr_fmt prefix.
      k.ctx.log.print(`Failed to release guest context, ret ${rc}`);
      return;
    }
  } else {
    // Step 6.
    sevUnbindAsid(k, vm.handle);
  }
  // Step 7.
  sevAsidFree(k, vm);
}
