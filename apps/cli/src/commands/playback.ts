/**
 * `sevsim playback TRACE [OTHER] [-o report.html]`: serve the playback app for a trace (or two
 * traces side by side) on 127.0.0.1 until Ctrl-C, or write it as one self-contained HTML file.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTrace, renderReport, servePlayback, TraceFileError } from '@sevsim/playback';
import { printable } from '@sevsim/scenario';
import type { Command } from 'commander';
import { Exit, type ExitCode } from '../exit-codes';
import { MAX_TRACE_BYTES, readInput, STDIO, writeOutput } from '../files';
import type { CliIo } from '../io';
import { addOutputOption, type OutputOptions, outputOf } from '../output-option';
import { stdinOnce } from '../scenario-input';

/**
 * The built browser app: shipped inside the CLI next to its bundle (the build copies it to
 * dist/playback-app), so an installed `sevsim` needs no @sevsim/playback; running from source
 * (this package's tests), the workspace's playback build (`vite build` → dist/app).
 */
export function playbackAppDir(): string {
  const shipped = fileURLToPath(new URL('./playback-app/', import.meta.url));
  if (existsSync(join(shipped, 'index.html'))) return shipped;
  const pkg = createRequire(import.meta.url).resolve('@sevsim/playback/package.json');
  return join(dirname(pkg), 'dist', 'app');
}

/** Resolves when the process is asked to stop (Ctrl-C or a termination signal). */
function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

export async function playback(
  trace: string | readonly [string, string],
  opts: OutputOptions & { json?: boolean },
  io: CliIo,
  stop: () => Promise<void> = untilInterrupted,
): Promise<ExitCode> {
  const paths: readonly string[] = typeof trace === 'string' ? [trace] : trace;
  if (!stdinOnce(paths, io)) return Exit.INVALID_INPUT;
  // Each trace is checked as run checks a scenario (a regular file, within a size cap) and by the
  // playback app's own trace check, before anything is rendered or served.
  const texts: string[] = [];
  const traces = [];
  for (const path of paths) {
    const input = await readInput(path, MAX_TRACE_BYTES, io);
    if (!input.ok) return Exit.INVALID_INPUT;
    const reading = readTrace(input.text);
    if (!reading.ok) {
      io.err(`${printable(input.name)}: ${printable(reading.error)}\n`);
      return Exit.INVALID_INPUT;
    }
    texts.push(input.text);
    traces.push(reading.trace);
  }
  const output = outputOf(opts);
  if (output !== undefined) {
    const html = await renderReport(texts as [string] | [string, string], { appDir: playbackAppDir() });
    if (!writeOutput(output, html, io)) return Exit.INVALID_INPUT;
    const written = {
      outPath: output,
      bytes: Buffer.byteLength(html),
      scenario: traces.map((t) => t.result.scenario).join(' vs '),
      steps: Math.max(...traces.map((t) => t.steps.length)),
    };
    // With the report on stdout, what was written is told on stderr.
    const report = output === STDIO ? io.err : io.out;
    if (opts.json) report(`${JSON.stringify(written, null, 2)}\n`);
    else
      report(
        `wrote ${printable(output)} (${written.bytes} bytes): ${printable(written.scenario)}, ${written.steps} steps\n`,
      );
    return Exit.OK;
  }
  if (paths.includes(STDIO)) {
    io.err('sevsim playback: serving needs trace files (standard input works with -o)\n');
    return Exit.INVALID_INPUT;
  }
  try {
    const server = await servePlayback(trace, { appDir: playbackAppDir() });
    io.out(opts.json ? `${JSON.stringify({ url: server.url })}\n` : `${server.url}\n`);
    io.err('serving on 127.0.0.1 only; press Ctrl-C to stop\n');
    await stop();
    await server.close();
    return Exit.OK;
  } catch (e) {
    if (e instanceof TraceFileError) {
      io.err(`${printable(e.message)}\n`);
      return Exit.INVALID_INPUT;
    }
    throw e;
  }
}

export function registerPlayback(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  const cmd = program
    .command('playback')
    .description(
      'step through a trace from `sevsim run -o` in the browser (two traces: side by side), or write a one-file report',
    )
    .argument('<trace>', 'trace file; - reads standard input (with -o)')
    .argument('[other]', 'a second trace, shown beside the first step by step')
    .option('--json', 'print what was written (or the URL served) as JSON');
  addOutputOption(cmd, 'write one self-contained HTML report instead of serving (- for stdout)', '--out');
  cmd
    .addHelpText(
      'after',
      '\nExit status: 0, or 2 for an unreadable or invalid trace or an unwritable output.',
    )
    .action(async (trace: string, other: string | undefined, opts: OutputOptions & { json?: boolean }) =>
      done(await playback(other === undefined ? trace : [trace, other], opts, io)),
    );
}
