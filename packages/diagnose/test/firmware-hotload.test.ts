/**
 * A probe-time firmware update ("SEV firmware update successful") is not replayed: the replay
 * starts with the version printed after it. AMDSEV#176 shows why the line still matters: the
 * driver hot-loaded 1.51.3 over the BIOS's 1.23.23, SNP_INIT kept failing with 0x3, and tlendacky
 * named the boot firmware too old; a newer BIOS fixed it. The gap's note must say so.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { diagnose, readLog } from '../src/index';
import { FIXTURES } from './corpus';

it('AMDSEV#176: the hot-load line is unmodelled and its note points at the BIOS-provided firmware', () => {
  const log = readFileSync(`${FIXTURES}amdsev-176-firmware-too-old.log`, 'utf8');
  const d = diagnose(readLog(log)).json;
  const gap = d.replay.onlyInLog.find((g) => g.text.endsWith('SEV firmware update successful'));
  expect(gap?.line).toBe(3);
  expect(gap?.kind).toBe('unmodelled');
  expect(gap?.note).toContain('only a BIOS update replaces');
  expect(gap?.note).toContain('https://github.com/AMDESE/AMDSEV/issues/176');
});
