/**
 * `machine.pspResponseSeconds` and the ccp timeouts as a scenario states them: a PSP that answers
 * late times out unless `ccp.psp_cmd_timeout` waits longer (drivers/crypto/ccp/sev-dev.c
 * __sev_do_cmd_locked, sev_wait_cmd_ioc; AMDESE/AMDSEV#184).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from './run-scenario';

function runText(params: string) {
  return runScenario({
    machine: '{pspResponseSeconds: {SNP_INIT_EX: 120}}',
    kernel: `{version: "6.15", params: {${params}}}`,
    steps: ['modprobe: ccp'],
  });
}

describe('a PSP that answers SNP_INIT_EX after 120 s', () => {
  it('with the default psp_cmd_timeout (100 s): timed out, PSP disabled, SEV and SNP not initialised', () => {
    const t = runText('');
    expect(t.steps[0]?.dmesg).toContain('ccp 0000:03:00.5: sev command 0x85 timed out, disabling PSP');
    expect(t.steps[0]?.dmesg).toContain('ccp 0000:03:00.5: SEV-SNP: failed to INIT rc -110, error 0x0');
    // The late answer still completed SNP_INIT_EX in the firmware; the driver no longer knows.
    expect(t.result.state.firmware).toMatchObject({ snp: 'INIT', sev: 'UNINIT' });
  });

  it('ccp.psp_cmd_timeout=150 waits for it: SNP and SEV come up', () => {
    const t = runText('ccp.psp_cmd_timeout: 150');
    expect(t.steps[0]?.dmesg.some((l) => l.includes('timed out'))).toBe(false);
    expect(t.result.state.firmware).toMatchObject({ snp: 'INIT', sev: 'INIT' });
  });
});
