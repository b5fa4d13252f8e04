#!/usr/bin/env node
/**
 * The dependency arrows of docs/architecture.md, enforced. `ARROWS` is the one place they are
 * written: for each workspace package, the entry points of other @sevsim packages its shipped
 * code may import. `checkLayers(root)` reports, for every package of the workspace:
 *  - an import of an @sevsim entry point its row does not allow (shipped code: anything outside
 *    test/ and bench/; tests and benchmarks may also use their devDependencies, to wire the real
 *    layer underneath);
 *  - a deep import (`@sevsim/x/src/...`): only the subpaths a package `exports` exist;
 *  - a relative import into another package's folder;
 *  - an @sevsim import the package.json does not declare;
 *  - a package.json dependency against the arrows, or a devDependency on a package above it;
 *  - a package that ships one bundle (a `bin` and no `exports`: the CLI) with a dependency on an
 *    @sevsim package: the layers it bundles are devDependencies, so installing it fetches none;
 *  - a package with no row;
 *  - an import cycle between the modules of one package's shipped code (type-only imports do
 *    not count: they vanish at build time).
 * Run as a script it prints one line per violation and exits 1 when there is any.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Package → the @sevsim entry points its shipped code may import. */
export const ARROWS = {
  '@sevsim/hardware': [],
  '@sevsim/psp-abi': [],
  '@sevsim/kernel': ['@sevsim/hardware'],
  '@sevsim/firmware': ['@sevsim/hardware', '@sevsim/psp-abi'],
  '@sevsim/ccp': ['@sevsim/hardware', '@sevsim/psp-abi', '@sevsim/kernel'],
  '@sevsim/kvm-amd': ['@sevsim/hardware', '@sevsim/psp-abi', '@sevsim/kernel', '@sevsim/ccp'],
  '@sevsim/scenario': [
    '@sevsim/hardware',
    '@sevsim/psp-abi',
    '@sevsim/kernel',
    '@sevsim/firmware',
    '@sevsim/ccp',
    '@sevsim/kvm-amd',
  ],
  '@sevsim/explorer': ['@sevsim/scenario', '@sevsim/scenario/trace'],
  '@sevsim/diagnose': ['@sevsim/hardware', '@sevsim/scenario', '@sevsim/scenario/trace'],
  '@sevsim/playback': ['@sevsim/scenario/trace'],
  '@sevsim/cli': [
    '@sevsim/scenario',
    '@sevsim/scenario/trace',
    '@sevsim/explorer',
    '@sevsim/playback',
    '@sevsim/diagnose',
  ],
};

const SOURCE = /\.(c|m)?(t|j)sx?$/;
const SKIP_DIRS = new Set(['node_modules', 'dist', '.turbo', 'coverage']);
// import … from 'x', export … from 'x', import 'x', import('x'), require('x')
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"])([^'"\n]+)\1/g;

/** The package an @sevsim specifier names (`@sevsim/scenario/trace` → `@sevsim/scenario`). */
export function packageOf(specifier) {
  return specifier.split('/').slice(0, 2).join('/');
}

function workspacePackages(root) {
  const out = [];
  for (const group of ['packages', 'apps']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const pj = join(dir, name, 'package.json');
      if (existsSync(pj)) out.push({ dir: join(dir, name), json: JSON.parse(readFileSync(pj, 'utf8')) });
    }
  }
  return out;
}

function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    if (SKIP_DIRS.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (SOURCE.test(name)) out.push(p);
  }
  return out;
}

/** Every package that can reach `target` through the arrows (target included). */
function above(target) {
  const seen = new Set([target]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pkg, to] of Object.entries(ARROWS)) {
      if (!seen.has(pkg) && to.some((s) => seen.has(packageOf(s)))) {
        seen.add(pkg);
        grew = true;
      }
    }
  }
  return seen;
}

