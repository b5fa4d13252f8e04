import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './run-cli';

const EX = join(import.meta.dirname, '../../../examples');
const ex = (f: string) => join(EX, f);

function tmp(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sevsim-cli-'));
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

describe('sevsim run (docs/contracts/scenario-v1.md "`sevsim run`")', () => {
  it('exit 0 when every expectation holds; human output marks steps and shows firmware status names and dmesg', async () => {
    const r = await cli('run', ex('sev-init-then-snp-init-fails.yaml'));
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toContain('  ✓  2 psp: { cmd: INIT }');
    expect(r.out).toContain('      SNP_INIT_EX → INVALID_PLATFORM_STATE (0x1)  [SNP_INIT_EX.');
    expect(r.out).toContain('      │ ccp 0000:03:00.5: SEV-SNP: SNP_INIT_EX failed rc -5, error 0x1');
    expect(r.out).toContain('passed: every expectation held');
    expect(r.out).not.toContain('\u001b[');
  });

  it('human output: consecutive identical firmware commands on one line with ×N; block steps show their arguments', async () => {
    const { code, out } = await cli('run', ex('snpen-with-sev-snp-off.yaml'));
    expect(code).toBe(0);
    // With SNP initialised, the pages a legacy command hands the firmware are made firmware-owned
    // and reclaimed page by page afterwards (docs/reference/linux-ccp.md §3.12): the 4 guest pages of LAUNCH_UPDATE_DATA.
    expect(out).toContain('SNP_PAGE_RECLAIM → SUCCESS (0x0) ×4');
    expect(out).toContain('  ✓  2 expect: { ok: true, state: { host.snpEn: true, firmware.snp: INIT');
  });

  it('--json prints exactly the contract document: version, scenario, passed, steps, state, dmesg (+ config)', async () => {
    const r = await cli('run', '--json', ex('snpen-with-sev-snp-off.yaml'));
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(Object.keys(doc)).toEqual(['version', 'scenario', 'passed', 'steps', 'state', 'dmesg', 'config']);
    expect(doc.scenario).toBe('snpen-set-but-kvm-sev-snp-off');
    expect(doc.steps[0]).toMatchObject({ op: 'modprobe', ok: true, errno: null, fwError: null });
    expect(doc.steps[2]).toEqual({ op: 'vm.create', ok: false, errno: 'EINVAL', fwError: null, psp: [] });
    expect(doc.steps[1]).toEqual({ op: 'expect', ok: true, failures: [] });
    expect(doc.dmesg).toContain('ccp 0000:03:00.5: SEV-SNP API:1.55 build:25');
    expect(doc.state.kvm.vmTypes).toEqual([0, 2, 3]);
    expect(doc.config.machine).toMatchObject({
      cpu: 'genoa',
      asids: 1006,
      firmware: '1.55.25',
      iommu: 'translated',
    });
  });

  it('--json with several files prints one array', async () => {
    const r = await cli('run', '--json', ex('iommu-passthrough.yaml'), ex('firmware-older-than-1-51.yaml'));
    expect(r.code).toBe(0);
    const docs = JSON.parse(r.out);
    expect(docs.map((d: { scenario: string }) => d.scenario)).toEqual([
      'iommu-passthrough',
      'firmware-older-than-1-51',
    ]);
  });

  it('exit 1 when an expectation fails, with the failure in the output', async () => {
    const f = tmp(
      'fail.yaml',
      'version: 1\nname: f\nsteps:\n  - modprobe: kvm_amd\n  - expect: {state: {firmware.sev: UNINIT}}\n',
    );
    const r = await cli('run', f);
    expect(r.code).toBe(1);
    expect(r.out).toContain('state firmware.sev: expected "UNINIT", got "INIT"');
    expect(r.out).toContain('FAILED: 1 expectation did not hold');
    expect(JSON.parse((await cli('run', '--json', f)).out).passed).toBe(false);
  });

  it('a failing step without an expect after it is an outcome, not a failure (exit 0)', async () => {
    const f = tmp('o.yaml', 'version: 1\nname: o\nsteps:\n  - vm.create: {id: a}\n');
    const r = await cli('run', f);
    expect(r.code).toBe(0);
    expect(r.out).toContain('✗  1 vm.create: {id: a}: ENOENT');
  });

  it('exit 2 for invalid input: every problem as file:line:col: key: message on stderr, no stack', async () => {
    const f = tmp('bad.yaml', 'version: 1\nname: b\nmachine: {cpu: naples}\nsteps:\n  - vm.init: {id: x}\n');
    const r = await cli('run', f);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toEqual([
      `${f}:3:16: machine.cpu: the string "naples" is not allowed (allowed: rome, milan, genoa, bergamo, siena, turin)`,
      `${f}:5:19: steps[0].vm.init.id: no step before this one creates VM "x"`,
    ]);
    expect(r.err).not.toMatch(/at .*\.ts:\d+/);
    expect(r.out).toBe('');
  });

  it('invalid and valid files together: 2 wins, --json still prints one document per file', async () => {
    const r = await cli('run', '--json', ex('iommu-passthrough.yaml'), join(EX, 'missing.yaml'));
    expect(r.code).toBe(2);
    const docs = JSON.parse(r.out);
    expect(docs[1]).toMatchObject({ valid: false, errors: [{ message: 'no such file', line: 0 }] });
  });

  it('--trace writes the trace, and export turns it into Chrome Trace JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sevsim-trace-'));
    const t = join(dir, 't.json');
    expect((await cli('run', '--trace', t, ex('dlfw-ex-refused-after-sev-init.yaml'))).code).toBe(0);
    const trace = JSON.parse(readFileSync(t, 'utf8'));
    expect(trace).toMatchObject({ format: 'sevsim-trace', version: 1 });
    const r = await cli('export', t, '--format', 'chrome');
    expect(r.code).toBe(0);
    const chrome = JSON.parse(r.out);
    expect(
      chrome.traceEvents.some(
        (e: { name: string; pid: number }) => e.name === 'SNP_DOWNLOAD_FIRMWARE_EX' && e.pid === 4,
      ),
    ).toBe(true);
    const o = join(dir, 'c.json');
    expect((await cli('export', t, '--format', 'chrome', '-o', o)).out).toBe('');
    expect(JSON.parse(readFileSync(o, 'utf8')).traceEvents.length).toBe(chrome.traceEvents.length);
    // A trace whose member a converter reads is wrong: exit 2 and the member's path, not a crash.
    trace.steps[0].psp = [null];
    const bad = tmp('psp-null.json', JSON.stringify(trace));
    const refused = await cli('export', bad, '--format', 'chrome');
    expect(refused.code).toBe(2);
    expect(refused.err).toBe(
      `${bad}: This is not a sevsim trace: trace.steps[0].psp[0]: expected an object, got null\n`,
    );
  });
});

