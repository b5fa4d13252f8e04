/**
 * Reading a YAML (or JSON) input file and reporting what is wrong in it, each problem at the
 * line and column the user wrote it: scenario files and the explorer's space files both go
 * through this (docs/contracts/scenario-v1.md "Errors": one positioned message per problem).
 * Never throws for any input text.
 */
import { type Document, isMap, isPair, isScalar, LineCounter, parseDocument, visit } from 'yaml';
import { pathKey, type ScenarioError, sortErrors } from './errors';
import { type Position, SourceMap } from './source-map';

export type InputPath = readonly (string | number)[];

/** The problems found in one file, positioned from the document's node ranges. */
export class Problems {
  readonly list: ScenarioError[] = [];
  constructor(
    private readonly file: string,
    private readonly map: SourceMap,
  ) {}

  add(
    path: InputPath,
    message: string,
    opts: { target?: 'key' | 'value'; allowed?: readonly string[] } = {},
  ): void {
    const pos = this.map.locate(path, opts.target);
    const err: ScenarioError = { file: this.file, line: pos.line, col: pos.col, key: pathKey(path), message };
    this.list.push(opts.allowed ? { ...err, allowed: opts.allowed } : err);
  }

  /** Where `path`'s value is written. */
  where(path: InputPath): Position {
    return this.map.locate(path);
  }

  addAt(line: number, col: number, key: string, message: string): void {
    this.list.push({ file: this.file, line, col, key, message });
  }

  /** In reading order, each problem once. */
  sorted(): ScenarioError[] {
    const seen = new Set<string>();
    return sortErrors(this.list).filter((e) => {
      const k = `${e.line}:${e.col}:${e.key}:${e.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }
}

export type YamlInput =
  | {
      readonly ok: true;
      /** The document as plain data (a map: `what` says what the top level must be otherwise). */
      readonly value: Record<string, unknown>;
      readonly doc: Document;
      readonly problems: Problems;
    }
  | { readonly ok: false; readonly errors: readonly ScenarioError[] };

/**
 * Text → the top-level map, or the file's syntax problems: an empty file, JSON syntax for a
 * `.json` file, YAML syntax errors and duplicate keys, aliases that expand too far, a top level
 * that is not a map (`what` names what it should be, e.g. "a scenario is a map with …").
 */
export function readYamlMap(text: string, file: string, what: string): YamlInput {
  if (text.trim() === '') {
    return { ok: false, errors: [{ file, line: 0, col: 0, key: '', message: 'the file is empty' }] };
  }
  const lineCounter = new LineCounter();
  // Duplicate keys are found by duplicateKeys below: yaml's own check (uniqueKeys) compares each
  // key with every earlier one, which does not finish for a map of 50,000 keys.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, strict: true });
  const map = new SourceMap(doc, lineCounter);
  const problems = new Problems(file, map);

  if (file.endsWith('.json')) jsonSyntax(text, map, problems);
  for (const e of doc.errors) {
    const pos = map.at(e.pos[0]);
    problems.addAt(pos.line, pos.col, '', firstLine(e.message));
  }
  duplicateKeys(doc, map, problems);
  // yaml only warns about a tag it cannot resolve, and reads the value as if untagged.
  for (const w of doc.warnings) {
    if (w.code !== 'TAG_RESOLVE_FAILED') continue;
    const pos = map.at(w.pos[0]);
    const tag = w.message.replace(/^Unresolved tag: /, '');
    problems.addAt(pos.line, pos.col, '', `unknown YAML tag ${tag}: scenarios use plain YAML values`);
  }
  if (problems.list.length > 0) return { ok: false, errors: problems.sorted() };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    problems.addAt(1, 1, '', `cannot be read: ${e instanceof Error ? e.message : String(e)}`);
    return { ok: false, errors: problems.list };
  }
  if (!isMap(doc.contents)) {
    problems.add([], what);
    return { ok: false, errors: problems.list };
  }
  return { ok: true, value: value as Record<string, unknown>, doc, problems };
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** A key written twice in one map is an error, not "last one wins": one hash set per map. */
function duplicateKeys(doc: Document, map: SourceMap, problems: Problems): void {
  visit(doc, {
    Map(_, node) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const value = pair.key.value;
        const id = `${typeof value}:${String(value)}`;
        if (!seen.has(id)) {
          seen.add(id);
          continue;
        }
        const pos = map.at(pair.key.range?.[0] ?? 0);
        problems.addAt(pos.line, pos.col, String(value), 'duplicate key');
      }
    },
  });
}

/** A .json file must be JSON, not just YAML: JSON.parse names the first syntax error. */
function jsonSyntax(text: string, map: SourceMap, problems: Problems): void {
  try {
    JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const at = /position (\d+)/.exec(msg);
    const pos = map.at(at ? Number(at[1]) : 0);
    problems.addAt(pos.line, pos.col, '', `invalid JSON: ${msg.replace(/ in JSON at position \d+.*$/, '')}`);
  }
}
