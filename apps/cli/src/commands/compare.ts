/**
 * `sevsim compare --kernels 6.14,6.18,7.2+sev-fw-upload`: the capability matrix of the same
 * configurations under several kernels, and for every difference the shortest scenario that
 * shows it, under both kernels (@sevsim/explorer `compare`), with the two runs side by side in
 * one playback report. Exit 0, or 2 for bad input.
 */
import { join } from 'node:path';
import {
  type CompareDifference,
  type CompareFormat,
  type CompareResult,
  compare,
  formatCompare,
  parseKernelChoice,
  progressLine,
} from '@sevsim/explorer';
import { renderReport } from '@sevsim/playback';
import { type Catalog, defaultCatalog, parseScenario, run } from '@sevsim/scenario';
import type { Command } from 'commander';
import { Exit, type ExitCode } from '../exit-codes';
import { makeDirectory, writeOutput } from '../files';
import type { CliIo } from '../io';
import { addOutputOption, type OutputOptions, outputOf } from '../output-option';
import { cliWorkerUrl, readSpaceFile } from './explore';
import { playbackAppDir } from './playback';

const DEFAULT_OUT = './sevsim-compare';

const FORMATS: readonly CompareFormat[] = ['table', 'md', 'csv', 'json'];

export interface CompareCliOptions extends OutputOptions {
  kernels: string;
  format: string;
  space?: string;
  workers?: string;
  progress?: boolean;
}

export async function compareCommand(opts: CompareCliOptions, io: CliIo): Promise<ExitCode> {
  const catalog = defaultCatalog();
  const kernels = opts.kernels.split(',').map((k) => parseKernelChoice(k.trim()));
  for (const k of kernels) {
    const why = catalog.releaseProblem(k.version, k.patches);
    if (why) {
      io.err(`sevsim compare: --kernels: ${why}\n`);
      return Exit.INVALID_INPUT;
    }
  }
  if (!(FORMATS as readonly string[]).includes(opts.format)) {
    io.err(`sevsim compare: --format: unknown "${opts.format}" (allowed: ${FORMATS.join(', ')})\n`);
    return Exit.INVALID_INPUT;
  }
  if (opts.workers !== undefined && !/^\d+$/.test(opts.workers)) {
    io.err(`sevsim compare: --workers must be a non-negative integer, got "${opts.workers}"\n`);
    return Exit.INVALID_INPUT;
  }
  const space = opts.space ? await readSpaceFile(opts.space, io) : undefined;
  if (space === null) return Exit.INVALID_INPUT;
  const workerUrl = cliWorkerUrl();
  const result = await compare(kernels, {
    ...(space ? { space } : {}),
    ...(workerUrl ? { workerUrl } : {}),
    ...(opts.workers !== undefined ? { workers: Math.max(1, Number(opts.workers)) } : {}),
    ...(opts.progress === false ? {} : { onProgress: (p) => io.err(`${progressLine(p)}\n`) }),
  });
  const out = outputOf(opts) ?? DEFAULT_OUT;
  let written = result.differences.length === 0 || makeDirectory(out, io);
  for (const [file, text] of Object.entries(result.scenarios)) {
    if (written) written = writeOutput(join(out, file), text, io);
  }
  for (const d of result.differences) {
    if (written) written = writeOutput(join(out, d.files.report), await pairReport(result, d, catalog), io);
  }
  // The matrix is printed either way; a directory that cannot be written is the user's input (2).
  io.out(formatCompare(result, opts.format as CompareFormat, out));
  return written ? Exit.OK : Exit.INVALID_INPUT;
}

/** Both scenarios of a difference run and shown side by side, in `--kernels` order. */
async function pairReport(result: CompareResult, d: CompareDifference, catalog: Catalog): Promise<string> {
  const files = [d.files.has, d.files.lacks];
  if (result.kernels.indexOf(d.has) > result.kernels.indexOf(d.lacks)) files.reverse();
  const traces = files.map((file) => {
    const parsed = parseScenario(result.scenarios[file]!, file, catalog);
    // The explorer wrote these scenarios from configurations it ran: invalid here is our bug.
    if (!parsed.ok)
      throw new Error(`compare wrote an invalid scenario ${file}: ${JSON.stringify(parsed.errors)}`);
    return JSON.stringify(run(parsed.scenario));
  });
  return renderReport(traces as [string, string], { appDir: playbackAppDir() });
}

export function registerCompare(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  const cmd = program
    .command('compare')
    .description(
      'capability matrix of the same configurations across kernel releases, with the scenario behind each difference',
    )
    .requiredOption('--kernels <list>', 'comma-separated releases, e.g. 6.14,6.18,7.2+sev-fw-upload')
    .option('--format <format>', `output format (${FORMATS.join(', ')})`, 'table')
    .option(
      '--space <file>',
      'a space file (YAML; - for stdin); its kernel releases are replaced by --kernels',
    )
    .option('--workers <n>', 'worker threads (default: every core)')
    .option('--no-progress', 'no progress lines on stderr');
  addOutputOption(
    cmd,
    `directory for the scenarios behind each difference (default: ${DEFAULT_OUT})`,
    '--out',
  );
  cmd
    .addHelpText(
      'after',
      '\nExit status: 0, or 2 for bad input or an output directory that cannot be written.',
    )
    .action(async (opts: CompareCliOptions) => done(await compareCommand(opts, io)));
}
