/**
 * "Open in Perfetto": the window.open + postMessage protocol of ui.perfetto.dev
 * (perfetto.dev/docs/visualization/deep-linking-to-perfetto-ui): the opened page's message
 * channel is not buffered, so PING until it answers PONG, then post
 * `{perfetto: {buffer, title, fileName}}` with the Chrome Trace JSON.
 */
import type { Trace } from '@sevsim/scenario/trace';
import { toChromeTrace } from '@sevsim/scenario/trace';

export const PERFETTO_ORIGIN = 'https://ui.perfetto.dev';
const PING_EVERY_MS = 100;
const GIVE_UP_AFTER_MS = 30_000;

export function chromeTraceBytes(trace: Trace): ArrayBuffer {
  return new TextEncoder().encode(JSON.stringify(toChromeTrace(trace))).buffer as ArrayBuffer;
}

/** Resolves with a short status for the page once the trace was posted, or why it was not. */
export function openInPerfetto(trace: Trace): Promise<string> {
  const win = window.open(`${PERFETTO_ORIGIN}/#!/`);
  if (!win) return Promise.resolve('The browser blocked the Perfetto window; allow pop-ups for this page.');
  const buffer = chromeTraceBytes(trace);
  const title = `sevsim: ${trace.result.scenario}`;
  return new Promise((done) => {
    let waited = 0;
    const stop = (message: string): void => {
      window.clearInterval(timer);
      window.removeEventListener('message', onMessage);
      done(message);
    };
    const onMessage = (event: MessageEvent): void => {
      if (event.source !== win || event.data !== 'PONG') return;
      win.postMessage(
        { perfetto: { buffer, title, fileName: `${trace.result.scenario}.json` } },
        PERFETTO_ORIGIN,
      );
      stop('Sent the trace to Perfetto.');
    };
    window.addEventListener('message', onMessage);
    const timer = window.setInterval(() => {
      waited += PING_EVERY_MS;
      if (win.closed) return stop('The Perfetto window was closed.');
      if (waited > GIVE_UP_AFTER_MS)
        return stop('Perfetto did not answer; use "Download Chrome trace" instead.');
      win.postMessage('PING', PERFETTO_ORIGIN);
    }, PING_EVERY_MS);
  });
}

/** The same JSON as a download, for when Perfetto cannot be reached (offline review). */
export function downloadChromeTrace(trace: Trace): void {
  const url = URL.createObjectURL(new Blob([chromeTraceBytes(trace)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${trace.result.scenario.replace(/[^A-Za-z0-9._-]/g, '_')}.chrome-trace.json`;
  a.click();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}
