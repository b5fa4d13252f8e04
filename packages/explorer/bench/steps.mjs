// The layer code's cost per action kind on fixed work (prints numbers, asserts nothing; run after
// `pnpm build`, imports ../dist). A breadth-first search of some configurations collects every
// (state, action) pair, keeps STEPS_PAIRS of each action kind spread evenly over the search, and
// then applies each pair to a fresh fork of its state, STEPS_ROUNDS times: the CPU time of
// `Session.apply` only, the median of the rounds. Unlike layers.mjs (one search, each transition
// once, so a GC pause lands on whatever runs), each pair runs many times and the median drops the
// rounds a pause hit, which makes the small differences of a step-path change visible on a loaded
// machine.
//
// `STEPS_BASE=DIR` (a copy of an older build's `packages/` folder, dist and node_modules included)
// measures that build too, in the same process: both builds collect their own pairs from the
// same configurations, and every pair runs in both builds back to back, alternating which goes
// first. The ratio column is the median of the per-round ratios.
//   STEPS_KERNEL (7.2), STEPS_PICK (50,32: configuration indices), STEPS_PAIRS (200),
//   STEPS_ROUNDS (15), STEPS_KIND (a regular expression over the action kinds; all).
const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const KERNEL = process.env.STEPS_KERNEL ?? '7.2';
const PICK = (process.env.STEPS_PICK ?? '50,32').split(',').map(Number);
const PAIRS = Number(process.env.STEPS_PAIRS ?? 200);
const ROUNDS = Number(process.env.STEPS_ROUNDS ?? 15);
const KIND = new RegExp(process.env.STEPS_KIND ?? '.');

const kindOf = (label) => {
  const w = label.split(' ');
  return w[0] === 'vm.start' ? `${w[0]} ${w[1]}` : w[0] === 'modprobe' || w[0] === 'rmmod' ? label : w[0];
};

/** Every (state, action) pair of the picked configurations, by action kind, thinned to PAIRS each. */
async function collect(name, dir) {
  const explorer = await import(dir ? `${dir}/explorer/dist/index.js` : '../dist/index.js');
  const scenario = await import(dir ? `${dir}/scenario/dist/index.js` : '@sevsim/scenario');
  const space = explorer.defaultSpace(explorer.parseKernelChoice(KERNEL));
  const configs = explorer.configsOf(space, explorer.LAYER_FACTS);
  const all = {};
  for (const i of PICK) {
    const c = configs[i];
    const root = scenario.openSession({ machine: c.machine, kernel: c.kernel }, { quiet: true });
    const seen = new Set([root.fingerprint().join(':')]);
    const queue = [root];
    while (queue.length > 0) {
      const here = queue.shift();
      for (const act of explorer.actionsAt(here, space)) {
        const s = here.fork();
        try {
          for (const step of act.steps) s.apply(step);
        } catch {
          continue;
        }
        const kind = kindOf(act.label);
        if (KIND.test(kind)) {
          all[kind] ??= [];
          all[kind].push([here, act]);
        }
        const k = s.fingerprint().join(':');
        if (!seen.has(k)) {
          seen.add(k);
          queue.push(s);
        }
      }
    }
  }
  const pairs = {};
  for (const [kind, ps] of Object.entries(all)) {
    pairs[kind] =
      ps.length <= PAIRS
        ? ps
        : Array.from({ length: PAIRS }, (_, i) => ps[Math.floor((i * ps.length) / PAIRS)]);
  }
  return { name, pairs };
}

const applyUs = ([here, act]) => {
  const s = here.fork();
  const t = cpuUs();
  for (const step of act.steps) s.apply(step);
  return cpuUs() - t;
};

const builds = [await collect('this build', undefined)];
if (process.env.STEPS_BASE) builds.unshift(await collect('base', process.env.STEPS_BASE));
const kinds = Object.keys(builds[0].pairs).sort();
for (const b of builds) {
  if (
    Object.keys(b.pairs).sort().join() !== kinds.join() ||
    kinds.some((k) => b.pairs[k].length !== builds[0].pairs[k].length)
  ) {
    console.error('the builds offer different actions');
    process.exit(1);
  }
  for (const k of kinds) for (const p of b.pairs[k]) applyUs(p); // warm-up, not counted
}
const rounds = Object.fromEntries(kinds.map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const k of kinds) {
    const n = builds[0].pairs[k].length;
    const total = builds.map(() => 0);
    for (let i = 0; i < n; i++) {
      const order = (r + i) % 2 === 0 ? builds.keys() : [...builds.keys()].reverse();
      for (const j of order) total[j] += applyUs(builds[j].pairs[k][i]);
    }
    rounds[k].push(total.map((us) => us / n));
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `Session.apply per action kind (mainline-${KERNEL}, configurations ${PICK.join(', ')}; CPU µs, median of ${ROUNDS} rounds)`,
);
console.log(
  `  ${'action'.padEnd(18)} ${'pairs'.padStart(5)} ${builds.map((b) => b.name.padStart(11)).join(' ')}${builds.length === 2 ? '  ratio' : ''}`,
);
for (const k of kinds) {
  const us = builds.map((_, j) => median(rounds[k].map((r) => r[j])));
  const ratio = builds.length === 2 ? `  ${median(rounds[k].map((r) => r[0] / r[1])).toFixed(2)}×` : '';
  console.log(
    `  ${k.padEnd(18)} ${String(builds[0].pairs[k].length).padStart(5)} ${us.map((u) => u.toFixed(1).padStart(11)).join(' ')}${ratio}`,
  );
}
