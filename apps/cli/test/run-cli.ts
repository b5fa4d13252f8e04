/**
 * The one way the CLI tests run `sevsim`: in-process through `runCli`, with stdout and stderr
 * captured as text and standard input (what `-` reads) given as a string.
 */
import { type CliIo, plainIo, runCli } from '../src/index';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** A plain (uncoloured) io whose output lands in `seen`; `stdin` is what `-` reads. */
export function capturingIo(stdin = ''): { io: CliIo; seen: { out: string; err: string } } {
  const seen = { out: '', err: '' };
  const io = plainIo(
    (t) => (seen.out += t),
    (t) => (seen.err += t),
    stdin,
  );
  return { io, seen };
}

/** `sevsim <argv…>` with `stdin` on standard input. */
export async function cliWithStdin(stdin: string, ...argv: string[]): Promise<CliResult> {
  const { io, seen } = capturingIo(stdin);
  const code = await runCli(argv, io);
  return { code, ...seen };
}

/** `sevsim <argv…>` with empty standard input. */
export function cli(...argv: string[]): Promise<CliResult> {
  return cliWithStdin('', ...argv);
}
