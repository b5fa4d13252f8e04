/**
 * @sevsim/playback, Node side: serve the playback app for a trace, or write it as one HTML file.
 * The browser app itself (src/app) is built by Vite into dist/app and is not imported here.
 *
 * For `sevsim playback TRACE [--out report.html]`:
 *
 *   const { url, close } = await servePlayback(trace);   // print url; on SIGINT: await close()
 *   await writeReport(trace, out);                        // --out
 *
 * Both also take two traces, `[a, b]`, for the side-by-side view.
 *
 * Both throw `TraceFileError` (one line, names the file) for a missing or malformed trace.
 */
export {
  servePlayback,
  TRACE_URL_PATH,
  TRACE_B_URL_PATH,
  TRACE_LIST_PATH,
  type PlaybackServer,
  type ServeOptions,
} from './server.js';
export type { TraceInput } from './trace-input.js';
export {
  writeReport,
  renderReport,
  escapeJsonForScript,
  escapeScriptText,
  TRACE_ELEMENT_ID,
  TRACE_ELEMENT_IDS,
} from './report.js';
export { TraceFileError, loadTraceFile } from './trace-file.js';
// The trace check is the scenario package's, the one `sevsim export` uses too.
export { parseTrace as readTrace, type TraceParse as TraceReading } from '@sevsim/scenario/trace';
export { lookupRequest, type RequestLookup } from './request-path.js';
export type { Trace, TraceStep } from '@sevsim/scenario/trace';
