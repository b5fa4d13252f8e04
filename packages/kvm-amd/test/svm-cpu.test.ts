/**
 * KVM's per-CPU virtualization enable as the SEV platform sees it: VM_HSAVE_PA holds a save-area
 * address while virtualization is on and 0 after; from 6.12 KVM enables at load
 * (kvm.enable_virt_at_load, commit b4886fab6fb6), before it with the first VM
 * (docs/reference/linux-kvm-amd.md §2.7).
 */
import { describe, expect, it } from 'vitest';
import { MSR, PAGE_SIZE } from '@sevsim/hardware';
import { VmTypeId } from '../src/index';
import { bootStack } from './stack';

function hsave(s: ReturnType<typeof bootStack>): bigint[] {
  return s.machine.cores.filter((c) => c.online).map((c) => s.machine.rdmsr(c.id, MSR.VM_HSAVE_PA));
}

describe('VM_HSAVE_PA follows KVM enabling virtualization (docs/reference/linux-kvm-amd.md §2.7)', () => {
  it('6.12: set on every online CPU at load, each its own page-aligned save area; 0 again at unload', () => {
    const s = bootStack({ release: '6.12', machine: { cpu: 'genoa', cores: 4, offlineCores: [5] } });
    expect(hsave(s).every((v) => v === 0n)).toBe(true);
    const kvm = s.loadKvm();
    const values = hsave(s);
    expect(values.every((v) => v !== 0n && v % BigInt(PAGE_SIZE) === 0n)).toBe(true);
    expect(new Set(values).size).toBe(values.length);
    // svm_enable_virtualization_cpu() runs on online CPUs only.
    expect(s.machine.rdmsr(5, MSR.VM_HSAVE_PA)).toBe(0n);
    expect(kvm.unload().rc).toBe(0);
    expect(hsave(s).every((v) => v === 0n)).toBe(true);
  });

  it('6.11: nothing at load; set by the first VM, cleared when the last one is destroyed', () => {
    const s = bootStack({ release: '6.11', machine: { cpu: 'genoa', cores: 4 } });
    const kvm = s.loadKvm();
    expect(hsave(s).every((v) => v === 0n)).toBe(true);
    const a = kvm.createVm(VmTypeId.SEV);
    const b = kvm.createVm(VmTypeId.SEV);
    if ('errno' in a || 'errno' in b) throw new Error('KVM_CREATE_VM failed');
    expect(hsave(s).every((v) => v !== 0n)).toBe(true);
    kvm.destroyVm(a);
    expect(hsave(s).every((v) => v !== 0n)).toBe(true);
    kvm.destroyVm(b);
    expect(hsave(s).every((v) => v === 0n)).toBe(true);
  });
});
