/**
 * fast-check: random sequences of kvm_amd loads/unloads (random params), VM create / init / launch /
 * destroy on every release never throw, and leave the ccp's cached view equal to the firmware
 * (sev: cached INIT ⇔ firmware INIT or WORKING; snpInitialized ⇔ firmware SNP INIT), and KVM's live
 * guests equal the firmware's (ASIDs unique, one firmware guest per launched VM).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type KvmAmd, launchVm, RELEASES, type Vm, type VmType } from '../src/index';
import { bootStack } from './stack';

type Op =
  | { op: 'load'; sev: boolean; sevEs: boolean; sevSnp: boolean }
  | { op: 'unload' }
  | { op: 'create'; type: VmType }
  | { op: 'init2'; vm: number }
  | { op: 'legacyInit'; vm: number; es: boolean }
  | { op: 'vcpu'; vm: number }
  | { op: 'launch'; vm: number }
  | { op: 'destroy'; vm: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('load' as const),
    sev: fc.boolean(),
    sevEs: fc.boolean(),
    sevSnp: fc.boolean(),
  }),
  fc.constant({ op: 'unload' as const }),
  fc.record({ op: fc.constant('create' as const), type: fc.constantFrom<VmType>(0, 2, 3, 4) }),
  fc.record({ op: fc.constant('init2' as const), vm: fc.nat(7) }),
  fc.record({ op: fc.constant('legacyInit' as const), vm: fc.nat(7), es: fc.boolean() }),
  fc.record({ op: fc.constant('vcpu' as const), vm: fc.nat(7) }),
  fc.record({ op: fc.constant('launch' as const), vm: fc.nat(7) }),
  fc.record({ op: fc.constant('destroy' as const), vm: fc.nat(7) }),
);

describe('model-based: random kvm_amd sequences on every release', () => {
  it('never throw and keep driver, KVM and firmware views consistent (and platformView a part of view)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(RELEASES)),
        fc.boolean(),
        fc.array(opArb, { minLength: 1, maxLength: 30 }),
        (release, initOnProbe, ops) => {
          const s = bootStack({
            release,
            machine: { cpu: 'genoa', asids: 6, bios: { minSevAsid: 4 } },
            ccpParams: { psp_init_on_probe: initOnProbe },
          });
          let kvm: KvmAmd | null = null;
          let vms: Vm[] = [];
          for (const o of ops) {
            if (o.op === 'load') {
              if (kvm) continue;
              kvm = s.loadKvm({ sev: o.sev ? 1 : 0, sev_es: o.sevEs ? 1 : 0, sev_snp: o.sevSnp ? 1 : 0 });
              vms = [];
              continue;
            }
            if (!kvm) continue;
            if (o.op === 'unload') {
              if (kvm.unload().rc === 0) kvm = null;
              continue;
            }
            if (o.op === 'create') {
              const vm = kvm.createVm(o.type);
              if (!('errno' in vm)) vms.push(vm);
              continue;
            }
            const vm = vms[o.vm];
            if (!vm) continue;
            if (o.op === 'init2') kvm.memEncryptOp(vm, { id: 'KVM_SEV_INIT2', data: {} });
            else if (o.op === 'legacyInit')
              kvm.memEncryptOp(vm, { id: o.es ? 'KVM_SEV_ES_INIT' : 'KVM_SEV_INIT' });
            else if (o.op === 'vcpu') kvm.createVcpu(vm);
            else if (o.op === 'launch') launchVm(kvm, vm);
            else kvm.destroyVm(vm);

            const fw = s.psp.snapshot();
            const drv = s.ccp.view();
            // Driver cache vs firmware (docs/reference/linux-ccp.md §2.2: the cache never holds WORKING).
            expect(drv.sevState === 'INIT').toBe(fw.sev !== 'UNINIT');
            expect(drv.snpInitialized).toBe(fw.snp === 'INIT');
            // Live KVM guests hold distinct ASIDs (docs/reference/linux-kvm-amd.md §4.7).
            const live = vms.filter((v) => v.state !== 'destroyed' && v.asidAssigned).map((v) => v.asid);
            expect(new Set(live).size).toBe(live.length);
            // Every firmware guest belongs to a live KVM VM with the same ASID (teardown is complete, docs/reference/linux-kvm-amd.md §4.9).
            const owners = new Set(vms.filter((v) => v.state !== 'destroyed').map((v) => v.asid));
            for (const g of [...fw.legacyGuests, ...fw.snpGuests]) {
              if (g.asid !== 0) expect(owners.has(g.asid)).toBe(true);
            }
            // platformView() is view() without the bitmaps, cgroup and VMs, keys in the same order.
            const { asids: _a, miscCgroup: _c, vms: _v, ...platform } = kvm.view();
            const narrow = kvm.platformView();
            expect(narrow).toEqual(platform);
            expect(Object.keys(narrow)).toEqual(Object.keys(platform));
          }
        },
      ),
      { numRuns: 400, seed: 20261127 },
    );
  });
});
