/**
 * SNP_LAUNCH_START's own policy checks per release (docs/reference/linux-kvm-amd.md §4.8):
 * up to 6.16 `snp_launch_start()` refuses a policy with SMT clear or SINGLE_SOCKET set before any
 * firmware command (sev.c as read in ColinIanKing/linux-next 046408cf, docs/reference/linux-kvm-amd.md §1); kvm-x86-svm-6.17 (9f4701e05fae, 24be2b7956a5)
 * dropped both checks and lets the firmware decide.
 */
import { Errno } from '@sevsim/kernel';
import { SnpPolicy, Status } from '@sevsim/psp-abi';
import { describe, expect, it } from 'vitest';
import type { KvmAmd, Vm } from '../src/index';
import { bootStack } from './stack';

function snpVm(release: string): { kvm: KvmAmd; vm: Vm; take: () => string[] } {
  const stack = bootStack({ release, machine: { cpu: 'genoa' } });
  const kvm = stack.loadKvm();
  const vm = kvm.createVm(4);
  if ('errno' in vm) throw new Error(`KVM_CREATE_VM(4) failed ${vm.errno}`);
  expect(kvm.memEncryptOp(vm, { id: 'KVM_SEV_INIT2', data: {} }).rc).toBe(0);
  stack.take();
  return { kvm, vm, take: () => stack.take() };
}

const start = (kvm: KvmAmd, vm: Vm, policy: bigint) =>
  kvm.memEncryptOp(vm, { id: 'KVM_SEV_SNP_LAUNCH_START', data: { policy } });

describe('SNP policy SMT / SINGLE_SOCKET: KVM refuses them up to 6.16, the firmware decides from 6.17', () => {
  for (const release of ['6.11', '6.12', '6.13', '6.14', '6.16']) {
    it(`${release}: SMT clear → -EINVAL from KVM, no firmware command issued`, () => {
      const { kvm, vm, take } = snpVm(release);
      expect(start(kvm, vm, SnpPolicy.RSVD_MBO)).toEqual({ rc: -Errno.EINVAL, error: 0 });
      expect(take()).toEqual([]);
    });

    it(`${release}: SINGLE_SOCKET set → -EINVAL from KVM`, () => {
      const { kvm, vm, take } = snpVm(release);
      const policy = SnpPolicy.RSVD_MBO | SnpPolicy.SMT | SnpPolicy.SINGLE_SOCKET;
      expect(start(kvm, vm, policy)).toEqual({ rc: -Errno.EINVAL, error: 0 });
      expect(take()).toEqual([]);
    });
  }

  it('6.17: SMT clear on an SMT host reaches the firmware, whose SNP_LAUNCH_START fails POLICY_FAILURE (0x7)', () => {
    const { kvm, vm, take } = snpVm('6.17');
    const r = start(kvm, vm, SnpPolicy.RSVD_MBO);
    expect(r).toEqual({ rc: -Errno.EIO, error: Status.POLICY_FAILURE });
    // The context page goes back through snp_free_firmware_page(): reclaimed before it is freed.
    expect(take()).toEqual([
      'SNP_GCTX_CREATE',
      'SNP_LAUNCH_START=0x7',
      'SNP_DECOMMISSION',
      'SNP_PAGE_RECLAIM',
    ]);
  });

  it('6.17: SINGLE_SOCKET on a one-socket host starts the guest', () => {
    const { kvm, vm } = snpVm('6.17');
    const policy = SnpPolicy.RSVD_MBO | SnpPolicy.SMT | SnpPolicy.SINGLE_SOCKET;
    expect(start(kvm, vm, policy)).toEqual({ rc: 0, error: 0 });
  });
});
