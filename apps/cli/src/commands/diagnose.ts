/**
 * `sevsim diagnose LOG... [--facts FILE] [--kernel R] [--cpu PRESET] [--goal snp|sev-es|sev]
 * [--json] [--out DIR]` and `sevsim diagnose --host [--root DIR]` (diagnose-v1 contract): from a
 * real host's kernel log to the configuration, its replay, the refused rule and verified fixes.
 * Logs are streamed (`-` is standard input); nothing is written on the host.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import {
  collectHost,
  DiagnoseInputError,
  diagnose,
  type Facts,
  formatDiagnosis,
  type Goal,
  type ReadLog,
  readLogStreams,
} from '@sevsim/diagnose';
import type { Json } from '@sevsim/scenario';
import type { Command } from 'commander';
import { isMap, LineCounter, parseDocument } from 'yaml';
import { Exit, type ExitCode } from '../exit-codes';
import { MAX_FACTS_BYTES, makeDirectory, readInput, writeOutput } from '../files';
import type { CliIo } from '../io';
import { addOutputOption, type OutputOptions, outputOf } from '../output-option';
import { stdinOnce } from '../scenario-input';

interface DiagnoseOptions extends OutputOptions {
  facts?: string;
  kernel?: string;
  cpu?: string;
  goal?: string;
  json?: boolean;
  host?: boolean;
  root?: string;
}

const GOALS: readonly Goal[] = ['snp', 'sev-es', 'sev'];
const FACT_KEYS = ['machine', 'kernel', 'cmdline', 'cpuinfo', 'parameters'] as const;

class InputError extends Error {}

/** Scenario paths of a nested `machine`/`kernel` map (`kernel.params` keys stay whole). */
function flatten(prefix: string, v: unknown, out: Record<string, Json>): void {
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && prefix !== 'kernel.params') {
    for (const [k, x] of Object.entries(v)) flatten(`${prefix}.${k}`, x, out);
    return;
  }
  if (prefix === 'kernel.params' && v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) out[`kernel.params.${k}`] = x as Json;
    return;
  }
  out[prefix] = v as Json;
}

/** `--facts FILE`: YAML or JSON with `machine`, `kernel` (scenario v1), `cmdline`, `cpuinfo`, `parameters`. */
export function parseFacts(text: string, file: string): Facts {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const at = lines.linePos(e.pos[0]);
    throw new InputError(`${file}:${at.line}:${at.col}: ${e.message.split('\n')[0]}`);
  }
  if (!isMap(doc.contents))
    throw new InputError(`${file}:1:1: facts must be a map (keys: ${FACT_KEYS.join(', ')})`);
  for (const item of doc.contents.items) {
    const key = String((item.key as { value?: unknown })?.value ?? item.key);
    if (!(FACT_KEYS as readonly string[]).includes(key)) {
      const at = lines.linePos((item.key as { range?: readonly number[] } | null)?.range?.[0] ?? 0);
      throw new InputError(
        `${file}:${at.line}:${at.col}: ${key}: unknown key (allowed: ${FACT_KEYS.join(', ')})`,
      );
    }
  }
  const v = doc.toJS() as Record<string, unknown>;
  const values: Record<string, Json> = {};
  if (v.machine !== undefined) flatten('machine', v.machine, values);
  if (v.kernel !== undefined) flatten('kernel', v.kernel, values);
  const str = (k: string): string | undefined => {
    if (v[k] === undefined) return undefined;
    if (typeof v[k] !== 'string') throw new InputError(`${file}: ${k}: must be a string`);
    return v[k] as string;
  };
  const parameters: Record<string, Record<string, string>> = {};
  for (const [mod, ps] of Object.entries((v.parameters ?? {}) as Record<string, unknown>)) {
    if (mod !== 'ccp' && mod !== 'kvm_amd')
      throw new InputError(`${file}: parameters.${mod}: only ccp and kvm_amd`);
    parameters[mod] = Object.fromEntries(
      Object.entries((ps ?? {}) as Record<string, unknown>).map(([k, x]) => [k, String(x)]),
    );
  }
  const cmdline = str('cmdline');
  const cpuinfo = str('cpuinfo');
  return {
    source: file,
    values,
    parameters,
    ...(cmdline !== undefined ? { cmdline } : {}),
    ...(cpuinfo !== undefined ? { cpuinfo } : {}),
  };
}

async function readInputs(logs: readonly string[]): Promise<ReadLog> {
  return readLogStreams(
    logs.map((name) => ({
      name: name === '-' ? '<stdin>' : name,
      stream: name === '-' ? process.stdin : createReadStream(name),
    })),
  ).catch((e: NodeJS.ErrnoException) => {
    throw new InputError(`${e.path ?? 'input'}: cannot read (${e.code ?? e.message})`);
  });
}

