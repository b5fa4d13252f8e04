/** A scenario argument: a file, or standard input for `-` (checked and capped as a file is). */
import {
  type Catalog,
  decodeText,
  loadScenario,
  MAX_SCENARIO_BYTES,
  type ParseResult,
  parseScenario,
} from '@sevsim/scenario';
import { STDIN_NAME, STDIO } from './files';
import type { CliIo } from './io';

export async function loadScenarioArg(file: string, catalog: Catalog, io: CliIo): Promise<ParseResult> {
  if (file !== STDIO) return loadScenario(file, catalog);
  const fail = (message: string): ParseResult => ({
    ok: false,
    errors: [{ file: STDIN_NAME, line: 0, col: 0, key: '', message }],
  });
  const bytes = await io.readStdin(MAX_SCENARIO_BYTES);
  if (bytes === 'too-large') return fail(`more than ${MAX_SCENARIO_BYTES} bytes; a scenario is at most that`);
  const text = decodeText(bytes);
  if (text === undefined) return fail('is binary data, not YAML or JSON text');
  return parseScenario(text, STDIN_NAME, catalog);
}

/** `-` may stand for standard input once per command line (it can be read only once). */
export function stdinOnce(files: readonly string[], io: CliIo): boolean {
  if (files.filter((f) => f === STDIO).length <= 1) return true;
  io.err('sevsim: `-` (standard input) may be given once\n');
  return false;
}
