/**
 * Issue 13's invariant from the fuzz campaign (93 inputs passed `validate`, then exited 3 in
 * `run`/`explain`): a file `validate` accepts is one `run` and `explain` can play, so neither
 * exits 3 ("internal error", our bug) on it. fast-check mutates the bundled examples (a leaf
 * value replaced by an edge value of any type, a key dropped) and checks the implication over a
 * fixed number of runs with a fixed seed, so the budget is bounded and a failure replays.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { Exit } from '../src/exit-codes';
import { cli } from './run-cli';

const EX = join(import.meta.dirname, '../../../examples');
const EXAMPLES = readdirSync(EX)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => parse(readFileSync(join(EX, f), 'utf8')) as unknown);
const DIR = mkdtempSync(join(tmpdir(), 'sevsim-validate-run-'));

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a leaf (or a key) of a parsed example. */
function paths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) return [at, ...v.flatMap((x, i) => paths(x, [...at, i]))];
  if (v !== null && typeof v === 'object')
    return [at, ...Object.entries(v).flatMap(([k, x]) => paths(x, [...at, k]))];
  return [at];
}

function mutate(doc: unknown, path: (string | number)[], value: Json | undefined): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let node = copy;
  for (const seg of path.slice(0, -1)) node = node[seg] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else node[last] = value;
  return copy;
}

/** Values at the edges of what the validator checks: widths, versions, names, types. */
const edge: fc.Arbitrary<Json> = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, -1, 1.5, 255, 256, 65535, 65536, 2 ** 31, 2 ** 32, 2 ** 53, 1e300),
  fc.constantFrom(
    '1.256.0',
    '1.55.99999',
    '1.300.1',
    '0.0.0',
    '1.55.25',
    '6.18',
    '7.2',
    'genoa',
    'snp',
    'auto',
  ),
  fc.string({ maxLength: 8 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant([] as Json[]),
  fc.constant({} as Json),
);

describe('validate exits 0 ⇒ run and explain never exit 3 (issue 13 fuzz invariant)', () => {
  it('over mutated examples (300 runs, seed 13)', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        fc
          .nat({ max: EXAMPLES.length - 1 })
          .chain((i) =>
            fc.tuple(
              fc.constant(i),
              fc.constantFrom(...paths(EXAMPLES[i])),
              fc.option(edge, { nil: undefined }),
            ),
          ),
        async ([i, path, value]) => {
          const file = join(DIR, 'm.yaml');
          writeFileSync(file, stringify(mutate(EXAMPLES[i], path, value)) ?? '');
          if ((await cli('validate', file)).code !== Exit.OK) return;
          accepted++;
          expect((await cli('run', '--json', file)).code).not.toBe(Exit.INTERNAL_ERROR);
          expect((await cli('explain', file)).code).not.toBe(Exit.INTERNAL_ERROR);
        },
      ),
      { numRuns: 300, seed: 13 },
    );
    // The property says something only if mutated files pass validation often enough.
    expect(accepted).toBeGreaterThan(30);
  });
});
