/** The kernel log up to the step on screen; the lines this step printed are marked. */
import { current, type FrameProps } from './frame.js';

export function DmesgPanel(props: FrameProps) {
  const { cur } = current(props);
  const lines = props.frames
    .slice(0, props.pos + 1)
    .flatMap((frame, f) => frame.dmesg.map((line, k) => ({ line, key: `${f}-${k}`, now: frame === cur })));
  return (
    <section id="panel-dmesg" className="panel wide" aria-labelledby="h-dmesg">
      <h2 id="h-dmesg">Kernel log</h2>
      <ol className="dmesg">
        {lines.map(({ line, key, now }) => (
          <li key={key} className={now ? 'now' : ''}>
            {line}
          </li>
        ))}
      </ol>
    </section>
  );
}
