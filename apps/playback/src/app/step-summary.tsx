/** The step on screen: what ran, how it ended (errno, firmware status), why it failed, and what
 *  it did (its firmware commands and kernel log lines), all above the fold. */
import type { TraceStep } from '@sevsim/scenario/trace';
import { hex2, showValue } from './format.js';
import { frameLabel } from './frame.js';
import { StepActivity } from './step-activity.js';
import { KIND_MARK, KIND_TITLE, type StepKind } from './step-kind.js';

export function outcomeText(cur: TraceStep): string {
  const o = cur.outcome;
  const fwName =
    o.fwError === null || o.fwError === undefined
      ? undefined
      : (cur.psp.find((c) => c.status === o.fwError)?.statusName ?? '');
  return [
    o.ok ? 'ok' : 'failed',
    o.errno ? ` · ${o.errno}` : '',
    fwName !== undefined ? ` · firmware ${fwName} (${hex2(o.fwError!)})` : '',
    o.read ? ` · read ${o.read}` : '',
  ].join('');
}

export function StepHead({ cur, kind }: { cur: TraceStep; kind: StepKind }) {
  const o = cur.outcome;
  return (
    <>
      <h2>
        <span className="mark" title={KIND_TITLE[kind]}>
          {KIND_MARK[kind]}
        </span>{' '}
        {frameLabel(cur)}
        {cur.line > 0 && <span className="dim"> · line {cur.line}</span>}
        {cur.args !== null && cur.index >= 0 && <code className="args"> {showValue(cur.args)}</code>}
      </h2>
      <p className="outcome" data-testid="outcome">
        {outcomeText(cur)}
      </p>
      {kind === 'expected' && (
        <p className="dim kind-note" data-testid="kind-note">
          expected: the expect after this step requires it to fail
        </p>
      )}
      {o.failures && o.failures.length > 0 && (
        <ul className="failures">
          {o.failures.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      )}
      {cur.explanation && (
        <p className="explanation" data-testid="explanation">
          {cur.explanation}
        </p>
      )}
    </>
  );
}

export function StepSummary({
  frames,
  pos,
  kind,
}: {
  frames: readonly TraceStep[];
  pos: number;
  kind: StepKind;
}) {
  const cur = frames[pos]!;
  return (
    <section id="step-summary" className={`panel summary ${kind}`} aria-live="polite">
      <StepHead cur={cur} kind={kind} />
      <StepActivity step={cur} />
    </section>
  );
}
