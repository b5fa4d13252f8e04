/**
 * 100,000 short command sequences (1-4 steps) played back to back on platforms rebuilt every 250
 * sequences, alternating Genoa and Turin and the four starting states, with the invariants of
 * docs/reference/psp-firmware.md Appendix A checked after every step. Split into 40 tests of 2,500 sequences (each
 * seeded from its index) so none comes near the test timeout on a busy machine, and kept in a
 * file of its own so vitest runs it beside the long runs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Prologue, action, checkInvariants, step, world } from './model-based';

const SHORT_RUNS = 100_000;
const CHUNK = 2_500;
const REBUILD = 250;
const starts: readonly Prologue[] = ['none', 'snp', 'snp+sev', 'sev'];

const chunks = Array.from({ length: SHORT_RUNS / CHUNK }, (_, i) => ({
  first: i * CHUNK,
  last: (i + 1) * CHUNK - 1,
  seed: 55766 + i,
}));

describe('model-based short sequences (docs/reference/psp-firmware.md Appendix A invariants)', () => {
  it.each(chunks)(
    'sequences $first to $last of 100,000, platform rebuilt every 250 (seed $seed)',
    ({ first, seed }) => {
      let runs = first;
      let w = world('genoa', 'snp+sev');
      fc.assert(
        fc.property(fc.array(action, { minLength: 1, maxLength: 4 }), (actions) => {
          // Deterministic for the seed: the rebuild depends only on the run count.
          if (runs % REBUILD === 0) {
            const n = runs / REBUILD;
            w = world(n % 2 === 0 ? 'genoa' : 'turin', starts[n % starts.length]!);
          }
          runs++;
          for (const a of actions) checkInvariants(w, step(w, a));
        }),
        { numRuns: CHUNK, seed },
      );
      expect(runs - first).toBe(CHUNK);
    },
  );
});
