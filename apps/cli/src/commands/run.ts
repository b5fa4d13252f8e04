/** `sevsim run FILE... [--json] [--trace OUT]` (docs/contracts/scenario-v1.md "`sevsim run`"). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { defaultCatalog, formatError, loadScenario, run, runLog, type ScenarioError } from '@sevsim/scenario';
import type { Command } from 'commander';
import { Exit, type ExitCode, worst } from '../exit-codes';
import { formatRun } from '../format-run';
import type { CliIo } from '../io';

interface RunOptions {
  json?: boolean;
  trace?: string;
}

/** What `--json` prints for a file that could not be run: its problems, positioned. */
function invalidDocument(file: string, errors: readonly ScenarioError[]) {
  return { version: 1, file, valid: false, errors };
}

export function runFiles(files: readonly string[], opts: RunOptions, io: CliIo): ExitCode {
  const catalog = defaultCatalog();
  const docs: unknown[] = [];
  const codes: ExitCode[] = [];
  if (opts.trace && files.length > 1) mkdirSync(opts.trace, { recursive: true });
  for (const file of files) {
    const loaded = loadScenario(file, catalog);
    if (!loaded.ok) {
      for (const e of loaded.errors) io.err(`${formatError(e)}\n`);
      docs.push(invalidDocument(file, loaded.errors));
      codes.push(Exit.INVALID_INPUT);
      continue;
    }
    // Per-step snapshots only when a trace file is asked for: without them a run's time and
    // memory grow with its steps alone.
    const trace = opts.trace ? run(loaded.scenario) : runLog(loaded.scenario);
    if (opts.trace) {
      const out =
        files.length > 1
          ? join(opts.trace, `${basename(file).replace(/\.(ya?ml|json)$/, '')}.trace.json`)
          : opts.trace;
      writeFileSync(out, `${JSON.stringify(trace)}\n`);
    }
    if (opts.json) docs.push(trace.result);
    else io.out(formatRun(trace, io));
    codes.push(trace.result.passed ? Exit.OK : Exit.EXPECTATION_FAILED);
  }
  if (opts.json) io.out(`${JSON.stringify(files.length === 1 ? docs[0] : docs, null, 2)}\n`);
  return worst(codes);
}

export function registerRun(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  program
    .command('run')
    .description('boot the machine, play the steps through every layer and check the expectations')
    .argument('<files...>', 'scenario files (.yaml, .yml, .json)')
    .option('--json', 'print the result document (one per file; an array for several) instead of text')
    .option(
      '--trace <out>',
      'write the full trace (for `sevsim export` and the playback app); a directory for several files',
    )
    .addHelpText(
      'after',
      '\nExit status: 0 every expectation held, 1 an expectation failed, 2 invalid input, 3 internal error.',
    )
    .action((files: string[], opts: RunOptions) => done(runFiles(files, opts, io)));
}
