/**
 * Reading a scenario file from disk: the problems that come before parsing (missing,
 * unreadable, a directory, binary, not UTF-8, empty) are input errors like any other
 * (docs/contracts/scenario-v1.md: exit status 2, "unreadable file").
 */
import { readFileSync, statSync } from 'node:fs';
import type { Catalog } from './catalog';
import type { ScenarioError } from './errors';
import { type ParseResult, parseScenario } from './parse';

/** Scenario files are small; anything larger is not one (and would only slow the parser). */
export const MAX_SCENARIO_BYTES = 1 << 20;

export function loadScenario(file: string, catalog: Catalog): ParseResult {
  const fail = (message: string): ParseResult => ({
    ok: false,
    errors: [{ file, line: 0, col: 0, key: '', message } satisfies ScenarioError],
  });
  let bytes: Buffer;
  try {
    const st = statSync(file);
    if (st.isDirectory()) return fail('is a directory, not a scenario file');
    if (!st.isFile()) return fail('is not a regular file');
    if (st.size > MAX_SCENARIO_BYTES)
      return fail(`is ${st.size} bytes; a scenario file is at most ${MAX_SCENARIO_BYTES}`);
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail('no such file');
    if (code === 'EACCES' || code === 'EPERM') return fail('cannot be read: permission denied');
    return fail(`cannot be read: ${code ?? (e instanceof Error ? e.message : String(e))}`);
  }
  const text = decodeText(bytes);
  if (text === undefined) return fail('is a binary file, not YAML or JSON text');
  return parseScenario(text, file, catalog);
}

/** UTF-8 text without NUL bytes (a BOM is dropped), or undefined for binary data. */
export function decodeText(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return undefined;
  }
}
