/** Two runs side by side (`sevsim playback A B`): the steps aligned, what differs at the step on
 *  screen, and each run's step (outcome, firmware commands, kernel log, states, ASIDs, VMs) with
 *  what the other run lacks marked. */
import type { Trace, TraceStep } from '@sevsim/scenario/trace';
import { useEffect, useMemo } from 'react';
import { callText, comparePair, type Difference, groupCalls, type PairRow, unmatched } from './align.js';
import { asidRanges } from './format.js';
import { frameLabel } from './frame.js';
import { KeyHelp } from './key-help.js';
import { usePosition } from './position.js';
import { StepActivity } from './step-activity.js';
import { type StepKind, stepKinds } from './step-kind.js';
import { StepHead } from './step-summary.js';
import { Timeline } from './timeline.js';

const SEVERITY: readonly StepKind[] = ['ok', 'outcome', 'expected', 'failed'];
const worse = (x: StepKind, y: StepKind): StepKind => (SEVERITY.indexOf(x) >= SEVERITY.indexOf(y) ? x : y);

function runTitle(t: Trace): string {
  const k = t.result.config.kernel;
  return `kernel ${k.version}${k.patches.length ? ` + ${k.patches.join(' + ')}` : ''}`;
}

function RunHeading({ trace, side }: { trace: Trace; side: 'A' | 'B' }) {
  return (
    <div className={`run-heading side-${side.toLowerCase()}`}>
      <span className="side-tag">{side}</span>{' '}
      <span className={trace.result.passed ? 'pass' : 'fail'}>{trace.result.passed ? '✓' : '✗'}</span>{' '}
      <strong data-testid={`scenario-name-${side.toLowerCase()}`}>{trace.result.scenario}</strong>{' '}
      <span className="dim">
        {runTitle(trace)} · {trace.file}
      </span>
    </div>
  );
}

