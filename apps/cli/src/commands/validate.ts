/** `sevsim validate FILE...`: parse and check without running (exit 0 or 2). */
import { defaultCatalog, formatError, printable } from '@sevsim/scenario';
import type { Command } from 'commander';
import { Exit, type ExitCode } from '../exit-codes';
import { inputName } from '../files';
import type { CliIo } from '../io';
import { loadScenarioArg, stdinOnce } from '../scenario-input';

export async function validateFiles(
  files: readonly string[],
  opts: { json?: boolean },
  io: CliIo,
): Promise<ExitCode> {
  if (!stdinOnce(files, io)) return Exit.INVALID_INPUT;
  const catalog = defaultCatalog();
  let code: ExitCode = Exit.OK;
  const docs: unknown[] = [];
  for (const arg of files) {
    const file = inputName(arg);
    const loaded = await loadScenarioArg(arg, catalog, io);
    if (loaded.ok) {
      if (!opts.json) io.out(`${printable(file)}: ok (${loaded.scenario.steps.length} steps)\n`);
      docs.push({ version: 1, file, valid: true, errors: [] });
    } else {
      code = Exit.INVALID_INPUT;
      for (const e of loaded.errors) io.err(`${formatError(e)}\n`);
      docs.push({ version: 1, file, valid: false, errors: loaded.errors });
    }
  }
  if (opts.json) io.out(`${JSON.stringify(files.length === 1 ? docs[0] : docs, null, 2)}\n`);
  return code;
}

export function registerValidate(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  program
    .command('validate')
    .description('check scenario files without running them; every problem is reported')
    .argument('<files...>', 'scenario files; - reads standard input')
    .option('--json', 'print {file, valid, errors[]} per file')
    .addHelpText('after', '\nExit status: 0 all files valid, 2 some file is invalid.')
    .action(async (files: string[], opts: { json?: boolean }) => done(await validateFiles(files, opts, io)));
}
