/**
 * `sevsim explore`: every configuration of a space and every ordering of operator actions up to
 * a depth, checked against the invariants (@sevsim/explorer). Exit 0 when no invariant is
 * violated, 1 otherwise, 2 for bad input (an unreadable or invalid --space file, a bad option).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type Baseline,
  baselineOf,
  DEFAULT_BASELINE,
  defaultSpace,
  explorationJson,
  explore,
  mergeResultFiles,
  parseBaseline,
  parseShard,
  shardIndices,
  configsOf,
  LAYER_FACTS,
  MUTATIONS,
  type MutationName,
  parseKernelChoice,
  parseSpace,
  progressLine,
  type ResultFile,
  type Space,
  summaryText,
  writeCounterexamples,
} from '@sevsim/explorer';
import { defaultCatalog, formatError } from '@sevsim/scenario';
import type { Command } from 'commander';
import { Exit, type ExitCode } from '../exit-codes';
import { MAX_RESULT_BYTES, MAX_SPACE_BYTES, readInput, reason, writeOutput } from '../files';
import { stdinOnce } from '../scenario-input';
import type { CliIo } from '../io';
import { addOutputOption, type OutputOptions, outputOf } from '../output-option';

const DEFAULT_OUT = './sevsim-counterexamples';

/**
 * The built-in space's depth unless --depth is given: a first answer in seconds, not a fixpoint
 * of ~190 k states. Every capability and finding recorded for the default spaces has a shortest
 * path of at most 4 actions (packages/explorer README, "Default budget"); `--depth unbounded`
 * explores to the fixpoint and says `exhausted: true`.
 */
export const DEFAULT_EXPLORE_DEPTH = 6;

export interface ExploreCliOptions extends OutputOptions {
  kernel?: string;
  space?: string;
  depth?: string;
  workers?: string;
  json?: boolean;
  mutation?: string;
  progress?: boolean;
  baseline?: string;
  writeBaseline?: string;
  shard?: string;
}

/** --baseline: `default` (the shipped one) or a file written by --write-baseline; null after reporting. */
async function readBaseline(path: string, io: CliIo): Promise<Baseline | null> {
  if (path === 'default') return DEFAULT_BASELINE;
  const input = await readInput(path, MAX_SPACE_BYTES, io);
  if (!input.ok) return null;
  const parsed = parseBaseline(input.text, input.name);
  if (!parsed.ok) {
    for (const e of parsed.errors) io.err(`${formatError(e)}\n`);
    return null;
  }
  return parsed.baseline;
}

/** The worker entry tsup builds next to the CLI bundle (dist/explore-worker.js), when present. */
export function cliWorkerUrl(): URL | undefined {
  const url = new URL('./explore-worker.js', import.meta.url);
  return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : undefined;
}

function positiveInt(text: string | undefined, name: string, io: CliIo): number | undefined | null {
  if (text === undefined) return undefined;
  if (name === '--depth' && text === 'unbounded') return Number.POSITIVE_INFINITY;
  if (!/^\d+$/.test(text)) {
    io.err(`sevsim explore: ${name} must be a non-negative integer, got "${text}"\n`);
    return null;
  }
  return Number(text);
}

/** A space file (--space; - for stdin), or null after reporting why it cannot be used. */
export async function readSpaceFile(path: string, io: CliIo): Promise<Space | null> {
  const input = await readInput(path, MAX_SPACE_BYTES, io);
  if (!input.ok) return null;
  const parsed = parseSpace(input.text, input.name);
  if (!parsed.ok) {
    for (const e of parsed.errors) io.err(`${formatError(e)}\n`);
    return null;
  }
  return parsed.space;
}

/** The space from --space or the built-in one for --kernel; null after reporting bad input. */
export async function spaceFromOptions(
  opts: { kernel?: string; space?: string },
  io: CliIo,
  command: string,
): Promise<Space | null> {
  if (opts.space) return readSpaceFile(opts.space, io);
  const catalog = defaultCatalog();
  const kernel = parseKernelChoice(opts.kernel ?? catalog.releases[catalog.releases.length - 1]!);
  const why = catalog.releaseProblem(kernel.version, kernel.patches);
  if (why) {
    io.err(`sevsim ${command}: --kernel: ${why}\n`);
    return null;
  }
  return defaultSpace(kernel);
}

