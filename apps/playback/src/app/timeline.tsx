/** Timeline: boot and every step, with play / pause / step / scrub. Keys are handled by the app
 *  (app.tsx) so they work wherever the focus is. */
import type { TraceStep } from '@sevsim/scenario/trace';
import { frameLabel } from './frame.js';

export function Timeline({
  frames,
  pos,
  playing,
  onPos,
  onTogglePlay,
}: {
  frames: readonly TraceStep[];
  pos: number;
  playing: boolean;
  onPos: (pos: number) => void;
  onTogglePlay: () => void;
}) {
  const last = frames.length - 1;
  return (
    <nav className="timeline" aria-label="Timeline">
      <div className="controls">
        <button type="button" onClick={() => onPos(0)} disabled={pos === 0} title="First (Home)">
          |◀
        </button>
        <button type="button" onClick={() => onPos(pos - 1)} disabled={pos === 0} title="Previous (←)">
          ◀
        </button>
        <button
          type="button"
          onClick={onTogglePlay}
          title="Play / pause (space)"
          aria-pressed={playing}
          id="play"
        >
          {playing ? '⏸ pause' : '▶ play'}
        </button>
        <button type="button" onClick={() => onPos(pos + 1)} disabled={pos === last} title="Next (→)">
          ▶
        </button>
        <button type="button" onClick={() => onPos(last)} disabled={pos === last} title="Last (End)">
          ▶|
        </button>
        <input
          type="range"
          min={0}
          max={last}
          value={pos}
          onChange={(e) => onPos(Number(e.currentTarget.value))}
          aria-label="Scrub through the steps"
        />
        <span className="position" data-testid="position">
          {pos === 0 ? 'boot' : `step ${pos} of ${last}`}
        </span>
      </div>
      <ol className="frames">
        {frames.map((f, i) => (
          <li key={`${f.index}`}>
            <button
              type="button"
              className={`${f.outcome.ok ? 'ok' : 'failed'} ${i === pos ? 'current' : ''}`}
              aria-current={i === pos ? 'step' : undefined}
              onClick={() => onPos(i)}
            >
              {f.outcome.ok ? '✓' : '✗'} {frameLabel(f)}
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}
