/**
 * Where the page gets its trace: inlined by `writeReport` (a `<script type="application/json">`
 * element), or from the server of `servePlayback` (`./trace.json`). Either way the text goes
 * through the same check, and every failure ends as a message for the page.
 */
import { readTrace, type TraceReading } from '../trace-check.js';

/** Must match TRACE_ELEMENT_ID and TRACE_URL_PATH on the Node side (report.ts, server.ts). */
const TRACE_ELEMENT_ID = 'sevsim-trace';
const TRACE_URL = './trace.json';

export async function loadTrace(): Promise<TraceReading> {
  const inline = document.getElementById(TRACE_ELEMENT_ID);
  if (inline) return readTrace(inline.textContent ?? '');
  let response: Response;
  try {
    response = await fetch(TRACE_URL, { cache: 'no-store' });
  } catch (e) {
    return {
      ok: false,
      error: `Could not fetch the trace from the playback server: ${(e as Error).message}`,
    };
  }
  if (!response.ok) {
    return { ok: false, error: `The playback server answered ${response.status} for the trace.` };
  }
  return readTrace(await response.text());
}
