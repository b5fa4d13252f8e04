/** `sevsim explain FILE`: for every failing step, why it failed and what would make it pass. */
import { defaultCatalog, formatError, loadScenario, runLog } from '@sevsim/scenario';
import type { Command } from 'commander';
import { Exit, type ExitCode } from '../exit-codes';
import type { CliIo } from '../io';

export function explainFile(file: string, io: CliIo): ExitCode {
  const loaded = loadScenario(file, defaultCatalog());
  if (!loaded.ok) {
    for (const e of loaded.errors) io.err(`${formatError(e)}\n`);
    return Exit.INVALID_INPUT;
  }
  const trace = runLog(loaded.scenario);
  const failing = [trace.boot, ...trace.steps].filter((s) => s.explanation !== undefined);
  if (failing.length === 0) {
    io.out(`${file}: no step failed\n`);
    return Exit.OK;
  }
  for (const s of failing) {
    const where = s.index < 0 ? 'boot' : `step ${s.index + 1} (line ${s.line}, ${s.op})`;
    io.out(`${io.paint('bold', `${file}: ${where}`)}\n  ${s.explanation}\n`);
  }
  return Exit.OK;
}

export function registerExplain(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  program
    .command('explain')
    .description('run a scenario and explain each failing step: the rule, the state that caused it, the fix')
    .argument('<file>', 'scenario file')
    .addHelpText('after', '\nExit status: 0 explained (or nothing failed), 2 invalid input.')
    .action((file: string) => done(explainFile(file, io)));
}
