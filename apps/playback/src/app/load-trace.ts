/**
 * Where the page gets its traces: inlined by `writeReport` (`<script type="application/json">`
 * elements, a second one for the side-by-side view), or from the server of `servePlayback`
 * (`./traces.json` lists the trace URLs). Either way each text goes through the same check, and
 * every failure ends as a message for the page.
 */
import { parseTrace, type Trace } from '@sevsim/scenario/trace';

/** Must match TRACE_ELEMENT_IDS and TRACE_LIST_PATH on the Node side (report.ts, server.ts). */
const TRACE_ELEMENT_IDS = ['sevsim-trace', 'sevsim-trace-b'];
const TRACE_LIST_URL = './traces.json';

export type TracesReading =
  | { readonly ok: true; readonly traces: readonly Trace[] }
  | { readonly ok: false; readonly error: string };

function readAll(texts: readonly string[]): TracesReading {
  const traces: Trace[] = [];
  for (const [i, text] of texts.entries()) {
    const r = parseTrace(text);
    if (!r.ok) return { ok: false, error: texts.length > 1 ? `Run ${'AB'[i]}: ${r.error}` : r.error };
    traces.push(r.trace);
  }
  return { ok: true, traces };
}

async function fetchText(url: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { cache: 'no-store' });
  } catch (e) {
    throw new Error(`Could not fetch ${url} from the playback server: ${(e as Error).message}`);
  }
  if (!response.ok) throw new Error(`The playback server answered ${response.status} for ${url}.`);
  return response.text();
}

export async function loadTraces(): Promise<TracesReading> {
  const inline = TRACE_ELEMENT_IDS.map((id) => document.getElementById(id)).filter((e) => e !== null);
  if (inline.length > 0) return readAll(inline.map((e) => e.textContent ?? ''));
  try {
    const urls = JSON.parse(await fetchText(TRACE_LIST_URL)) as string[];
    return readAll(await Promise.all(urls.map((u) => fetchText(`./${u}`))));
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}
