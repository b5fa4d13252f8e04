// The layer code's cost per transition (prints numbers, asserts nothing; run after `pnpm build`,
// imports ../dist). The search of `exploreConfig` (breadth-first over `actionsAt`, each distinct
// state expanded once, a fork per transition) with the CPU time of `Session.apply` (the real
// layers: hardware, firmware, ccp, kvm-amd behind the scenario engine) measured per action kind.
//
// `LAYERS_BASE=DIR` (a copy of an older build's `packages/` folder, dist included) measures that
// build too, in the same process, configuration by configuration alternating old and new, so the
// two columns share one machine load: the before/after figures of a layer change. Both builds
// must find the same states and transitions (the run stops otherwise).
//   LAYERS_KERNEL (7.2), LAYERS_STEP (8: every 8th configuration of the default space).
const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const KERNEL = process.env.LAYERS_KERNEL ?? '7.2';
const STEP = Number(process.env.LAYERS_STEP ?? 8);

async function build(name, dir) {
  const explorer = await import(dir ? `${dir}/explorer/dist/index.js` : '../dist/index.js');
  const scenario = await import(dir ? `${dir}/scenario/dist/index.js` : '@sevsim/scenario');
  const space = explorer.defaultSpace(explorer.parseKernelChoice(KERNEL));
  return { name, explorer, scenario, space, byAction: {}, layerUs: 0, totalUs: 0, states: 0, transitions: 0 };
}

const kindOf = (label) => {
  const w = label.split(' ');
  return w[0] === 'vm.start' ? `${w[0]} ${w[1]}` : w[0] === 'modprobe' || w[0] === 'rmmod' ? label : w[0];
};

/** One configuration searched to the fixpoint with build `b`; apply time by action kind. */
function search(b, config) {
  const { actionsAt } = b.explorer;
  const t0 = cpuUs();
  const root = b.scenario.openSession({ machine: config.machine, kernel: config.kernel }, { quiet: true });
  const seen = new Set([root.fingerprint().join(':')]);
  const queue = [root];
  let transitions = 0;
  while (queue.length > 0) {
    const here = queue.shift();
    for (const act of actionsAt(here, b.space)) {
      const s = here.fork();
      const kind = kindOf(act.label);
      b.byAction[kind] ??= { n: 0, us: 0 };
      const a = b.byAction[kind];
      transitions++;
      a.n++;
      const t = cpuUs();
      let threw = false;
      try {
        for (const step of act.steps) s.apply(step);
      } catch {
        threw = true;
      }
      const us = cpuUs() - t;
      a.us += us;
      b.layerUs += us;
      if (threw) continue;
      const k = s.fingerprint().join(':');
      if (!seen.has(k)) {
        seen.add(k);
        queue.push(s);
      }
    }
  }
  b.totalUs += cpuUs() - t0;
  b.states += seen.size;
  b.transitions += transitions;
  return { states: seen.size, transitions };
}

const builds = [await build('this build', undefined)];
if (process.env.LAYERS_BASE) builds.unshift(await build('base', process.env.LAYERS_BASE));
const configs = builds[0].explorer
  .configsOf(builds[0].space, builds[0].explorer.LAYER_FACTS)
  .filter((_, i) => i % STEP === 0);

// Warm-up: one configuration per build, not counted (the JIT compiles each build's code apart).
for (const b of builds) {
  search(b, configs[configs.length - 1]);
  Object.assign(b, { byAction: {}, layerUs: 0, totalUs: 0, states: 0, transitions: 0 });
}
for (const [n, c] of configs.entries()) {
  // Alternate which build goes first, so neither always runs on a warmer or colder machine.
  const order = n % 2 === 0 ? builds : [...builds].reverse();
  const got = order.map((b) => search(b, c));
  if (got.some((g) => g.states !== got[0].states || g.transitions !== got[0].transitions)) {
    console.error(`different searches for ${c.label}: ${JSON.stringify(got)}`);
    process.exit(1);
  }
}

const per = (us, n) => (us / n).toFixed(1);
console.log(
  `layer code per transition (mainline-${KERNEL}, every ${STEP}th configuration: ${configs.length}; ${builds[0].states} states, ${builds[0].transitions} transitions; CPU µs)`,
);
console.log(
  `  ${'action'.padEnd(18)} ${'transitions'.padStart(11)} ${builds.map((b) => b.name.padStart(12)).join(' ')}`,
);
for (const kind of Object.keys(builds[0].byAction).sort(
  (x, y) => builds[0].byAction[y].us - builds[0].byAction[x].us,
)) {
  const n = builds[0].byAction[kind].n;
  console.log(
    `  ${kind.padEnd(18)} ${String(n).padStart(11)} ${builds.map((b) => per(b.byAction[kind].us, n).padStart(12)).join(' ')}`,
  );
}
console.log(
  `  ${'layers, mean'.padEnd(18)} ${String(builds[0].transitions).padStart(11)} ${builds.map((b) => per(b.layerUs, b.transitions).padStart(12)).join(' ')}`,
);
console.log(
  `  ${'whole search'.padEnd(18)} ${String(builds[0].transitions).padStart(11)} ${builds.map((b) => per(b.totalUs, b.transitions).padStart(12)).join(' ')}`,
);
if (builds.length === 2)
  console.log(
    `  ratio base / this build: layers ${(builds[0].layerUs / builds[1].layerUs).toFixed(2)}×, whole search ${(builds[0].totalUs / builds[1].totalUs).toFixed(2)}×`,
  );