describe('sevsim validate / explain / export errors', () => {
  it('validate: 0 for valid files, 2 with positioned errors', async () => {
    expect(await cli('validate', ex('iommu-passthrough.yaml'))).toMatchObject({
      code: 0,
      out: `${ex('iommu-passthrough.yaml')}: ok (9 steps)\n`,
    });
    const f = tmp('v.json', '{"version": 1, "name": "v", "steps": ["reboot", {"rmmod": "kvm"}]}');
    const r = await cli('validate', f);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `${f}:1:59: steps[1].rmmod: the string "kvm" is not allowed (allowed: ccp, kvm_amd)\n`,
    );
  });

  it('explain: one sentence per failing step with rule, state and fix', async () => {
    const r = await cli('explain', ex('sev-init-then-snp-init-fails.yaml'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('step 4 (line 16, modprobe)');
    expect(r.out).toMatch(
      /SNP_INIT_EX returned INVALID_PLATFORM_STATE \(0x1\) \[SNP_INIT_EX\.[a-z-]+: docs\/reference\/psp-firmware\.md §3\.2/,
    );
    expect((await cli('explain', ex('ciphertext-hiding-asid-split.yaml'))).out).toContain('no step failed');
  });

  it('export: a file that is not a trace is exit 2 with one line', async () => {
    const f = tmp('nt.json', '{"traceEvents": []}');
    expect(await cli('export', f, '--format', 'chrome')).toMatchObject({ code: 2 });
    expect((await cli('export', f, '--format', 'chrome')).err.trim().split('\n')).toHaveLength(1);
    const trunc = tmp('tr.json', '{"format": "sevsim-trace", "version": 1, "steps": [');
    expect((await cli('export', trunc, '--format', 'chrome')).err).toContain('is not valid JSON');
  });

  it('usage errors are exit 2; --help and --version exit 0', async () => {
    expect((await cli('export', 'x.json')).code).toBe(2);
    expect((await cli('export', 'x.json', '--format', 'svg')).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
    const h = await cli('run', '--help');
    expect(h.code).toBe(0);
    expect(h.out).toContain(
      'Exit status: 0 every expectation held, 1 an expectation failed, 2 invalid input',
    );
    for (const c of ['validate', 'explain', 'export']) expect((await cli(c, '--help')).code).toBe(0);
    expect(await cli('--version')).toMatchObject({ code: 0, out: '0.1.0\n' });
  });
});
