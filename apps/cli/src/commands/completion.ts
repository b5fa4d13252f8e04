/**
 * `sevsim completion bash|zsh|fish`: a completion script for the shell, generated from the
 * registered commands and their options, so it never lists a flag the program does not take.
 * Install: `sevsim completion bash > /etc/bash_completion.d/sevsim`, or for zsh a file `_sevsim`
 * on `$fpath`, or for fish `~/.config/fish/completions/sevsim.fish`.
 */
import type { Command } from 'commander';
import { Exit, type ExitCode } from '../exit-codes';
import type { CliIo } from '../io';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

interface Spec {
  readonly name: string;
  readonly description: string;
  /** Visible long and short flags, e.g. `--json`, `-o`. */
  readonly flags: readonly string[];
  readonly options: readonly { long?: string; short?: string; description: string; takesValue: boolean }[];
}

function specs(program: Command): Spec[] {
  return program.commands.map((c) => {
    const options = c.options
      .filter((o) => !o.hidden)
      .map((o) => ({
        ...(o.long ? { long: o.long } : {}),
        ...(o.short ? { short: o.short } : {}),
        description: o.description,
        takesValue: o.required || o.optional,
      }));
    return {
      name: c.name(),
      description: c.description(),
      flags: options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined)),
      options,
    };
  });
}

/** Single-quoted for a shell script (descriptions are ours, but quoting stays correct whatever they say). */
const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const firstClause = (s: string) => s.split(/[;(]/)[0]!.trim();

function bash(cmds: Spec[]): string {
  const cases = cmds.map((c) => `    ${c.name}) opts=${sq([...c.flags, '--help'].join(' '))} ;;`).join('\n');
  return `# bash completion for sevsim (sevsim completion bash)
_sevsim() {
  local cur=\${COMP_WORDS[COMP_CWORD]} cmd=\${COMP_WORDS[1]} opts
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W ${sq([...cmds.map((c) => c.name), '--help', '--version', '--debug'].join(' '))} -- "$cur"))
    return
  fi
  case "$cmd" in
${cases}
    *) opts='' ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _sevsim sevsim
`;
}

function zsh(cmds: Spec[]): string {
  const esc = (s: string) => firstClause(s).replace(/[[\]:'\\]/g, (c) => `\\${c}`);
  const list = cmds.map((c) => `    ${sq(`${c.name}:${esc(c.description)}`)}`).join('\n');
  const cases = cmds
    .map((c) => {
      const args = c.options.map((o) => {
        const names = [o.short, o.long].filter(Boolean) as string[];
        const spec = names.length > 1 ? `(${names.join(' ')})'{${names.join(',')}}'` : names[0]!;
        return `        ${spec}'[${esc(o.description)}]${o.takesValue ? ':value:_files' : ''}'`;
      });
      return `      ${c.name})\n        _arguments \\\n${[...args, "        '*:file:_files'"].join(' \\\n')}\n        ;;`;
    })
    .join('\n');
  return `#compdef sevsim
# zsh completion for sevsim (sevsim completion zsh)
_sevsim() {
  local -a commands
  commands=(
${list}
  )
  if (( CURRENT == 2 )); then
    _describe command commands
    return
  fi
  case $words[2] in
${cases}
  esac
}
compdef _sevsim sevsim
`;
}

function fish(cmds: Spec[]): string {
  const lines = ['# fish completion for sevsim (sevsim completion fish)', 'complete -c sevsim -f'];
  for (const c of cmds) {
    lines.push(
      `complete -c sevsim -n __fish_use_subcommand -a ${c.name} -d ${sq(firstClause(c.description))}`,
    );
    for (const o of c.options) {
      const names = [o.long ? `-l ${o.long.slice(2)}` : '', o.short ? `-s ${o.short.slice(1)}` : '']
        .filter(Boolean)
        .join(' ');
      lines.push(
        `complete -c sevsim -n '__fish_seen_subcommand_from ${c.name}' ${names}${o.takesValue ? ' -r -F' : ''} -d ${sq(firstClause(o.description))}`,
      );
    }
    lines.push(`complete -c sevsim -n '__fish_seen_subcommand_from ${c.name}' -F`);
  }
  return `${lines.join('\n')}\n`;
}

const GENERATORS: Record<Shell, (cmds: Spec[]) => string> = { bash, zsh, fish };

export function registerCompletion(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .argument('<shell>', `one of ${SHELLS.join(', ')}`)
    .addHelpText(
      'after',
      '\nbash: sevsim completion bash > ~/.local/share/bash-completion/completions/sevsim\n' +
        'zsh:  sevsim completion zsh > ~/.zfunc/_sevsim   (with ~/.zfunc on fpath)\n' +
        'fish: sevsim completion fish > ~/.config/fish/completions/sevsim.fish',
    )
    .action((shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell)) {
        io.err(`sevsim completion: unknown shell "${shell}" (allowed: ${SHELLS.join(', ')})\n`);
        return done(Exit.INVALID_INPUT);
      }
      io.out(GENERATORS[shell as Shell](specs(program)));
      done(Exit.OK);
    });
}
