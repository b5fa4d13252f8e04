/**
 * `sevsim diagnose` (diagnose-v1 contract): the JSON document's fields, exit 0/2, the messages of
 * bad input, `--facts`, `--out` (scenario replayable with `sevsim run`, trace for playback, one
 * scenario per fix) and `--host --root`. Logs are the corpus of @sevsim/diagnose (real reports).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTrace } from '@sevsim/scenario';
import { describe, expect, it } from 'vitest';
import { cli } from './run-cli';

const FX = join(import.meta.dirname, '../../../packages/diagnose/fixtures');
const fx = (f: string) => join(FX, f);

const tmpDir = () => mkdtempSync(join(tmpdir(), 'sevsim-diagnose-'));

describe('sevsim diagnose', () => {
  it('--json: exactly one document with the contract fields (AMDSEV#154, two files in order)', async () => {
    const r = await cli(
      'diagnose',
      fx('amdsev-154-nosmt-milan.log'),
      fx('amdsev-154-nosmt-milan.2.log'),
      '--json',
    );
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const d = JSON.parse(r.out);
    expect(Object.keys(d)).toEqual(
      expect.arrayContaining([
        'format',
        'version',
        'log',
        'inferred',
        'scenario',
        'replay',
        'capabilities',
        'findings',
        'fixes',
      ]),
    );
    expect(d).toMatchObject({ format: 'sevsim-diagnosis', version: 1, log: { lines: 14, relevant: 12 } });
    expect(d.inferred).toContainEqual({
      path: 'machine.firmware',
      value: '1.51.3',
      from: { line: 11, text: 'ccp 0000:49:00.1: SEV API:1.51 build:3' },
    });
    // The log's 6.1 kernel replays on the oldest modelled release, 6.11.
    expect(d.scenario).toMatchObject({ version: 1, machine: { cpu: 'milan' }, kernel: { version: '6.11' } });
    expect(d.replay).toMatchObject({
      matched: expect.any(Number),
      onlyInLog: expect.any(Array),
      onlyInSimulation: expect.any(Array),
    });
    // SEV INIT fails 0x1 after SNP_INIT's 0x3 (AMDSEV#154 log line 10), so no guest runs.
    expect(d.capabilities).toEqual({ sev: false, sevEs: false, snp: false });
    expect(d.findings[0]).toMatchObject({
      cmd: 'SNP_INIT',
      status: 3,
      statusName: 'INVALID_CONFIG',
      line: 9,
    });
    expect(d.fixes[0]).toEqual({
      changes: [{ path: 'machine.offlineCores', value: [] }],
      capabilities: { sev: true, sevEs: true, snp: true },
      verified: true,
    });
  });

  it('human output by default: inferred values with their lines, findings, fixes', async () => {
    const r = await cli('diagnose', fx('amdsev-88-iommu-pt.log'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('machine.iommu = passthrough    (line 1: Command line:');
    expect(r.out).toContain('1. machine.iommu = translated');
  });

  it('exit 2 with the collection hint for a log without SEV lines; exit 2 for an unreadable file', async () => {
    const dir = tmpDir();
    writeFileSync(
      join(dir, 'boot.log'),
      '[    0.000000] Linux version 6.8.0 (x)\n[    1.0] usb 1-1: new device\n',
    );
    const r = await cli('diagnose', join(dir, 'boot.log'));
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain("dmesg | grep -iE 'sev|snp|ccp|kvm_amd|AMD-Vi|rmp");
    const missing = await cli('diagnose', join(dir, 'nope.log'));
    expect(missing.code).toBe(2);
    expect(missing.err).toBe(`sevsim diagnose: ${join(dir, 'nope.log')}: cannot read (ENOENT)\n`);
  });

  it('--goal picks the guest type the fixes must reach (AMDSEV#115: SEV-ES needs the ASID limit only, SNP also SNP in the BIOS); a bad goal is exit 2', async () => {
    const log = fx('amdsev-115-milan-snp-off-in-bios.log');
    const fixes = async (...goal: string[]) => {
      const r = await cli('diagnose', log, '--cpu', 'milan', '--json', ...goal);
      expect(r.code).toBe(0);
      const d = JSON.parse(r.out);
      return { goal: d.goal, first: d.fixes[0].changes.map((c: { path: string }) => c.path).sort() };
    };
    expect(await fixes()).toEqual({ goal: 'snp', first: ['machine.bios.minSevAsid', 'machine.bios.snp'] });
    expect(await fixes('--goal', 'sev-es')).toEqual({ goal: 'sev-es', first: ['machine.bios.minSevAsid'] });
    const bad = await cli('diagnose', log, '--goal', 'tdx');
    expect(bad.code).toBe(2);
    expect(bad.out).toBe('');
    expect(bad.err).toBe("sevsim diagnose: --goal: 'tdx' is not one of snp, sev-es, sev\n");
  });

  it('--facts wins over inference; an unknown key is exit 2 naming file, line and key', async () => {
    const dir = tmpDir();
    writeFileSync(
      join(dir, 'facts.yaml'),
      'machine:\n  bios: { bootMode: legacy }\nkernel:\n  params: { kvm_amd.sev_snp: 0 }\n',
    );
    const r = await cli(
      'diagnose',
      fx('amdsev-189-milan-snp-init-0x3.log'),
      '--facts',
      join(dir, 'facts.yaml'),
      '--json',
    );
    expect(r.code).toBe(0);
    const d = JSON.parse(r.out);
    expect(d.inferred).toContainEqual({
      path: 'machine.bios.bootMode',
      value: 'legacy',
      note: `from ${join(dir, 'facts.yaml')}`,
    });
    expect(d.inferred).toContainEqual({
      path: 'kernel.params.kvm_amd.sev_snp',
      value: 0,
      note: `from ${join(dir, 'facts.yaml')}`,
    });
    writeFileSync(join(dir, 'bad.yaml'), 'machine: {}\nbios: { snp: true }\n');
    const bad = await cli(
      'diagnose',
      fx('amdsev-189-milan-snp-init-0x3.log'),
      '--facts',
      join(dir, 'bad.yaml'),
    );
    expect(bad.code).toBe(2);
    expect(bad.err).toBe(
      `sevsim diagnose: ${join(dir, 'bad.yaml')}:2:1: bios: unknown key (allowed: machine, kernel, cmdline, cpuinfo, parameters)\n`,
    );
  });

  it('--facts is read as every input is: a directory, a missing file, a FIFO → exit 2, one line naming it', async () => {
    const dir = tmpDir();
    const fifo = join(dir, 'facts.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const log = fx('amdsev-189-milan-snp-init-0x3.log');
    for (const [facts, why] of [
      [dir, 'is a directory'],
      [join(dir, 'absent.yaml'), 'cannot be read: no such file or directory'],
      [fifo, 'is not a regular file'],
    ] as const) {
      const r = await cli('diagnose', log, '--facts', facts);
      expect(r).toEqual({ code: 2, out: '', err: `${facts}: ${why}\n` });
    }
    // Standard input can be read once: `-` for both the log and the facts is a usage error.
    const twice = await cli('diagnose', '-', '--facts', '-');
    expect(twice).toEqual({ code: 2, out: '', err: 'sevsim: `-` (standard input) may be given once\n' });
  });

  it('--out writes a scenario `sevsim run` replays, the trace with the alignment, and one scenario per fix', async () => {
    const dir = tmpDir();
    const r = await cli('diagnose', fx('amdsev-189-milan-snp-init-0x3.log'), '--cpu', 'milan', '--out', dir);
    expect(r.code).toBe(0);
    const replay = await cli('run', join(dir, 'scenario.yaml'));
    expect(replay.code).toBe(0);
    expect(replay.out).toContain('SEV-SNP: failed to INIT rc -5, error 0x3');
    const t = parseTrace(readFileSync(join(dir, 'trace.json'), 'utf8'));
    expect(t.ok).toBe(true);
    const rows = t.ok ? (t.trace.diagnosis?.rows ?? []) : [];
    expect(rows.find((x) => x.real?.line === 3)).toMatchObject({
      simulated: 'ccp 0000:42:00.1: SEV-SNP: failed to INIT rc -5, error 0x3',
      step: 0,
    });
    expect(existsSync(join(dir, 'fix-1.yaml'))).toBe(true);
    const fixed = await cli('run', join(dir, 'fix-1.yaml'), '--json');
    expect(JSON.parse(fixed.out).dmesg).toContain('ccp 0000:42:00.1: SEV-SNP API:1.55 build:7');
  });

  it('--host --root reads a copied tree; --root without --host and LOG with --host are exit 2', async () => {
    const root = tmpDir();
    mkdirSync(join(root, 'dev'));
    mkdirSync(join(root, 'proc'));
    writeFileSync(
      join(root, 'dev/kmsg'),
      '6,1,11652294,-;ccp 0000:42:00.1: sev enabled\n6,2,11702131,-;ccp 0000:42:00.1: SEV-SNP: failed to INIT rc -5, error 0x3\n',
    );
    writeFileSync(join(root, 'proc/cmdline'), 'BOOT_IMAGE=/vmlinuz-6.16.0 ro nosmt\n');
    const r = await cli('diagnose', '--host', '--root', root, '--cpu', 'milan', '--json');
    expect(r.code).toBe(0);
    const d = JSON.parse(r.out);
    expect(d.inferred.find((x: { path: string }) => x.path === 'machine.offlineCores')?.note).toContain(
      '/proc/cmdline',
    );
    expect((await cli('diagnose', '--root', root, fx('amdsev-88-iommu-pt.log'))).code).toBe(2);
    expect((await cli('diagnose', '--host', fx('amdsev-88-iommu-pt.log'))).code).toBe(2);
  });
});
