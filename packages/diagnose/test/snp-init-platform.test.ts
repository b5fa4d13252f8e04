/**
 * SNP_INIT's HWERROR_UNSAFE (0x14): the firmware's answer for the platform itself
 * (docs/reference/psp-firmware.md §3.2 step 3; AMD-ASPFW 1.55.25: a debug-unlocked SoC or a
 * boot-loader service SNP_INIT calls failing). aleph-im's Scaleway guide (EPYC 8024P, 6.14) quotes
 * the line a host printed after a firmware change, without its ccp device prefix, and cleared it
 * with SEV FACTORY_RESET and a reboot. No setting the model has causes 0x14, so the replay has the
 * PSP give that answer and proposes nothing; the guide's remedy is named, not verified.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnose, formatDiagnosis, readLog } from '../src/index';
import { FIXTURES } from './corpus';

const GUIDE =
  'https://github.com/aleph-im/aleph-cloud-docs/blob/main/docs/nodes/compute/advanced/confidential/scaleway-sev-snp.md';
const log = readFileSync(`${FIXTURES}aleph-scaleway-siena-snp-init-0x14.log`, 'utf8');

describe('aleph-im Scaleway guide: "SEV-SNP: failed to INIT rc -5, error 0x14"', () => {
  const d = diagnose(readLog(log), { kernel: '6.14', cpu: 'siena' });

  it("reads the device-less quote as the PSP's report and the status as the PSP's answer to SNP_INIT(_EX)", () => {
    const x = d.json.inferred.find((i) => i.path === 'machine.pspMailboxStatus');
    expect(x?.value).toEqual({ SNP_INIT: 0x14, SNP_INIT_EX: 0x14 });
    expect(x?.from?.line).toBe(1);
    expect(x?.note).toContain('HWERROR_UNSAFE (0x14)');
    expect(x?.note).toContain(GUIDE);
    expect(x?.note).toContain('that remedy is not verified here');
  });

  it('replays the line word for word on 6.14 at the Siena PSP, and SNP does not come up', () => {
    const printed = d.trace.boot.dmesg.concat(d.trace.steps.flatMap((s) => s.dmesg));
    expect(printed).toContain('ccp 0000:02:00.5: SEV-SNP: failed to INIT rc -5, error 0x14');
    expect([d.json.replay.matched, d.json.replay.aligned]).toEqual([1, 1]);
    expect(d.json.capabilities.snp).toBe(false);
  });

  it('explains 0x14 as the platform answer no setting changes, and proposes no fix', () => {
    const f = d.json.findings.find((x) => x.cmd === 'SNP_INIT_EX');
    expect(f).toMatchObject({ status: 0x14, guard: 'SNP_INIT_EX.platform', line: 1 });
    expect(f?.why).toContain('SNP_INIT_EX returned HWERROR_UNSAFE (0x14)');
    expect(f?.why).toContain('a debug-unlocked SoC, or a PSP boot-loader service');
    expect(d.json.fixes).toEqual([]);
    expect(formatDiagnosis(d.json)).toContain('are not a setting a user can change');
  });
});

it('6.16+ words it "SNP_INIT_EX failed" at kvm_amd load (docs/reference/linux-ccp.md §3.3 step 6): read the same way', () => {
  // The guide's status in the 6.16 wording (constructed, not a real log).
  const log = [
    'ccp 0000:47:00.1: sev enabled',
    'ccp 0000:47:00.1: psp enabled',
    'ccp 0000:47:00.1: SEV-SNP: SNP_INIT_EX failed rc -5, error 0x14',
    'kvm_amd: SEV-SNP disabled (ASIDs 1 - 99)',
  ];
  const d = diagnose(readLog(log.join('\n')), { kernel: '6.16', cpu: 'milan' }).json;
  expect(d.inferred.find((i) => i.path === 'machine.pspMailboxStatus')?.value).toEqual({
    SNP_INIT: 0x14,
    SNP_INIT_EX: 0x14,
  });
  expect(d.findings.find((x) => x.cmd === 'SNP_INIT_EX')).toMatchObject({ status: 0x14, line: 3 });
  expect(d.replay.onlyInLog.filter((g) => g.kind === 'fidelity')).toEqual([]);
  expect(d.fixes).toEqual([]);
});

it('a status SNP_INIT returns for a setting (AMDSEV#189: 0x3) is no PSP answer: the replay finds its cause', () => {
  const d = diagnose(readLog(readFileSync(`${FIXTURES}amdsev-189-milan-snp-init-0x3.log`, 'utf8')), {
    cpu: 'milan',
  }).json;
  expect(d.inferred.some((i) => i.path === 'machine.pspMailboxStatus')).toBe(false);
});
