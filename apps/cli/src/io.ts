/**
 * Where the CLI writes: stdout for data (results, JSON, exports), stderr for problems
 * (https://clig.dev; https://no-color.org). Colour only through `paint`, which in the real process is
 * `node:util.styleText` checking the stream it writes to: no colour when piped, with NO_COLOR
 * or NODE_DISABLE_COLORS, colour with FORCE_COLOR.
 */
import { styleText } from 'node:util';

export type Style = 'green' | 'red' | 'yellow' | 'dim' | 'bold' | 'cyan';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Style text bound for stdout ('out') or stderr ('err'); returns it unchanged where colour is off. */
  paint(style: Style, text: string, stream?: 'out' | 'err'): string;
}

export function processIo(): CliIo {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    paint: (style, text, stream = 'out') =>
      styleText(style, text, { stream: stream === 'out' ? process.stdout : process.stderr }),
  };
}

/** Plain text, for tests and for output written to files. */
export function plainIo(out: (t: string) => void, err: (t: string) => void): CliIo {
  return { out, err, paint: (_s, text) => text };
}
