/** Dotted paths over a `State`: reading one value, and which leaves changed between two states. */
import type { Json, State } from '../trace';

export function getPath(state: State, path: string): Json | undefined {
  let v: unknown = state;
  for (const seg of path.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, seg)) return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  return v as Json;
}

function flatten(v: unknown, prefix: string, out: Map<string, string>): void {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) out.set(prefix, '{}');
    for (const [k, x] of entries) flatten(x, prefix === '' ? k : `${prefix}.${k}`, out);
    return;
  }
  out.set(prefix, JSON.stringify(v));
}

/** Each state's leaves, flattened once: a run compares every state with the next one. */
const leavesOf = new WeakMap<State, Map<string, string>>();

function leaves(state: State): Map<string, string> {
  let m = leavesOf.get(state);
  if (m === undefined) {
    m = new Map();
    flatten(state, '', m);
    leavesOf.set(state, m);
  }
  return m;
}

/** Leaf paths whose value differs (added, removed or changed), sorted. */
export function changedPaths(before: State, after: State): string[] {
  const a = leaves(before);
  const b = leaves(after);
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => a.get(k) !== b.get(k)).sort();
}

/** JSON equality with object keys in any order. */
export function jsonEqual(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (typeof x !== typeof y || x === null || y === null || typeof x !== 'object') return false;
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  if (Array.isArray(x)) {
    const ya = y as unknown[];
    return x.length === ya.length && x.every((v, i) => jsonEqual(v, ya[i]));
  }
  const xo = x as Record<string, unknown>;
  const yo = y as Record<string, unknown>;
  const xk = Object.keys(xo);
  return (
    xk.length === Object.keys(yo).length && xk.every((k) => Object.hasOwn(yo, k) && jsonEqual(xo[k], yo[k]))
  );
}