export async function exploreCommand(opts: ExploreCliOptions, io: CliIo): Promise<ExitCode> {
  const base = await spaceFromOptions(opts, io, 'explore');
  if (!base) return Exit.INVALID_INPUT;
  const depth = positiveInt(opts.depth, '--depth', io);
  const workers = positiveInt(opts.workers, '--workers', io);
  if (depth === null || workers === null) return Exit.INVALID_INPUT;
  if (opts.mutation !== undefined && !Object.hasOwn(MUTATIONS, opts.mutation)) {
    io.err(
      `sevsim explore: --mutation: unknown "${opts.mutation}" (allowed: ${Object.keys(MUTATIONS).join(', ')})\n`,
    );
    return Exit.INVALID_INPUT;
  }
  const space: Space =
    depth !== undefined ? { ...base, depth } : opts.space ? base : { ...base, depth: DEFAULT_EXPLORE_DEPTH };
  const mutation = opts.mutation ? MUTATIONS[opts.mutation as MutationName] : undefined;
  const baseline = opts.baseline === undefined ? undefined : await readBaseline(opts.baseline, io);
  if (baseline === null) return Exit.INVALID_INPUT;
  const shard = opts.shard === undefined ? undefined : parseShard(opts.shard);
  if (typeof shard === 'string') {
    io.err(`sevsim explore: --shard: ${shard}\n`);
    return Exit.INVALID_INPUT;
  }
  const workerUrl = cliWorkerUrl();
  const result = await explore(space, {
    ...(shard ? { only: shardIndices(configsOf(space, LAYER_FACTS).length, shard) } : {}),
    ...(workers !== undefined ? { workers: Math.max(1, workers) } : {}),
    ...(workerUrl ? { workerUrl } : {}),
    ...(mutation ? { mutation } : {}),
    ...(opts.progress === false ? {} : { onProgress: (p) => io.err(`${progressLine(p)}\n`) }),
  });
  const context = mutation
    ? `found under mutation "${opts.mutation}": sevsim run uses the real profiles and will not reproduce it`
    : `reproduce with: sevsim run FILE`;
  const out = outputOf(opts) ?? DEFAULT_OUT;
  let written: ReturnType<typeof writeCounterexamples>;
  let writable = true;
  try {
    written = writeCounterexamples(result, out, context, baseline);
  } catch (e) {
    // The summary is still printed; the directory is the user's input (2).
    io.err(`sevsim explore: cannot write counterexamples to ${out}: ${reason(e)}\n`);
    written = [];
    writable = false;
  }
  if (opts.writeBaseline)
    writable &&= writeOutput(opts.writeBaseline, `${JSON.stringify(baselineOf(result), null, 2)}\n`, io);
  if (opts.json) io.out(`${JSON.stringify(explorationJson(result, written, shard), null, 2)}\n`);
  else io.out(summaryText(result, written));
  if (!writable) return Exit.INVALID_INPUT;
  return written.some((w) => !w.known) ? Exit.EXPECTATION_FAILED : Exit.OK;
}

/** `sevsim explore merge RESULT...`: shard results (--json) folded into the unsharded result. */
export async function mergeCommand(files: readonly string[], io: CliIo): Promise<ExitCode> {
  if (!stdinOnce(files, io)) return Exit.INVALID_INPUT;
  const texts: ResultFile[] = [];
  for (const file of files) {
    const input = await readInput(file, MAX_RESULT_BYTES, io);
    if (!input.ok) return Exit.INVALID_INPUT;
    texts.push({ file: input.name, text: input.text });
  }
  const r = mergeResultFiles(texts);
  if (!r.ok) {
    for (const e of r.errors) io.err(`${formatError(e)}\n`);
    return Exit.INVALID_INPUT;
  }
  io.out(`${JSON.stringify(r.merged, null, 2)}\n`);
  return r.merged.violations.some((v) => !v.known) ? Exit.EXPECTATION_FAILED : Exit.OK;
}

export function registerExplore(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  const cmd = program
    .command('explore')
    .description('explore every configuration and every ordering of operator actions; check the invariants')
    .option(
      '--kernel <release>',
      'built-in space for this kernel, e.g. 7.2 or 7.2+sev-fw-upload (default: newest)',
    )
    .option('--space <file>', 'a space file (YAML; - for stdin) instead of the built-in space')
    .option(
      '--depth <n>',
      `longest action sequence explored, or \`unbounded\` to the fixpoint (default: ${DEFAULT_EXPLORE_DEPTH} for the built-in space, the space file's otherwise)`,
    )
    .option('--workers <n>', 'worker threads (default: every core)')
    .option('--json', 'print the result as one JSON document')
    .option(
      '--mutation <name>',
      `explore a deliberately wrong driver profile (${Object.keys(MUTATIONS).join(', ')})`,
    )
    .option('--no-progress', 'no progress lines on stderr')
    .option(
      '--baseline <file>',
      'accepted findings (from --write-baseline, or `default` for the shipped one): exit 1 only for others',
    )
    .option('--write-baseline <file>', "write this run's violations as a baseline")
    .option(
      '--shard <i/n>',
      'explore only configurations with index ≡ i (mod n), 0 ≤ i < n; merge with `explore merge`',
    );
  addOutputOption(cmd, `directory for counterexample scenarios (default: ${DEFAULT_OUT})`, '--out');
  cmd
    .addHelpText(
      'after',
      '\nExit status: 0 no invariant violated (or all in --baseline), 1 some invariant violated (counterexamples in --output), 2 bad input or an unwritable output.',
    )
    .action(async (opts: ExploreCliOptions) => done(await exploreCommand(opts, io)));
  cmd
    .command('merge')
    .description('fold the --json results of `explore --shard i/n` runs into the unsharded result')
    .argument('<results...>', 'result files of every shard (- for standard input)')
    .addHelpText('after', '\nExit status: 0 no violation outside the baseline, 1 otherwise, 2 bad input.')
    .action(async (files: string[]) => done(await mergeCommand(files, io)));
}
