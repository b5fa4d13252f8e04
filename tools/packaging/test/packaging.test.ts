/**
 * What a user installs (issue 13, "Install it like a real tool"): every published package packed
 * as `pnpm pack` makes its tarball (turbo has built each one before this test), then checked the
 * way a consumer meets it:
 *  - publint (every level) and arethetypeswrong (@arethetypeswrong/core, the API behind the
 *    `attw` CLI) over each tarball: `exports` resolve for import and require with their own types;
 *  - LICENSE (the root's MIT text), `engines.node`, no workspace-only `@sevsim/source` condition
 *    and no `workspace:` range in what ships;
 *  - a CommonJS and an ESM consumer in a scratch folder outside the workspace load every library
 *    package and see the same exports, and `run` a scenario through either form alike;
 *  - the CLI, which bundles its layers: no dependencies, no source map, the playback app inside;
 *    `npm i -g` of the tarball alone into a scratch prefix (offline: nothing to fetch) gives a
 *    `sevsim` that runs an example and writes a playback report; `npx --package TARBALL` too.
 */
import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const EXAMPLE = join(ROOT, 'examples/sev-init-then-snp-init-fails.yaml');
const LICENSE = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
const LIBRARIES = [
  '@sevsim/hardware',
  '@sevsim/psp-abi',
  '@sevsim/kernel',
  '@sevsim/firmware',
  '@sevsim/ccp',
  '@sevsim/kvm-amd',
  '@sevsim/scenario',
  '@sevsim/explorer',
  '@sevsim/diagnose',
  '@sevsim/playback',
];
const CLI = '@sevsim/cli';

interface Packed {
  readonly name: string;
  readonly filename: string;
  readonly files: readonly { path: string }[];
}

let scratch: string;
let packed: Map<string, Packed>;

function sh(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tarball(name: string): Uint8Array {
  return new Uint8Array(readFileSync(packed.get(name)!.filename));
}

/** The package.json inside a tarball (tar is on every machine the tests run on). */
function packedManifest(name: string) {
  const r = sh('tar', ['-xzOf', packed.get(name)!.filename, 'package/package.json'], scratch);
  return JSON.parse(r.stdout);
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'sevsim-packaging-'));
  const out = join(scratch, 'tarballs');
  // Scripts off: prepack would rebuild what turbo built for this test a moment ago.
  const r = sh(
    'npx',
    [
      '-y',
      'pnpm@10.34.8',
      '-r',
      '--filter',
      './packages/*',
      '--filter',
      './apps/*',
      'pack',
      '--pack-destination',
      out,
      '--config.ignore-scripts=true',
      '--json',
    ],
    ROOT,
  );
  expect(r.status, r.stderr).toBe(0);
  packed = new Map((JSON.parse(r.stdout) as Packed[]).map((p) => [p.name, p]));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('every published package, as packed', () => {
  it('all eleven are packed', () => {
    expect([...packed.keys()].sort()).toEqual([...LIBRARIES, CLI].sort());
  });

  it.each([...LIBRARIES, CLI])(
    '%s: LICENSE is the root MIT text; engines; nothing workspace-only',
    (name) => {
      expect(packed.get(name)!.files.map((f) => f.path)).toContain('LICENSE');
      const r = sh('tar', ['-xzOf', packed.get(name)!.filename, 'package/LICENSE'], scratch);
      expect(r.stdout).toBe(LICENSE);
      const manifest = packedManifest(name);
      expect(manifest.license).toBe('MIT');
      expect(manifest.engines).toEqual({ node: '>=20.19' });
      expect(JSON.stringify(manifest.exports ?? {})).not.toContain('@sevsim/source');
      expect(JSON.stringify([manifest.dependencies, manifest.devDependencies])).not.toContain('workspace:');
    },
  );

  it.each([...LIBRARIES, CLI])('%s: publint finds nothing (errors, warnings, suggestions)', async (name) => {
    const data = tarball(name);
    const { messages, pkg } = await publint({
      pack: { tarball: data.buffer as ArrayBuffer },
      level: 'suggestion',
      strict: true,
    });
    expect(messages.map((m) => `${m.type} ${m.code}: ${formatMessage(m, pkg)}`)).toEqual([]);
  });

  it.each(LIBRARIES)('%s: arethetypeswrong finds no problem in any resolution mode', async (name) => {
    const result = await checkPackage(createPackageFromTarballData(tarball(name)));
    expect(result.types, 'the package ships types').not.toBe(false);
    const problems = 'problems' in result ? result.problems : [];
    expect(problems.map((p) => JSON.stringify(p))).toEqual([]);
  });
});

