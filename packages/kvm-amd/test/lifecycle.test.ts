/**
 * Per release: firmware command sequence (names in order) of kvm_amd load, the first VM of each type
 * (INIT2 + the selftest launch flow + destroy) and unload, and the kvm_amd log lines, on a Genoa with
 * firmware 1.55.25 and host SNP. SNP_PAGE_RECLAIM is left out of the compared sequences: it is the
 * ccp's own bounce-buffer/page reclaim (docs/reference/linux-ccp.md §3.12), tested in @sevsim/ccp.
 */
import { describe, expect, it } from 'vitest';
import { launchVm } from '../src/index';
import { bootStack } from './stack';

const SEV_LAUNCH = [
  'LAUNCH_START',
  'ACTIVATE',
  'GUEST_STATUS',
  'LAUNCH_UPDATE_DATA',
  'LAUNCH_MEASURE',
  'GUEST_STATUS',
  'GUEST_STATUS',
  'LAUNCH_FINISH',
  'GUEST_STATUS',
];
const ES_LAUNCH = [...SEV_LAUNCH.slice(0, 4), 'LAUNCH_UPDATE_VMSA', ...SEV_LAUNCH.slice(4)];
const SNP_LAUNCH = [
  'SNP_GCTX_CREATE',
  'SNP_LAUNCH_START',
  'SNP_ACTIVATE',
  'SNP_LAUNCH_UPDATE',
  'SNP_LAUNCH_UPDATE',
  'SNP_LAUNCH_UPDATE',
  'SNP_LAUNCH_UPDATE',
  // the vCPU's VMSA (page type VMSA) at SNP_LAUNCH_FINISH
  'SNP_LAUNCH_UPDATE',
  'SNP_LAUNCH_FINISH',
];

const SUMMARY = [
  'kvm_amd: SEV enabled (ASIDs 100 - 1006)',
  'kvm_amd: SEV-ES enabled (ASIDs 1 - 99)',
  'kvm_amd: SEV-SNP enabled (ASIDs 1 - 99)',
];

/** Expected per release: what kvm_amd load and unload send to the firmware. */
const RELEASE_FLOWS: Record<string, { load: string[]; unload: string[] }> = {
  // ≤6.15: the ccp probe initialised the platform; kvm_amd neither inits nor shuts down (docs/reference/linux-kvm-amd.md §3, docs/reference/linux-kvm-amd.md §7.1).
  '6.14': { load: [], unload: ['SNP_DF_FLUSH'] },
  // 6.16+: sev_platform_init(probe) at load + is_sev_snp_initialized; shutdown at unload (docs/reference/linux-kvm-amd.md §2.3, docs/reference/linux-kvm-amd.md §3).
  '6.16': {
    load: ['SNP_INIT_EX', 'SNP_DF_FLUSH', 'INIT', 'DF_FLUSH', 'SNP_PLATFORM_STATUS'],
    unload: ['SNP_DF_FLUSH', 'SHUTDOWN', 'SNP_SHUTDOWN_EX'],
  },
  '6.18': {
    load: ['SNP_INIT_EX', 'SNP_DF_FLUSH', 'INIT', 'DF_FLUSH', 'SNP_PLATFORM_STATUS'],
    unload: ['SNP_DF_FLUSH', 'SHUTDOWN', 'SNP_SHUTDOWN_EX'],
  },
  '7.0': {
    load: ['SNP_INIT_EX', 'SNP_DF_FLUSH', 'INIT', 'DF_FLUSH', 'SNP_PLATFORM_STATUS'],
    unload: ['SNP_DF_FLUSH', 'SHUTDOWN', 'SNP_SHUTDOWN_EX'],
  },
  '7.1': {
    load: ['SNP_INIT_EX', 'SNP_DF_FLUSH', 'INIT', 'DF_FLUSH', 'SNP_PLATFORM_STATUS'],
    unload: ['SNP_DF_FLUSH', 'SHUTDOWN', 'SNP_SHUTDOWN_EX'],
  },
  // 7.2: sev_firmware_supported_vm_types() reads a fresh SNP_PLATFORM_STATUS (docs/reference/linux-ccp.md §3.5).
  '7.2': {
    load: ['SNP_INIT_EX', 'SNP_DF_FLUSH', 'INIT', 'DF_FLUSH', 'SNP_PLATFORM_STATUS', 'SNP_PLATFORM_STATUS'],
    unload: ['SNP_DF_FLUSH', 'SHUTDOWN', 'SNP_SHUTDOWN_EX'],
  },
};

