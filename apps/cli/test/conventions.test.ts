/**
 * clig.dev conventions across the commands (issue 13 "CLI conventions"): `-` for standard input
 * wherever a file is read and for standard output wherever one is written, `-o/--output` on every
 * command that writes (older names kept as aliases), `--json` wherever a command reports, progress
 * on stderr, shell completion, and output paths that cannot be written reported as the user's
 * input (one line, exit 2, the result still printed).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/index';
import { capturingIo, cli, cliWithStdin } from './run-cli';

const EX = join(import.meta.dirname, '../../../examples');
const ex = (f: string) => join(EX, f);
const PASSING = ex('sev-init-then-snp-init-fails.yaml');
const dir = () => mkdtempSync(join(tmpdir(), 'sevsim-conv-'));

const lines = (s: string) => s.trim().split('\n');

describe('- reads standard input', () => {
  const yaml = readFileSync(PASSING, 'utf8');

  it('run, validate and explain read a scenario from stdin, named <stdin>', async () => {
    const run = await cliWithStdin(yaml, 'run', '-');
    expect(run.code).toBe(0);
    expect(run.out).toContain('sev-init-then-snp-init-fails  <stdin>');
    expect(await cliWithStdin(yaml, 'validate', '-')).toMatchObject({
      code: 0,
      out: '<stdin>: ok (5 steps)\n',
    });
    const bad = await cliWithStdin('name: x\nmachine: {cpu: nocpu}\nsteps: []\n', 'validate', '-');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('<stdin>:2:16: machine.cpu: the string "nocpu" is not allowed');
    expect((await cliWithStdin(yaml, 'explain', '-')).code).toBe(0);
  });

  it('stdin can be read once: `run - -` is a usage error', async () => {
    const r = await cliWithStdin(yaml, 'run', '-', '-');
    expect(r.code).toBe(2);
    expect(lines(r.err)).toEqual(['sevsim: `-` (standard input) may be given once']);
  });

  it('export and playback read a trace from stdin; explore reads --space from stdin', async () => {
    const trace = await cli('run', '-o', '-', PASSING);
    expect(trace.code).toBe(0);
    const chrome = await cliWithStdin(trace.out, 'export', '-', '--format', 'chrome');
    expect(chrome.code).toBe(0);
    expect(JSON.parse(chrome.out).traceEvents.length).toBeGreaterThan(0);
    const html = await cliWithStdin(trace.out, 'playback', '-', '-o', '-');
    expect(html.code).toBe(0);
    expect(html.out).toMatch(/^<!doctype html>/i);
    expect(html.err).toMatch(/^wrote - \(\d+ bytes\): sev-init-then-snp-init-fails, 5 steps\n$/);
    const space = await cliWithStdin('name: [', 'explore', '--space', '-', '--workers', '0');
    expect(space.code).toBe(2);
    expect(space.err).toMatch(/^<stdin>:/);
  });
});

describe('-o/--output on every command that writes; the old names are aliases', () => {
  it('run -o - puts the trace on stdout and the result on stderr', async () => {
    const r = await cli('run', '-o', '-', PASSING);
    expect(JSON.parse(r.out)).toMatchObject({ format: 'sevsim-trace', version: 1 });
    expect(r.err).toContain('passed: every expectation held');
    expect((await cli('run', '-o', '-', '--json', PASSING)).code).toBe(2);
  });

  it('run --trace, --output and -o write the same trace', async () => {
    const d = dir();
    for (const flag of ['--trace', '--output', '-o'])
      expect((await cli('run', flag, join(d, `${flag}.json`), PASSING)).code).toBe(0);
    const texts = ['--trace', '--output', '-o'].map((f) => readFileSync(join(d, `${f}.json`), 'utf8'));
    expect(new Set(texts).size).toBe(1);
  });

  it('playback --out and -o both write the report', async () => {
    const d = dir();
    const trace = join(d, 't.json');
    await cli('run', '-o', trace, PASSING);
    for (const flag of ['--out', '-o']) {
      const r = await cli('playback', trace, flag, join(d, `r${flag}.html`));
      expect(r.code).toBe(0);
      expect(readFileSync(join(d, `r${flag}.html`), 'utf8')).toContain('sev-init-then-snp-init-fails');
    }
  });

  it('every command that writes a file or directory offers -o, --output in its help', () => {
    const program = buildProgram(capturingIo().io, () => {});
    const writers = program.commands
      .filter((c) => c.options.some((o) => o.long === '--output'))
      .map((c) => c.name());
    expect(writers).toEqual(['run', 'export', 'playback', 'explore', 'compare', 'diagnose']);
    for (const c of program.commands)
      for (const o of c.options)
        if (!o.hidden) expect(['--trace', '--out'], `${c.name()} ${o.long}`).not.toContain(o.long);
  });
});

describe('an output path that cannot be written is the user input: one line, exit 2, result printed', () => {
  const cases: [string, string, RegExp][] = [
    [
      'a missing directory',
      '/nonexistent/x.json',
      /^sevsim: cannot write \/nonexistent\/x\.json: no such file or directory$/,
    ],
    ['a directory', tmpdir(), /^sevsim: cannot write .*: is a directory$/],
    ['a full disk', '/dev/full', /^sevsim: cannot write \/dev\/full: no space left on device$/],
  ];

  it.each(cases)('run --trace to %s', async (_what, path, message) => {
    const r = await cli('run', '--trace', path, PASSING);
    expect(r.code).toBe(2);
    expect(lines(r.err)).toHaveLength(1);
    expect(r.err.trim()).toMatch(message);
    expect(r.out).toContain('passed: every expectation held');
  });

  it.each(cases)('export -o and playback --out to %s', async (_what, path, message) => {
    const trace = join(dir(), 't.json');
    await cli('run', '-o', trace, PASSING);
    for (const argv of [
      ['export', trace, '--format', 'chrome', '-o', path],
      ['playback', trace, '--out', path],
    ]) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(lines(r.err)).toHaveLength(1);
      expect(r.err.trim()).toMatch(message);
    }
  });
});

describe('export, playback and explore --space check what they read as run does', () => {
  it.each([
    ['/dev/zero', 'is not a regular file'],
    [tmpdir(), 'is a directory'],
    ['/nonexistent/t.json', 'cannot be read: no such file or directory'],
  ])('%s: one line, exit 2', async (path, why) => {
    for (const argv of [
      ['export', path, '--format', 'chrome'],
      ['playback', path, '-o', join(dir(), 'r.html')],
      ['explore', '--space', path],
    ]) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(lines(r.err)).toEqual([`${path}: ${why}`]);
    }
  });

  it('a FIFO is refused without blocking', async () => {
    const fifo = join(dir(), 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = await cli('export', fifo, '--format', 'chrome');
    expect(r).toMatchObject({ code: 2, err: `${fifo}: is not a regular file\n` });
  });
});

describe('--json wherever a command reports', () => {
  it('explain --json: the failing steps with line, op and explanation', async () => {
    const r = await cli('explain', '--json', PASSING);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc).toMatchObject({ version: 1, file: PASSING, scenario: 'sev-init-then-snp-init-fails' });
    expect(doc.explanations.length).toBeGreaterThan(0);
    expect(Object.keys(doc.explanations[0])).toEqual(['step', 'line', 'op', 'explanation']);
    const text = await cli('explain', PASSING);
    for (const e of doc.explanations) expect(text.out).toContain(e.explanation);
  });

  it('explain --json of an invalid file: the validate document, exit 2', async () => {
    const f = join(dir(), 'bad.yaml');
    writeFileSync(f, 'name: x\nsteps: 3\n');
    const r = await cli('explain', '--json', f);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toMatchObject({ version: 1, file: f, valid: false });
  });

  it('playback -o --json: what was written', async () => {
    const d = dir();
    await cli('run', '-o', join(d, 't.json'), PASSING);
    const r = await cli('playback', join(d, 't.json'), '-o', join(d, 'r.html'), '--json');
    expect(JSON.parse(r.out)).toMatchObject({
      outPath: join(d, 'r.html'),
      scenario: 'sev-init-then-snp-init-fails',
      steps: 5,
    });
  });
});

describe('sevsim completion', () => {
  const program = buildProgram(capturingIo().io, () => {});

  it.each(['bash', 'zsh', 'fish'])('%s: every command and every visible long flag', async (shell) => {
    const r = await cli('completion', shell);
    expect(r.code).toBe(0);
    for (const c of program.commands) {
      expect(r.out).toContain(c.name());
      for (const o of c.options)
        if (!o.hidden && o.long) expect(r.out, `${c.name()} ${o.long}`).toContain(o.long.slice(2));
    }
  });

  it('the bash script is valid bash and completes subcommands and flags', () => {
    const script = join(dir(), 'sevsim.bash');
    return cli('completion', 'bash').then(({ out }) => {
      writeFileSync(script, out);
      const complete = (words: string) =>
        spawnSync('bash', [
          '-c',
          `source ${script}; COMP_WORDS=(${words}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _sevsim; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ]).stdout.toString();
      expect(complete('sevsim ex')).toBe('explain\nexport\nexplore\n');
      expect(complete('sevsim run --')).toBe('--json\n--output\n--help\n');
    });
  });

  it('an unknown shell is exit 2 with the allowed ones', async () => {
    expect(await cli('completion', 'tcsh')).toMatchObject({
      code: 2,
      err: 'sevsim completion: unknown shell "tcsh" (allowed: bash, zsh, fish)\n',
    });
  });
});
