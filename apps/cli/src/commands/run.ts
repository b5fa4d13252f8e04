/** `sevsim run FILE... [--json] [-o OUT]` (docs/contracts/scenario-v1.md "`sevsim run`"). */
import { basename, join } from 'node:path';
import { defaultCatalog, formatError, run, runLog, type ScenarioError } from '@sevsim/scenario';
import type { Command } from 'commander';
import { Exit, type ExitCode, worst } from '../exit-codes';
import { inputName, makeDirectory, STDIO, writeOutput } from '../files';
import { formatRun } from '../format-run';
import type { CliIo } from '../io';
import { addOutputOption, type OutputOptions, outputOf } from '../output-option';
import { loadScenarioArg, stdinOnce } from '../scenario-input';

interface RunOptions extends OutputOptions {
  json?: boolean;
}

/** What `--json` prints for a file that could not be run: its problems, positioned. */
function invalidDocument(file: string, errors: readonly ScenarioError[]) {
  return { version: 1, file, valid: false, errors };
}

export async function runFiles(files: readonly string[], opts: RunOptions, io: CliIo): Promise<ExitCode> {
  const output = outputOf(opts);
  if (!stdinOnce(files, io)) return Exit.INVALID_INPUT;
  if (output === STDIO && (files.length > 1 || opts.json)) {
    io.err('sevsim run: -o - writes one trace to stdout: give one file and no --json\n');
    return Exit.INVALID_INPUT;
  }
  // With the trace on stdout, the human result moves to stderr.
  const report = output === STDIO ? io.err : io.out;
  const catalog = defaultCatalog();
  const docs: unknown[] = [];
  const codes: ExitCode[] = [];
  let outputFailed = output !== undefined && files.length > 1 && !makeDirectory(output, io);
  for (const arg of files) {
    const file = inputName(arg);
    const loaded = await loadScenarioArg(arg, catalog, io);
    if (!loaded.ok) {
      for (const e of loaded.errors) io.err(`${formatError(e)}\n`);
      docs.push(invalidDocument(file, loaded.errors));
      codes.push(Exit.INVALID_INPUT);
      continue;
    }
    // Per-step snapshots only when a trace file is asked for: without them a run's time and
    // memory grow with its steps alone.
    const trace = output !== undefined ? run(loaded.scenario) : runLog(loaded.scenario);
    if (output !== undefined && !outputFailed) {
      const path =
        files.length > 1
          ? join(
              output,
              `${basename(arg === STDIO ? 'stdin' : arg).replace(/\.(ya?ml|json)$/, '')}.trace.json`,
            )
          : output;
      if (!writeOutput(path, `${JSON.stringify(trace)}\n`, io)) outputFailed = true;
    }
    if (opts.json) docs.push(trace.result);
    else report(formatRun(trace, io));
    codes.push(trace.result.passed ? Exit.OK : Exit.EXPECTATION_FAILED);
  }
  if (opts.json) io.out(`${JSON.stringify(files.length === 1 ? docs[0] : docs, null, 2)}\n`);
  // The results are printed either way; a trace that could not be written is the user's input (2).
  return outputFailed ? Exit.INVALID_INPUT : worst(codes);
}

export function registerRun(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  const cmd = program
    .command('run')
    .description('boot the machine, play the steps through every layer and check the expectations')
    .argument('<files...>', 'scenario files (.yaml, .yml, .json); - reads standard input')
    .option('--json', 'print the result document (one per file; an array for several) instead of text');
  addOutputOption(
    cmd,
    'write the full trace (for `sevsim export` and the playback app); a directory for several files; - for stdout (the result then goes to stderr)',
    '--trace',
  );
  cmd
    .addHelpText(
      'after',
      '\nExit status: 0 every expectation held, 1 an expectation failed, 2 invalid input (or an output path that cannot be written), 3 internal error.',
    )
    .action(async (files: string[], opts: RunOptions) => done(await runFiles(files, opts, io)));
}
