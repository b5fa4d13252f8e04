/**
 * SEV / SEV-ES launch commands and the firmware commands they issue (docs/reference/linux-kvm-amd.md §4.8).
 */
import { PAGE_SIZE } from '@sevsim/hardware';
import { Errno } from '@sevsim/ccp';
import {
  Cmd,
  SevDataActivate,
  SevDataDecommission,
  SevDataGuestStatus,
  SevDataLaunchFinish,
  SevDataLaunchMeasure,
  SevDataLaunchStart,
  SevDataLaunchUpdateData,
  SevDataLaunchUpdateVmsa,
  SEV_FW_BLOB_MAX_SIZE,
} from '@sevsim/psp-abi';
import { fail, ok, type KvmSev, type SevCmdResult } from './kvm-sev';
import type { Vm } from './vm';

/** struct kvm_sev_launch_start: the handle to share a key with (0 = new) and the guest policy. */
export interface KvmSevLaunchStart {
  handle?: number;
  policy?: number;
}

/** struct kvm_sev_launch_update_data, as a byte range of the VM's guest memory. */
export interface KvmSevLaunchUpdateData {
  offset?: number;
  len?: number;
}

/** struct kvm_sev_launch_measure: len 0 queries the length. */
export interface KvmSevLaunchMeasure {
  len?: number;
}

/** sev_guest(): an initialised SEV or SEV-ES VM. */
const sevGuest = (vm: Vm): boolean => vm.active;

/** LAUNCH_START, then ACTIVATE (sev_bind_asid); DECOMMISSION the new handle if ACTIVATE fails. */
export function sevLaunchStart(k: KvmSev, vm: Vm, params: KvmSevLaunchStart): SevCmdResult {
  if (!sevGuest(vm)) return fail(-Errno.ENOTTY);
  const policy = params.policy ?? 0;
  const start = k.driver.issueCmd(
    Cmd.LAUNCH_START,
    SevDataLaunchStart.encode({ handle: params.handle ?? 0, policy }),
  );
  if (start.rc !== 0) return fail(start.rc, start.error);
  const handle = SevDataLaunchStart.decode(start.buffer).handle;
  const activate = k.driver.issueCmd(Cmd.ACTIVATE, SevDataActivate.encode({ handle, asid: vm.asid }));
  if (activate.rc !== 0) {
    k.driver.issueCmd(Cmd.DECOMMISSION, SevDataDecommission.encode({ handle }));
    return fail(activate.rc, activate.error);
  }
  vm.policy = BigInt(policy);
  vm.handle = handle;
  return ok({ handle });
}

/** LAUNCH_UPDATE_DATA: the pinned range, one firmware command per physically contiguous chunk. */
export function sevLaunchUpdateData(k: KvmSev, vm: Vm, params: KvmSevLaunchUpdateData): SevCmdResult {
  if (!sevGuest(vm)) return fail(-Errno.ENOTTY);
  const offset = params.offset ?? 0;
  const len = params.len ?? vm.memoryPages * PAGE_SIZE;
  // sev_pin_memory(): zero length or wrap-around → -EINVAL; pages outside the memslot → -EFAULT.
  if (len <= 0 || offset < 0) return fail(-Errno.EINVAL);
  if (offset + len > vm.memoryPages * PAGE_SIZE) return fail(-Errno.EFAULT);
  const address = vm.memoryPfn * PAGE_SIZE + offset;
  const res = k.driver.issueCmd(
    Cmd.LAUNCH_UPDATE_DATA,
    SevDataLaunchUpdateData.encode({ handle: vm.handle, address, len }),
  );
  if (res.rc !== 0) return fail(res.rc, res.error);
  const first = vm.memoryPfn + Math.floor(offset / PAGE_SIZE);
  const last = vm.memoryPfn + Math.floor((offset + len - 1) / PAGE_SIZE);
  for (let pfn = first; pfn <= last; pfn++) if (!vm.privatePfns.includes(pfn)) vm.privatePfns.push(pfn);
  vm.privatePfns.sort((a, b) => a - b);
  return ok();
}

/** LAUNCH_UPDATE_VMSA: every vCPU's VMSA; an already protected VMSA → -EINVAL (sev_es_sync_vmsa). */
export function sevLaunchUpdateVmsa(k: KvmSev, vm: Vm): SevCmdResult {
  if (!(vm.active && vm.esActive)) return fail(-Errno.ENOTTY);
  for (const vcpu of vm.vcpus) {
    if (vcpu.protected || vcpu.vmsaPfn === null) return fail(-Errno.EINVAL);
    const res = k.driver.issueCmd(
      Cmd.LAUNCH_UPDATE_VMSA,
      SevDataLaunchUpdateVmsa.encode({
        handle: vm.handle,
        address: vcpu.vmsaPfn * PAGE_SIZE,
        len: PAGE_SIZE,
      }),
    );
    if (res.rc !== 0) return fail(res.rc, res.error);
    vcpu.protected = true;
  }
  return ok();
}

/** LAUNCH_MEASURE: len 0 asks the firmware for the length; len > 16 KB → -EINVAL. */
export function sevLaunchMeasure(k: KvmSev, vm: Vm, params: KvmSevLaunchMeasure): SevCmdResult {
  if (!sevGuest(vm)) return fail(-Errno.ENOTTY);
  const len = params.len ?? 0;
  if (len > SEV_FW_BLOB_MAX_SIZE) return fail(-Errno.EINVAL);
  const address = len === 0 ? 0 : k.blobBuffer() * PAGE_SIZE;
  const res = k.driver.issueCmd(
    Cmd.LAUNCH_MEASURE,
    SevDataLaunchMeasure.encode({ handle: vm.handle, address, len }),
  );
  const outLen = SevDataLaunchMeasure.decode(res.buffer).len;
  // A length query reports the firmware's answer with the ioctl's return value as is.
  if (len !== 0 && res.rc !== 0) return fail(res.rc, res.error);
  return { rc: res.rc, error: res.error, data: { len: outLen } };
}

export function sevLaunchFinish(k: KvmSev, vm: Vm): SevCmdResult {
  if (!sevGuest(vm)) return fail(-Errno.ENOTTY);
  const res = k.driver.issueCmd(Cmd.LAUNCH_FINISH, SevDataLaunchFinish.encode({ handle: vm.handle }));
  if (res.rc !== 0) return fail(res.rc, res.error);
  vm.state = 'running';
  return ok();
}

/** GUEST_STATUS → {handle, policy, state} (states 0 UNINIT, 1 LUPDATE, 2 LSECRET, 3 RUNNING). */
export function sevGuestStatus(k: KvmSev, vm: Vm): SevCmdResult {
  if (!sevGuest(vm)) return fail(-Errno.ENOTTY);
  const res = k.driver.issueCmd(Cmd.GUEST_STATUS, SevDataGuestStatus.encode({ handle: vm.handle }));
  if (res.rc !== 0) return fail(res.rc, res.error);
  const out = SevDataGuestStatus.decode(res.buffer);
  return ok({ handle: vm.handle, policy: out.policy, state: out.state });
}
