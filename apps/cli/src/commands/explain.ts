/** `sevsim explain FILE [--json]`: for every failing step, why it failed and what would make it pass. */
import { defaultCatalog, formatError, printable, runLog } from '@sevsim/scenario';
import type { Command } from 'commander';
import { Exit, type ExitCode } from '../exit-codes';
import { inputName } from '../files';
import type { CliIo } from '../io';
import { loadScenarioArg } from '../scenario-input';

export async function explainFile(arg: string, opts: { json?: boolean }, io: CliIo): Promise<ExitCode> {
  const file = inputName(arg);
  const loaded = await loadScenarioArg(arg, defaultCatalog(), io);
  if (!loaded.ok) {
    for (const e of loaded.errors) io.err(`${formatError(e)}\n`);
    if (opts.json)
      io.out(`${JSON.stringify({ version: 1, file, valid: false, errors: loaded.errors }, null, 2)}\n`);
    return Exit.INVALID_INPUT;
  }
  const trace = runLog(loaded.scenario);
  const failing = [trace.boot, ...trace.steps].filter((s) => s.explanation !== undefined);
  if (opts.json) {
    // `step` is 1-based as in the text output; null for boot (line 0).
    const explanations = failing.map((s) => ({
      step: s.index < 0 ? null : s.index + 1,
      line: s.line,
      op: s.op,
      explanation: s.explanation,
    }));
    io.out(
      `${JSON.stringify({ version: 1, file, scenario: trace.result.scenario, explanations }, null, 2)}\n`,
    );
    return Exit.OK;
  }
  if (failing.length === 0) {
    io.out(`${printable(file)}: no step failed\n`);
    return Exit.OK;
  }
  for (const s of failing) {
    const where = s.index < 0 ? 'boot' : `step ${s.index + 1} (line ${s.line}, ${s.op})`;
    io.out(`${io.paint('bold', `${printable(file)}: ${where}`)}\n  ${printable(s.explanation ?? '')}\n`);
  }
  return Exit.OK;
}

export function registerExplain(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  program
    .command('explain')
    .description('run a scenario and explain each failing step: the rule, the state that caused it, the fix')
    .argument('<file>', 'scenario file; - reads standard input')
    .option('--json', 'print {file, scenario, explanations: [{step, line, op, explanation}]}')
    .addHelpText('after', '\nExit status: 0 explained (or nothing failed), 2 invalid input.')
    .action(async (file: string, opts: { json?: boolean }) => done(await explainFile(file, opts, io)));
}
