// Explorer bench (prints numbers, asserts nothing; run after `pnpm build`, imports ../dist):
//  1. the default space of every modelled release, small-ASID machines, explored to the fixpoint
//     with every core: configurations, distinct states, transitions, exhausted, CPU seconds (all
//     threads of this process) and distinct states per CPU second;
//  2. every configuration recorded in bench/string-key-reference.json (the string-state-key engine
//     at commit 1fdb454: every configuration of 6.14–6.17, every 8th of 6.18–7.2) compared with
//     this run: states, transitions, depth, findings and capabilities with their paths;
//  3. every release at once over one set of workers (`exploreSpaces`, every core): CPU seconds
//     and wall seconds, the figure of "every release on this machine's cores";
//  4. the largest configuration of the 7.2 space alone, one thread.
// CPU seconds mean more than wall time here: the machine may be shared.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { defaultCatalog } from '@sevsim/scenario';
import { defaultSpace, explore, exploreConfig, exploreSpaces, parseKernelChoice } from '../dist/index.js';
import { sameAsRecorded } from './equivalence.mjs';

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const releases = process.env.KERNELS ? process.env.KERNELS.split(',') : defaultCatalog().releases;
console.log(
  `sevsim explorer bench — default spaces (4 ASIDs, SEV 3–4, SEV-ES/SNP 1–2), depth unbounded, ${availableParallelism()} cores, Node ${process.version}`,
);
const reference = JSON.parse(readFileSync(new URL('./string-key-reference.json', import.meta.url), 'utf8'));
let same = 0;
const differ = [];
let total = 0;
let totalStates = 0;
let largest = null;
for (const k of releases) {
  const space = defaultSpace(parseKernelChoice(k));
  const c0 = cpu();
  const r = await explore(space);
  const c = cpu() - c0;
  total += c;
  totalStates += r.states;
  for (const x of r.results) if (!largest || x.states > largest.r.states) largest = { space, r: x };
  for (const want of reference.results[k] ?? []) {
    const got = r.results.find((x) => x.config.index === want.i);
    if (got && sameAsRecorded(got, want)) same++;
    else differ.push(`${k} #${want.i}`);
  }
  console.log(
    `  ${k.padEnd(6)} ${String(r.configs).padStart(4)} configurations ${String(r.states).padStart(8)} states ${String(r.transitions).padStart(9)} transitions  exhausted: ${r.exhausted}  violations: ${r.violations.length}  ${c.toFixed(1)} CPU s  ${Math.round(r.states / c)} states/CPU s`,
  );
}
console.log(
  `  every release: ${totalStates} states, ${total.toFixed(1)} CPU s, ${Math.round(totalStates / total)} states/CPU s`,
);
console.log(
  `  same as the string-key engine (${reference.recorded}): ${same} of ${same + differ.length} recorded configurations${differ.length ? `; different: ${differ.join(', ')}` : ''}`,
);

{
  const spaces = releases.map((k) => defaultSpace(parseKernelChoice(k)));
  const c0 = cpu();
  const w0 = performance.now();
  let loads = [];
  const rs = await exploreSpaces(spaces, { onWorkers: (w) => (loads = w) });
  const c = cpu() - c0;
  const wall = (performance.now() - w0) / 1000;
  const states = rs.reduce((n, r) => n + r.states, 0);
  console.log(
    `\nevery release at once (exploreSpaces, ${rs[0]?.workers} workers): ${states} states (${states === totalStates ? 'same as above' : `DIFFERENT from ${totalStates}`}), exhausted: ${rs.every((r) => r.exhausted)}, ${c.toFixed(1)} CPU s, ${wall.toFixed(1)} wall s, ${Math.round(states / c)} states/CPU s`,
  );
  // Each worker's event loop, wall seconds: busy (exploring), idle (waiting for a configuration),
  // and how long it waited at the end while another worker finished its last configuration.
  for (const [i, l] of loads.entries())
    console.log(
      `  worker ${i}: ${l.configs} configurations, busy ${l.busySeconds.toFixed(1)} s, idle ${l.idleSeconds.toFixed(1)} s, then ${l.tailSeconds.toFixed(1)} s waiting for the last configuration`,
    );
}

if (largest) {
  const c0 = cpu();
  const r = exploreConfig(largest.space, largest.r.config);
  console.log(
    `\nlargest configuration (${r.config.label}): ${r.states} states, ${r.transitions} transitions, exhausted: ${r.exhausted}, ${(cpu() - c0).toFixed(2)} CPU s, one thread`,
  );
}
