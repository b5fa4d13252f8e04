/**
 * KVM's list of VMs: kvm_destroy_vm() (virt/kvm/kvm_main.c) takes a VM off vm_list when its last
 * reference goes, so a destroyed VM is not kept; VM ids keep counting.
 */
import { Errno } from '@sevsim/ccp';
import { describe, expect, it } from 'vitest';
import { bootStack } from './stack';

describe('vm_list (kvm_destroy_vm)', () => {
  it('a destroyed VM leaves the list; ids keep counting; rmmod is refused only while one is open', () => {
    const s = bootStack({ release: '7.2', machine: { cpu: 'genoa' } });
    const kvm = s.loadKvm();
    const a = kvm.createVm(2);
    const b = kvm.createVm(4);
    if ('errno' in a || 'errno' in b) throw new Error('create failed');
    expect(kvm.view().vms.map((v) => v.id)).toEqual([1, 2]);
    kvm.destroyVm(a);
    expect(kvm.view().vms.map((v) => v.id)).toEqual([2]);
    const c = kvm.createVm(2);
    if ('errno' in c) throw new Error('create failed');
    expect(c.id).toBe(3);
    kvm.destroyVm(b);
    // delete_module(): a held reference is -EWOULDBLOCK (EAGAIN), kernel/module/main.c.
    expect(kvm.unload()).toEqual({ rc: -Errno.EAGAIN });
    kvm.destroyVm(c);
    expect(kvm.view().vms).toEqual([]);
    expect(kvm.unload()).toEqual({ rc: 0 });
  });
});
