/**
 * The `kdump` step: the running kernel panics and kexec boots its crash kernel, in which
 * is_kdump_kernel() is true (docs/reference/linux-ccp.md §9.15). Nothing is reset: the PSP keeps
 * the state the crashed kernel left. Since 6.18 ("crypto: ccp: Skip SEV and SNP INIT for kdump
 * boot") sev_platform_init() initialises nothing there; 6.17 initialises as on any boot.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from './run-scenario';

function runSteps(version: string, steps: readonly string[], machine = '{}') {
  return runScenario({ machine, kernel: `{version: "${version}"}`, steps });
}

describe('kdump: a crash kernel booted on the platform as the crashed kernel left it', () => {
  it('the step itself issues no firmware command, reboots nothing and closes every VM', () => {
    const t = runSteps('6.18', [
      'modprobe: kvm_amd',
      'vm.create: {id: a, type: sev}',
      'kdump',
      'vm.init: {id: a}',
    ]);
    const k = t.steps[2]!;
    expect(t.steps[3]!.outcome).toMatchObject({ ok: false, errno: 'EBADF' });
    expect(k.outcome.psp).toEqual([]);
    // The early SNP set-up of the capture kernel: SNPEn is already set, so the RMP is not cleared.
    expect(k.dmesg).toEqual([
      'SEV-SNP: RMP table physical range [0x0000000fefe00000 - 0x0000000fffffffff]',
      'AMD-Vi: IOMMU SNP support enabled.',
    ]);
    expect(t.result.state.firmware).toMatchObject({ sev: 'INIT', snp: 'INIT', rmpInitialised: true });
  });

  it('6.18, platform untouched before the crash: sev_platform_init() returns 0 and issues nothing; kvm_amd reports SEV-SNP disabled', () => {
    const t = runSteps('6.18', ['kdump', 'modprobe: kvm_amd']);
    const load = t.steps[1]!;
    // Probe still reads the status (sev_get_api_version); no SNP_INIT_EX, INIT or DF_FLUSH follows.
    expect(load.outcome.psp!.map((c) => c.cmd)).toEqual([
      'SNP_PLATFORM_STATUS',
      'SNP_FEATURE_INFO',
      'PLATFORM_STATUS',
      'SNP_PLATFORM_STATUS',
    ]);
    expect(load.dmesg).toEqual([
      'ccp 0000:03:00.5: sev enabled',
      'ccp 0000:03:00.5: psp enabled',
      'kvm_amd: SEV enabled (ASIDs 100 - 1006)',
      'kvm_amd: SEV-ES enabled (ASIDs 1 - 99)',
      'kvm_amd: SEV-SNP disabled (ASIDs 1 - 99)',
    ]);
    expect(t.result.state.firmware).toMatchObject({ sev: 'UNINIT', snp: 'UNINIT' });
  });

  it('6.17, same crash: no kdump check, so kvm_amd initialises SNP and SEV as on any boot', () => {
    const t = runSteps('6.17', ['kdump', 'modprobe: kvm_amd']);
    const load = t.steps[1]!;
    expect(load.outcome.psp!.map((c) => c.cmd)).toContain('SNP_INIT_EX');
    expect(load.dmesg).toContain('ccp 0000:03:00.5: SEV-SNP API:1.55 build:25');
    expect(load.dmesg).toContain('kvm_amd: SEV-SNP enabled (ASIDs 1 - 99)');
    expect(t.result.state.firmware).toMatchObject({ sev: 'INIT', snp: 'INIT' });
  });

  it('legacy SEV left INIT (SNP off in BIOS): both releases take the cached INIT and issue no INIT (docs/reference/linux-ccp.md §3.2 step 3)', () => {
    for (const version of ['6.17', '6.18']) {
      const t = runSteps(
        version,
        ['modprobe: kvm_amd', 'kdump', 'modprobe: kvm_amd'],
        '{bios: {snp: false}}',
      );
      const load = t.steps[2]!;
      expect(load.outcome.psp!.map((c) => c.cmd)).toEqual(['PLATFORM_STATUS']);
      expect(load.dmesg).toEqual([
        'ccp 0000:03:00.5: sev enabled',
        'ccp 0000:03:00.5: psp enabled',
        'kvm_amd: SEV enabled (ASIDs 100 - 1006)',
        'kvm_amd: SEV-ES enabled (ASIDs 1 - 99)',
      ]);
    }
  });

  it('SNP left INIT: the capture kernel does not know, so the probe status command meets the SNP page rule (docs/reference/psp-firmware.md §2.2) and SEV is gone', () => {
    // 6.17: legacy PLATFORM_STATUS on a Hypervisor-owned command buffer → INVALID_PAGE_STATE+0x40.
    const old = runSteps('6.17', ['modprobe: kvm_amd', 'kdump', 'modprobe: kvm_amd']);
    expect(old.steps[2]!.outcome.psp).toEqual([{ cmd: 'PLATFORM_STATUS', status: 0x5a }]);
    expect(old.steps[2]!.dmesg).toContain('ccp 0000:03:00.5: SEV: failed to get status. Error: 0x5a');
    // 6.18: SNP_PLATFORM_STATUS first, its output page Hypervisor-owned → INVALID_PAGE_STATE.
    const cur = runSteps('6.18', ['modprobe: kvm_amd', 'kdump', 'modprobe: kvm_amd']);
    expect(cur.steps[2]!.outcome.psp).toEqual([{ cmd: 'SNP_PLATFORM_STATUS', status: 0x1a }]);
    expect(cur.steps[2]!.dmesg).toContain(
      'ccp 0000:03:00.5: SNP PLATFORM_STATUS command failed, ret = -5, error = 0x1a',
    );
    for (const t of [old, cur]) {
      expect(t.steps[2]!.dmesg).toContain('kvm_amd: SEV disabled (ASIDs 100 - 1006)');
      expect(t.result.state.firmware).toMatchObject({ snp: 'INIT' });
    }
  });

  it('6.18: KVM_SEV_INIT2 of a SEV VM succeeds without a firmware command (faithful: sev_platform_init() returns 0 under kdump, docs/reference/linux-ccp.md §9.15); LAUNCH_START then meets the UNINIT firmware', () => {
    const t = runSteps('6.18', [
      'kdump',
      'modprobe: kvm_amd',
      'vm.create: {id: a, type: sev}',
      'vm.init: {id: a}',
      'vm.launch: {id: a}',
    ]);
    expect(t.steps[3]!.outcome).toMatchObject({ ok: true, psp: [] });
    expect(t.steps[4]!.outcome).toMatchObject({ ok: false, fwError: 1 });
    expect(t.steps[4]!.outcome.psp![0]).toEqual({ cmd: 'LAUNCH_START', status: 1 });
    // 6.17 initialises at INIT2 instead (the platform was initialised at kvm_amd load already).
    const old = runSteps('6.17', [
      'kdump',
      'modprobe: kvm_amd',
      'vm.create: {id: a, type: sev}',
      'vm.init: {id: a}',
      'vm.launch: {id: a}',
    ]);
    expect(old.result.state.vms).toMatchObject({ a: { state: 'running' } });
  });

  it('a kdump step parses as a bare word and as a key with no value', () => {
    const t = runSteps('6.18', ['kdump', 'kdump: {}', 'kdump:']);
    expect(t.steps.map((s) => s.outcome.op)).toEqual(['kdump', 'kdump', 'kdump']);
  });
});
