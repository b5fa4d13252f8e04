import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { LoadError, RenderGuard } from './error-view.js';
import { loadTrace } from './load-trace.js';
import './style.css';

const root = createRoot(document.getElementById('root')!);
loadTrace().then(
  (reading) =>
    root.render(
      <RenderGuard>
        {reading.ok ? <App trace={reading.trace} /> : <LoadError message={reading.error} />}
      </RenderGuard>,
    ),
  (e: unknown) => root.render(<LoadError message={`Could not load the trace: ${String(e)}`} />),
);
