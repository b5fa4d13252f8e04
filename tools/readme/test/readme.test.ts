/**
 * The READMEs tell a newcomer with only Node 20 and npm what to type (issue 13, "README truth"):
 * every command they show must work as written on such a machine, and every output they show must
 * be what the command prints. This test reads every README.md of the repository and
 *  - runs each line of each ```sh block from the repository root (bash, exit 0), except the setup
 *    commands CI has just run before this test (`.ci/run`: install, then `check`, which builds);
 *    re-running `check` inside `check` would recurse, so those are only checked to be what
 *    `.ci/run` runs;
 *  - runs each `$ command` of each ```console block and compares what it prints with the lines
 *    shown under it (UPDATE_README=1 rewrites them after a model change);
 *  - refuses a bare `pnpm` anywhere a README shows a command (pnpm is not on a newcomer's PATH);
 *  - runs each TypeScript example of a package README (a ```ts block that imports @sevsim) as
 *    written, against the built packages, in a folder that holds `run.trace.json` from
 *    `sevsim run -o` for the examples that read a trace.
 * `npm i -g` in a README goes to a scratch prefix (npm_config_prefix), never the machine's.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { transformSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const PNPM = 'npx -y pnpm@10.34.8';
/** What `.ci/run` runs before the tests (`check` includes the build). */
const SETUP = [`${PNPM} install --frozen-lockfile`, `${PNPM} build`, `${PNPM} check`];
const UPDATE = process.env.UPDATE_README === '1';

interface Block {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: string;
  readonly body: string;
  /** Offsets of the body in the file (for UPDATE_README). */
  readonly start: number;
  readonly end: number;
}

function readmes(dir = ROOT): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    if (name.name === 'node_modules' || name.name.startsWith('.') || name.name === 'dist') continue;
    const path = join(dir, name.name);
    if (name.isDirectory()) out.push(...readmes(path));
    else if (name.name === 'README.md') out.push(path);
  }
  return out.sort();
}

function blocks(file: string): Block[] {
  const text = readFileSync(file, 'utf8');
  const out: Block[] = [];
  const fence = /^```([a-z]*)\n([\s\S]*?)^```$/gm;
  for (const m of text.matchAll(fence)) {
    const start = m.index + 4 + m[1]!.length;
    out.push({
      file: relative(ROOT, file),
      line: text.slice(0, m.index).split('\n').length,
      lang: m[1]!,
      body: m[2]!,
      start,
      end: start + m[2]!.length,
    });
  }
  return out;
}

/** The command lines of a ```sh block: comment lines and blank lines are not commands. */
function commandLines(block: Block): string[] {
  return block.body
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

let scratch: string;
function bash(command: string, cwd = ROOT) {
  const r = spawnSync('bash', ['-c', command], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      NO_COLOR: '1',
      npm_config_prefix: join(scratch, 'npm-prefix'),
      // where `npm i -g` puts `sevsim`, first on PATH as after a global install
      PATH: `${join(scratch, 'npm-prefix', 'bin')}:${process.env.PATH}`,
      npm_config_update_notifier: 'false',
    },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'sevsim-readme-'));
});
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const FILES = readmes();
const ALL = FILES.flatMap(blocks);
const SH = ALL.filter((b) => b.lang === 'sh');
const CONSOLE = ALL.filter((b) => b.lang === 'console');

describe('commands the READMEs show', () => {
  it('no bare pnpm: every pnpm command is the npx form (fenced blocks and inline code)', () => {
    const bare: string[] = [];
    for (const file of FILES) {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        // a command that starts with pnpm: at a line's or code span's start, or after && | ; $
        if (/(^|`|&&\s*|\|\s*|;\s*|\$\s)pnpm\s/.test(line.trimStart()))
          bare.push(`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(bare).toEqual([]);
  });

  it('the setup commands a README shows are the ones .ci/run runs', () => {
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');
    expect(ci).toContain(`${SETUP[0]} && ${SETUP[2]}`);
    const shown = SH.flatMap(commandLines).flatMap((l) => l.split(' && '));
    expect(shown).toContain(SETUP[0]);
    expect(shown).toContain(SETUP[2]);
  });

  it.each(SH.map((b) => [`${b.file}:${b.line}`, b] as const))('%s runs as written', (_, block) => {
    let printed = '';
    for (const line of commandLines(block)) {
      const rest = line.split(' && ').filter((part) => !SETUP.includes(part.trim()));
      if (rest.length === 0) continue;
      const r = bash(rest.join(' && '));
      expect(r.status, `${block.file}:${block.line}: ${line}\n${r.stderr}`).toBe(0);
      printed += r.stdout;
    }
    // Lines shown under a `<!-- printed-lines … -->` marker right after the block are lines it printed.
    const after = readFileSync(join(ROOT, block.file), 'utf8')
      .slice(block.end + 4)
      .replace(/^\n+/, '');
    if (after.startsWith('<!-- printed-lines')) {
      const shown = after
        .slice(after.indexOf('\n') + 1)
        .split('\n\n')[0]!
        .split('\n');
      const lines = new Set(printed.split('\n'));
      expect(shown.filter((l) => !lines.has(l))).toEqual([]);
    }
  });

  it.each(CONSOLE.map((b) => [`${b.file}:${b.line}`, b] as const))('%s prints what it shows', (_, block) => {
    const shown = block.body.split(/^(?=\$ )/m);
    let printed = '';
    for (const part of shown) {
      const command = part.slice(2, part.indexOf('\n'));
      const r = bash(command);
      expect(r.status === 0 || r.status === 1, `${command}\n${r.stderr}`).toBe(true);
      printed += `$ ${command}\n${r.stdout}`;
    }
    if (UPDATE) {
      const file = join(ROOT, block.file);
      const text = readFileSync(file, 'utf8');
      writeFileSync(file, text.slice(0, block.start) + printed + text.slice(block.end));
    } else expect(block.body, `${block.file}: UPDATE_README=1 regenerates it`).toBe(printed);
  });
});

describe('TypeScript examples of the package READMEs', () => {
  const examples = ALL.filter((b) => b.lang === 'ts' && /^import .* from '@sevsim\//m.test(b.body));
  let dir: string;

  beforeAll(() => {
    // Inside this package, so `@sevsim/…` resolves to the built packages it depends on.
    dir = join(import.meta.dirname, '../node_modules/.cache/readme-examples');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const cli = join(ROOT, 'apps/cli/dist/sevsim.js');
    const example = join(ROOT, 'examples/sev-init-then-snp-init-fails.yaml');
    const r = bash(`node ${cli} run ${example} -o run.trace.json`, dir);
    expect(r.status, r.stderr).toBe(0);
  });

  it('every package README has one', () => {
    const withExample = new Set(examples.map((b) => b.file));
    const packages = FILES.map((f) => relative(ROOT, f)).filter((f) =>
      /^(packages|apps)\/[^/]+\/README\.md$/.test(f),
    );
    expect(packages.filter((f) => !withExample.has(f) && f !== 'apps/cli/README.md')).toEqual([]);
  });

  it.each(examples.map((b) => [`${b.file}:${b.line}`, b] as const))('%s runs as written', (name, block) => {
    const file = join(dir, `${name.replace(/[/:.]/g, '-')}.mjs`);
    writeFileSync(file, transformSync(block.body, { loader: 'ts', format: 'esm', target: 'node20' }).code);
    const r = bash(`node ${JSON.stringify(file)}`, dir);
    expect(r.stderr, name).toBe('');
    expect(r.status, name).toBe(0);
  });
});
