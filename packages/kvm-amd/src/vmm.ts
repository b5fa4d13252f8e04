/**
 * A VMM doing what the KVM selftest library's vm_sev_launch() does (docs/reference/linux-kvm-amd.md §5 "Shared
 * library behaviour"), stopping at the first command that fails (vm_sev_ioctl asserts rc 0 and
 * error 0).
 */
import { SevPolicy, SnpPolicy } from '@sevsim/psp-abi';
import type { KvmAmd, SevCmd, SevCmdName } from './kvm-amd';
import type { SevCmdResult } from './kvm-sev';
import { type Vm, VmTypeId } from './vm';

export interface LaunchResult {
  readonly rc: number;
  readonly error: number;
  /** The KVM command that failed, when one did. */
  readonly failedCmd?: SevCmdName;
  /** Every command issued, in order. */
  readonly steps: readonly { cmd: SevCmdName; rc: number; error: number }[];
}

export interface LaunchOptions {
  /** SEV/ES: u32 policy; SNP: u64 policy. Default per type as the selftests use. */
  readonly policy?: number | bigint;
}

/** snp_default_policy(): RSVD_MBO, plus SMT when the host has SMT (docs/reference/linux-kvm-amd.md §5). */
function snpDefaultPolicy(kvm: KvmAmd): bigint {
  return SnpPolicy.RSVD_MBO | (kvm.ctx.machine.preset.threadsPerCore > 1 ? SnpPolicy.SMT : 0n);
}

/**
 * Launch `vm` up to running. SEV/ES: LAUNCH_START, GUEST_STATUS, LAUNCH_UPDATE_DATA, [LAUNCH_UPDATE_VMSA
 * when the policy has ES], LAUNCH_MEASURE, GUEST_STATUS, GUEST_STATUS, LAUNCH_FINISH, GUEST_STATUS.
 * SNP: SNP_LAUNCH_START, SNP_LAUNCH_UPDATE (NORMAL), SNP_LAUNCH_FINISH. The selftest VMs have one
 * vCPU; an initialised VM without vCPUs gets one first.
 */
export function launchVm(kvm: KvmAmd, vm: Vm, opts: LaunchOptions = {}): LaunchResult {
  const steps: { cmd: SevCmdName; rc: number; error: number }[] = [];
  if (vm.vcpus.length === 0 && vm.active) kvm.createVcpu(vm);
  const run = (cmd: SevCmd & { id: SevCmdName }): SevCmdResult => {
    const res = kvm.memEncryptOp(vm, cmd);
    steps.push({ cmd: cmd.id, rc: res.rc, error: res.error });
    return res;
  };
  const sequence: (SevCmd & { id: SevCmdName })[] = [];
  if (vm.type === VmTypeId.SNP) {
    const policy = BigInt(opts.policy ?? snpDefaultPolicy(kvm));
    sequence.push(
      { id: 'KVM_SEV_SNP_LAUNCH_START', data: { policy } },
      { id: 'KVM_SEV_SNP_LAUNCH_UPDATE', data: {} },
      { id: 'KVM_SEV_SNP_LAUNCH_FINISH', data: {} },
    );
  } else {
    const es = vm.esActive || vm.type === VmTypeId.SEV_ES;
    const policy = Number(opts.policy ?? (es ? SevPolicy.ES : 0));
    sequence.push(
      { id: 'KVM_SEV_LAUNCH_START', data: { policy } },
      { id: 'KVM_SEV_GUEST_STATUS' },
      { id: 'KVM_SEV_LAUNCH_UPDATE_DATA', data: {} },
    );
    if (policy & SevPolicy.ES) sequence.push({ id: 'KVM_SEV_LAUNCH_UPDATE_VMSA' });
    sequence.push(
      { id: 'KVM_SEV_LAUNCH_MEASURE', data: { len: 256 } },
      { id: 'KVM_SEV_GUEST_STATUS' },
      { id: 'KVM_SEV_GUEST_STATUS' },
      { id: 'KVM_SEV_LAUNCH_FINISH' },
      { id: 'KVM_SEV_GUEST_STATUS' },
    );
  }
  for (const cmd of sequence) {
    const res = run(cmd);
    if (res.rc !== 0 || res.error !== 0) return { rc: res.rc, error: res.error, failedCmd: cmd.id, steps };
  }
  return { rc: 0, error: 0, steps };
}
