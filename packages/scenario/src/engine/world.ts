/**
 * The simulated system one scenario runs on: the machine, its PSP, the kernel's context (dmesg,
 * the disk), the loaded modules and the VMs the operator created. The disk and the committed
 * firmware image survive a reboot; everything else is rebuilt.
 */
import type { Ccp, KernelContext } from '@sevsim/ccp';
import type { Psp } from '@sevsim/firmware';
import type { Machine } from '@sevsim/hardware';
import type { KvmAmd, ReleaseProfile, Vm } from '@sevsim/kvm-amd';
import type { ModuleName } from '../catalog';
import type { ResolvedKernel, ResolvedMachine } from '../resolve';
import type { VmType } from '../scenario';
import type { PspCall } from '../trace';
import type { FaultyMailbox } from './psp-timing';

export interface VmRecord {
  readonly type: VmType;
  /** The kvm-amd VM; null when KVM_CREATE_VM failed or after a reboot. */
  vm: Vm | null;
  destroyed: boolean;
}

export interface World {
  readonly machineConfig: ResolvedMachine;
  readonly kernel: ResolvedKernel;
  readonly release: ReleaseProfile;
  machine: Machine;
  psp: Psp;
  /** What ccp is handed as its mailbox: the PSP, or the PSP with the machine's faults. */
  mailbox: Psp | FaultyMailbox;
  ctx: KernelContext;
  ccp: Ccp | null;
  kvm: KvmAmd | null;
  readonly builtin: ReadonlySet<ModuleName>;
  readonly vms: Map<string, VmRecord>;
  /** Who is issuing firmware commands right now (PspCall.by). */
  issuer: PspCall['by'];
  /** Firmware commands of the current step, in order. */
  calls: PspCall[];
  /** No dmesg kept and no firmware commands recorded (`SessionOptions.quiet`). */
  readonly quiet: boolean;
}
