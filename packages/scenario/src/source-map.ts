/**
 * Source positions for a parsed scenario: from a path of keys and indices back to the line and
 * column where the user wrote it (yaml's node ranges + LineCounter). JSON files are parsed by the
 * same YAML 1.2 parser, which keeps positions for them too.
 */
import {
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';

export interface Position {
  readonly line: number;
  readonly col: number;
}

export class SourceMap {
  /** Each map's pairs by key, built on first use: a file with n unknown keys is located in O(n). */
  private readonly pairs = new WeakMap<YAMLMap, Map<string, Pair>>();

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  at(offset: number): Position {
    const p = this.lines.linePos(offset);
    return { line: p.line, col: p.col };
  }

  /**
   * Where `path` is written. `target: 'key'` points at the key itself (unknown keys), 'value' at
   * its value. A path that does not exist resolves to the deepest node that does.
   */
  locate(path: readonly (string | number)[], target: 'key' | 'value' = 'value'): Position {
    let node: unknown = this.doc.contents;
    let best: number = rangeStart(node) ?? 0;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = this.pairsOf(node).get(String(seg));
        if (!pair) break;
        const keyStart = rangeStart(pair.key);
        if (last && target === 'key' && keyStart !== undefined) return this.at(keyStart);
        node = pair.value;
        best = rangeStart(node) ?? keyStart ?? best;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (item === undefined) break;
        node = item;
        best = rangeStart(node) ?? best;
      } else {
        break;
      }
    }
    return this.at(best);
  }

  private pairsOf(node: YAMLMap): Map<string, Pair> {
    let index = this.pairs.get(node);
    if (index === undefined) {
      index = new Map();
      for (const p of node.items) {
        const key = isPair(p) ? keyOf(p.key) : undefined;
        if (key !== undefined && !index.has(key)) index.set(key, p);
      }
      this.pairs.set(node, index);
    }
    return index;
  }
}

function keyOf(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  if (typeof key === 'string') return key;
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}