function DifferenceTable({ differences }: { differences: readonly Difference[] }) {
  if (differences.length === 0) {
    return (
      <p className="same" data-testid="no-difference">
        Both runs did the same here and are in the same state.
      </p>
    );
  }
  return (
    <table className="differences" data-testid="differences">
      <thead>
        <tr>
          <th>what</th>
          <th>where</th>
          <th>A</th>
          <th>B</th>
        </tr>
      </thead>
      <tbody>
        {differences.map((d) => (
          <tr key={`${d.category}/${d.what}`} className={d.fresh ? 'fresh' : 'carried'}>
            <td>{d.category}</td>
            <td>
              <code>{d.what}</code>
              {!d.fresh && <span className="dim"> (as before)</span>}
            </td>
            <td className="val-a">{d.a}</td>
            <td className="val-b">{d.b}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One line above the two sides: which kinds of thing differ here, new ones first. */
function DifferenceChips({ differences }: { differences: readonly Difference[] }) {
  const byCategory = new Map<string, { fresh: number; carried: number }>();
  for (const d of differences) {
    const c = byCategory.get(d.category) ?? { fresh: 0, carried: 0 };
    if (d.fresh) c.fresh++;
    else c.carried++;
    byCategory.set(d.category, c);
  }
  return (
    <p className="chips" data-testid="difference-chips">
      {differences.length === 0 ? (
        <span className="chip same">no difference at this step</span>
      ) : (
        [...byCategory].map(([category, { fresh, carried }]) => (
          <span key={category} className={`chip ${fresh > 0 ? 'fresh' : 'carried'}`}>
            {category}: {fresh > 0 ? `${fresh} new` : ''}
            {fresh > 0 && carried > 0 ? ', ' : ''}
            {carried > 0 ? `${carried} as before` : ''}
          </span>
        ))
      )}
    </p>
  );
}

/** The states a user compares, one line each; a line that differs from the other run is marked. */
function stateLines(s: TraceStep): [string, string][] {
  const st = s.state;
  const range = (r: { status: string; min: number; max: number }) =>
    r.status === 'disabled' ? 'disabled' : `${r.status} ${r.min}–${r.max}`;
  const mod = (m: { loaded: boolean; builtin: boolean }) =>
    `${m.loaded ? 'loaded' : 'not loaded'}${m.builtin ? ' (built in)' : ''}`;
  const vms = Object.entries(st.vms);
  return [
    ['host SNP / SNPEn', `${st.host.snp ? 'on' : 'off'} / ${st.host.snpEn ? 'set' : 'clear'}`],
    ['firmware', `${st.firmware.version} · SEV ${st.firmware.sev} · SNP ${st.firmware.snp}`],
    ['RMP initialised', st.firmware.rmpInitialised ? 'yes' : 'no'],
    ['ccp', mod(st.modules.ccp)],
    ['kvm_amd', mod(st.modules.kvm_amd)],
    ['SNP ASIDs', range(st.kvm.snp)],
    ['SEV-ES ASIDs', range(st.kvm.sevEs)],
    ['SEV ASIDs', range(st.kvm.sev)],
    ['ASIDs in use', asidRanges(s.layers.kvm.asidsInUse)],
    [
      'VMs',
      vms.length ? vms.map(([n, v]) => `${n} ${v.type} ${v.state} ASID ${v.asid ?? '—'}`).join(', ') : 'none',
    ],
  ];
}

function Side({
  side,
  step,
  other,
  kind,
}: {
  side: 'A' | 'B';
  step: TraceStep | undefined;
  other: TraceStep | undefined;
  kind: StepKind;
}) {
  const cls = `panel side side-${side.toLowerCase()}`;
  if (!step) {
    return (
      <section className={cls} data-testid={`side-${side.toLowerCase()}`}>
        <p className="dim">Run {side} has no step here.</p>
      </section>
    );
  }
  const calls = groupCalls(step.psp).map(callText);
  const onlyCalls = other ? unmatched(calls, groupCalls(other.psp).map(callText)) : calls.map(() => true);
  const onlyLines = other ? unmatched(step.dmesg, other.dmesg) : step.dmesg.map(() => true);
  const mine = stateLines(step);
  const theirs = other ? new Map(stateLines(other)) : new Map<string, string>();
  return (
    <section className={`${cls} summary ${kind}`} data-testid={`side-${side.toLowerCase()}`}>
      <StepHead cur={step} kind={kind} />
      <StepActivity
        step={step}
        markCall={(k) => onlyCalls[k]!}
        markLine={(k) => onlyLines[k]!}
        markTitle={`only in run ${side}`}
      />
      <dl className="facts side-state">
        {mine.map(([name, value]) => (
          <div key={name} className={theirs.get(name) !== value ? 'only-here' : ''}>
            <dt>{name}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

export function PairApp({ a, b }: { a: Trace; b: Trace }) {
  const framesA = useMemo(() => [a.boot, ...a.steps], [a]);
  const framesB = useMemo(() => [b.boot, ...b.steps], [b]);
  const rows: PairRow[] = useMemo(() => comparePair(framesA, framesB), [framesA, framesB]);
  const kindsA = useMemo(() => stepKinds(framesA), [framesA]);
  const kindsB = useMemo(() => stepKinds(framesB), [framesB]);
  const rowKinds = useMemo(
    () => rows.map((r) => worse(r.a === null ? 'ok' : kindsA[r.a]!, r.b === null ? 'ok' : kindsB[r.b]!)),
    [rows, kindsA, kindsB],
  );
  const jumps = useMemo(
    () => ({ failures: rowKinds.map((k) => k !== 'ok'), differences: rows.map((r) => r.differs) }),
    [rows, rowKinds],
  );
  const { pos, setPos, playing, togglePlay } = usePosition(rows.length - 1, jumps);
  const row = rows[pos]!;
  const stepA = row.a === null ? undefined : framesA[row.a];
  const stepB = row.b === null ? undefined : framesB[row.b];

  useEffect(() => {
    document.title = `${a.result.scenario} vs ${b.result.scenario} · sevsim playback`;
  }, [a, b]);

  const differing = rows.filter((r) => r.differs).length;
  return (
    <div className="app pair">
      <header>
        <h1>Side by side</h1>
        <p className="dim" data-testid="pair-summary">
          {rows.length} aligned steps · differences appear at {differing} of them
        </p>
        <div className="runs">
          <RunHeading trace={a} side="A" />
          <RunHeading trace={b} side="B" />
        </div>
      </header>
      <Timeline
        items={rows.map((r, i) => ({
          key: `${i}`,
          label: frameLabel(r.a !== null ? framesA[r.a]! : framesB[r.b!]!),
          kind: rowKinds[i]!,
          differs: r.differs,
        }))}
        pos={pos}
        playing={playing}
        onPos={setPos}
        onTogglePlay={togglePlay}
      >
        <KeyHelp differences />
      </Timeline>
      <main className="pair-layout">
        <DifferenceChips differences={row.differences} />
        <Side side="A" step={stepA} other={stepB} kind={row.a === null ? 'ok' : kindsA[row.a]!} />
        <Side side="B" step={stepB} other={stepA} kind={row.b === null ? 'ok' : kindsB[row.b]!} />
        <section className="panel wide" aria-labelledby="h-diff" id="panel-differences">
          <h2 id="h-diff">What differs after this step</h2>
          <DifferenceTable differences={row.differences} />
        </section>
      </main>
    </div>
  );
}
