/** What one step did, in the summary where it is seen without scrolling: its firmware commands
 *  (status name and number, the guard that refused one) and the kernel log lines it printed.
 *  `mark` lets the side-by-side view flag lines the other run does not have. */
import type { TraceStep } from '@sevsim/scenario/trace';
import { groupCalls } from './align.js';
import { hex2 } from './format.js';

export function StepActivity({
  step,
  markCall = () => false,
  markLine = () => false,
  markTitle = '',
}: {
  step: TraceStep;
  /** By index into the grouped commands (`groupCalls`). */
  markCall?: (index: number) => boolean;
  markLine?: (index: number) => boolean;
  markTitle?: string;
}) {
  const groups = groupCalls(step.psp);
  return (
    <div className="activity">
      <p className="caption">firmware commands this step ({step.psp.length})</p>
      {step.psp.length === 0 && <p className="dim none">none</p>}
      <div className="step-psp-box">
        <table className="mailbox step-psp" data-testid="step-psp">
          <tbody>
            {groups.map(({ call, count }, k) => (
              <tr
                // biome-ignore lint/suspicious/noArrayIndexKey: the same command can repeat in a step
                key={k}
                className={`${call.status === 0 ? 'ok' : 'failed'} ${markCall(k) ? 'only-here' : ''}`}
                title={markCall(k) ? markTitle : undefined}
              >
                <td>
                  {call.cmd} <span className="dim">({hex2(call.id)})</span>
                  {count > 1 && <strong className="count"> ×{count}</strong>}
                </td>
                <td>{call.by}</td>
                <td className="status">
                  {call.statusName} ({hex2(call.status)})
                </td>
                <td className="guard">{call.guard ? call.guard.id : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="step-dmesg-box">
        <p className="caption">kernel log this step ({step.dmesg.length})</p>
        {step.dmesg.length === 0 && <p className="dim none">nothing printed</p>}
        <ol className="dmesg step-dmesg" data-testid="step-dmesg">
          {step.dmesg.map((line, k) => (
            <li
              // biome-ignore lint/suspicious/noArrayIndexKey: lines can repeat
              key={k}
              className={markLine(k) ? 'only-here' : ''}
              title={markLine(k) ? markTitle : undefined}
            >
              {line}
            </li>
          ))}
        </ol>
      </div>
    </div>
  );
}
