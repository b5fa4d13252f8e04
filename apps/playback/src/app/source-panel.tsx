/** The scenario as the user wrote it (`trace.source`), the current step's line lit
 *  (`step.line`, 1-based; 0 for boot). A step's line number jumps to that step. */
import { useEffect, useRef } from 'react';
import type { TraceStep } from '@sevsim/scenario/trace';

export function SourcePanel({
  source,
  frames,
  pos,
  onJump,
}: {
  source: string;
  frames: readonly TraceStep[];
  pos: number;
  onJump: (pos: number) => void;
}) {
  const lines = source.replace(/\n$/, '').split('\n');
  const currentLine = frames[pos]!.line;
  const stepAtLine = new Map<number, number>();
  frames.forEach((f, i) => {
    if (f.line > 0 && !stepAtLine.has(f.line)) stepAtLine.set(f.line, i);
  });
  const lit = useRef<HTMLLIElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll whenever the lit line moves
  useEffect(() => {
    lit.current?.scrollIntoView?.({ block: 'nearest' });
  }, [currentLine]);
  return (
    <section id="panel-source" className="panel source" aria-labelledby="h-source">
      <h2 id="h-source">Scenario</h2>
      <ol className="source-lines">
        {lines.map((text, i) => {
          const n = i + 1;
          const step = stepAtLine.get(n);
          return (
            <li
              key={n}
              ref={n === currentLine ? lit : undefined}
              className={`${n === currentLine ? 'current' : ''} ${step !== undefined ? 'step-line' : ''}`}
              aria-current={n === currentLine ? 'step' : undefined}
            >
              {step !== undefined ? (
                <button
                  type="button"
                  className="line-no"
                  onClick={() => onJump(step)}
                  title="Go to this step"
                >
                  {n}
                </button>
              ) : (
                <span className="line-no">{n}</span>
              )}
              <code>{text || ' '}</code>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