describe('a consumer outside the workspace: require and import', () => {
  let project: string;

  beforeAll(() => {
    project = join(scratch, 'consumer');
    // The @sevsim tarballs unpacked as npm would install them; their third-party dependencies
    // linked from the workspace's own install (the same pinned versions, no registry needed).
    for (const name of LIBRARIES) {
      const dir = join(project, 'node_modules', name);
      mkdirSync(dir, { recursive: true });
      const r = sh('tar', ['-xzf', packed.get(name)!.filename, '--strip-components=1', '-C', dir], scratch);
      expect(r.status, r.stderr).toBe(0);
      const deps = Object.keys(packedManifest(name).dependencies ?? {}).filter(
        (d) => !d.startsWith('@sevsim/'),
      );
      const from = createRequire(join(ROOT, packageDir(name), 'package.json'));
      for (const dep of deps) {
        const target = join(project, 'node_modules', dep);
        try {
          symlinkSync(dirname(realpathSync(from.resolve(`${dep}/package.json`))), target, 'dir');
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        }
      }
    }
    writeFileSync(join(project, 'package.json'), '{"name": "consumer", "private": true}\n');
  });

  it('require() and import() of every library package give the same exports', () => {
    const script = `
      const names = ${JSON.stringify([...LIBRARIES, '@sevsim/scenario/trace'])};
      (async () => {
        const out = {};
        for (const n of names) {
          const cjs = Object.keys(require(n)).filter((k) => k !== 'default').sort();
          const esm = Object.keys(await import(n)).filter((k) => k !== 'default').sort();
          out[n] = { cjs: cjs.length, same: JSON.stringify(cjs) === JSON.stringify(esm) };
        }
        console.log(JSON.stringify(out));
      })();`;
    const r = sh(process.execPath, ['-e', script], project);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as Record<string, { cjs: number; same: boolean }>;
    for (const [name, v] of Object.entries(out)) {
      expect(v.cjs, `${name} exports something`).toBeGreaterThan(0);
      expect(v.same, `${name}: require and import differ`).toBe(true);
    }
  });

  it('a scenario runs the same through require (.cjs) and import (.mjs)', () => {
    // The scenario package README's example: kvm_amd.sev_snp=0 refuses an SNP VM with EINVAL.
    const body = (load: string) => `${load}
const text = 'version: 1\\nname: readme\\nkernel: {version: "6.18", params: {kvm_amd.sev_snp: 0}}\\nsteps:\\n  - modprobe: kvm_amd\\n  - vm.create: {id: a, type: snp}\\n  - expect: {ok: false, errno: EINVAL}\\n';
const parsed = s.parseScenario(text, 'readme.yaml', s.defaultCatalog());
const trace = s.run(parsed.scenario);
console.log(JSON.stringify([trace.result.passed, trace.result.steps[1]]));
`;
    writeFileSync(join(project, 'run.cjs'), body("const s = require('@sevsim/scenario');"));
    writeFileSync(join(project, 'run.mjs'), body("import * as s from '@sevsim/scenario';"));
    const cjs = sh(process.execPath, ['run.cjs'], project);
    const esm = sh(process.execPath, ['run.mjs'], project);
    expect(cjs.stderr + esm.stderr).toBe('');
    expect(JSON.parse(cjs.stdout)).toEqual([
      true,
      { op: 'vm.create', ok: false, errno: 'EINVAL', fwError: null, psp: [] },
    ]);
    expect(esm.stdout).toBe(cjs.stdout);
  });
});

describe('the CLI installed alone from its tarball', () => {
  it('depends on nothing (it bundles its layers, commander, yaml and zod) and ships no source map', () => {
    const manifest = packedManifest(CLI);
    expect(manifest.dependencies ?? {}).toEqual({});
    const files = packed.get(CLI)!.files.map((f) => f.path);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files).toContain('dist/playback-app/index.html');
  });

  it('npm i -g TARBALL (offline, scratch prefix): sevsim runs an example and writes a playback report', () => {
    const home = join(scratch, 'global');
    const prefix = join(home, 'prefix');
    mkdirSync(home, { recursive: true });
    const npmEnv = { npm_config_cache: join(home, 'cache'), npm_config_update_notifier: 'false' };
    const install = sh(
      'npm',
      [
        'install',
        '-g',
        '--prefix',
        prefix,
        '--offline',
        '--no-audit',
        '--no-fund',
        packed.get(CLI)!.filename,
      ],
      home,
      npmEnv,
    );
    expect(install.status, install.stderr).toBe(0);
    const sevsim = join(prefix, 'bin', 'sevsim');
    const run = sh(sevsim, ['run', EXAMPLE, '-o', 'trace.json'], home);
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n')[0]).toBe(`sev-init-then-snp-init-fails  ${EXAMPLE}`);
    expect(run.stdout).toContain('passed: every expectation held');
    expect(run.status).toBe(0);
    const playback = sh(sevsim, ['playback', 'trace.json', '--out', 'report.html'], home);
    expect(playback.stderr).toBe('');
    expect(playback.stdout).toMatch(
      /^wrote report\.html \(\d+ bytes\): sev-init-then-snp-init-fails, 5 steps\n$/,
    );
    expect(playback.status).toBe(0);
    // The one-file report carries the app's script and the trace.
    const html = readFileSync(join(home, 'report.html'), 'utf8');
    expect(html).toContain('<script type="module">');
    expect(html).toContain('sev-init-then-snp-init-fails');
  });

  it('npx --package TARBALL sevsim run FILE (offline)', () => {
    const home = join(scratch, 'npx');
    mkdirSync(home, { recursive: true });
    const r = sh(
      'npx',
      ['--offline', '--yes', '--package', packed.get(CLI)!.filename, '--', 'sevsim', 'run', EXAMPLE],
      home,
      { npm_config_cache: join(home, 'cache'), npm_config_update_notifier: 'false' },
    );
    expect(r.stdout.split('\n')[0]).toBe(`sev-init-then-snp-init-fails  ${EXAMPLE}`);
    expect(r.status).toBe(0);
  });
});

function packageDir(name: string): string {
  const short = name.slice('@sevsim/'.length);
  return short === 'playback' || short === 'cli' ? `apps/${short}` : `packages/${short}`;
}
