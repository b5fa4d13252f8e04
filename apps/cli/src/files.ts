/**
 * The user's input files and output paths. `-` is standard input where a command reads a file
 * and standard output where it writes one (clig.dev). A path that cannot be read or written is the
 * user's input, never an internal error: one line naming it, exit 2. Inputs are checked as
 * `loadScenario` checks a scenario: a regular file (not a directory, device or FIFO), within a
 * size cap, UTF-8 text.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { decodeText } from '@sevsim/scenario';
import type { CliIo } from './io';
import { printable } from '@sevsim/scenario';

export const STDIO = '-';
/** How files read from standard input are named in messages. */
export const STDIN_NAME = '<stdin>';

/** How a file argument is named in output: `<stdin>` for `-`. */
export const inputName = (path: string) => (path === STDIO ? STDIN_NAME : path);

/** A trace of the longest example is ~1 MB; 64 MiB leaves room and stops `/dev/zero`-like input. */
export const MAX_TRACE_BYTES = 64 * 1024 * 1024;
/** An `explore --json` result lists a line per configuration and its violations: trace-sized at most. */
export const MAX_RESULT_BYTES = MAX_TRACE_BYTES;
/** A facts file (`diagnose --facts`) is a page of YAML, as is a space file. */
export const MAX_FACTS_BYTES = 1024 * 1024;
/** A space file is a page of YAML. */
export const MAX_SPACE_BYTES = 1024 * 1024;

/** Words for the errno codes a user can cause with a path. */
const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a parent is not a directory',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EIO: 'input/output error',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many symbolic links',
  EEXIST: 'exists and is not a directory',
};

export function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code && REASONS[code]) ?? code ?? (e instanceof Error ? e.message : String(e));
}

export type Input =
  | { readonly ok: true; readonly name: string; readonly text: string }
  | { readonly ok: false };

/** Read a file (or stdin for `-`), or report in one line why it cannot be used. */
export async function readInput(path: string, max: number, io: CliIo): Promise<Input> {
  const fail = (why: string): Input => {
    io.err(`${printable(path === STDIO ? STDIN_NAME : path)}: ${why}\n`);
    return { ok: false };
  };
  let bytes: Uint8Array;
  if (path === STDIO) {
    const read = await io.readStdin(max);
    if (read === 'too-large') return fail(`more than ${max} bytes`);
    bytes = read;
  } else {
    try {
      const st = statSync(path);
      if (st.isDirectory()) return fail('is a directory');
      if (!st.isFile()) return fail('is not a regular file');
      if (st.size > max) return fail(`is ${st.size} bytes; at most ${max} are read`);
      bytes = readFileSync(path);
    } catch (e) {
      return fail(`cannot be read: ${reason(e)}`);
    }
  }
  const text = decodeText(bytes);
  if (text === undefined) return fail('is a binary file, not text');
  return { ok: true, name: path === STDIO ? STDIN_NAME : path, text };
}

/** Write `text` to `path` (stdout for `-`); false after one line saying why it could not be. */
export function writeOutput(path: string, text: string, io: CliIo): boolean {
  if (path === STDIO) {
    io.out(text);
    return true;
  }
  try {
    writeFileSync(path, text);
    return true;
  } catch (e) {
    io.err(`sevsim: cannot write ${printable(path)}: ${reason(e)}\n`);
    return false;
  }
}

/** Create an output directory (and its parents); false after one line saying why it could not be. */
export function makeDirectory(path: string, io: CliIo): boolean {
  try {
    mkdirSync(path, { recursive: true });
    return true;
  } catch (e) {
    io.err(`sevsim: cannot create directory ${printable(path)}: ${reason(e)}\n`);
    return false;
  }
}
