// Explorer bench (prints numbers, asserts nothing; run after `pnpm build`, imports ../dist):
//  1. the default space of every modelled release, small-ASID machines, explored to the fixpoint
//     with every core: configurations, distinct states, transitions, exhausted, CPU seconds (all
//     threads of this process) and distinct states per CPU second;
//  2. the largest configuration of the 7.2 space alone, one thread.
// CPU seconds, not wall time: the machine may be shared.
import { availableParallelism } from 'node:os';
import { defaultCatalog } from '@sevsim/scenario';
import { defaultSpace, explore, exploreConfig, parseKernelChoice } from '../dist/index.js';

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const releases = process.env.KERNELS ? process.env.KERNELS.split(',') : defaultCatalog().releases;
console.log(
  `sevsim explorer bench — default spaces (4 ASIDs, SEV 3–4, SEV-ES/SNP 1–2), depth unbounded, ${availableParallelism()} cores, Node ${process.version}`,
);
let total = 0;
let largest = null;
for (const k of releases) {
  const space = defaultSpace(parseKernelChoice(k));
  const c0 = cpu();
  const r = await explore(space);
  const c = cpu() - c0;
  total += c;
  for (const x of r.results) if (!largest || x.states > largest.r.states) largest = { space, r: x };
  console.log(
    `  ${k.padEnd(6)} ${String(r.configs).padStart(4)} configurations ${String(r.states).padStart(8)} states ${String(r.transitions).padStart(9)} transitions  exhausted: ${r.exhausted}  violations: ${r.violations.length}  ${c.toFixed(1)} CPU s  ${Math.round(r.states / c)} states/CPU s`,
  );
}
console.log(`  every release: ${total.toFixed(1)} CPU s`);

if (largest) {
  const c0 = cpu();
  const r = exploreConfig(largest.space, largest.r.config);
  console.log(
    `\nlargest configuration (${r.config.label}): ${r.states} states, ${r.transitions} transitions, exhausted: ${r.exhausted}, ${(cpu() - c0).toFixed(2)} CPU s, one thread`,
  );
}
