// The arrows check must fail on each kind of violation (docs/architecture.md, "Arrows point one
// way"), and the real workspace must pass it. Run with `node --test scripts/`.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ARROWS, checkLayers } from './layers.mjs';

function workspace(files) {
  const root = mkdtempSync(join(tmpdir(), 'sevsim-layers-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return root;
}

const pkg = (name, dependencies = {}, devDependencies = {}, exports = { '.': './src/index.ts' }) => ({
  name,
  exports,
  dependencies,
  devDependencies,
});
const W = 'workspace:*';

const CLEAN = {
  'packages/hardware/package.json': pkg('@sevsim/hardware'),
  'packages/hardware/src/index.ts': 'export const PAGE_SIZE = 4096;\n',
  'packages/psp-abi/package.json': pkg('@sevsim/psp-abi'),
  'packages/psp-abi/src/index.ts': 'export const Cmd = { INIT: 1 };\n',
  'packages/firmware/package.json': pkg('@sevsim/firmware', { '@sevsim/hardware': W, '@sevsim/psp-abi': W }),
  'packages/firmware/src/index.ts':
    "import { Cmd } from '@sevsim/psp-abi';\nexport { PAGE_SIZE } from '@sevsim/hardware';\n",
  'packages/ccp/package.json': pkg('@sevsim/ccp', { '@sevsim/psp-abi': W }, { '@sevsim/firmware': W }),
  'packages/ccp/src/index.ts': "import type { Cmd } from '@sevsim/psp-abi';\n",
  'packages/ccp/test/x.test.ts':
    "import { createPsp } from '@sevsim/firmware';\nimport { loadCcp } from '@sevsim/ccp';\n",
  'packages/ccp/vitest.config.ts': "import { shared } from '../../vitest.shared';\n",
  'packages/scenario/package.json': pkg(
    '@sevsim/scenario',
    {},
    {},
    { '.': './src/index.ts', './trace': './src/trace.ts' },
  ),
  'packages/scenario/src/index.ts': '',
  'apps/playback/package.json': pkg('@sevsim/playback', { '@sevsim/scenario': W }),
  'apps/playback/src/app.ts': "import { parseTrace } from '@sevsim/scenario/trace';\n",
  // The CLI bundles what it imports: its layers are devDependencies.
  'apps/cli/package.json': {
    name: '@sevsim/cli',
    bin: { sevsim: './dist/sevsim.js' },
    devDependencies: { '@sevsim/scenario': W },
  },
  'apps/cli/src/main.ts': "import { runScenario } from '@sevsim/scenario';\n",
};

test('a workspace that follows the arrows passes', () => {
  assert.deepEqual(checkLayers(workspace(CLEAN)), []);
});

test('the sevsim workspace itself passes', () => {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  assert.deepEqual(checkLayers(root), []);
});

test('each kind of violation is reported with file, line and the rule', () => {
  const root = workspace({
    ...CLEAN,
    // ccp's shipped code reaches for the firmware implementation, and declares it.
    'packages/ccp/package.json': pkg('@sevsim/ccp', { '@sevsim/psp-abi': W, '@sevsim/firmware': W }),
    'packages/ccp/src/index.ts':
      "import type { Cmd } from '@sevsim/psp-abi';\nimport { createPsp } from '@sevsim/firmware';\n",
    // a deep import and an import into another package's folder
    'packages/ccp/src/deep.ts':
      "export * from '@sevsim/psp-abi/src/commands';\nimport x from '../../firmware/src/index';\n",
    // an arrow that exists but is not declared in package.json
    'packages/firmware/package.json': pkg('@sevsim/firmware', { '@sevsim/psp-abi': W }),
    // playback may see only the trace format
    'apps/playback/src/engine.ts': "const s = await import('@sevsim/scenario');\n",
    // the hardware's tests may not wire a layer above it
    'packages/hardware/package.json': pkg('@sevsim/hardware', {}, { '@sevsim/firmware': W }),
    'packages/hardware/test/h.test.ts': "import { createPsp } from '@sevsim/firmware';\n",
    // a package nobody placed in the layers
    'packages/stray/package.json': pkg('@sevsim/stray'),
    // the CLI installed from its tarball would fetch a layer it already bundles
    'apps/cli/package.json': {
      name: '@sevsim/cli',
      bin: { sevsim: './dist/sevsim.js' },
      dependencies: { '@sevsim/scenario': W },
    },
  });
  assert.deepEqual(checkLayers(root), [
    'packages/ccp/package.json: dependency @sevsim/firmware goes against the arrows (@sevsim/ccp → @sevsim/hardware, @sevsim/psp-abi, @sevsim/kernel)',
    "packages/ccp/src/deep.ts:1: deep import '@sevsim/psp-abi/src/commands': @sevsim/psp-abi exports only .",
    "packages/ccp/src/deep.ts:2: relative import '../../firmware/src/index' reaches into packages/firmware; import its package",
    "packages/ccp/src/index.ts:2: @sevsim/ccp may not import '@sevsim/firmware' (arrows: @sevsim/hardware, @sevsim/psp-abi, @sevsim/kernel)",
    "packages/firmware/src/index.ts:2: '@sevsim/hardware' is not in @sevsim/firmware's dependencies",
    'packages/hardware/package.json: devDependency @sevsim/firmware sits above @sevsim/hardware (a cycle)',
    "packages/hardware/test/h.test.ts:1: a test of @sevsim/hardware may import only declared packages below it, not '@sevsim/firmware'",
    'packages/stray/package.json: @sevsim/stray has no row in ARROWS (scripts/layers.mjs)',
    'apps/cli/package.json: @sevsim/cli bundles its layers (bin, no exports): @sevsim/scenario belongs in devDependencies',
    "apps/cli/src/main.ts:1: '@sevsim/scenario' is not in @sevsim/cli's devDependencies (it bundles them)",
    "apps/playback/src/engine.ts:1: @sevsim/playback may not import '@sevsim/scenario' (arrows: @sevsim/scenario/trace)",
  ]);
});

test('an import cycle inside a package is reported; type-only imports and tests do not count', () => {
  const root = workspace({
    ...CLEAN,
    'packages/ccp/src/transport.ts': "import { reclaim } from './rmp-pages';\nexport const issue = 1;\n",
    'packages/ccp/src/rmp-pages.ts': "import { issue } from './transport.js';\nexport const reclaim = 2;\n",
    'packages/ccp/src/view.ts': "import type { issue } from './index';\n",
    'packages/ccp/src/index.ts':
      "import type { Cmd } from '@sevsim/psp-abi';\nexport { issue } from './transport';\nimport type { View } from './view';\n",
    'packages/ccp/test/a.test.ts': "import { b } from './b';\n",
    'packages/ccp/test/b.ts': "import { a } from './a.test';\n",
  });
  assert.deepEqual(checkLayers(root), [
    'packages/ccp/src/transport.ts: import cycle src/transport.ts → src/rmp-pages.ts → src/transport.ts (one module must not need the other back)',
  ]);
});

test('the table in docs/architecture.md is ARROWS', () => {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const doc = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
  const table = doc.slice(doc.indexOf('| package '), doc.indexOf('Each boundary mirrors'));
  const rows = {};
  for (const line of table.split('\n').slice(2)) {
    const cells = line.split('|').slice(1, -1);
    if (cells.length !== 2) continue;
    const names = (cell) =>
      [...cell.matchAll(/`([^`]+)`/g)].map((m) => `@sevsim/${m[1].replace(/^apps\//, '')}`);
    rows[names(cells[0])[0]] = names(cells[1]).sort();
  }
  const arrows = Object.fromEntries(Object.entries(ARROWS).map(([k, v]) => [k, [...v].sort()]));
  assert.deepEqual(rows, arrows);
});
