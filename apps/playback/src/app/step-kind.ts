/**
 * How a step ended, as `sevsim run` prints it (apps/cli format-run.ts): a failing `expect` is a
 * failure of the run (red, exit 1); any other failing step is an outcome the scenario may well
 * have asked for (yellow), "expected" when the `expect` right after it says it must fail
 * (`ok: false` or an `errno`) and held (docs/contracts/scenario-v1.md "Expectations").
 */
import type { Json, TraceStep } from '@sevsim/scenario/trace';

export type StepKind = 'ok' | 'expected' | 'outcome' | 'failed';

/** Whether an `expect` step's arguments require the step before it to fail. The engine records
 *  them under the op's own key (`{expect: {...}}`); the bare form is read too. */
function demandsFailure(expectStep: TraceStep): boolean {
  const obj = (v: Json | undefined): Record<string, Json> | null =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null;
  const args = obj(expectStep.args);
  const e = args && 'expect' in args ? obj(args.expect) : args;
  return e !== null && (e.ok === false || (e.errno !== undefined && e.errno !== null));
}

/** One kind per frame (boot first, then each step). */
export function stepKinds(frames: readonly TraceStep[]): StepKind[] {
  return frames.map((f, i) => {
    if (f.outcome.ok) return 'ok';
    if (f.op === 'expect') return 'failed';
    const next = frames[i + 1];
    return next?.op === 'expect' && next.outcome.ok && demandsFailure(next) ? 'expected' : 'outcome';
  });
}

export const KIND_MARK: Readonly<Record<StepKind, string>> = {
  ok: '✓',
  expected: '✗',
  outcome: '✗',
  failed: '✗',
};

export const KIND_TITLE: Readonly<Record<StepKind, string>> = {
  ok: 'ok',
  expected: 'failed, as the expect after it requires',
  outcome: 'failed (an outcome: no expect requires it to succeed)',
  failed: 'expectation failed',
};
