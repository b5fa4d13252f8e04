/** `sevsim export TRACE --format chrome [-o OUT]`: a trace from `run -o` for ui.perfetto.dev. */
import { parseTrace, printable, toChromeTrace } from '@sevsim/scenario';
import { type Command, Option } from 'commander';
import { Exit, type ExitCode } from '../exit-codes';
import { MAX_TRACE_BYTES, readInput, STDIO, writeOutput } from '../files';
import type { CliIo } from '../io';

export async function exportTrace(
  file: string,
  opts: { format: 'chrome'; output?: string },
  io: CliIo,
): Promise<ExitCode> {
  const input = await readInput(file, MAX_TRACE_BYTES, io);
  if (!input.ok) return Exit.INVALID_INPUT;
  const parsed = parseTrace(input.text);
  if (!parsed.ok) {
    io.err(`${printable(input.name)}: ${printable(parsed.error)}\n`);
    return Exit.INVALID_INPUT;
  }
  const json = `${JSON.stringify(toChromeTrace(parsed.trace))}\n`;
  return writeOutput(opts.output ?? STDIO, json, io) ? Exit.OK : Exit.INVALID_INPUT;
}

export function registerExport(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  program
    .command('export')
    .description(
      'convert a trace written by `sevsim run -o` (Chrome Trace Event JSON opens in ui.perfetto.dev)',
    )
    .argument('<trace>', 'trace file; - reads standard input')
    .addOption(new Option('--format <format>', 'output format').choices(['chrome']).makeOptionMandatory())
    .option('-o, --output <out>', 'write to this file instead of stdout (- for stdout)')
    .addHelpText(
      'after',
      '\nExit status: 0, or 2 for an unreadable or invalid trace or an unwritable output.',
    )
    .action(async (trace: string, opts: { format: 'chrome'; output?: string }) =>
      done(await exportTrace(trace, opts, io)),
    );
}
