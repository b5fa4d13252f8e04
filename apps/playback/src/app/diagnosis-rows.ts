/** The rows of a diagnosis (`trace.diagnosis`, written by `sevsim diagnose --out`) against the
 *  frames of its trace. */
import type { DiagnosisRow } from '@sevsim/scenario/trace';

export type RowKind = 'matched' | 'only-real' | 'only-sim';

export const rowKind = (r: DiagnosisRow): RowKind =>
  r.real && r.simulated !== null ? 'matched' : r.real ? 'only-real' : 'only-sim';

/**
 * The frame (0 = boot) each row belongs to: the step that printed its simulated line; a line
 * only the real log has stays with the rows around it (the step before it).
 */
export function rowFrames(rows: readonly DiagnosisRow[], stepIndexes: readonly number[]): number[] {
  const frameOf = new Map(stepIndexes.map((index, pos) => [index, pos]));
  let current = 0;
  return rows.map((r) => {
    if (r.simulated !== null) current = r.step === null ? 0 : (frameOf.get(r.step) ?? current);
    return current;
  });
}
