/**
 * Shards: configurations are independent, so a space can be split over machines. `--shard i/n`
 * explores the configurations whose index is i modulo n (round robin, so slices of a space
 * ordered by release or CPU get a fair share each); `mergeExplorations` folds the `--json`
 * documents of every shard into the document the unsharded run prints (timing aside: seconds
 * are summed, so they read as total compute).
 */
import { type InputPath, type Problems, readYamlMap, type ScenarioError } from '@sevsim/scenario';
import { spaceTotals } from './explore-config';
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
  const seconds = parts.reduce((n, p) => n + p.seconds, 0);
  const capabilities = { ...parts[0]!.capabilities };
  for (const k of Object.keys(capabilities) as (keyof typeof capabilities)[])
    capabilities[k] = parts.reduce((n, p) => n + p.capabilities[k], 0);
  const violations = parts.flatMap((p) => p.violations).sort((a, b) => a.config - b.config);
  return {
    space,
    configs: configurations.length,
    ...spaceTotals(configurations, seconds),
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

/** A result file given to `explore merge`: its name and text. */
export interface ResultFile {
  readonly file: string;
  readonly text: string;
}

export type MergeParse =
  | { readonly ok: true; readonly merged: ExplorationJson }
  | { readonly ok: false; readonly errors: ScenarioError[] };

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** What merging reads of one `--json` result, each problem at its line and key. */
function checkResult(raw: Record<string, unknown>, problems: Problems): void {
  const need = (
    obj: Record<string, unknown>,
    path: InputPath,
    key: string,
    kind: 'string' | 'number' | 'boolean',
  ) => {
    if (typeof obj[key] !== kind) problems.add([...path, key], `must be a ${kind}`);
  };
  const list = (key: string, each: (item: Record<string, unknown>, path: InputPath) => void) => {
    const v = raw[key];
    if (!Array.isArray(v)) {
      problems.add([key], 'must be a list');
      return;
    }
    for (const [i, item] of v.entries()) {
      if (isMap(item)) each(item, [key, i]);
      else problems.add([key, i], 'must be a map');
    }
  };
  need(raw, [], 'space', 'string');
  for (const k of ['seconds', 'workers']) need(raw, [], k, 'number');
  if (raw.shard !== undefined) {
    if (!isMap(raw.shard)) problems.add(['shard'], 'must be a map');
    else need(raw.shard, ['shard'], 'configs', 'number');
  }
  list('configurations', (c, p) => {
    for (const k of ['index', 'states', 'transitions', 'tableBytes']) need(c, p, k, 'number');
    need(c, p, 'exhausted', 'boolean');
  });
  list('violations', (v, p) => need(v, p, 'config', 'number'));
  if (!isMap(raw.capabilities)) problems.add(['capabilities'], 'must be a map');
  else for (const k of Object.keys(raw.capabilities)) need(raw.capabilities, ['capabilities'], k, 'number');
}

/**
 * `sevsim explore merge`: read every shard's `--json` result, check each for what merging reads
 * and all of them against the first (same space and configuration count, no configuration
 * twice, none missing), then fold them. Every problem names its file, line and key.
 */
export function mergeResultFiles(files: readonly ResultFile[]): MergeParse {
  const errors: ScenarioError[] = [];
  const parts: ExplorationJson[] = [];
  const seen = new Map<number, string>();
  let first: { file: string; space: string; configs: number | undefined; problems: Problems } | undefined;
  for (const { file, text } of files) {
    const input = readYamlMap(text, file, 'a sevsim explore --json result is a map');
    if (!input.ok) {
      errors.push(...input.errors);
      continue;
    }
    const { value: raw, problems } = input;
    checkResult(raw, problems);
    if (problems.list.length > 0) {
      errors.push(...problems.sorted());
      continue;
    }
    const r = raw as unknown as ExplorationJson;
    if (!first) first = { file, space: r.space, configs: r.shard?.configs, problems };
    else if (r.space !== first.space)
      problems.add(['space'], `"${r.space}" is not the space of ${first.file} ("${first.space}")`);
    else if (r.shard?.configs !== first.configs)
      problems.add(
        ['shard', 'configs'],
        `${r.shard?.configs ?? 'no shard'} configurations, ${first.file} has ${first.configs ?? 'no shard'}`,
      );
    for (const [i, c] of r.configurations.entries()) {
      const other = seen.get(c.index);
      if (other !== undefined)
        problems.add(['configurations', i, 'index'], `configuration ${c.index} is also in ${other}`);
      seen.set(c.index, file);
    }
    errors.push(...problems.list);
    parts.push(r);
  }
  if (errors.length === 0 && first?.configs !== undefined && seen.size !== first.configs) {
    const missing = [...Array(first.configs).keys()].filter((i) => !seen.has(i));
    first.problems.add(
      ['shard', 'configs'],
      `configurations missing (a shard not given?): ${missing.slice(0, 10).join(', ')}`,
    );
    errors.push(...first.problems.list);
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, merged: mergeExplorations(parts) };
}
