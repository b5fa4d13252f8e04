// `sevsim explore` and `sevsim compare` (packages/explorer): exit codes, --json, counterexample files.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plainIo, runCli } from '../src/index';

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(
    argv,
    plainIo(
      (t) => (out += t),
      (t) => (err += t),
    ),
  );
  return { code, out, err };
}

const dir = () => mkdtempSync(join(tmpdir(), 'sevsim-explore-'));
const SPACE = `name: tiny
machine: {cpu: [genoa], snp: [true], iommu: [translated], ciphertextHiding: [false], minSevAsid: [default], firmware: [default]}
kernel: {releases: ["7.2"], builtin: [[]]}
params: {ccp.psp_init_on_probe: [true], kvm_amd.sev: [true], kvm_amd.sev_es: [true], kvm_amd.sev_snp: [SNP], kvm_amd.ciphertext_hiding_asids: [CTH]}
actions: {maxVms: 1, vmTypes: [snp], fwUpdate: [], fwCommit: false, hostRead: true, modules: true}
depth: 3
`;
function spaceFile(snp: boolean, cth: string): string {
  const d = dir();
  const f = join(d, 'space.yaml');
  writeFileSync(f, SPACE.replace('SNP', String(snp)).replace('CTH', cth));
  return f;
}

describe('sevsim explore', () => {
  it('exit 0 and the --json keys when no invariant is violated', async () => {
    const out = dir();
    const r = await cli(
      'explore',
      '--space',
      spaceFile(true, 'none'),
      '--workers',
      '1',
      '--json',
      '--no-progress',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    for (const k of [
      'configs',
      'states',
      'transitions',
      'seconds',
      'statesPerSecond',
      'violations',
      'capabilities',
    ])
      expect(j).toHaveProperty(k);
    expect(j.configs).toBe(1);
    expect(j.violations).toEqual([]);
    expect(j.capabilities['snp-vm-running']).toBe(1);
  });

  it('exit 1 and a counterexample `sevsim run` reproduces (docs/reference/linux-kvm-amd.md §7.2 Q1)', async () => {
    const out = dir();
    const r = await cli(
      'explore',
      '--space',
      spaceFile(false, 'all'),
      '--workers',
      '1',
      '--json',
      '--no-progress',
      '--out',
      out,
    );
    expect(r.code).toBe(1);
    const v = JSON.parse(r.out).violations;
    expect(v.map((x: { invariant: string; steps: number }) => [x.invariant, x.steps])).toEqual([
      ['asid-in-range', 1],
    ]);
    expect(readdirSync(out)).toEqual(['asid-in-range.config-0.yaml']);
    const replay = await cli('run', join(out, 'asid-in-range.config-0.yaml'), '--json');
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.out).state.kvm.sevEs).toEqual({ status: 'enabled', min: 0, max: 99 });
  });

  it('prints TLC-style progress on stderr and a summary', async () => {
    const r = await cli('explore', '--space', spaceFile(true, 'none'), '--workers', '1', '--out', dir());
    expect(r.err).toMatch(
      /^Progress\(\d+s\): 1\/1 configurations, \d+ distinct states, \d+ transitions, 0 states left on queue, \d+ states\/s$/m,
    );
    expect(r.out).toContain('No invariant is violated');
  });

  it('exit 2 for an invalid space file, with file:line:col', async () => {
    const d = dir();
    const f = join(d, 'bad.yaml');
    writeFileSync(f, 'name: x\ndepth: deep\n');
    const r = await cli('explore', '--space', f);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`${f}:2:8: depth: "deep" is not an integer 0..64\n`);
  });

  it('exit 2 for an unknown kernel or mutation', async () => {
    expect((await cli('explore', '--kernel', '5.4')).code).toBe(2);
    expect((await cli('explore', '--mutation', 'nope')).code).toBe(2);
  });
});

describe('sevsim compare', () => {
  it('writes the scenario behind each difference and prints the matrix', async () => {
    const out = dir();
    const d = dir();
    const f = join(d, 'space.yaml');
    writeFileSync(
      f,
      SPACE.replace('SNP', 'true')
        .replace('CTH', 'none')
        .replace('builtin: [[]]', 'builtin: [[ccp, kvm_amd]]')
        .replace('fwUpdate: []', 'fwUpdate: ["1.58.30"]'),
    );
    const r = await cli(
      'compare',
      '--kernels',
      '6.18,7.2+sev-fw-upload',
      '--space',
      f,
      '--workers',
      '1',
      '--format',
      'csv',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[1]).toBe(
      '1,"genoa snp=on iommu=translated fw=default builtin=ccp,kvm_amd probe=1 sev=1 sev_es=1 sev_snp=1",SNP,SNP HL',
    );
    expect(readdirSync(out).sort()).toEqual([
      'compare-row1-fw-hotloaded.6.18.yaml',
      'compare-row1-fw-hotloaded.7.2+sev-fw-upload.yaml',
      'compare-row1-fw-hotloaded.html',
    ]);
    // The difference's two runs side by side (apps/playback): 6.18 as run A, 7.2 as run B.
    const report = readFileSync(join(out, 'compare-row1-fw-hotloaded.html'), 'utf8');
    const traces = [
      ...report.matchAll(/<script type="application\/json" id="(sevsim-trace(?:-b)?)">(.*?)<\/script>/gs),
    ];
    expect(traces.map((m) => m[1])).toEqual(['sevsim-trace', 'sevsim-trace-b']);
    expect(traces.map((m) => JSON.parse(m[2]!).result.config.kernel.version)).toEqual(['6.18', '7.2']);
    expect(traces.map((m) => JSON.parse(m[2]!).result.passed)).toEqual([false, true]);
    expect(readFileSync(join(out, 'compare-row1-fw-hotloaded.6.18.yaml'), 'utf8')).toContain(
      'is NOT reachable',
    );
    expect((await cli('compare', '--kernels', '6.18,9.9')).code).toBe(2);
  });
});
