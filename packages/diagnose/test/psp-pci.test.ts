/**
 * `machine.pspPci` from the log: real hosts print their PSP's PCI address in every ccp line
 * (`ccp 0000:42:00.1: sev enabled`), and it is the board's, not the CPU's (AMDSEV#189's Dell R7515
 * at 42:00.1, AMDSEV#154's host at 49:00.1, AMDSEV#202's Genoa at 09:00.5). diagnose reads the
 * master's address (the PSP printing the SEV lines) and, on a two-socket host, the other socket's,
 * so the replay's ccp lines are the log's word for word, address included.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnose, readLog } from '../src/index';
import { pspDevices } from '../src/wording';
import { corpus, diagnoseFixture, FIXTURES } from './corpus';

const logText = (logs: readonly string[]): string =>
  logs.map((f) => readFileSync(FIXTURES + f, 'utf8')).join('\n');
const withAddress = corpus().filter(({ side }) =>
  /^(?:\[[^\]]*\]\s*)?ccp [0-9a-f]{4}:/m.test(logText(side.logs)),
);

describe.each(withAddress)('$name', ({ side }) => {
  it(`replays the log's ccp lines word for word, PSP address included (${side.source})`, () => {
    const d = diagnoseFixture(side);
    const psps = pspDevices(readLog(logText(side.logs)).relevant).map((p) => p.address);
    const sockets = d.json.inferred.find((x) => x.path === 'machine.sockets')?.value ?? 1;
    expect(d.json.inferred.find((x) => x.path === 'machine.pspPci')?.value).toEqual(
      psps.slice(0, Number(sockets)),
    );
    // Matched rows (an older wording's row stands beside the line it words differently).
    const ccp = d.trace.diagnosis!.rows.filter(
      (r) => r.real && r.simulated && !r.wording && /^ccp /.test(r.real.text),
    );
    for (const r of ccp) expect(r.simulated).toBe(r.real!.text);
    // Every ccp line the replay printed names one of the log's PSPs.
    const printed = d.trace.boot.dmesg.concat(d.trace.steps.flatMap((s) => s.dmesg));
    for (const t of printed.filter((t) => /^ccp /.test(t)))
      expect(psps).toContain(t.split(' ')[1]!.slice(0, -1));
  });
});

describe('the rule, on real logs', () => {
  it('AMDSEV#189: the master at 42:00.1, the Dell R7515 board (the Milan preset has 47:00.1)', () => {
    const log = readFileSync(`${FIXTURES}amdsev-189-milan-snp-init-0x3.log`, 'utf8');
    const d = diagnose(readLog(log), { cpu: 'milan' });
    const x = d.json.inferred.find((i) => i.path === 'machine.pspPci');
    expect(x).toMatchObject({ value: ['0000:42:00.1'], from: { line: 2 } });
    expect(d.trace.boot.dmesg.concat(d.trace.steps.flatMap((s) => s.dmesg))).toContain(
      'ccp 0000:42:00.1: SEV-SNP: failed to INIT rc -5, error 0x3',
    );
  });

  it('lore (KVM built-in series): two sockets, the master 23:00.1 printing SEV first, a2:00.1 second', () => {
    const log = readFileSync(`${FIXTURES}lore-snp-init-iommu-off.log`, 'utf8');
    const d = diagnose(readLog(log)).json;
    expect(d.inferred.find((i) => i.path === 'machine.pspPci')?.value).toEqual([
      '0000:23:00.1',
      '0000:a2:00.1',
    ]);
  });

  it("a PSP whose function is not the CPU's is not read (AMDSEV#189 with --cpu genoa: .1 is no Genoa PSP)", () => {
    const log = readFileSync(`${FIXTURES}amdsev-189-milan-snp-init-0x3.log`, 'utf8');
    const d = diagnose(readLog(log), { cpu: 'genoa' }).json;
    expect(d.inferred.some((i) => i.path === 'machine.pspPci')).toBe(false);
    expect(d.notes.join('\n')).toContain('0000:42:00.1 (line 2) is not PCI function 5');
  });

  it('facts naming the CPU or the socket count win over the log here too (the scenario stays valid)', () => {
    const log189 = readFileSync(`${FIXTURES}amdsev-189-milan-snp-init-0x3.log`, 'utf8');
    const genoa = diagnose(readLog(log189), { facts: { values: { 'machine.cpu': 'genoa' } } }).json;
    expect(genoa.inferred.some((i) => i.path === 'machine.pspPci')).toBe(false);
    expect(genoa.notes.join('\n')).toContain('0000:42:00.1 (line 2) is not PCI function 5, the genoa PSP');
    const log271 = readFileSync(`${FIXTURES}amdsev-271-milan-healthy-6.11.log`, 'utf8');
    const one = diagnose(readLog(log271), { facts: { values: { 'machine.sockets': 1 } } }).json;
    expect(one.inferred.find((i) => i.path === 'machine.pspPci')?.value).toEqual(['0000:22:00.1']);
  });

  it('jepio/AMDSEV\'s nested host: a platform-device PSP ("ccp psp:") has no PCI address to read', () => {
    const log = readFileSync(`${FIXTURES}jepio-amdsev-azure-nested-6.7.log`, 'utf8');
    const d = diagnose(readLog(log)).json;
    expect(d.inferred.some((i) => i.path === 'machine.pspPci')).toBe(false);
  });
});
