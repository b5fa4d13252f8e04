/** sev_asid_new / sev_asid_free / recycling (docs/reference/linux-kvm-amd.md §4.7). */
import { describe, expect, it } from 'vitest';
import type { KvmAmd, Vm, VmType } from '../src/index';
import { bootStack } from './stack';

function init(kvm: KvmAmd, type: VmType): { vm: Vm; rc: number } {
  const vm = kvm.createVm(type);
  if ('errno' in vm) throw new Error(`create ${type}`);
  return { vm, rc: kvm.memEncryptOp(vm, { id: 'KVM_SEV_INIT2', data: {} }).rc };
}

/** ECX=8, EDX=5: SEV [5, 8] (4 ASIDs), SEV-ES/SNP [1, 4]. */
function small() {
  const s = bootStack({ release: '7.2', machine: { cpu: 'genoa', asids: 8, bios: { minSevAsid: 5 } } });
  const kvm = s.loadKvm();
  s.take();
  return { s, kvm };
}

describe('sev_asid_new (docs/reference/linux-kvm-amd.md §4.7)', () => {
  it('lowest free ASID; a freed ASID is not reused while never-used ones remain', () => {
    const { kvm } = small();
    const a = init(kvm, 2).vm;
    const b = init(kvm, 2).vm;
    expect([a.asid, b.asid]).toEqual([5, 6]);
    kvm.destroyVm(a);
    expect(kvm.view().asids).toEqual({ inUse: [5, 6], reclaim: [5] });
    expect(init(kvm, 2).vm.asid).toBe(7);
  });

  it('exhausted range: one recycle with WBINVD + SNP_DF_FLUSH (KVM sev_snp on), then the freed ASID', () => {
    const { s, kvm } = small();
    const vms = [init(kvm, 2).vm, init(kvm, 2).vm, init(kvm, 2).vm, init(kvm, 2).vm];
    expect(vms.map((v) => v.asid)).toEqual([5, 6, 7, 8]);
    kvm.destroyVm(vms[1]!);
    s.take();
    const next = init(kvm, 2);
    expect(next.rc).toBe(0);
    expect(next.vm.asid).toBe(6);
    expect(s.take().filter((c) => c !== 'SNP_PAGE_RECLAIM')).toEqual(['SNP_DF_FLUSH']);
    expect(kvm.view().asids.reclaim).toEqual([]);
  });

  it('exhausted with nothing to reclaim → -EBUSY, no flush, cgroup charge undone', () => {
    const { s, kvm } = small();
    for (let i = 0; i < 4; i++) init(kvm, 2);
    s.take();
    expect(init(kvm, 2).rc).toBe(-16);
    expect(s.take()).toEqual([]);
    expect(kvm.view().miscCgroup.usage.sev).toBe(4);
  });

  it("the recycle flushes ASIDs of every type at once (bitmap XOR), from one range's exhaustion", () => {
    const { kvm } = small();
    const es = init(kvm, 3).vm;
    expect(es.asid).toBe(1);
    kvm.destroyVm(es);
    const sev = [5, 6, 7, 8].map(() => init(kvm, 2).vm);
    kvm.destroyVm(sev[0]!);
    expect(kvm.view().asids.reclaim).toEqual([1, 5]);
    expect(init(kvm, 2).vm.asid).toBe(5);
    expect(kvm.view().asids.reclaim).toEqual([]);
    expect(kvm.view().asids.inUse).toEqual([6, 7, 8, 5].sort());
  });

  it('ES and SNP share [1, min-1] without ciphertext hiding; SNP VMs charge MISC_CG_RES_SEV_ES', () => {
    const { kvm } = small();
    expect([init(kvm, 4).vm.asid, init(kvm, 3).vm.asid, init(kvm, 4).vm.asid]).toEqual([1, 2, 3]);
    expect(kvm.view().miscCgroup.usage).toEqual({ sev: 0, sev_es: 3 });
  });

  it('a failed implicit platform init frees the ASID into the reclaim bitmap (docs/reference/linux-kvm-amd.md §4.6 step 10)', () => {
    // Deferred legacy INIT, and SNP taken down behind the driver's back (a raw SNP_SHUTDOWN_EX): the
    // firmware then refuses INIT with SNPEn set and no RMP (docs/reference/psp-firmware.md §4 item 1) at VM init.
    const s = bootStack({ release: '7.2', ccpParams: { psp_init_on_probe: false } });
    const kvm = s.loadKvm();
    s.psp.command(0x86, new Uint8Array([8, 0, 0, 0, 1, 0, 0, 0]));
    const { vm, rc } = init(kvm, 2);
    expect(rc).not.toBe(0);
    expect(vm.state).toBe('created');
    expect(vm.asidAssigned).toBe(false);
    expect(kvm.view().asids.reclaim).toEqual([100]);
  });
});