// `import … from './x'` / `export … from './x'` statements, with whether they are type-only.
const RELATIVE_STATEMENT = /^(?:import|export)\s+(type\s+)?[^;]*?\bfrom\s*(['"])(\.[^'"\n]+)\2/gm;

/** The module file a relative specifier names (`./x`, `./x.js`, `./dir`), or undefined. */
function moduleFile(from, spec) {
  const base = resolve(dirname(from), spec).replace(/\.js$/, '');
  return [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((f) => existsSync(f));
}

/** Cycles among `files` through runtime (not type-only) relative imports, each as a list of files. */
function importCycles(files) {
  const graph = new Map();
  for (const f of files) {
    const deps = [];
    for (const m of readFileSync(f, 'utf8').matchAll(RELATIVE_STATEMENT)) {
      const target = m[1] ? undefined : moduleFile(f, m[3]);
      if (target && files.includes(target)) deps.push(target);
    }
    graph.set(f, deps);
  }
  const cycles = [];
  const state = new Map(); // 1 on the stack, 2 done
  const stack = [];
  const visit = (f) => {
    state.set(f, 1);
    stack.push(f);
    for (const d of graph.get(f)) {
      if (state.get(d) === 1) cycles.push([...stack.slice(stack.indexOf(d)), d]);
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of files) if (!state.has(f)) visit(f);
  return cycles;
}

function lineOf(text, index) {
  return text.slice(0, index).split('\n').length;
}

/** All violations in the workspace at `root`, as `path:line: message` strings. */
export function checkLayers(root) {
  const packages = workspacePackages(root);
  const exportsOf = new Map(packages.map((p) => [p.json.name, Object.keys(p.json.exports ?? { '.': '' })]));
  const packageDirs = packages.map((p) => p.dir);
  const problems = [];
  for (const { dir, json } of packages) {
    const name = json.name;
    const rel = (p) => relative(root, p).split(sep).join('/');
    const allowed = ARROWS[name];
    if (!allowed) {
      problems.push(`${rel(join(dir, 'package.json'))}: ${name} has no row in ARROWS (scripts/layers.mjs)`);
      continue;
    }
    const allowedPackages = new Set(allowed.map(packageOf));
    const deps = Object.keys(json.dependencies ?? {}).filter((d) => d.startsWith('@sevsim/'));
    const devDeps = Object.keys(json.devDependencies ?? {}).filter((d) => d.startsWith('@sevsim/'));
    const upstream = above(name);
    // The CLI's build bundles every layer it imports (tsup noExternal), so they are devDependencies.
    const bundles = json.bin !== undefined && json.exports === undefined;
    const shipped = bundles ? devDeps : deps;
    for (const d of deps) {
      if (bundles)
        problems.push(
          `${rel(join(dir, 'package.json'))}: ${name} bundles its layers (bin, no exports): ${d} belongs in devDependencies`,
        );
      else if (!allowedPackages.has(d))
        problems.push(
          `${rel(join(dir, 'package.json'))}: dependency ${d} goes against the arrows (${name} → ${[...allowedPackages].join(', ') || 'nothing'})`,
        );
    }
    for (const d of devDeps) {
      if (upstream.has(d))
        problems.push(`${rel(join(dir, 'package.json'))}: devDependency ${d} sits above ${name} (a cycle)`);
    }
    const shippedFiles = sourceFiles(dir).filter((f) => {
      const inPkg = rel(f).slice(rel(dir).length + 1);
      return (
        !/^(test|bench)\//.test(inPkg) && !/\.test\.[cm]?[jt]sx?$/.test(f) && !/\.config\.[cm]?[jt]s$/.test(f)
      );
    });
    for (const cycle of importCycles(shippedFiles)) {
      const names = cycle.map((f) => rel(f).slice(rel(dir).length + 1));
      problems.push(
        `${rel(cycle[0])}: import cycle ${names.join(' → ')} (one module must not need the other back)`,
      );
    }
    for (const file of sourceFiles(dir)) {
      const text = readFileSync(file, 'utf8');
      const inTests =
        /^(test|bench)\//.test(rel(file).slice(rel(dir).length + 1)) || /\.test\.[cm]?[jt]sx?$/.test(file);
      for (const m of text.matchAll(SPECIFIER)) {
        const spec = m[2];
        const where = `${rel(file)}:${lineOf(text, m.index)}`;
        if (spec.startsWith('.')) {
          const target = resolve(dirname(file), spec);
          const into = packageDirs.find((d) => d !== dir && (target === d || target.startsWith(d + sep)));
          if (into)
            problems.push(
              `${where}: relative import '${spec}' reaches into ${rel(into)}; import its package`,
            );
          continue;
        }
        if (!spec.startsWith('@sevsim/')) continue;
        const pkg = packageOf(spec);
        const exported = exportsOf.get(pkg);
        if (exported && !exported.includes(`.${spec.slice(pkg.length)}`)) {
          const entries = exported.filter((e) => e !== './package.json').join(', ');
          problems.push(`${where}: deep import '${spec}': ${pkg} exports only ${entries}`);
          continue;
        }
        if (pkg === name) continue; // a test of the package, through its public entry
        if (inTests) {
          // Tests and benchmarks may wire any declared package that is not above this one.
          if ((deps.includes(pkg) || devDeps.includes(pkg)) && !upstream.has(pkg)) continue;
          problems.push(
            `${where}: a test of ${name} may import only declared packages below it, not '${spec}'`,
          );
          continue;
        }
        if (!allowed.includes(spec)) {
          problems.push(
            `${where}: ${name} may not import '${spec}' (arrows: ${allowed.join(', ') || 'none'})`,
          );
        } else if (!shipped.includes(pkg)) {
          problems.push(
            `${where}: '${spec}' is not in ${name}'s ${bundles ? 'devDependencies (it bundles them)' : 'dependencies'}`,
          );
        }
      }
    }
  }
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const problems = checkLayers(root);
  for (const p of problems) console.error(p);
  if (problems.length) {
    console.error(`layers: ${problems.length} violation(s) of the arrows in docs/architecture.md`);
    process.exit(1);
  }
  console.log('layers: every import and dependency follows the arrows');
}