export async function diagnoseCommand(
  logs: readonly string[],
  opts: DiagnoseOptions,
  io: CliIo,
): Promise<ExitCode> {
  try {
    if (opts.goal !== undefined && !GOALS.includes(opts.goal as Goal)) {
      throw new InputError(`--goal: '${opts.goal}' is not one of ${GOALS.join(', ')}`);
    }
    if (opts.host && logs.length > 0)
      throw new InputError('--host reads the log of this machine: give no LOG files');
    if (!opts.host && logs.length === 0)
      throw new InputError('give a kernel log (LOG, or - for standard input), or --host');
    if (opts.root && !opts.host) throw new InputError('--root goes with --host');
    let log: ReadLog;
    if (!stdinOnce(opts.facts === undefined ? logs : [...logs, opts.facts], io)) return Exit.INVALID_INPUT;
    let facts: Facts | undefined;
    if (opts.facts !== undefined) {
      // A page of YAML: read whole, with the checks every input gets (a FIFO or /dev/zero is refused).
      const input = await readInput(opts.facts, MAX_FACTS_BYTES, io);
      if (!input.ok) return Exit.INVALID_INPUT;
      facts = parseFacts(input.text, input.name);
    }
    if (opts.host) {
      const host = collectHost(opts.root ?? '/');
      log = host.log;
      facts = {
        ...host.facts,
        ...(facts ?? {}),
        parameters: { ...host.facts.parameters, ...(facts?.parameters ?? {}) },
      };
    } else log = await readInputs(logs);
    const d = diagnose(log, {
      ...(facts ? { facts } : {}),
      ...(opts.kernel ? { kernel: opts.kernel } : {}),
      ...(opts.cpu ? { cpu: opts.cpu } : {}),
      ...(opts.goal ? { goal: opts.goal as Goal } : {}),
    });
    const out = outputOf(opts);
    // An output directory that cannot be written is the user's input (2); the diagnosis is printed either way.
    const written =
      out === undefined ||
      (makeDirectory(out, io) &&
        [
          { name: 'scenario.yaml', text: d.scenarioYaml },
          { name: 'trace.json', text: `${JSON.stringify(d.trace)}\n` },
          ...d.fixScenarios.map((f) => ({ name: f.name, text: f.yaml })),
        ].every((f) => writeOutput(join(out, f.name), f.text, io)));
    if (opts.json) io.out(`${JSON.stringify(d.json, null, 2)}\n`);
    else {
      io.out(formatDiagnosis(d.json));
      if (out !== undefined && written)
        io.out(
          `\nWrote ${join(out, 'scenario.yaml')}, ${join(out, 'trace.json')}${d.fixScenarios.length ? ` and ${d.fixScenarios.map((f) => join(out, f.name)).join(', ')}` : ''}\n`,
        );
    }
    return written ? Exit.OK : Exit.INVALID_INPUT;
  } catch (e) {
    if (e instanceof InputError || e instanceof DiagnoseInputError) {
      io.err(`sevsim diagnose: ${e.message}\n`);
      return Exit.INVALID_INPUT;
    }
    throw e;
  }
}

export function registerDiagnose(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  const cmd = program
    .command('diagnose')
    .description(
      "read a host's kernel log, reconstruct its configuration, replay it, explain what failed and list verified fixes",
    )
    .argument(
      '[logs...]',
      'kernel logs in order (dmesg, dmesg -T, journalctl -k, serial capture); - for standard input',
    )
    .option(
      '--facts <file>',
      'YAML/JSON of what the log cannot say: machine, kernel (scenario v1), cmdline, cpuinfo, parameters',
    )
    .option(
      '--kernel <release>',
      'the kernel release instead of the one the log shows (nearest modelled one is used)',
    )
    .option('--cpu <preset>', 'the CPU preset instead of the one inferred')
    .option(
      '--goal <type>',
      'the guest type wanted working: snp, sev-es or sev (default: the most capable the CPU has)',
    )
    .option('--json', 'print the diagnosis document (diagnose v1) instead of text')
    .option(
      '--host',
      'diagnose this machine: /dev/kmsg (or dmesg), /proc/cmdline, /proc/cpuinfo, /sys/module parameters; read-only',
    )
    .option('--root <dir>', 'with --host: read those paths under DIR instead of /');
  addOutputOption(
    cmd,
    'directory for scenario.yaml, trace.json (for sevsim playback) and fix-N.yaml',
    '--out',
  );
  cmd
    .addHelpText(
      'after',
      '\nExit status: 0 a diagnosis was made (whatever it found), 2 unreadable input or no SEV-related kernel line, 3 internal error.',
    )
    .action(async (logs: string[], opts: DiagnoseOptions) => done(await diagnoseCommand(logs, opts, io)));
}
