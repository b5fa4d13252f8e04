/**
 * `sevsim compare --kernels 6.14,6.18,7.2+sev-fw-upload`: the capability matrix of the same
 * configurations under several kernels, and for every difference the shortest scenario that
 * shows it, under both kernels (@sevsim/explorer `compare`), with the two runs side by side in
 * one playback report. Exit 0, or 2 for bad input.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CompareDifference,
  type CompareFormat,
  type CompareResult,
  compare,
  formatCompare,
  parseKernelChoice,
} from '@sevsim/explorer';
import { renderReport } from '@sevsim/playback';
import { type Catalog, defaultCatalog, parseScenario, run } from '@sevsim/scenario';
import type { Command } from 'commander';
import { Exit, type ExitCode } from '../exit-codes';
import type { CliIo } from '../io';
import { cliWorkerUrl, readSpaceFile } from './explore';
import { playbackAppDir } from './playback';

const FORMATS: readonly CompareFormat[] = ['table', 'md', 'csv', 'json'];

export interface CompareCliOptions {
  kernels: string;
  format: string;
  out: string;
  space?: string;
  workers?: string;
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
  const space = opts.space ? readSpaceFile(opts.space, io) : undefined;
  if (space === null) return Exit.INVALID_INPUT;
  const workerUrl = cliWorkerUrl();
  const result = await compare(kernels, {
    ...(space ? { space } : {}),
    ...(workerUrl ? { workerUrl } : {}),
    ...(opts.workers !== undefined ? { workers: Math.max(1, Number(opts.workers)) } : {}),
  });
  if (result.differences.length > 0) mkdirSync(opts.out, { recursive: true });
  for (const [file, text] of Object.entries(result.scenarios)) writeFileSync(join(opts.out, file), text);
  for (const d of result.differences) {
    writeFileSync(join(opts.out, d.files.report), await pairReport(result, d, catalog));
  }
  io.out(formatCompare(result, opts.format as CompareFormat, opts.out));
  return Exit.OK;
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
  program
    .command('compare')
    .description(
      'capability matrix of the same configurations across kernel releases, with the scenario behind each difference',
    )
    .requiredOption('--kernels <list>', 'comma-separated releases, e.g. 6.14,6.18,7.2+sev-fw-upload')
    .option('--format <format>', `output format (${FORMATS.join(', ')})`, 'table')
    .option('--out <dir>', 'directory for the scenarios behind each difference', './sevsim-compare')
    .option('--space <file>', 'a space file (YAML); its kernel releases are replaced by --kernels')
    .option('--workers <n>', 'worker threads (default: every core)')
    .addHelpText('after', '\nExit status: 0, or 2 for bad input.')
    .action(async (opts: CompareCliOptions) => done(await compareCommand(opts, io)));
}
