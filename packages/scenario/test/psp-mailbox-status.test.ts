/**
 * `machine.pspMailboxStatus`: a PSP that answers a command with a status of its own instead of
 * running it (src/engine/psp-timing.ts). AMDESE/AMDSEV#246, an EPYC 8024P (Siena, one socket, SEV-ES
 * ASID limit 256): `modprobe ccp` prints "SEV: failed to get status. Error: 0x8003" and no
 * /dev/sev appears; `modprobe kvm_amd` still reports SEV, SEV-ES and SEV-SNP enabled, because that
 * kernel's kvm_amd (before 6.16) decides from CPUID alone (docs/reference/linux-ccp.md §3.1 step 2.2:
 * sev_get_api_version() failing destroys the SEV device).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from './run-scenario';

function runOn(version: string, steps: readonly string[]) {
  return runScenario({
    machine: '{cpu: siena, cores: 8, bios: {minSevAsid: 256}, pspMailboxStatus: {PLATFORM_STATUS: 0x8003}}',
    kernel: `{version: "${version}"}`,
    steps,
  });
}

describe('AMDSEV#246: PLATFORM_STATUS answered with 0x8003 at probe', () => {
  it("6.14: the report's ccp and kvm_amd lines, word for word", () => {
    const t = runOn('6.14', [
      'modprobe: ccp',
      'modprobe: kvm_amd',
      'vm.create: {id: a, type: sev}',
      'vm.init: {id: a}',
    ]);
    expect(t.steps[0]!.dmesg).toEqual([
      'ccp 0000:02:00.5: sev enabled',
      'ccp 0000:02:00.5: psp enabled',
      'ccp 0000:02:00.5: SEV: failed to get status. Error: 0x8003',
    ]);
    // The command never reached the SEV firmware, but ccp sent it and got 0x8003: the step lists it.
    expect(t.steps[0]!.outcome.psp).toEqual([{ cmd: 'PLATFORM_STATUS', status: 0x8003 }]);
    expect(t.steps[1]!.dmesg).toEqual([
      'kvm_amd: SEV enabled (ASIDs 256 - 1006)',
      'kvm_amd: SEV-ES enabled (ASIDs 1 - 255)',
      'kvm_amd: SEV-SNP enabled (ASIDs 1 - 255)',
    ]);
    // No SEV device: the first SEV guest's platform init finds none (-ENODEV).
    expect(t.steps[3]!.outcome).toMatchObject({ ok: false, errno: 'ENODEV' });
    expect(t.result.state.firmware).toMatchObject({ sev: 'UNINIT', snp: 'UNINIT' });
  });

  it('6.18: the same probe failure; kvm_amd initialises the platform at load (-ENODEV) and reports SEV disabled', () => {
    const t = runOn('6.18', ['modprobe: kvm_amd']);
    expect(t.steps[0]!.dmesg).toContain('ccp 0000:02:00.5: SEV: failed to get status. Error: 0x8003');
    expect(t.steps[0]!.dmesg).toContain('kvm_amd: SEV disabled (ASIDs 256 - 1006)');
  });
});
