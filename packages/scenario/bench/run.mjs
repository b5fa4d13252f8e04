// Benchmarks of the scenario engine and the sevsim CLI (prints numbers, asserts nothing):
//  1. cold start of the whole `sevsim run` process on an example (spawnSync, median of 11 runs);
//  2. scenarios per second in one process (parse + validate + run, every example in turn).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultCatalog, parseScenario, run } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const examples = join(here, '../../../examples');
const cli = join(here, '../../../apps/cli/dist/sevsim.js');
const files = readdirSync(examples)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (existsSync(cli)) {
  const example = join(examples, 'snpen-with-sev-snp-off.yaml');
  const times = [];
  for (let i = 0; i < 11; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [cli, 'run', '--json', example], { encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 0) console.log(`run ${i}: exit ${r.status}`);
  }
  console.log(`sevsim run cold start (whole process, median of 11): ${median(times).toFixed(1)} ms`);
} else {
  console.log('sevsim run cold start: skipped (build apps/cli first: apps/cli/dist/sevsim.js is missing)');
}

const catalog = defaultCatalog();
const texts = files.map((f) => [f, readFileSync(join(examples, f), 'utf8')]);
let n = 0;
const t0 = process.hrtime.bigint();
const budget = 2e9;
while (process.hrtime.bigint() - t0 < budget) {
  const [f, text] = texts[n % texts.length];
  const parsed = parseScenario(text, f, catalog);
  if (parsed.ok) run(parsed.scenario);
  n++;
}
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(
  `scenarios per second in one process (parse + validate + run, ${texts.length} examples): ${(n / secs).toFixed(0)}`,
);

// `sevsim run` scales with steps: N VM lifecycles in a fresh process each (bench/lifecycles.mjs).
console.log('\nsevsim run of N VM lifecycles (runLog, as without --trace), one process each:');
let base = null;
for (const n of [1000, 4000, 10000]) {
  const r = spawnSync(process.execPath, [join(here, 'lifecycles.mjs'), String(n)], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.log(`  ${n}: exit ${r.status} ${r.stderr.split('\n')[0]}`);
    continue;
  }
  const m = JSON.parse(r.stdout);
  base ??= m;
  console.log(
    `  ${String(n).padStart(6)} lifecycles (${m.steps} steps): ${m.cpuSeconds.toFixed(2)} CPU s (${(m.cpuSeconds / base.cpuSeconds).toFixed(1)}× the 1k run), peak RSS ${m.peakRssMB.toFixed(0)} MB`,
  );
}
