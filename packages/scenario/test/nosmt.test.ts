/**
 * `nosmt` / `nosmt=force` on the kernel command line (kernel/cpu.c smt_cmdline_disable,
 * cpu_smt_disable, cpu_bootable) and the SNP/SEV outcome a real Milan showed with it
 * (https://github.com/AMDESE/AMDSEV/issues/154).
 */
import { describe, expect, it } from 'vitest';
import { defaultCatalog, formatError, parseScenario, run, type Trace } from '../src/index';

function runText(text: string): Trace {
  const r = parseScenario(text, 'nosmt.yaml', defaultCatalog());
  if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
  return run(r.scenario);
}

const scenario = (nosmt: string, extra = '') =>
  [
    'version: 1',
    'name: nosmt',
    // The reporter's PSP is at 0000:49:00.1 ("ccp 0000:49:00.1: sev enabled").
    'machine: {cpu: milan, firmware: "1.51.3", pspPci: ["0000:49:00.1"]}',
    `kernel: {version: "6.14", params: {${nosmt}}}`,
    'steps:',
    '  - modprobe: kvm_amd',
    extra,
  ].join('\n');

/** The ccp lines, device prefix included (the reporter's "ccp 0000:49:00.1: "). */
const ccpLines = (t: Trace) => (t.steps[0]?.dmesg ?? []).filter((l) => l.startsWith('ccp '));

describe('nosmt=force on Milan, firmware 1.51.3, 6.14 (AMDSEV#154)', () => {
  const t = runText(scenario('nosmt: force'));

  it('boot prints cpu_smt_disable(true)’s line', () => {
    expect(t.boot.dmesg[0]).toBe('SMT: Force disabled');
  });

  it('SNP_INIT 0x3, then legacy INIT 0x1, in the order and words of the real log', () => {
    // AMDSEV#154: "SEV-SNP: failed to INIT rc -5, error 0x3", "SEV: failed to INIT error 0x1, rc -5",
    // "SEV API:1.51 build:3" (the reporter's kernel also printed "SEV firmware update successful").
    // Milan's PSP function also carries a CCP engine, whose line comes first (AMDSEV#140, #107).
    expect(ccpLines(t)).toEqual([
      'ccp 0000:49:00.1: no command queues available',
      'ccp 0000:49:00.1: sev enabled',
      'ccp 0000:49:00.1: psp enabled',
      'ccp 0000:49:00.1: SEV-SNP: failed to INIT rc -5, error 0x3',
      'ccp 0000:49:00.1: SEV: failed to INIT error 0x1, rc -5',
      'ccp 0000:49:00.1: SEV API:1.51 build:3',
    ]);
    expect(t.steps[0]?.outcome.psp).toEqual([
      { cmd: 'PLATFORM_STATUS', status: 0 },
      { cmd: 'SNP_INIT', status: 0x3 },
      { cmd: 'INIT', status: 0x1 },
    ]);
  });

  it('the secondary threads are offline and share SNPEn through their cores', () => {
    const s = t.result.state as { host: { snpEn: boolean }; firmware: { sev: string; snp: string } };
    expect(s.host.snpEn).toBe(true);
    expect(s.firmware).toMatchObject({ sev: 'UNINIT', snp: 'UNINIT' });
  });

  it('plain nosmt (any value but "force") disables SMT the same way, with its own line', () => {
    const plain = runText(scenario('nosmt: "1"'));
    expect(plain.boot.dmesg[0]).toBe('SMT: disabled');
    expect(ccpLines(plain).slice(3, 5)).toEqual([
      'ccp 0000:49:00.1: SEV-SNP: failed to INIT rc -5, error 0x3',
      'ccp 0000:49:00.1: SEV: failed to INIT error 0x1, rc -5',
    ]);
  });

  it('without nosmt the same machine brings SEV and SNP up', () => {
    const r = parseScenario(
      'version: 1\nname: smt\nmachine: {cpu: milan, firmware: "1.51.3"}\nkernel: {version: "6.14"}\nsteps:\n  - modprobe: kvm_amd\n',
      'smt.yaml',
      defaultCatalog(),
    );
    if (!r.ok) throw new Error('bad scenario');
    const ok = run(r.scenario);
    expect(ok.boot.dmesg.some((l) => l.startsWith('SMT:'))).toBe(false);
    expect(ok.steps[0]?.outcome.psp?.map((c) => [c.cmd, c.status])).toEqual([
      ['PLATFORM_STATUS', 0],
      ['SNP_INIT', 0],
      ['SNP_DF_FLUSH', 0],
      ['INIT', 0],
      ['DF_FLUSH', 0],
    ]);
  });
});
