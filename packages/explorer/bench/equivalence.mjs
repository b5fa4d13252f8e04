// What "the same exploration" means, written once for `pnpm bench` (bench/run.mjs) and
// test/engine-equivalence.test.ts: a configuration's result compared with the string-state-key
// engine's recorded one (states, transitions, exhausted, depth, findings and capabilities with
// their shortest paths, path steps by label).

/** The recorded form of a configuration's result (the fields a recording keeps, paths as labels). */
export function resultSummary(r) {
  return {
    states: r.states,
    transitions: r.transitions,
    exhausted: r.exhausted,
    depth: r.depth,
    violations: r.violations.map((v) => [v.invariant, v.message, v.path.map((p) => p.label).join(' ; ')]),
    caps: Object.fromEntries(
      Object.entries(r.capabilities).map(([c, p]) => [c, p.map((a) => a.label).join(' ; ')]),
    ),
  };
}

/** The recorded result without its key (`i`, `kernel`, `label`), for comparison with `resultSummary`. */
export function recordedSummary(recorded) {
  const { i, kernel, label, ...rest } = recorded;
  return rest;
}

/** True when `r` is the recorded configuration (same label) explored to the same result. */
export function sameAsRecorded(r, recorded) {
  return (
    r.config.label === recorded.label &&
    JSON.stringify(resultSummary(r)) === JSON.stringify(recordedSummary(recorded))
  );
}
