// Explorer throughput: distinct states per second and bytes per state, side by side with a plain
// BFS over the same layers that keys states by JSON.stringify of the full state. Prints numbers,
// asserts nothing. Run after `pnpm build` (imports ../dist): `node --expose-gc bench/run.mjs`.
import { availableParallelism } from 'node:os';
import { openSession } from '@sevsim/scenario';
import {
  actionsAt,
  configsOf,
  defaultSpace,
  explore,
  exploreConfig,
  LAYER_FACTS,
  parseKernelChoice,
} from '../dist/index.js';

const kernel = process.env.KERNEL ?? '7.2+sev-fw-upload';
const space = defaultSpace(parseKernelChoice(kernel));
const configs = configsOf(space, LAYER_FACTS);
const subset = configs.filter((_, i) => i % 8 === 0);
const heap = () => {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
};

/** The plain BFS: full-state JSON strings in a Map (key → parent key), worlds kept on the queue. */
function plainBfs(config) {
  const root = openSession({ machine: config.machine, kernel: config.kernel });
  const full = (s) => JSON.stringify([s.state(), s.layers()]);
  const seen = new Map([[full(root), null]]);
  let frontier = [root];
  for (let d = 0; d < space.depth && frontier.length > 0; d++) {
    const next = [];
    for (const s of frontier) {
      const from = full(s);
      for (const a of actionsAt(s, space)) {
        const f = s.fork();
        for (const st of a.steps) f.apply(st);
        const k = full(f);
        if (!seen.has(k)) {
          seen.set(k, from);
          next.push(f);
        }
      }
    }
    frontier = next;
  }
  return seen;
}

function measure(name, fn) {
  const h0 = heap();
  const t0 = performance.now();
  let states = 0;
  const keep = [];
  for (const c of subset) {
    const r = fn(c);
    states += r.states;
    keep.push(r.hold);
  }
  const seconds = (performance.now() - t0) / 1000;
  const bytes = heap() - h0;
  console.log(
    `${name.padEnd(28)} ${String(states).padStart(7)} states  ${seconds.toFixed(2).padStart(6)} s  ${Math.round(
      states / seconds,
    )
      .toString()
      .padStart(6)} states/s  ${Math.round(bytes / states)
      .toString()
      .padStart(6)} bytes/state (heap kept)`,
  );
  return keep.length;
}

console.log(
  `sevsim explorer bench — space ${space.name}, depth ${space.depth}, ${configs.length} configurations, ${availableParallelism()} cores, Node ${process.version}`,
);
console.log(`\n1 thread, ${subset.length} of the configurations (every 8th):`);
measure('explorer (hashed keys)', (c) => {
  const r = exploreConfig(space, c);
  return { states: r.states, hold: r.tableBytes };
});
measure('plain BFS (JSON keys)', (c) => {
  const seen = plainBfs(c);
  return { states: seen.size, hold: seen };
});

console.log(`\nwhole default space, every core:`);
let last = 0;
const r = await explore(space, {
  onProgress: (p) => {
    if (p.seconds - last >= 10) {
      last = p.seconds;
      console.log(
        `  ${p.seconds.toFixed(0)}s: ${p.configsDone}/${p.configs} configurations, ${p.states} states`,
      );
    }
  },
  progressMs: 1000,
});
console.log(
  `explorer, ${r.workers} workers: ${r.configs} configurations, ${r.states} distinct states, ${r.transitions} transitions in ${r.seconds.toFixed(1)} s = ${Math.round(r.statesPerSecond)} states/s, ${Math.round(r.transitions / r.seconds)} transitions/s, ${r.bytesPerState.toFixed(0)} bytes/state (visited set), exhausted: ${r.exhausted}, violations: ${r.violations.length}`,
);
