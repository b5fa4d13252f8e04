// `sevsim explore` and `sevsim compare` (packages/explorer): exit codes, --json, counterexample files.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPLORE_DEPTH } from '../src/commands/explore';
import { cli } from './run-cli';

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

/** 4 ASIDs, SEV from 3 (the default spaces' machine), two configurations when `snp` varies. */
const SMALL = `name: small
machine: {cpu: [genoa], snp: [true], iommu: [translated], ciphertextHiding: [false], minSevAsid: [3], asids: [4], firmware: [default]}
kernel: {releases: ["7.2"], builtin: [[]]}
params: {ccp.psp_init_on_probe: [PROBE], kvm_amd.sev: [true], kvm_amd.sev_es: [true], kvm_amd.sev_snp: [SNP], kvm_amd.ciphertext_hiding_asids: [CTH]}
actions: {maxVms: 1, vmTypes: [sev, snp], fwUpdate: [], fwCommit: false, hostRead: false, modules: true}
depth: 3
`;
function smallSpace(snp: string, cth: string, probe = 'true'): string {
  const f = join(dir(), 'space.yaml');
  writeFileSync(f, SMALL.replace('SNP', snp).replace('CTH', cth).replace('PROBE', probe));
  return f;
}
const QUIET = ['--workers', '1', '--no-progress'] as const;

