/**
 * "sev command 0x85 timed out, disabling PSP" (AMDSEV#184, an ASUS Genoa board): the PSP did not
 * answer SNP_INIT_EX within ccp's timeout (__sev_do_cmd_locked, psp_cmd_timeout 100 s), the driver
 * set psp_dead, and SNP_INIT reported error 0x0 and legacy INIT -EBUSY. The line proves
 * machine.pspResponseSeconds; read as "never", the replay prints lines 1, 3 and 4 of the report
 * and the fix search proposes nothing, in particular no longer psp_cmd_timeout: the reporter's fix
 * (BIOS IOMMU option Auto) is outside the model.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnose, readLog } from '../src/index';
import { FIXTURES } from './corpus';

const LOG = readFileSync(`${FIXTURES}amdsev-184-genoa-snp-init-timeout.log`, 'utf8');

describe('AMDSEV#184: SNP_INIT_EX timed out, PSP disabled', () => {
  const d = diagnose(readLog(LOG), { cpu: 'genoa' }).json;

  it('infers machine.pspResponseSeconds from the timeout line, as never', () => {
    const x = d.inferred.find((i) => i.path === 'machine.pspResponseSeconds');
    expect(x?.value).toEqual({ SNP_INIT_EX: 'never' });
    expect(x?.from).toEqual({ line: 1, text: 'ccp 0000:01:00.5: sev command 0x85 timed out, disabling PSP' });
    expect(x?.assumed).toBeUndefined();
  });

  it('replays the timeout, the -EBUSY legacy INIT and the API line word for word', () => {
    const matched = d.replay.onlyInLog.map((g) => g.line);
    for (const line of [1, 3, 4]) expect(matched, `line ${line}`).not.toContain(line);
    expect(d.replay.matched).toBe(3);
    // Line 2 is the snp-host wording of the simulated "SEV-SNP: failed to INIT rc -110, error 0x0".
    expect(d.replay.onlyInLog.find((g) => g.line === 2)?.kind).toBe('wording');
    expect(d.capabilities).toEqual({ sev: false, sevEs: false, snp: false });
  });

  it('explains the dead PSP with the kernel rule, tied to the timeout line', () => {
    const f = d.findings.find((x) => x.guard === 'ccp.psp-timeout');
    expect(f?.cmd).toBeNull();
    expect(f?.line).toBe(1);
    expect(f?.why).toContain('sev command 0x85 timed out, disabling PSP');
  });

  it('proposes no fix: no change the model knows makes the PSP answer', () => {
    expect(d.fixes).toEqual([]);
  });
});

it('a timeout under a short ccp.psp_cmd_timeout: the default timeout is not proposed as a fix', () => {
  // The same report with the timeout shortened on the command line: the line proves no answer
  // within 30 s, not an answer within 100 s, so restoring the default must not count as a fix.
  const log = [
    '[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz root=/dev/sda1 ccp.psp_cmd_timeout=30',
    ...LOG.split('\n'),
  ].join('\n');
  const d = diagnose(readLog(log), { cpu: 'genoa' }).json;
  expect(d.inferred.find((i) => i.path === 'kernel.params.ccp.psp_cmd_timeout')?.value).toBe(30);
  expect(d.capabilities.snp).toBe(false);
  expect(d.fixes.some((f) => f.changes.some((c) => c.path === 'kernel.params.ccp.psp_cmd_timeout'))).toBe(
    false,
  );
  expect(d.fixes).toEqual([]);
});
