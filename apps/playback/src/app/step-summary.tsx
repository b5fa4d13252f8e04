/** The step on screen: what ran, how it ended (errno, firmware status), and why it failed. */
import { hex2, showValue } from './format.js';
import { current, type FrameProps, frameLabel } from './frame.js';

export function StepSummary(props: FrameProps) {
  const { cur } = current(props);
  const o = cur.outcome;
  const fwName =
    o.fwError === null || o.fwError === undefined
      ? undefined
      : (cur.psp.find((c) => c.status === o.fwError)?.statusName ?? '');
  return (
    <section id="step-summary" className={`panel summary ${o.ok ? 'ok' : 'failed'}`} aria-live="polite">
      <h2>
        <span className="mark">{o.ok ? '✓' : '✗'}</span> {frameLabel(cur)}
        {cur.line > 0 && <span className="dim"> · line {cur.line}</span>}
      </h2>
      {cur.args !== null && cur.index >= 0 && <p className="args">{showValue(cur.args)}</p>}
      <p className="outcome" data-testid="outcome">
        {o.ok ? 'ok' : 'failed'}
        {o.errno ? ` · ${o.errno}` : ''}
        {fwName !== undefined ? ` · firmware ${fwName} (${hex2(o.fwError!)})` : ''}
        {o.read ? ` · read ${o.read}` : ''}
      </p>
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
    </section>
  );
}
