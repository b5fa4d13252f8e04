/** Timeline: boot and every step (or every aligned pair of steps), with play / pause / step /
 *  scrub. Keys are handled by position.ts so they work wherever the focus is. */
import type { ReactNode } from 'react';
import { KIND_MARK, KIND_TITLE, type StepKind } from './step-kind.js';

export interface TimelineItem {
  readonly key: string;
  readonly label: string;
  readonly kind: StepKind;
  /** Side-by-side and diagnosis views: something new differs at this step. */
  readonly differs?: boolean;
}

export function Timeline({
  items,
  pos,
  playing,
  onPos,
  onTogglePlay,
  children,
}: {
  items: readonly TimelineItem[];
  pos: number;
  playing: boolean;
  onPos: (pos: number) => void;
  onTogglePlay: () => void;
  children?: ReactNode;
}) {
  const last = items.length - 1;
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
        {children}
      </div>
      <ol className="frames">
        {items.map((item, i) => (
          <li key={item.key}>
            <button
              type="button"
              className={`${item.kind} ${i === pos ? 'current' : ''} ${item.differs ? 'differs' : ''}`}
              aria-current={i === pos ? 'step' : undefined}
              title={`${KIND_TITLE[item.kind]}${item.differs ? ' · the runs differ here' : ''}`}
              onClick={() => onPos(i)}
            >
              {KIND_MARK[item.kind]} {item.label}
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}
