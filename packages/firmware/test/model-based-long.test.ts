/**
 * Model-based runs from fresh platforms: 2,000 runs × 50 steps (100,000 commands) checking the
 * invariants of docs/reference/psp-firmware.md Appendix A after every step, and garbage ids and buffers. The runs
 * are split into tests of 250 runs (about a second of CPU each) so vitest reports progress and no
 * test comes near its timeout on a busy machine.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { statusName } from '@sevsim/psp-abi';
import { RUNS, STEPS, action, checkInvariants, prologue, step, world } from './model-based';

const CHUNK = 250;
const chunks = (cpu: string, seed: number) =>
  Array.from({ length: RUNS / 2 / CHUNK }, (_, i) => ({
    cpu,
    first: i * CHUNK,
    last: (i + 1) * CHUNK - 1,
    seed: seed + i,
  }));

describe('model-based command sequences (docs/reference/psp-firmware.md Appendix A invariants)', () => {
  it.each([...chunks('genoa', 20241207), ...chunks('turin', 107)])(
    `$cpu: runs $first to $last of ${RUNS / 2}, ${STEPS} steps each (seed $seed)`,
    ({ cpu, seed }) => {
      fc.assert(
        fc.property(prologue, fc.array(action, { minLength: STEPS, maxLength: STEPS }), (start, actions) => {
          const w = world(cpu as 'genoa' | 'turin', start);
          for (const a of actions) checkInvariants(w, step(w, a));
        }),
        { numRuns: CHUNK, seed },
      );
    },
  );

  it('garbage: any id and any bytes return a known status and never throw', () => {
    const w = world('genoa', 'snp+sev');
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 0x1ff }), fc.uint8Array({ maxLength: 80 }), (id, buf) => {
        const r = w.psp.command(id, buf);
        expect(statusName(r.status)).not.toMatch(/^UNKNOWN/);
        expect(r.buffer.length).toBe(buf.length);
      }),
      { numRuns: 5000, seed: 1 },
    );
  });
});
