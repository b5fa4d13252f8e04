/** The kernel's tools/testing/selftests/kvm/x86/sev_init2_tests.c cases I-1..I-13 (docs/reference/linux-kvm-amd.md §5.1). */
import { describe, expect, it } from 'vitest';
import type { KvmAmd, Vm, VmType } from '../src/index';
import { bootStack } from './stack';

const EINVAL = -22;
const DEBUG_SWAP = 32n;

function create(kvm: KvmAmd, type: VmType): Vm {
  const vm = kvm.createVm(type);
  if ('errno' in vm) throw new Error(`KVM_CREATE_VM(${type}) failed ${vm.errno}`);
  return vm;
}

for (const release of ['6.18', '7.2']) {
  describe(`sev_init2_tests on ${release} (genoa, SNP host)`, () => {
    const s = bootStack({ release, machine: { cpu: 'genoa' } });
    const kvm = s.loadKvm();
    const supported = BigInt(kvm.view().supportedVmsaFeatures);
    const types = kvm.view().vmTypes;

    it('I-1..I-3: kvm_cpu_has(SEV/SEV_ES/SEV_SNP) equals KVM_CAP_VM_TYPES bits 2/3/4', () => {
      const caps = kvm.cpuidCaps();
      expect(caps.sev).toBe(types.includes(2));
      expect(caps.sevEs).toBe(types.includes(3));
      expect(caps.sevSnp).toBe(types.includes(4));
      expect(types).toEqual([0, 2, 3, 4]);
    });

    it('I-4..I-6: INIT2 with an all-zero struct succeeds for types 2, 3, 4 (ES/SNP default to GHCB v2)', () => {
      for (const type of [2, 3, 4] as const) {
        const vm = create(kvm, type);
        expect(kvm.memEncryptOp(vm, { id: 'KVM_SEV_INIT2', data: {} })).toEqual({ rc: 0, error: 0 });
        expect(vm.ghcbVersion).toBe(type === 2 ? 0 : 2);
        expect(vm.state).toBe('initialized');
        kvm.destroyVm(vm);
      }
    });

    it('I-6: an SNP VM gets SVM_SEV_FEAT_SNP_ACTIVE (BIT 0) internally', () => {
      const vm = create(kvm, 4);
      kvm.memEncryptOp(vm, { id: 'KVM_SEV_INIT2', data: {} });
      expect(vm.vmsaFeatures & 1n).toBe(1n);
      kvm.destroyVm(vm);
    });

    it('I-7: INIT2 on a DEFAULT VM → EINVAL; I-8: KVM_X86_SW_PROTECTED_VM (1) is not advertised', () => {
      const vm = create(kvm, 0);
      expect(kvm.memEncryptOp(vm, { id: 'KVM_SEV_INIT2', data: {} }).rc).toBe(EINVAL);
      expect(types).not.toContain(1);
    });

    it('I-9..I-13 fail before ASID allocation: no ASID is consumed', () => {
      const before = kvm.view().asids.inUse;
      // I-9: every flag bit on a fresh VM of each supported SEV type.
      for (const type of [2, 3, 4] as const) {
        for (let i = 0; i < 32; i++) {
          const vm = create(kvm, type);
          expect(kvm.memEncryptOp(vm, { id: 'KVM_SEV_INIT2', data: { flags: 2 ** i } }).rc).toBe(EINVAL);
        }
      }
      // I-10: a SEV VM accepts no VMSA feature at all.
      for (let i = 0; i < 64; i++) {
        const vm = create(kvm, 2);
        expect(
          kvm.memEncryptOp(vm, { id: 'KVM_SEV_INIT2', data: { vmsaFeatures: 1n << BigInt(i) } }).rc,
        ).toBe(EINVAL);
      }
      // I-11 / I-13 (unsupported bits) for ES and SNP.
      for (const type of [3, 4] as const) {
        for (let i = 0; i < 64; i++) {
          const bit = 1n << BigInt(i);
          if (supported & bit) continue;
          const vm = create(kvm, type);
          expect(kvm.memEncryptOp(vm, { id: 'KVM_SEV_INIT2', data: { vmsaFeatures: bit } }).rc).toBe(EINVAL);
        }
      }
      expect(kvm.view().asids.inUse).toEqual(before);
    });

    it('I-12 / I-13: DebugSwap (bit 5) is supported on Genoa and INIT2 with it succeeds for ES and SNP', () => {
      expect(supported & DEBUG_SWAP).toBe(DEBUG_SWAP);
      for (const type of [3, 4] as const) {
        const vm = create(kvm, type);
        expect(kvm.memEncryptOp(vm, { id: 'KVM_SEV_INIT2', data: { vmsaFeatures: DEBUG_SWAP } })).toEqual({
          rc: 0,
          error: 0,
        });
        kvm.destroyVm(vm);
      }
    });

    it('second INIT2: SEV/ES → EINVAL (need_init cleared), SNP → EPERM (dispatcher, docs/reference/linux-kvm-amd.md §4.3 step 5)', () => {
      for (const [type, rc] of [
        [2, EINVAL],
        [3, EINVAL],
        [4, -1],
      ] as const) {
        const vm = create(kvm, type);
        kvm.memEncryptOp(vm, { id: 'KVM_SEV_INIT2', data: {} });
        expect(kvm.memEncryptOp(vm, { id: 'KVM_SEV_INIT2', data: {} }).rc).toBe(rc);
        kvm.destroyVm(vm);
      }
    });
  });
}

