// The whole cost of a transition, engine included (prints numbers, asserts nothing; run after
// `pnpm build`, imports ../dist): `exploreConfig` of some configurations of one release, CPU
// time per configuration and per transition.
//
// `ENGINE_BASE=DIR` (a copy of an older build's `packages/` folder, dist and node_modules
// included) measures that build too, in the same process, configuration by configuration
// alternating which build goes first, so both columns share one machine load: the before/after
// figures of an engine change. Both builds must find the same states, transitions, depth,
// findings and capability paths (the run stops otherwise).
//   ENGINE_KERNEL (7.2), ENGINE_PICK (0,37,101,150,191: configuration indices), ENGINE_ROUNDS (3;
//   a warm-up round before them is not counted).
const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const KERNEL = process.env.ENGINE_KERNEL ?? '7.2';
const PICK = (process.env.ENGINE_PICK ?? '0,37,101,150,191').split(',').map(Number);
const ROUNDS = Number(process.env.ENGINE_ROUNDS ?? 3);

async function build(name, dir) {
  const explorer = await import(dir ? `${dir}/explorer/dist/index.js` : '../dist/index.js');
  const space = explorer.defaultSpace(explorer.parseKernelChoice(KERNEL));
  const configs = explorer.configsOf(space, explorer.LAYER_FACTS);
  return { name, explorer, space, configs, us: 0, states: 0, transitions: 0 };
}

/** What both builds must agree on. */
const summary = (r) =>
  JSON.stringify({
    states: r.states,
    transitions: r.transitions,
    depth: r.depth,
    exhausted: r.exhausted,
    violations: r.violations.map((v) => [v.invariant, v.message, v.path.map((a) => a.label)]),
    capabilities: Object.entries(r.capabilities).map(([c, p]) => [c, p.map((a) => a.label)]),
  });

function one(b, index, count) {
  const t = cpuUs();
  const r = b.explorer.exploreConfig(b.space, b.configs[index]);
  if (count) {
    b.us += cpuUs() - t;
    b.states += r.states;
    b.transitions += r.transitions;
  }
  return summary(r);
}

const builds = [await build('this build', undefined)];
if (process.env.ENGINE_BASE) builds.unshift(await build('base', process.env.ENGINE_BASE));

for (let round = 0; round <= ROUNDS; round++) {
  for (const [n, index] of PICK.entries()) {
    const order = (n + round) % 2 === 0 ? builds : [...builds].reverse();
    const got = order.map((b) => one(b, index, round > 0));
    if (got.some((g) => g !== got[0])) {
      console.error(`different results for configuration ${index}:\n${got.join('\n')}`);
      process.exit(1);
    }
  }
}

console.log(
  `exploreConfig, mainline-${KERNEL} configurations ${PICK.join(', ')}, ${ROUNDS} rounds after a warm-up: ${builds[0].states / ROUNDS} states, ${builds[0].transitions / ROUNDS} transitions a round (CPU)`,
);
for (const b of builds)
  console.log(
    `  ${b.name.padEnd(12)} ${(b.us / 1e6).toFixed(2).padStart(7)} s  ${(b.us / b.transitions).toFixed(1).padStart(6)} µs / transition  ${Math.round(
      b.states / (b.us / 1e6),
    )
      .toString()
      .padStart(6)} states / CPU s`,
  );
if (builds.length === 2)
  console.log(`  speed-up base / this build: ${(builds[0].us / builds[1].us).toFixed(2)}×`);
