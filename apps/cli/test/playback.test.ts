import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { playback } from '../src/commands/playback';
import { capturingIo, cli } from './run-cli';

const EX = join(import.meta.dirname, '../../../examples');

/** A trace written by `sevsim run --trace` for a bundled example. */
async function traceOf(example: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sevsim-playback-'));
  const trace = join(dir, 't.json');
  const { code } = await cli('run', '--trace', trace, join(EX, example));
  expect(code).toBe(0);
  return trace;
}

describe('sevsim playback (issue: playback app)', () => {
  it('--out writes one self-contained HTML report with the trace inlined', async () => {
    const trace = await traceOf('sev-init-then-snp-init-fails.yaml');
    const out = join(mkdtempSync(join(tmpdir(), 'sevsim-report-')), 'report.html');
    const { io: cliIo, seen } = capturingIo();
    expect(await playback(trace, { out }, cliIo)).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(seen.out).toMatch(/^wrote .*report\.html \(\d+ bytes\): sev-init-then-snp-init-fails, 5 steps\n$/);
    expect(html).toContain('sev-init-then-snp-init-fails');
    expect(html).not.toMatch(/<script[^>]+src=/);
  });

  it('serves on 127.0.0.1, prints the URL, serves the trace, and stops when asked', async () => {
    const trace = await traceOf('sev-init-then-snp-init-fails.yaml');
    const { io: cliIo, seen } = capturingIo();
    let fetched = '';
    const stop = async () => {
      const url = seen.out.trim();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      fetched = await (await fetch(new URL('trace.json', url))).text();
    };
    expect(await playback(trace, {}, cliIo, stop)).toBe(0);
    expect(JSON.parse(fetched).result.scenario).toBe('sev-init-then-snp-init-fails');
  });

  it('two traces: --out writes the side-by-side report with both inlined', async () => {
    const a = await traceOf('rmmod-kvm-amd-keeps-platform-6.14.yaml');
    const b = await traceOf('rmmod-kvm-amd-shuts-platform-down-6.16.yaml');
    const out = join(mkdtempSync(join(tmpdir(), 'sevsim-report-')), 'pair.html');
    const { code, ...seen } = await cli('playback', a, b, '--out', out);
    expect(code).toBe(0);
    expect(seen.out).toMatch(
      /^wrote .*pair\.html \(\d+ bytes\): rmmod-kvm-amd-keeps-platform-6\.14 vs rmmod-kvm-amd-shuts-platform-down-6\.16, 6 steps\n$/,
    );
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<script type="application/json" id="sevsim-trace">');
    expect(html).toContain('<script type="application/json" id="sevsim-trace-b">');
  });

  it('a file that is not a trace: exit 2 with one line naming the file', async () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'sevsim-bad-')), 'bad.json');
    writeFileSync(bad, '{"format": "something else"}');
    const { io: cliIo, seen } = capturingIo();
    expect(await playback(bad, { out: join(tmpdir(), 'never.html') }, cliIo)).toBe(2);
    expect(seen.err.trim().split('\n')).toHaveLength(1);
    expect(seen.err).toContain('bad.json');
  });
});
