/**
 * Where the CLI reads and writes: stdout for data (results, JSON, exports), stderr for problems
 * and progress (https://clig.dev; https://no-color.org), stdin for a file named `-`. Colour only
 * through `paint`, which in the real process is `node:util.styleText` checking the stream it writes
 * to: no colour when piped, with NO_COLOR or NODE_DISABLE_COLORS, colour with FORCE_COLOR.
 */
import { styleText } from 'node:util';
import { Exit } from './exit-codes';

export type Style = 'green' | 'red' | 'yellow' | 'dim' | 'bold' | 'cyan';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Style text bound for stdout ('out') or stderr ('err'); returns it unchanged where colour is off. */
  paint(style: Style, text: string, stream?: 'out' | 'err'): string;
  /** All of standard input, or 'too-large' once it passes `max` bytes. */
  readStdin(max: number): Promise<Uint8Array | 'too-large'>;
}

async function readProcessStdin(max: number): Promise<Uint8Array | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) {
      process.stdin.destroy();
      return 'too-large';
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Why standard output stopped taking data, in words, for the one line a failed write gets. */
const WRITE_FAILURES: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EFBIG: 'file too large',
};

/**
 * The process's streams. A reader that goes away (`sevsim run … | head -1`: EPIPE) ends the
 * output quietly: nothing more is written and the command's own exit status stands. Any other
 * failure to write standard output (`> /dev/full`) is one line on stderr and exit 2, like a bad
 * output path: the destination is the user's choice, not a bug in sevsim.
 */
export function processIo(): CliIo {
  let stdoutGone = false;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (stdoutGone) return;
    stdoutGone = true;
    if (e.code === 'EPIPE') return;
    const why = (e.code && WRITE_FAILURES[e.code]) ?? e.code ?? e.message;
    process.stderr.write(`sevsim: cannot write standard output: ${why}\n`);
    process.exitCode = Exit.INVALID_INPUT;
  });
  // A closed stderr (`2>&-` or a reader gone) must not turn into an uncaught exception either.
  process.stderr.on('error', () => {});
  return {
    out: (t) => {
      if (!stdoutGone) process.stdout.write(t);
    },
    err: (t) => process.stderr.write(t),
    paint: (style, text, stream = 'out') =>
      styleText(style, text, { stream: stream === 'out' ? process.stdout : process.stderr }),
    readStdin: readProcessStdin,
  };
}

/** Plain text, for tests and for output written to files; `stdin` is what `-` reads. */
export function plainIo(out: (t: string) => void, err: (t: string) => void, stdin = ''): CliIo {
  return {
    out,
    err,
    paint: (_s, text) => text,
    readStdin: async (max) => {
      const bytes = new TextEncoder().encode(stdin);
      return bytes.length > max ? 'too-large' : bytes;
    },
  };
}
