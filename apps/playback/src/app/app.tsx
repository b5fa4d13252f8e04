/** The playback page: header, timeline, the step on screen, and the panels at that step. */
import { useCallback, useEffect, useState } from 'react';
import type { Trace } from '@sevsim/scenario/trace';
import { DmesgPanel } from './dmesg-panel.js';
import { FirmwarePanel } from './firmware-panel.js';
import { HardwarePanel } from './hardware-panel.js';
import { KernelPanel } from './kernel-panel.js';
import { MailboxPanel } from './mailbox-panel.js';
import { downloadChromeTrace, openInPerfetto } from './perfetto.js';
import { SourcePanel } from './source-panel.js';
import { StepSummary } from './step-summary.js';
import { Timeline } from './timeline.js';
import { VmsPanel } from './vms-panel.js';

const PLAY_INTERVAL_MS = 900;

/** ←/→ step, Home/End jump, space plays or pauses. */
function keyTarget(key: string, last: number): ((p: number) => number) | 'toggle' | undefined {
  switch (key) {
    case 'ArrowLeft':
      return (p) => Math.max(0, p - 1);
    case 'ArrowRight':
      return (p) => Math.min(last, p + 1);
    case 'Home':
      return () => 0;
    case 'End':
      return () => last;
    case ' ':
      return 'toggle';
    default:
      return undefined;
  }
}

export function App({ trace }: { trace: Trace }) {
  const frames = [trace.boot, ...trace.steps];
  const last = frames.length - 1;
  const [pos, setPosRaw] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [perfettoStatus, setPerfettoStatus] = useState('');
  const setPos = useCallback((p: number) => setPosRaw(Math.max(0, Math.min(last, p))), [last]);

  const togglePlay = useCallback(() => {
    // Play from the start again once the end was reached.
    if (!playing && pos >= last) setPosRaw(0);
    setPlaying(!playing);
  }, [playing, pos, last]);

  useEffect(() => {
    if (!playing) return;
    const timer = window.setInterval(() => {
      setPosRaw((p) => {
        if (p >= last) {
          setPlaying(false);
          return p;
        }
        return p + 1;
      });
    }, PLAY_INTERVAL_MS);
    return () => window.clearInterval(timer);
  }, [playing, last]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const target = keyTarget(e.key, last);
      if (target === undefined) return;
      // Also stops a focused button from "clicking" on space and the slider from moving twice.
      e.preventDefault();
      if (target === 'toggle') {
        togglePlay();
      } else {
        setPlaying(false);
        setPosRaw(target);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [last, togglePlay]);

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
      <Timeline frames={frames} pos={pos} playing={playing} onPos={setPos} onTogglePlay={togglePlay} />
      <div className="layout">
        <SourcePanel source={trace.source} frames={frames} pos={pos} onJump={setPos} />
        <div className="panels">
          <StepSummary {...props} />
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
