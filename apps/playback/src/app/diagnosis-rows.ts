/** The rows of a diagnosis (`trace.diagnosis`, written by `sevsim diagnose --out`) against the
 *  frames of its trace. */
import type { DiagnosisRow } from '@sevsim/scenario/trace';

/** `wording`: both sides say the same in different releases' wording (not counted as matched). */
export type RowKind = 'matched' | 'wording' | 'only-real' | 'only-sim';

export const rowKind = (r: DiagnosisRow): RowKind =>
  r.real && r.simulated !== null ? (r.wording ? 'wording' : 'matched') : r.real ? 'only-real' : 'only-sim';

/**
 * The frame (0 = boot) each row belongs to. A row with a simulated line belongs to the step that
 * printed it. A line only the real log has belongs where it sits in the real log: with the
 * matched lines around it, and when those two came from different steps, with the one nearer
 * to it in the real log (by line number; the earlier one on a tie). A module load's first line
 * the model does not print sits right before that step's matched lines, often far below the
 * boot's last one.
 */
export function rowFrames(rows: readonly DiagnosisRow[], stepIndexes: readonly number[]): number[] {
  const frameOf = new Map(stepIndexes.map((index, pos) => [index, pos]));
  const simFrame = (r: DiagnosisRow): number => (r.step === null ? 0 : (frameOf.get(r.step) ?? 0));
  // Rows with both lines (matched or in another wording), in row order: the real log's order.
  const anchors = rows.flatMap((r, i) => (r.real && r.simulated !== null ? [i] : []));
  let a = 0; // anchors[a] is the first matched row after the current one
  let lastSim = 0;
  return rows.map((r, i) => {
    while (a < anchors.length && anchors[a]! <= i) a++;
    if (r.simulated !== null) {
      lastSim = simFrame(r);
      return lastSim;
    }
    const before = a > 0 ? rows[anchors[a - 1]!]! : undefined;
    const after = a < anchors.length ? rows[anchors[a]!]! : undefined;
    if (!before && !after) return lastSim;
    if (!before || !after) return simFrame((before ?? after)!);
    const line = r.real!.line;
    return after.real!.line - line < line - before.real!.line ? simFrame(after) : simFrame(before);
  });
}

/** The rows in display order: grouped by frame, each group in the order the diagnosis gave. */
export function rowsByFrame(
  rows: readonly DiagnosisRow[],
  stepIndexes: readonly number[],
): { readonly row: DiagnosisRow; readonly frame: number }[] {
  const frames = rowFrames(rows, stepIndexes);
  return rows.map((row, i) => ({ row, frame: frames[i]! })).sort((x, y) => x.frame - y.frame);
}
