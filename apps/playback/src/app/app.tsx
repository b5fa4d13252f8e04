/** The playback page: header, timeline, the step on screen, and the panels at that step. */
import { useEffect, useMemo, useState } from 'react';
import type { Trace } from '@sevsim/scenario/trace';
import { DmesgPanel } from './dmesg-panel.js';
import { FirmwarePanel } from './firmware-panel.js';
import { frameLabel } from './frame.js';
import { HardwarePanel } from './hardware-panel.js';
import { KernelPanel } from './kernel-panel.js';
import { MailboxPanel } from './mailbox-panel.js';
import { downloadChromeTrace, openInPerfetto } from './perfetto.js';
import { KeyHelp } from './key-help.js';
import { usePosition } from './position.js';
import { SourcePanel } from './source-panel.js';
import { stepKinds } from './step-kind.js';
import { StepSummary } from './step-summary.js';
import { Timeline } from './timeline.js';
import { VmsPanel } from './vms-panel.js';

export function App({ trace }: { trace: Trace }) {
  const frames = useMemo(() => [trace.boot, ...trace.steps], [trace]);
  const last = frames.length - 1;
  const kinds = useMemo(() => stepKinds(frames), [frames]);
  const jumps = useMemo(() => ({ failures: kinds.map((k) => k !== 'ok') }), [kinds]);
  const { pos, setPos, playing, togglePlay } = usePosition(last, jumps);
  const [perfettoStatus, setPerfettoStatus] = useState('');

  useEffect(() => {
    document.title = `${trace.result.scenario} · sevsim playback`;
  }, [trace]);

  const props = { frames, pos };
  return (
    <div className="app">
      <header>
        <h1>
          <span className={trace.result.passed ? 'pass' : 'fail'}>{trace.result.passed ? '✓' : '✗'}</span>{' '}
          <span data-testid="scenario-name">{trace.result.scenario}</span>
        </h1>
        <p className="dim">
          {trace.file} · kernel {trace.result.config.kernel.version} ·{' '}
          {trace.result.passed ? 'every expectation held' : 'an expectation failed'}
        </p>
        <div className="export">
          <button type="button" onClick={() => openInPerfetto(trace).then(setPerfettoStatus)}>
            Open in Perfetto
          </button>
          <button type="button" onClick={() => downloadChromeTrace(trace)}>
            Download Chrome trace
          </button>
          <span className="dim" data-testid="perfetto-status">
            {perfettoStatus}
          </span>
        </div>
      </header>
      <Timeline
        items={frames.map((f, i) => ({ key: `${f.index}`, label: frameLabel(f), kind: kinds[i]! }))}
        pos={pos}
        playing={playing}
        onPos={setPos}
        onTogglePlay={togglePlay}
      >
        <KeyHelp />
      </Timeline>
      <div className="layout">
        <SourcePanel source={trace.source} frames={frames} pos={pos} onJump={setPos} />
        <div className="panels">
          <StepSummary {...props} kind={kinds[pos]!} />
          <HardwarePanel {...props} />
          <FirmwarePanel {...props} />
          <KernelPanel {...props} />
          <VmsPanel {...props} />
          <MailboxPanel {...props} />
          <DmesgPanel {...props} />
        </div>
      </div>
    </div>
  );
}
