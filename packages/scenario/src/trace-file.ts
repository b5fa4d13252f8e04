/**
 * Reading a trace file back (`sevsim export`, the playback app): a light structural check so a
 * wrong or truncated file is reported in one line instead of failing deep inside a converter.
 */
import type { Trace } from './trace';

export type TraceParse =
  | { readonly ok: true; readonly trace: Trace }
  | { readonly ok: false; readonly error: string };

export function parseTrace(text: string): TraceParse {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `not a trace: invalid JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  const t = v as Partial<Trace> | null;
  if (t === null || typeof t !== 'object' || t.format !== 'sevsim-trace') {
    return {
      ok: false,
      error: 'not a trace: expected {"format": "sevsim-trace", ...} as written by `sevsim run --trace`',
    };
  }
  if (t.version !== 1)
    return {
      ok: false,
      error: `unsupported trace version ${JSON.stringify(t.version)} (this sevsim reads 1)`,
    };
  if (!t.boot || !Array.isArray(t.steps) || !t.result) {
    return { ok: false, error: 'truncated trace: boot, steps or result is missing' };
  }
  for (const s of [t.boot, ...t.steps]) {
    if (!s || typeof s.op !== 'string' || !Array.isArray(s.psp) || !Array.isArray(s.dmesg) || !s.outcome) {
      return { ok: false, error: 'truncated trace: a step lacks op, outcome, psp or dmesg' };
    }
  }
  if (t.diagnosis !== undefined && !isDiagnosis(t.diagnosis)) {
    return {
      ok: false,
      error:
        'malformed diagnosis: expected {sources: [string], rows: [{step, real: {line, text} | null, simulated}]}',
    };
  }
  return { ok: true, trace: t as Trace };
}

/** The optional `diagnosis` member of a trace written by `sevsim diagnose --out`. */
function isDiagnosis(d: unknown): boolean {
  if (d === null || typeof d !== 'object') return false;
  const { sources, rows } = d as { sources?: unknown; rows?: unknown };
  if (!Array.isArray(sources) || !sources.every((s) => typeof s === 'string') || !Array.isArray(rows))
    return false;
  return rows.every((r: unknown) => {
    if (r === null || typeof r !== 'object') return false;
    const { step, real, simulated } = r as { step?: unknown; real?: unknown; simulated?: unknown };
    const realOk =
      real === null ||
      (typeof real === 'object' &&
        typeof (real as { line?: unknown }).line === 'number' &&
        typeof (real as { text?: unknown }).text === 'string');
    return (
      (step === null || typeof step === 'number') &&
      realOk &&
      (simulated === null || typeof simulated === 'string')
    );
  });
}
