/** `sevsim validate FILE...`: parse and check without running (exit 0 or 2). */
import { defaultCatalog, formatError, loadScenario } from '@sevsim/scenario';
import type { Command } from 'commander';
import { Exit, type ExitCode } from '../exit-codes';
import type { CliIo } from '../io';

export function validateFiles(files: readonly string[], opts: { json?: boolean }, io: CliIo): ExitCode {
  const catalog = defaultCatalog();
  let code: ExitCode = Exit.OK;
  const docs: unknown[] = [];
  for (const file of files) {
    const loaded = loadScenario(file, catalog);
    if (loaded.ok) {
      if (!opts.json) io.out(`${file}: ok (${loaded.scenario.steps.length} steps)\n`);
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
    .argument('<files...>', 'scenario files')
    .option('--json', 'print {file, valid, errors[]} per file')
    .addHelpText('after', '\nExit status: 0 all files valid, 2 some file is invalid.')
    .action((files: string[], opts: { json?: boolean }) => done(validateFiles(files, opts, io)));
}