describe('sevsim explore --baseline / --write-baseline', () => {
  it('a written baseline accepts exactly the run it was written from: exit 1 without it, 0 with it', async () => {
    // docs/reference/linux-kvm-amd.md §7.2 Q1: sev_snp=0 with ciphertext_hiding_asids=-1u puts SEV-ES at ASID 0.
    const space = smallSpace('false', 'all');
    const d = dir();
    const b = join(d, 'baseline.json');
    const first = await cli('explore', '--space', space, ...QUIET, '--out', d, '--write-baseline', b);
    expect(first.code).toBe(1);
    const written = JSON.parse(readFileSync(b, 'utf8'));
    expect(written).toMatchObject({ version: 1, space: 'small' });
    expect(written.findings).toEqual([
      {
        invariant: 'asid-in-range',
        message: "KVM's sevEs range 0-2 leaves the firmware's valid ASIDs [1, 2]",
        configs: [expect.stringContaining('sev_snp=0 cth_asids=all')],
      },
    ]);
    const again = await cli('explore', '--space', space, ...QUIET, '--out', d, '--baseline', b);
    expect(again.code).toBe(0);
    expect(again.out).toContain('1 violation(s), 1 of them known (in the baseline):');
    expect(again.out).toContain('  known: asid-in-range (configuration 0, 1 steps)');
    // The shipped baseline explains the same finding with its kernel source line.
    const shipped = await cli(
      'explore',
      '--space',
      space,
      ...QUIET,
      '--out',
      d,
      '--baseline',
      'default',
      '--json',
    );
    expect(shipped.code).toBe(0);
    expect(JSON.parse(shipped.out)).toMatchObject({ baseline: 1, violations: [{ known: true }] });
    // A baseline of another finding does not hide this one.
    const other = join(d, 'other.json');
    writeFileSync(
      other,
      JSON.stringify({ ...written, findings: [{ ...written.findings[0], message: 'x' }] }),
    );
    expect((await cli('explore', '--space', space, ...QUIET, '--out', d, '--baseline', other)).code).toBe(1);
  });

  it('a bad baseline file: exit 2, one line naming file, line, column and key, no stack trace', async () => {
    const d = dir();
    const b = join(d, 'bad.json');
    const withBaseline = (file: string) =>
      cli('explore', '--space', smallSpace('true', 'none'), ...QUIET, '--out', d, '--baseline', file);
    const escaped = b.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    writeFileSync(
      b,
      '{\n  "version": 1,\n  "findings": [\n    {"invariant": "asid-in-rang", "message": "m", "match": ["sev_snp=0"]}\n  ]\n}\n',
    );
    const r = await withBaseline(b);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      new RegExp(
        `^${escaped}:4:19: findings\\[0\\]\\.invariant: "asid-in-rang" is not an invariant \\(allowed: no-throw, `,
      ),
    );
    expect(r.err).not.toMatch(/\n\s+at /);
    writeFileSync(b, '{"version": 1, "findings": [\n');
    const syntax = await withBaseline(b);
    expect(syntax.code).toBe(2);
    expect(syntax.err).toMatch(new RegExp(`^${escaped}:\\d+:\\d+: `));
    const missing = await withBaseline(join(d, 'nope.json'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('nope.json');
  });
});

describe('sevsim explore --shard / explore merge', () => {
  /** Everything but timing: seconds and workers are summed over shards. */
  const timeless = (j: Record<string, unknown>) => {
    const { seconds: _s, statesPerSecond: _p, workers: _w, shard: _h, ...rest } = j;
    return rest;
  };

  it('the merged shards equal the unsharded run, whatever the order the shards are given in', async () => {
    // Four configurations: probe × sev_snp.
    const space = join(dir(), 'space.yaml');
    writeFileSync(
      space,
      SMALL.replace('PROBE', 'false, true').replace('SNP', 'false, true').replace('CTH', 'none'),
    );
    const d = dir();
    const whole = await cli('explore', '--space', space, ...QUIET, '--out', d, '--json');
    expect(whole.code).toBe(0);
    const shards: string[] = [];
    for (const i of [0, 1, 2]) {
      const r = await cli('explore', '--space', space, ...QUIET, '--out', d, '--json', '--shard', `${i}/3`);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out).shard).toEqual({ index: i, count: 3, configs: 4 });
      shards.push(join(d, `shard-${i}.json`));
      writeFileSync(shards[i]!, r.out);
    }
    const merged = await cli('explore', 'merge', shards[2]!, shards[0]!, shards[1]!);
    expect(merged.code).toBe(0);
    const w = JSON.parse(whole.out);
    const m = JSON.parse(merged.out);
    expect(w.configs).toBe(4);
    expect(timeless(m)).toEqual(timeless(w));
    expect(m.workers).toBe(3);
  });

  it('bad result files: exit 2 with file, line, column and key', async () => {
    const space = join(dir(), 'space.yaml');
    writeFileSync(space, SMALL.replace('PROBE', 'true').replace('SNP', 'false, true').replace('CTH', 'none'));
    const d = dir();
    const parts: string[] = [];
    for (const i of [0, 1]) {
      const r = await cli('explore', '--space', space, ...QUIET, '--out', d, '--json', '--shard', `${i}/2`);
      parts.push(join(d, `s${i}.json`));
      writeFileSync(parts[i]!, r.out);
    }
    const [s0, s1] = parts as [string, string];
    const esc = (p: string) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // A shard missing.
    const one = await cli('explore', 'merge', s0);
    expect(one.code).toBe(2);
    expect(one.err).toMatch(
      new RegExp(
        `^${esc(s0)}:\\d+:\\d+: shard\\.configs: configurations missing \\(a shard not given\\?\\): 1\\n`,
      ),
    );
    // The same shard twice.
    const twice = await cli('explore', 'merge', s0, s1, s0);
    expect(twice.code).toBe(2);
    expect(twice.err).toMatch(
      new RegExp(
        `^${esc(s0)}:\\d+:\\d+: configurations\\[0\\]\\.index: configuration 0 is also in ${esc(s0)}`,
      ),
    );
    // A value of the wrong type, at its line.
    const text = readFileSync(s1, 'utf8');
    const broken = join(d, 'broken.json');
    // configurations[0].states (indented 6: inside the configurations list) as a string.
    const at = text.search(/\n {6}"states": \d+,/) + 1;
    writeFileSync(
      broken,
      `${text.slice(0, at)}${text.slice(at).replace(/"states": \d+/, '"states": "many"')}`,
    );
    const line = text.slice(0, at).split('\n').length;
    const typed = await cli('explore', 'merge', s0, broken);
    expect(typed.code).toBe(2);
    expect(typed.err).toMatch(
      new RegExp(`^${esc(broken)}:${line}:\\d+: configurations\\[0\\]\\.states: must be a number\\n`),
    );
    // Another space.
    const other = join(d, 'other.json');
    writeFileSync(other, text.replace('"space": "small"', '"space": "big"'));
    const spaces = await cli('explore', 'merge', s0, other);
    expect(spaces.code).toBe(2);
    expect(spaces.err).toMatch(
      new RegExp(`^${esc(other)}:\\d+:\\d+: space: "big" is not the space of ${esc(s0)} \\("small"\\)`),
    );
    // Not JSON at all, and a file that is not there.
    const junk = join(d, 'junk.json');
    writeFileSync(junk, '{"space": "small",\n  "configs": [1, 2\n');
    const syntax = await cli('explore', 'merge', junk);
    expect(syntax.code).toBe(2);
    expect(syntax.err).toMatch(new RegExp(`^${esc(junk)}:\\d+:\\d+: `));
    const absent = await cli('explore', 'merge', join(d, 'absent.json'));
    expect(absent.code).toBe(2);
    expect(absent.err).toContain('absent.json');
    for (const r of [one, twice, typed, spaces, syntax, absent]) expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe('sevsim explore merge reads its inputs as every command does (src/files.ts readInput)', () => {
  it('a directory and a missing file: exit 2, one line naming the path, nothing on stdout', async () => {
    const d = dir();
    const absent = join(d, 'absent.json');
    expect(await cli('explore', 'merge', d)).toEqual({ code: 2, out: '', err: `${d}: is a directory\n` });
    expect(await cli('explore', 'merge', absent)).toEqual({
      code: 2,
      out: '',
      err: `${absent}: cannot be read: no such file or directory\n`,
    });
  });
});

describe('sevsim explore default budget', () => {
  it(`the built-in space stops at depth ${DEFAULT_EXPLORE_DEPTH} unless --depth says otherwise; --depth unbounded exhausts it`, async () => {
    const d = dir();
    const args = ['explore', '--kernel', '6.14', '--shard', '0/8', ...QUIET, '--out', d, '--json'] as const;
    const bounded = JSON.parse((await cli(...args)).out);
    const whole = JSON.parse((await cli(...args, '--depth', 'unbounded')).out);
    expect(whole.exhausted).toBe(true);
    expect(bounded.exhausted).toBe(false);
    expect(bounded.states).toBeLessThan(whole.states);
    // Within the default depth: every capability the fixpoint reaches (shortest paths ≤ 4 actions).
    expect(bounded.capabilities).toEqual(whole.capabilities);
  });
});
