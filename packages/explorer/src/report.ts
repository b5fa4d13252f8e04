/**
 * What `sevsim explore` prints and writes: the TLC-style progress line, the summary, the
 * counterexample files and the `--json` document.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CAPABILITIES, type CapabilityId } from './capabilities';
import { counterexampleYaml } from './counterexample';
import type { ExploreProgress, ExploreResult } from './explore';
import { type Baseline, isKnown } from './baseline';
import { INVARIANTS } from './invariants';
import type { Shard } from './shard';

export function progressLine(p: ExploreProgress): string {
  return `Progress(${p.seconds.toFixed(0)}s): ${p.configsDone}/${p.configs} configurations, ${p.states} distinct states, ${p.transitions} transitions, ${p.queue} states left on queue, ${Math.round(p.statesPerSecond)} states/s`;
}

export interface WrittenViolation {
  readonly invariant: string;
  readonly config: number;
  readonly message: string;
  readonly steps: number;
  readonly counterexample: string;
  /** With --baseline: the baseline accepts it (a known finding). */
  readonly known?: boolean;
}

/** One scenario file per (invariant, configuration); returns where each went. */
export function writeCounterexamples(
  r: ExploreResult,
  outDir: string,
  context: string,
  baseline?: Baseline,
): WrittenViolation[] {
  if (r.violations.length > 0) mkdirSync(outDir, { recursive: true });
  return r.violations.map((v) => {
    const config = r.results.find((x) => x.config.index === v.config)!.config;
    const file = join(outDir, `${v.invariant}.config-${v.config}.yaml`);
    writeFileSync(file, counterexampleYaml(v, config, context));
    return {
      invariant: v.invariant,
      config: v.config,
      message: v.message,
      steps: v.path.length,
      counterexample: file,
      ...(baseline ? { known: isKnown(baseline, v, config.label) } : {}),
    };
  });
}

export function capabilityCounts(r: ExploreResult): Record<CapabilityId, number> {
  const out = Object.fromEntries(CAPABILITIES.map((c) => [c.id, 0])) as Record<CapabilityId, number>;
  for (const x of r.results) for (const id of Object.keys(x.capabilities) as CapabilityId[]) out[id]++;
  return out;
}

export function summaryText(r: ExploreResult, written: readonly WrittenViolation[]): string {
  const lines = [
    `Explored ${r.space}: ${r.configs} configurations, ${r.states} distinct states, ${r.transitions} transitions in ${r.seconds.toFixed(1)}s (${Math.round(r.statesPerSecond)} states/s, ${r.workers} worker${r.workers === 1 ? '' : 's'}, ${r.bytesPerState.toFixed(0)} bytes/state)`,
    r.exhausted
      ? 'Every configuration was explored exhaustively.'
      : 'The depth bound cut some configurations short (--depth unbounded explores to the fixpoint).',
    '',
    'Capabilities (configurations where reachable):',
  ];
  const counts = capabilityCounts(r);
  for (const c of CAPABILITIES)
    lines.push(`  ${c.id.padEnd(31)} ${String(counts[c.id]).padStart(5)} / ${r.configs}`);
  lines.push('');
  if (written.length === 0) {
    lines.push(`No invariant is violated (${INVARIANTS.map((i) => i.id).join(', ')}).`);
  } else {
    const known = written.filter((w) => w.known).length;
    lines.push(
      known > 0
        ? `${written.length} violation(s), ${known} of them known (in the baseline):`
        : `${written.length} violation(s):`,
    );
    for (const w of written)
      lines.push(
        `  ${w.known ? 'known: ' : ''}${w.invariant} (configuration ${w.config}, ${w.steps} steps): ${w.message}`,
        `    ${w.counterexample}`,
      );
  }
  return `${lines.join('\n')}\n`;
}

export function explorationJson(r: ExploreResult, written: readonly WrittenViolation[], shard?: Shard) {
  return {
    ...(shard ? { shard: { index: shard.index, count: shard.count, configs: r.spaceConfigs } } : {}),
    space: r.space,
    configs: r.configs,
    states: r.states,
    transitions: r.transitions,
    seconds: r.seconds,
    statesPerSecond: r.statesPerSecond,
    bytesPerState: r.bytesPerState,
    workers: r.workers,
    exhausted: r.exhausted,
    ...(written.some((w) => w.known !== undefined)
      ? { baseline: written.filter((w) => w.known).length }
      : {}),
    violations: written,
    capabilities: capabilityCounts(r),
    configurations: r.results.map((x) => ({
      index: x.config.index,
      label: x.config.label,
      states: x.states,
      transitions: x.transitions,
      exhausted: x.exhausted,
      tableBytes: x.tableBytes,
      capabilities: Object.fromEntries(
        Object.entries(x.capabilities).map(([id, path]) => [id, path!.map((a) => a.label)]),
      ),
    })),
  };
}
