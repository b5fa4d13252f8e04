/**
 * Shards: configurations are independent, so a space can be split over machines. `--shard i/n`
 * explores the configurations whose index is i modulo n (round robin, so slices of a space
 * ordered by release or CPU get a fair share each); `mergeExplorations` folds the `--json`
 * documents of every shard into the document the unsharded run prints (timing aside: seconds
 * are summed, so they read as total compute).
 */
import type { explorationJson } from './report';

export type ExplorationJson = ReturnType<typeof explorationJson>;

export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** `i/n` with 0 ≤ i < n (Kubernetes' JOB_COMPLETION_INDEX is 0-based), or a reason it is not. */
export function parseShard(text: string): Shard | string {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m) return `"${text}" is not i/n (e.g. 0/4)`;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) return `"${text}": i must be in 0..n-1 and n at least 1`;
  return { index, count };
}

/** The configuration indices of shard `s` among `configs` configurations. */
export function shardIndices(configs: number, s: Shard): number[] {
  const out: number[] = [];
  for (let i = s.index; i < configs; i += s.count) out.push(i);
  return out;
}

/** Fold shard results (any order) into the unsharded result; throws on results that do not fit. */
export function mergeExplorations(parts: readonly ExplorationJson[]): ExplorationJson {
  if (parts.length === 0) throw new Error('nothing to merge');
  const space = parts[0]!.space;
  const total = parts[0]!.shard?.configs;
  for (const p of parts) {
    if (p.space !== space) throw new Error(`results of different spaces: ${space} and ${p.space}`);
    if (p.shard?.configs !== total) throw new Error('results of different configuration counts');
  }
  const configurations = parts.flatMap((p) => p.configurations).sort((a, b) => a.index - b.index);
  const seen = new Set<number>();
  for (const c of configurations) {
    if (seen.has(c.index)) throw new Error(`configuration ${c.index} is in two results`);
    seen.add(c.index);
  }
  if (total !== undefined && configurations.length !== total) {
    const missing = [...Array(total).keys()].filter((i) => !seen.has(i));
    throw new Error(`configurations missing (a shard not given?): ${missing.slice(0, 10).join(', ')}`);
  }
  const states = configurations.reduce((n, c) => n + c.states, 0);
  const bytes = configurations.reduce((n, c) => n + c.tableBytes, 0);
  const seconds = parts.reduce((n, p) => n + p.seconds, 0);
  const capabilities = { ...parts[0]!.capabilities };
  for (const k of Object.keys(capabilities) as (keyof typeof capabilities)[])
    capabilities[k] = parts.reduce((n, p) => n + p.capabilities[k], 0);
  const violations = parts.flatMap((p) => p.violations).sort((a, b) => a.config - b.config);
  return {
    space,
    configs: configurations.length,
    states,
    transitions: configurations.reduce((n, c) => n + c.transitions, 0),
    seconds,
    statesPerSecond: seconds > 0 ? states / seconds : 0,
    bytesPerState: states > 0 ? bytes / states : 0,
    workers: parts.reduce((n, p) => n + p.workers, 0),
    exhausted: configurations.every((c) => c.exhausted),
    ...(parts.some((p) => p.baseline !== undefined)
      ? { baseline: violations.filter((v) => v.known).length }
      : {}),
    violations,
    capabilities,
    configurations,
  };
}
