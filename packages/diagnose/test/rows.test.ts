/**
 * The rows a diagnosis trace carries for `sevsim playback`. AMDSEV#189 is a 6.5 snp-host kernel:
 * it words two lines differently from mainline (`SEV-SNP: RMP table physical address […]` at boot,
 * `kvm_amd: SEV-ES and SEV-SNP supported: 99 ASIDs` at kvm_amd load), and the replay on 6.11 prints
 * the mainline lines (`… physical range […]`, `kvm_amd: SEV-SNP enabled (ASIDs 1 - 99)`). Each
 * real line stands beside the simulated line it words differently, at the step that printed it,
 * and is still not counted as matched (diagnose-v1: `matched` counts the same text only).
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { diagnose, readLog } from '../src/index';
import { FIXTURES } from './corpus';

const LOG_189 = readFileSync(`${FIXTURES}amdsev-189-milan-snp-init-0x3.log`, 'utf8');

it('AMDSEV#189: an older wording stands beside its simulated line, at that line’s step', () => {
  const d = diagnose(readLog(LOG_189), { kernel: '6.11', cpu: 'milan' });
  const rows = d.trace.diagnosis!.rows;
  const ofLine = (n: number) => rows.find((r) => r.real?.line === n);
  expect(ofLine(1)).toEqual({
    step: null,
    real: { line: 1, text: 'SEV-SNP: RMP table physical address [0x000000004de00000 - 0x00000000566fffff]' },
    simulated: 'SEV-SNP: RMP table physical range [0x0000000fefe00000 - 0x0000000fffffffff]',
    wording: true,
  });
  // The SEV-ES line has its own twin (real line 8), so the old combined line pairs with SNP's.
  expect(ofLine(6)).toEqual({
    step: 1,
    real: { line: 6, text: 'kvm_amd: SEV-ES and SEV-SNP supported: 99 ASIDs' },
    simulated: 'kvm_amd: SEV-SNP enabled (ASIDs 1 - 99)',
    wording: true,
  });
  expect(ofLine(8)).toEqual({
    step: 1,
    real: { line: 8, text: 'kvm_amd: SEV-ES enabled (ASIDs 1 - 99)' },
    simulated: 'kvm_amd: SEV-ES enabled (ASIDs 1 - 99)',
  });
  // Every simulated line appears once; the paired ones are not repeated as simulation-only rows.
  expect(rows.filter((r) => r.simulated === 'kvm_amd: SEV-SNP enabled (ASIDs 1 - 99)')).toHaveLength(1);
  expect(rows.filter((r) => r.simulated !== null)).toHaveLength(
    d.trace.boot.dmesg.length + d.trace.steps.flatMap((s) => s.dmesg).length,
  );
  // The JSON report is unchanged by the pairing: 6 matched, the two lines still only in the log.
  expect(d.json.replay.matched).toBe(6);
  expect(d.json.replay.onlyInLog.map((g) => [g.line, g.kind, g.note])).toEqual([
    [
      1,
      'wording',
      'older wording of the simulated "SEV-SNP: RMP table physical range [0x0000000fefe00000 - 0x0000000fffffffff]"',
    ],
    [6, 'wording', 'older wording of the simulated "kvm_amd: SEV-SNP enabled (ASIDs 1 - 99)"'],
  ]);
});
