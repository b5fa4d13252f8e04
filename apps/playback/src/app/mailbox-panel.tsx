/** The mailbox log up to the step on screen: every firmware command with its status name and
 *  number (docs/reference/psp-firmware.md §7.1) and, for a refused one, the firmware guard and the fact it models. */
import { hex2 } from './format.js';
import { type FrameProps, frameLabel } from './frame.js';

export function MailboxPanel(props: FrameProps) {
  const calls = props.frames
    .slice(0, props.pos + 1)
    .flatMap((frame, f) =>
      frame.psp.map((call, k) => ({ call, frame, key: `${f}-${k}`, now: f === props.pos })),
    );
  return (
    <section id="panel-mailbox" className="panel wide" aria-labelledby="h-mailbox">
      <h2 id="h-mailbox">PSP mailbox log</h2>
      <table className="mailbox">
        <thead>
          <tr>
            <th>step</th>
            <th>command</th>
            <th>by</th>
            <th>status</th>
            <th>refused by</th>
          </tr>
        </thead>
        <tbody>
          {calls.length === 0 && (
            <tr>
              <td colSpan={5}>no firmware commands yet</td>
            </tr>
          )}
          {calls.map(({ call, frame, key, now }) => (
            <tr key={key} className={`${now ? 'now' : ''} ${call.status === 0 ? 'ok' : 'failed'}`}>
              <td>{frameLabel(frame)}</td>
              <td>
                {call.cmd} <span className="dim">({hex2(call.id)})</span>
              </td>
              <td>{call.by}</td>
              <td className="status">
                {call.statusName} ({hex2(call.status)})
              </td>
              <td className="guard">{call.guard ? `${call.guard.id} — ${call.guard.fact}` : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
