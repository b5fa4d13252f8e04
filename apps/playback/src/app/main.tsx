import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { DiagnosisApp } from './diagnosis-view.js';
import { LoadError, RenderGuard } from './error-view.js';
import { loadTraces, type TracesReading } from './load-trace.js';
import { PairApp } from './pair-view.js';
import './style.css';

/** One trace: stepping (or its diagnosis, real log beside simulated); two: side by side. */
function View({ reading }: { reading: TracesReading }) {
  if (!reading.ok) return <LoadError message={reading.error} />;
  const [a, b] = reading.traces;
  if (b) return <PairApp a={a!} b={b} />;
  if (a!.diagnosis) return <DiagnosisApp trace={a!} />;
  return <App trace={a!} />;
}

const root = createRoot(document.getElementById('root')!);
loadTraces().then(
  (reading) =>
    root.render(
      <RenderGuard>
        <View reading={reading} />
      </RenderGuard>,
    ),
  (e: unknown) => root.render(<LoadError message={`Could not load the trace: ${String(e)}`} />),
);
