/** `sevsim export TRACE --format chrome [-o OUT]`: a trace from `run --trace` for ui.perfetto.dev. */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseTrace, toChromeTrace } from '@sevsim/scenario';
import { type Command, Option } from 'commander';
import { Exit, type ExitCode } from '../exit-codes';
import type { CliIo } from '../io';

export function exportTrace(file: string, opts: { format: 'chrome'; output?: string }, io: CliIo): ExitCode {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    io.err(`${file}: cannot be read: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
    return Exit.INVALID_INPUT;
  }
  const parsed = parseTrace(text);
  if (!parsed.ok) {
    io.err(`${file}: ${parsed.error}\n`);
    return Exit.INVALID_INPUT;
  }
  const json = `${JSON.stringify(toChromeTrace(parsed.trace))}\n`;
  if (opts.output) writeFileSync(opts.output, json);
  else io.out(json);
  return Exit.OK;
}

export function registerExport(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  program
    .command('export')
    .description(
      'convert a trace written by `sevsim run --trace` (Chrome Trace Event JSON opens in ui.perfetto.dev)',
    )
    .argument('<trace>', 'trace file')
    .addOption(new Option('--format <format>', 'output format').choices(['chrome']).makeOptionMandatory())
    .option('-o, --output <out>', 'write to this file instead of stdout')
    .action((trace: string, opts: { format: 'chrome'; output?: string }) =>
      done(exportTrace(trace, opts, io)),
    );
}
