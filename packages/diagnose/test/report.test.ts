/**
 * The human report's last line. AMDSEV#184 (Genoa): SNP_INIT_EX timed out and the PSP was
 * disabled (a BIOS IOMMU setting, fixed by "Auto"); the model's PSP never times out, so the replay
 * reaches SNP. The report must not call the goal "already reached": it names the real lines the
 * replay did not reproduce and says no change is verified.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { diagnose, formatDiagnosis, readLog } from '../src/index';
import { FIXTURES } from './corpus';

it('AMDSEV#184: a replay that reaches SNP without reproducing the failure says so, not "already reached"', () => {
  const log = readFileSync(`${FIXTURES}amdsev-184-genoa-snp-init-timeout.log`, 'utf8');
  const d = diagnose(readLog(log), { cpu: 'genoa' }).json;
  expect(d.capabilities.snp).toBe(true);
  const last = formatDiagnosis(d).trimEnd().split('\n').at(-1);
  expect(last).toBe(
    "Goal SNP: reached in the replay, but it did not reproduce line 2, line 3 of the log: the host's cause is outside the model, so no change is verified",
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
