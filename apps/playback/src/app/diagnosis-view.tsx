/**
 * A diagnosis trace (`sevsim diagnose --out`): the user's real kernel log beside the simulated
 * one, line by line as the diagnosis aligned them, grouped by the simulated step that printed
 * them; lines only one side has are marked. Stepping moves through the groups, `n` / `N` to the
 * next / previous step with an unmatched line; the full step-by-step playback is one click away.
 */
import type { DiagnosisRow, Trace } from '@sevsim/scenario/trace';
import { useEffect, useMemo, useRef, useState } from 'react';
import { App } from './app.js';
import { rowKind, rowsByFrame } from './diagnosis-rows.js';
import { frameLabel } from './frame.js';
import { KeyHelp } from './key-help.js';
import { usePosition } from './position.js';
import { StepActivity } from './step-activity.js';
import { stepKinds } from './step-kind.js';
import { StepHead } from './step-summary.js';
import { Timeline } from './timeline.js';

function LogTable({
  rows,
  pos,
  onPos,
  labels,
}: {
  rows: readonly { readonly row: DiagnosisRow; readonly frame: number }[];
  pos: number;
  onPos: (pos: number) => void;
  labels: readonly string[];
}) {
  const box = useRef<HTMLDivElement>(null);
  // Keep the step's first line in view inside the scrolling box (not the page).
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll whenever the step moves
  useEffect(() => {
    const el = box.current?.querySelector<HTMLElement>('tr.now');
    if (box.current && el) box.current.scrollTop = Math.max(0, el.offsetTop - 40);
  }, [pos]);
  return (
    <div className="log-box" ref={box}>
      <table className="diagnosis" data-testid="diagnosis-rows">
        <thead>
          <tr>
            <th>step</th>
            <th>line</th>
            <th>real log</th>
            <th>simulation</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ row: r, frame }, i) => {
            const kind = rowKind(r);
            const first = i === 0 || rows[i - 1]!.frame !== frame;
            return (
              <tr
                // biome-ignore lint/suspicious/noArrayIndexKey: rows are a fixed list
                key={i}
                className={`${kind} ${frame === pos ? 'now' : ''} ${first ? 'group-start' : ''}`}
              >
                <td>
                  {first && (
                    <button type="button" className="link" onClick={() => onPos(frame)}>
                      {labels[frame]}
                    </button>
                  )}
                </td>
                <td className="dim">{r.real?.line ?? ''}</td>
                <td
                  className="real"
                  title={kind === 'wording' ? 'the same line in another release’s wording' : undefined}
                >
                  {r.real ? r.real.text : <span className="missing">not in the real log</span>}
                </td>
                <td className="sim">
                  {r.simulated !== null ? r.simulated : <span className="missing">not simulated</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The diagnosis view, or the ordinary step-by-step playback of the same trace. */
export function DiagnosisApp({ trace }: { trace: Trace }) {
  const [stepping, setStepping] = useState(false);
  if (stepping) {
    return (
      <>
        <p className="mode-switch">
          <button type="button" onClick={() => setStepping(false)}>
            ← real log beside simulated
          </button>
        </p>
        <App trace={trace} />
      </>
    );
  }
  return <DiagnosisView trace={trace} onStep={() => setStepping(true)} />;
}

function DiagnosisView({ trace, onStep }: { trace: Trace; onStep: () => void }) {
  const diagnosis = trace.diagnosis!;
  const frames = useMemo(() => [trace.boot, ...trace.steps], [trace]);
  const kinds = useMemo(() => stepKinds(frames), [frames]);
  const rows = useMemo(
    () =>
      rowsByFrame(
        diagnosis.rows,
        frames.map((f) => f.index),
      ),
    [diagnosis, frames],
  );
  const differs = useMemo(
    // An older wording of a simulated line is explained, not a difference to jump to.
    () =>
      frames.map((_, p) =>
        rows.some(({ row, frame }) => {
          const kind = rowKind(row);
          return frame === p && kind !== 'matched' && kind !== 'wording';
        }),
      ),
    [frames, rows],
  );
  const jumps = useMemo(
    () => ({ failures: kinds.map((k) => k !== 'ok'), differences: differs }),
    [kinds, differs],
  );
  const { pos, setPos, playing, togglePlay } = usePosition(frames.length - 1, jumps);

  useEffect(() => {
    document.title = `diagnosis: ${trace.result.scenario} · sevsim playback`;
  }, [trace]);

  const counts = { matched: 0, wording: 0, 'only-real': 0, 'only-sim': 0 };
  for (const r of diagnosis.rows) counts[rowKind(r)]++;
  const cur = frames[pos]!;
  return (
    <div className="app diagnosis-app">
      <header>
        <h1>Diagnosis of {diagnosis.sources.join(', ')}</h1>
        <p className="dim" data-testid="diagnosis-counts">
          {counts.matched} lines matched ·{' '}
          {counts.wording > 0 && `${counts.wording} in another release’s wording · `}
          {counts['only-real']} only in the real log · {counts['only-sim']} only in the simulation · replayed
          as <span data-testid="scenario-name">{trace.result.scenario}</span>, kernel{' '}
          {trace.result.config.kernel.version}
        </p>
        <div className="export">
          <button type="button" onClick={onStep}>
            Step through the simulation
          </button>
        </div>
      </header>
      <Timeline
        items={frames.map((f, i) => ({
          key: `${f.index}`,
          label: frameLabel(f),
          kind: kinds[i]!,
          differs: differs[i],
        }))}
        pos={pos}
        playing={playing}
        onPos={setPos}
        onTogglePlay={togglePlay}
      >
        <KeyHelp differences />
      </Timeline>
      <main className="diagnosis-layout">
        <section className="panel" aria-labelledby="h-logs">
          <h2 id="h-logs">
            Real log <span className="dim">beside</span> simulated log
          </h2>
          <LogTable rows={rows} pos={pos} onPos={setPos} labels={frames.map(frameLabel)} />
        </section>
        <section id="step-summary" className={`panel summary ${kinds[pos]}`} aria-live="polite">
          <StepHead cur={cur} kind={kinds[pos]!} />
          <StepActivity step={cur} />
        </section>
      </main>
    </div>
  );
}
