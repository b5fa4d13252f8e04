/**
 * The `sevsim` command: one module per subcommand (src/commands/*.ts), registered here.
 * `runCli` never throws and never exits the process: it returns the exit status.
 */
import { Command, CommanderError } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { registerCompare } from './commands/compare';
import { registerCompletion } from './commands/completion';
import { registerDiagnose } from './commands/diagnose';
import { registerExplain } from './commands/explain';
import { registerExplore } from './commands/explore';
import { registerExport } from './commands/export';
import { registerPlayback } from './commands/playback';
import { registerRun } from './commands/run';
import { registerValidate } from './commands/validate';
import { Exit, type ExitCode } from './exit-codes';
import type { CliIo } from './io';

export type Register = (program: Command, io: CliIo, done: (code: ExitCode) => void) => void;

/** Subcommands in help order. */
export const COMMANDS: readonly Register[] = [
  registerRun,
  registerValidate,
  registerExplain,
  registerExport,
  registerPlayback,
  registerExplore,
  registerCompare,
  registerDiagnose,
  registerCompletion,
];

export function buildProgram(io: CliIo, done: (code: ExitCode) => void): Command {
  const program = new Command('sevsim')
    .description('AMD SEV / SEV-SNP platform simulator: hardware, PSP firmware, ccp driver, kvm-amd')
    .version(pkg.version, '-V, --version')
    .option('--debug', 'show the stack trace of an internal error')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride();
  for (const register of COMMANDS) register(program, io, done);
  for (const sub of program.commands)
    sub.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
  return program;
}

/** Help and version are successful exits; every other commander error is a usage error (2). */
const SUCCESS_CODES = new Set(['commander.helpDisplayed', 'commander.version', 'commander.help']);

export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let code: ExitCode = Exit.OK;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    if (argv.length === 0) {
      io.out(program.helpInformation());
      return Exit.OK;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return SUCCESS_CODES.has(e.code) ? Exit.OK : Exit.INVALID_INPUT;
    const debug = argv.includes('--debug');
    const msg = e instanceof Error ? e.message : String(e);
    io.err(
      `sevsim: internal error: ${msg.split('\n')[0]}${debug ? '' : ' (run with --debug for the stack)'}\n`,
    );
    if (debug && e instanceof Error && e.stack) io.err(`${e.stack}\n`);
    return Exit.INTERNAL_ERROR;
  }
}
