/**
 * One name for the output flag on every command: `-o, --output`. The names earlier releases used
 * (`run --trace`, `playback --out`, `explore`/`compare --out`) keep working as aliases, listed in
 * each command's help.
 */
import { type Command, Option } from 'commander';

export interface OutputOptions {
  output?: string;
  /** The command's older name for --output, when it had one. */
  trace?: string;
  out?: string;
}

export function addOutputOption(cmd: Command, description: string, alias?: '--trace' | '--out'): Command {
  cmd.option('-o, --output <path>', description);
  if (alias) {
    cmd.addOption(new Option(`${alias} <path>`, 'alias of --output').hideHelp());
    cmd.addHelpText('after', `\n${alias} is an alias of -o/--output.`);
  }
  return cmd;
}

/** The output path given under either name (`--output` wins when both are). */
export function outputOf(opts: OutputOptions): string | undefined {
  return opts.output ?? opts.trace ?? opts.out;
}
