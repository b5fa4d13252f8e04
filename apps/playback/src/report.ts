/**
 * `writeReport`: the app, its CSS and one trace in a single HTML file that a reviewer opens
 * offline. Everything is inline, a Content-Security-Policy pins the two inline scripts and the
 * style by hash and forbids every fetch, and the trace is escaped so nothing in it (a scenario
 * name or log line holding `</script>`) can end the element it sits in.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findAppDir } from './app-dir.js';
import { loadTraceFile } from './trace-file.js';
import { type TraceInput, traceList } from './trace-input.js';

/** The element the app reads an inlined trace from (src/app/load-trace.ts). */
export const TRACE_ELEMENT_ID = 'sevsim-trace';
/** Run A, then run B of a side-by-side report. */
export const TRACE_ELEMENT_IDS = [TRACE_ELEMENT_ID, 'sevsim-trace-b'] as const;

/**
 * JSON text made safe inside `<script type="application/json">`: `<`, `>` and `&` become JSON
 * escapes, so no `</script>` or `<!--` can appear, and `JSON.parse` reads back the same value
 * (these characters can only occur inside JSON strings, where `\u003c` means `<`).
 */
export function escapeJsonForScript(json: string): string {
  return json
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** JavaScript made safe inside an inline `<script>`: `</script` and `<!--` can only occur in
 *  strings, template literals, regular expressions or comments, where `<\/` and `<\!` read the same. */
export function escapeScriptText(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

function escapeStyleText(css: string): string {
  return css.replace(/<\/(style)/gi, '<\\/$1');
}

const sha256 = (text: string): string =>
  `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

const MODULE_SCRIPT = /<script type="module"[^>]*\ssrc="\.\/([^"]+)"[^>]*><\/script>/g;
const STYLESHEET = /<link rel="stylesheet"[^>]*\shref="\.\/([^"]+)"[^>]*>/g;

/**
 * The report's HTML for `traceText` (inlined as given, not checked: see `writeReport`); two
 * texts make a side-by-side report. Throws if the built app refers to a file this function does
 * not know how to inline.
 */
export async function renderReport(
  traceText: TraceInput,
  options: { appDir?: string } = {},
): Promise<string> {
  const appDir = findAppDir(options.appDir);
  const html = await readFile(join(appDir, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(MODULE_SCRIPT)].map((m) => m[1]!);
  const styles = [...html.matchAll(STYLESHEET)].map((m) => m[1]!);
  const js = await Promise.all(
    scripts.map(async (f) => escapeScriptText(await readFile(join(appDir, f), 'utf8'))),
  );
  const css = await Promise.all(
    styles.map(async (f) => escapeStyleText(await readFile(join(appDir, f), 'utf8'))),
  );
  const traceElements = traceList(traceText)
    .map(
      (text, i) =>
        `<script type="application/json" id="${TRACE_ELEMENT_IDS[i]}">${escapeJsonForScript(text)}</script>`,
    )
    .join('\n');

  const csp = [
    "default-src 'none'",
    `script-src ${js.map(sha256).join(' ')}`,
    `style-src ${css.length ? css.map(sha256).join(' ') : "'none'"}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');

  let i = 0;
  let k = 0;
  let out = html
    .replace(MODULE_SCRIPT, () => `<script type="module">${js[i++]}</script>`)
    .replace(STYLESHEET, () => `<style>${css[k++]}</style>`);
  out = out.replace(
    '<head>',
    () => `<head>\n<meta http-equiv="Content-Security-Policy" content="${csp}">\n${traceElements}`,
  );
  const leftover = /\s(?:src|href)="(?!data:)[^"]*"/.exec(out.replace(/<script[\s\S]*?<\/script>/g, ''));
  if (leftover)
    throw new Error(`the built app refers to a file the report cannot inline: ${leftover[0].trim()}`);
  return out;
}

/**
 * Write a one-file report of the trace at `tracePath` (or of two traces side by side) to
 * `outPath`. The traces are checked first, so a report never carries a broken trace; a
 * `TraceFileError` says what is wrong with which file.
 */
export async function writeReport(
  tracePath: TraceInput,
  outPath: string,
  options: { appDir?: string } = {},
): Promise<{ outPath: string; bytes: number; scenario: string; steps: number }> {
  const loaded = await Promise.all(traceList(tracePath).map((p) => loadTraceFile(p)));
  const html = await renderReport(loaded.map((l) => l.text) as [string] | [string, string], options);
  await writeFile(outPath, html, 'utf8');
  return {
    outPath,
    bytes: Buffer.byteLength(html),
    scenario: loaded.map((l) => l.trace.result.scenario).join(' vs '),
    steps: Math.max(...loaded.map((l) => l.trace.steps.length)),
  };
}