for (const [release, flow] of Object.entries(RELEASE_FLOWS)) {
  describe(`release ${release}: load, first VM of each type, unload`, () => {
    const s = bootStack({ release });
    const take = () => s.take().filter((c) => c !== 'SNP_PAGE_RECLAIM');
    take();
    const mark = s.ctx.log.mark();
    const kvm = s.loadKvm();

    it('load: firmware commands and the kvm_amd summary lines (docs/reference/linux-kvm-amd.md §2.3, docs/reference/linux-kvm-amd.md §2.6)', () => {
      expect(take()).toEqual(flow.load);
      expect(s.ctx.log.since(mark).filter((l) => l.startsWith('kvm_amd: '))).toEqual(SUMMARY);
      expect(kvm.view().vmTypes).toEqual([0, 2, 3, 4]);
    });

    for (const [type, launch] of [
      [2, SEV_LAUNCH],
      [3, ES_LAUNCH],
      [4, SNP_LAUNCH],
    ] as const) {
      it(`type ${type}: INIT2 sends nothing (already INIT), launch runs, destroy tears down (docs/reference/linux-kvm-amd.md §4.6, docs/reference/linux-kvm-amd.md §4.8, docs/reference/linux-kvm-amd.md §4.9)`, () => {
        const vm = kvm.createVm(type);
        if ('errno' in vm) throw new Error(`create ${type}: ${vm.errno}`);
        expect(kvm.memEncryptOp(vm, { id: 'KVM_SEV_INIT2', data: {} })).toEqual({ rc: 0, error: 0 });
        expect(take()).toEqual([]);
        expect(launchVm(kvm, vm)).toMatchObject({ rc: 0, error: 0 });
        expect(take()).toEqual(launch);
        expect(vm.state).toBe('running');
        kvm.destroyVm(vm);
        expect(take()).toEqual(type === 4 ? ['SNP_DECOMMISSION'] : ['DEACTIVATE', 'DECOMMISSION']);
        // The ASID is not reusable until a flush: it sits in the reclaim bitmap (docs/reference/linux-kvm-amd.md §4.7).
        expect(kvm.view().asids.reclaim).toContain(vm.asid);
      });
    }

    it('unload: flush of the reclaimed ASIDs, then (6.16+) platform shutdown (docs/reference/linux-kvm-amd.md §3)', () => {
      expect(kvm.unload()).toEqual({ rc: 0 });
      expect(take()).toEqual(flow.unload);
      expect(s.psp.snapshot().sev).toBe(release === '6.14' ? 'INIT' : 'UNINIT');
    });
  });
}

describe('first VM ASIDs are the lowest of each range (docs/reference/linux-kvm-amd.md §4.7)', () => {
  it('SEV gets 100 (min_sev_asid), SEV-ES 1, SNP 2 (shared pool without CTH)', () => {
    const kvm = bootStack({ release: '7.2' }).loadKvm();
    const asids = ([2, 3, 4] as const).map((t) => {
      const vm = kvm.createVm(t);
      if ('errno' in vm) throw new Error('create');
      kvm.memEncryptOp(vm, { id: 'KVM_SEV_INIT2', data: {} });
      return vm.asid;
    });
    expect(asids).toEqual([100, 1, 2]);
    expect(kvm.view().miscCgroup).toEqual({
      capacity: { sev: 907, sev_es: 99 },
      usage: { sev: 1, sev_es: 2 },
    });
  });
});

describe('host.read of guest-private memory (hardware hostRead)', () => {
  it('SEV guest pages read as ciphertext after LAUNCH_UPDATE_DATA; plaintext before', () => {
    const s = bootStack({ release: '7.2' });
    const kvm = s.loadKvm();
    const vm = kvm.createVm(2);
    if ('errno' in vm) throw new Error('create');
    kvm.memEncryptOp(vm, { id: 'KVM_SEV_INIT2', data: {} });
    expect(s.machine.hostRead(vm.memoryPfn * 4096)).toBe('plaintext');
    launchVm(kvm, vm);
    expect(vm.privatePfns).toHaveLength(4);
    expect(s.machine.hostRead(vm.privatePfns[0]! * 4096)).toBe('ciphertext');
  });

  it('SNP guest pages read as ff with ciphertext hiding (Turin, ciphertext_hiding_asids=16)', () => {
    const s = bootStack({ release: '7.2', machine: { cpu: 'turin', bios: { ciphertextHiding: true } } });
    const kvm = s.loadKvm({ ciphertext_hiding_asids: 16 });
    const vm = kvm.createVm(4);
    if ('errno' in vm) throw new Error('create');
    kvm.memEncryptOp(vm, { id: 'KVM_SEV_INIT2', data: {} });
    expect(launchVm(kvm, vm).rc).toBe(0);
    expect(s.machine.rmp.state(vm.privatePfns[0]!)).toBe('GUEST_VALID');
    expect(s.machine.hostRead(vm.privatePfns[0]! * 4096)).toBe('ff');
    kvm.destroyVm(vm);
    // guest_memfd release: private pages back to hypervisor-owned (docs/reference/linux-kvm-amd.md §4.9).
    expect(s.machine.rmp.state(vm.privatePfns[0]!)).toBe('HYPERVISOR');
  });
});

describe('7.2 masks VM types with sev_firmware_supported_vm_types() (docs/reference/linux-ccp.md §3.5, §8.3)', () => {
  it('Zen4 SNP SVN ≥ 0x1B (AMD-SB-3023 mitigation): SEV-ES not advertised on 7.2, still on 7.1 (docs/reference/linux-kvm-amd.md §7.2 Q7)', () => {
    expect(bootStack({ release: '7.2', svn: 0x1b }).loadKvm().view().vmTypes).toEqual([0, 2, 4]);
    expect(bootStack({ release: '7.2', svn: 0x1a }).loadKvm().view().vmTypes).toEqual([0, 2, 3, 4]);
    expect(bootStack({ release: '7.1', svn: 0x1b }).loadKvm().view().vmTypes).toEqual([0, 2, 3, 4]);
  });

  it('7.2 prints a type the firmware refuses as "unusable" (sev_str_feature_state(supported, advertised), docs/reference/linux-kvm-amd.md §7.1 v3)', () => {
    const s = bootStack({ release: '7.2', svn: 0x1b });
    const kvm = s.loadKvm();
    expect(s.ctx.log.lines).toContain('kvm_amd: SEV-ES unusable (ASIDs 1 - 99)');
    expect(s.ctx.log.lines).toContain('kvm_amd: SEV-SNP enabled (ASIDs 1 - 99)');
    expect(kvm.view().sevEs.status).toBe('unusable');
    // 7.1 has no firmware mask: the range alone decides.
    const s71 = bootStack({ release: '7.1', svn: 0x1b });
    s71.loadKvm();
    expect(s71.ctx.log.lines).toContain('kvm_amd: SEV-ES enabled (ASIDs 1 - 99)');
  });
});
