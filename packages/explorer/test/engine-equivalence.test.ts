/**
 * The engine's speed changes (per-layer fingerprints instead of the string state key, quiet
 * sessions, the contract State read only where needed, recycled fork buffers) must not change
 * what is explored: the same states, transitions, depth, findings with their paths, and
 * capabilities with their paths as the string-key engine recorded for the same configurations
 * of the default spaces (test/fixtures/string-key-results.json, recorded at commit 1fdb454).
 * `pnpm bench` compares every recorded configuration of every release the same way.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Recorded, recordedSummary, resultSummary } from '../bench/equivalence.mjs';
import { defaultSpace, parseKernelChoice } from '../src/default-space';
import { exploreConfig } from '../src/explore-config';
import { LAYER_FACTS } from '../src/facts';
import { configsOf } from '../src/space';

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/string-key-results.json', import.meta.url), 'utf8'),
) as { results: (Recorded & { kernel: string })[] };

describe('fingerprint engine ≡ string-key engine on the default spaces', () => {
  for (const want of fixture.results) {
    it(`${want.kernel} #${want.i}: ${want.states} states, ${want.transitions} transitions, ${want.violations.length} finding(s)`, () => {
      const space = defaultSpace(parseKernelChoice(want.kernel));
      const config = configsOf(space, LAYER_FACTS)[want.i]!;
      expect(config.label).toBe(want.label);
      const r = exploreConfig(space, config);
      expect(resultSummary(r)).toEqual(recordedSummary(want));
    });
  }
});