describe('__sev_guest_init order and errnos (docs/reference/linux-kvm-amd.md §4.4–§4.6)', () => {
  it('vCPUs before INIT2 → EINVAL; SEV with ghcb_version 1 → EINVAL; ghcb_version 3 → EINVAL', () => {
    const kvm = bootStack({ release: '7.2' }).loadKvm();
    const a = create(kvm, 2);
    kvm.createVcpu(a);
    expect(kvm.memEncryptOp(a, { id: 'KVM_SEV_INIT2', data: {} }).rc).toBe(EINVAL);
    expect(kvm.memEncryptOp(create(kvm, 2), { id: 'KVM_SEV_INIT2', data: { ghcbVersion: 1 } }).rc).toBe(
      EINVAL,
    );
    expect(kvm.memEncryptOp(create(kvm, 3), { id: 'KVM_SEV_INIT2', data: { ghcbVersion: 3 } }).rc).toBe(
      EINVAL,
    );
  });

  it('SNP with ghcb_version 1: EINVAL from 6.18 (minimum GHCB version patch, Aug 2025), accepted on 6.17 (docs/reference/linux-kvm-amd.md §4.6 step 6)', () => {
    const k618 = bootStack({ release: '6.18' }).loadKvm();
    expect(k618.memEncryptOp(create(k618, 4), { id: 'KVM_SEV_INIT2', data: { ghcbVersion: 1 } }).rc).toBe(
      EINVAL,
    );
    const k617 = bootStack({ release: '6.17' }).loadKvm();
    expect(k617.memEncryptOp(create(k617, 4), { id: 'KVM_SEV_INIT2', data: { ghcbVersion: 1 } }).rc).toBe(0);
  });

  it('legacy KVM_SEV_INIT / ES_INIT: DEFAULT VMs only; ES_INIT pinned to GHCB v1; ENOTTY with SEV off', () => {
    const kvm = bootStack({ release: '7.2' }).loadKvm();
    const d = create(kvm, 0);
    expect(kvm.memEncryptOp(d, { id: 'KVM_SEV_ES_INIT' })).toEqual({ rc: 0, error: 0 });
    expect(d.ghcbVersion).toBe(1);
    expect(d.esActive).toBe(true);
    expect(kvm.memEncryptOp(create(kvm, 2), { id: 'KVM_SEV_INIT' }).rc).toBe(EINVAL);
    expect(kvm.memEncryptOp(d, { id: 'KVM_SEV_INIT' }).rc).toBe(EINVAL);
    const off = bootStack({ release: '7.2' }).loadKvm({ sev: 0 });
    expect(off.memEncryptOp(create(off, 0), null).rc).toBe(-25);
    expect(kvm.memEncryptOp(d, null)).toEqual({ rc: 0, error: 0 });
  });

  it('dispatcher: CERT_EXPORT(19), ids 23–99 and ≥ NR_MAX → EINVAL; 103 only exists from 7.0 (docs/reference/linux-kvm-amd.md §4.3 step 6)', () => {
    const kvm = bootStack({ release: '7.2' }).loadKvm();
    const vm = create(kvm, 2);
    for (const id of [10, 14, 19, 23, 99, 104, 1000]) expect(kvm.memEncryptOp(vm, { id }).rc).toBe(EINVAL);
    const snp = create(kvm, 4);
    expect(kvm.memEncryptOp(snp, { id: 'KVM_SEV_INIT2', data: {} }).rc).toBe(0);
    expect(kvm.memEncryptOp(snp, { id: 'KVM_SEV_SNP_ENABLE_REQ_CERTS' }).rc).toBe(0);
    const old = bootStack({ release: '6.18' }).loadKvm();
    const snpOld = create(old, 4);
    old.memEncryptOp(snpOld, { id: 'KVM_SEV_INIT2', data: {} });
    expect(old.memEncryptOp(snpOld, { id: 'KVM_SEV_SNP_ENABLE_REQ_CERTS' }).rc).toBe(EINVAL);
  });

  it('legacy and DBG commands on an initialised SNP VM → EPERM (docs/reference/linux-kvm-amd.md §4.3 step 5)', () => {
    const kvm = bootStack({ release: '7.2' }).loadKvm();
    const vm = create(kvm, 4);
    kvm.memEncryptOp(vm, { id: 'KVM_SEV_INIT2', data: {} });
    for (const id of [2, 3, 6, 7, 16, 17, 18]) expect(kvm.memEncryptOp(vm, { id }).rc).toBe(-1);
  });
});
