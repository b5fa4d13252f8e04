/**
 * The human report's last line. AMDSEV#184 (Genoa): SNP_INIT_EX timed out and the PSP was
 * disabled (a BIOS IOMMU setting, fixed by "Auto"). From the timeout line the replay reproduces the
 * failure and no change reaches SNP; with facts that say the PSP answers, the replay reaches SNP
 * without reproducing the log's failures, and the report must not call the goal "already
 * reached": it names the real lines the replay did not reproduce and says no change is verified.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { diagnose, formatDiagnosis, readLog } from '../src/index';
import { FIXTURES } from './corpus';

const LOG_184 = readFileSync(`${FIXTURES}amdsev-184-genoa-snp-init-timeout.log`, 'utf8');
const lastLine = (text: string): string | undefined => text.trimEnd().split('\n').at(-1);

it('AMDSEV#184: the timeout is explained and no change reaches SNP', () => {
  const text = formatDiagnosis(diagnose(readLog(LOG_184), { cpu: 'genoa' }).json);
  expect(text).toContain('  kernel: ccp.psp-timeout, log line 1\n');
  expect(text).toContain('\nGoal SNP: no change set of up to 3 changes reaches it in the model\n');
  // The timeout read from the log is the PSP's behaviour, kept in every change set tried.
  expect(lastLine(text)).toBe(
    '      the PSP\'s answers read from the log (machine.pspResponseSeconds = {"SNP_INIT_EX":"never"}) are not a setting a user can change; they stay in every change set tried',
  );
});

it('AMDSEV#184 with facts saying the PSP answers: reached in the replay, the failures not reproduced, said so', () => {
  const facts = { values: { 'machine.pspResponseSeconds': {} }, source: 'test facts' };
  const d = diagnose(readLog(LOG_184), { cpu: 'genoa', facts }).json;
  expect(d.capabilities.snp).toBe(true);
  expect(lastLine(formatDiagnosis(d))).toBe(
    "Goal SNP: reached in the replay, but it did not reproduce line 1, line 2, line 3 of the log: the host's cause is outside the model, so no change is verified",
  );
});

it("a healthy host (AMDSEV#271's comparison host, 6.11) is 'already reached'", () => {
  const log = readFileSync(`${FIXTURES}amdsev-271-milan-healthy-6.11.log`, 'utf8');
  const last = formatDiagnosis(diagnose(readLog(log), { kernel: '6.11', cpu: 'milan' }).json)
    .trimEnd()
    .split('\n')
    .at(-1);
  expect(last).toBe('Goal SNP: already reached, nothing to change');
});

/**
 * AMDSEV#189 (snp-host 6.5) words two lines as that tree printed them; the replay on 6.11 prints the
 * mainline lines for the same facts (see rows.test.ts). The text report lists those two simulated
 * lines as paired with their real lines, not as lines the host never printed; the JSON keeps them
 * in `onlyInSimulation` (diagnose-v1 counts the same text only) and names the pairing by index.
 */
it('sev-utils#19: the platform reaches SNP, but the kernel refuses SNP launches (no CONFIG_KVM_PRIVATE_MEM): not "already reached"', () => {
  const log = readFileSync(`${FIXTURES}sev-utils-19-milan-guest-memfd.log`, 'utf8');
  const d = diagnose(readLog(log)).json;
  expect(d.capabilities.snp).toBe(true);
  expect(lastLine(formatDiagnosis(d))).toBe(
    "Goal SNP: reached in the replay, but it did not reproduce line 8, line 9, line 10 of the log: the host's cause is outside the model, so no change is verified",
  );
});

it('AMDSEV#189: a simulated line an older real line words differently is listed as paired', () => {
  const log = readFileSync(`${FIXTURES}amdsev-189-milan-snp-init-0x3.log`, 'utf8');
  const d = diagnose(readLog(log), { kernel: '6.11', cpu: 'milan' }).json;
  const rmp = 'SEV-SNP: RMP table physical range [0x0000000fefe00000 - 0x0000000fffffffff]';
  const snp = 'kvm_amd: SEV-SNP enabled (ASIDs 1 - 99)';
  expect(d.replay.onlyInSimulation).toContain(rmp);
  expect(d.replay.onlyInSimulation).toContain(snp);
  expect(d.replay.onlyInLog.map((g) => [g.line, g.pairedWith])).toEqual([
    [1, d.replay.onlyInSimulation.indexOf(rmp)],
    [6, d.replay.onlyInSimulation.indexOf(snp)],
  ]);
  const text = formatDiagnosis(d);
  expect(text).toContain(`  in the simulation, paired with log line 1 (same fact, older wording): ${rmp}\n`);
  expect(text).toContain(`  in the simulation, paired with log line 6 (same fact, older wording): ${snp}\n`);
  expect(text).not.toContain(`only in the simulation: ${rmp}`);
  expect(text).not.toContain(`only in the simulation: ${snp}`);
  // The unpaired simulated lines are still listed as the simulation's own.
  expect(text).toContain('  only in the simulation: AMD-Vi: IOMMU SNP support enabled.\n');
});
