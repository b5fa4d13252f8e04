/**
 * `sevsim playback TRACE [OTHER] [--out report.html]`: serve the playback app for a trace (or two
 * traces side by side) on 127.0.0.1 until Ctrl-C, or write it as one self-contained HTML file.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { servePlayback, TraceFileError, writeReport } from '@sevsim/playback';
import type { Command } from 'commander';
import { Exit, type ExitCode } from '../exit-codes';
import type { CliIo } from '../io';

/** The built browser app lives in the playback package (`vite build` → dist/app). */
export function playbackAppDir(): string {
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
  opts: { out?: string },
  io: CliIo,
  stop: () => Promise<void> = untilInterrupted,
): Promise<ExitCode> {
  try {
    if (opts.out) {
      const r = await writeReport(trace, opts.out, { appDir: playbackAppDir() });
      io.out(`wrote ${r.outPath} (${r.bytes} bytes): ${r.scenario}, ${r.steps} steps\n`);
      return Exit.OK;
    }
    const server = await servePlayback(trace, { appDir: playbackAppDir() });
    io.out(`${server.url}\n`);
    io.err('serving on 127.0.0.1 only; press Ctrl-C to stop\n');
    await stop();
    await server.close();
    return Exit.OK;
  } catch (e) {
    if (e instanceof TraceFileError) {
      io.err(`${e.message}\n`);
      return Exit.INVALID_INPUT;
    }
    throw e;
  }
}

export function registerPlayback(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  program
    .command('playback')
    .description(
      'step through a trace from `sevsim run --trace` in the browser (two traces: side by side), or write a one-file report',
    )
    .argument('<trace>', 'trace file')
    .argument('[other]', 'a second trace, shown beside the first step by step')
    .option('--out <file>', 'write one self-contained HTML report instead of serving')
    .action(async (trace: string, other: string | undefined, opts: { out?: string }) =>
      done(await playback(other === undefined ? trace : [trace, other], opts, io)),
    );
}
