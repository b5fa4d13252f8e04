/**
 * What the validator must know about the layers: the names a scenario may use (CPU presets,
 * kernel releases, patches, module parameters per release, errno and firmware status names,
 * firmware commands and their buffer fields). The values come from the layers' exported tables
 * (see `layer-catalog.ts`); the validator only sees this interface.
 */
import type { Json } from './trace';

export type ModuleName = 'ccp' | 'kvm_amd';
export const MODULES: readonly ModuleName[] = ['ccp', 'kvm_amd'];

/**
 * Kernel command-line parameters of the kernel core (not of a module) that the model acts on. They
 * take any value as text: `nosmt: force` is `nosmt=force`, any other value disables SMT as plain
 * `nosmt` does (kernel/cpu.c smt_cmdline_disable compares with "force" only).
 */
export const CORE_PARAMS: readonly string[] = ['nosmt', 'dyndbg'];

/**
 * The parameter every module takes tacitly: `dyndbg` (lib/dynamic_debug.c
 * ddebug_dyndbg_module_param_cb), as `module.dyndbg` on the command line or `dyndbg` to modprobe.
 */
export const MODULE_DYNDBG = 'dyndbg';

/** The names a module takes from modprobe: its parameters and `dyndbg`. */
export function modprobeParamNames(params: readonly ParamInfo[], module: ModuleName): string[] {
  return [...params.filter((p) => p.module === module).map((p) => p.name), MODULE_DYNDBG];
}

/** The names `kernel.params` takes: `module.param` for every module parameter and `dyndbg`, and the core ones. */
export function commandLineParamNames(params: readonly ParamInfo[]): string[] {
  return [
    ...new Set([
      ...params.map((p) => `${p.module}.${p.name}`),
      ...MODULES.map((m) => `${m}.${MODULE_DYNDBG}`),
      ...CORE_PARAMS,
    ]),
  ].sort();
}

export interface ParamInfo {
  readonly module: ModuleName;
  readonly name: string;
  readonly type: 'bool' | 'uint' | 'int' | 'string';
  readonly default: Json;
}

/** What the hardware's machine check knows of a CPU preset (@sevsim/hardware CPU_PRESETS). */
export interface CpuFacts {
  readonly family: number;
  readonly modelRange: readonly [number, number];
  readonly maxSockets: number;
  /** Physical cores per socket and threads per core when the scenario gives no `cores`. */
  readonly cores: number;
  readonly threadsPerCore: number;
  /** ASIDs when the scenario gives no `asids`. */
  readonly asids: number;
  readonly ciphertextHidingCapable: boolean;
  readonly segmentedRmp: boolean;
  /** The PSP's PCI function (the CPU's; the bus is the board's). */
  readonly pspPciFunction: number;
  /** Socket 1's PSP address when `pspPci` leaves it to the preset; absent on one-socket parts. */
  readonly pspPciSecondSocket?: string;
}

export interface Catalog {
  /** In the order a CPUID family and model are matched against them. */
  readonly cpus: readonly string[];
  readonly cpuFacts: Readonly<Record<string, CpuFacts>>;
  /** The preset of a machine that names none. */
  readonly defaultCpu: string;
  /** Oldest first; the last one is the default kernel. */
  readonly releases: readonly string[];
  readonly patches: readonly string[];
  /** The releases a patch applies to. */
  patchReleases(patch: string): readonly string[];
  /** Why this release + patch set cannot be built, or undefined when it can. */
  releaseProblem(version: string, patches: readonly string[]): string | undefined;
  /** The module parameters a release has (with its patches). */
  params(version: string, patches: readonly string[]): readonly ParamInfo[];
  /** Every parameter any release has (for the JSON Schema). */
  readonly allParams: readonly ParamInfo[];
  readonly errnos: readonly string[];
  readonly statusNames: readonly string[];
  statusCode(name: string): number | undefined;
  readonly pspCommands: readonly string[];
  /** The /dev/sev SEV_ISSUE_CMD commands a `sev.ioctl` step may issue (@sevsim/ccp SEV_IOCTL). */
  readonly sevIoctls: readonly string[];
  /** The name of a firmware command id as ccp prints it ("sev command 0x85 ..."), or undefined. */
  pspCommandName(id: number): string | undefined;
  /** Buffer fields of a firmware command (camelCase codec names), undefined for an unknown command. */
  pspFields(cmd: string): readonly string[] | undefined;
  /** How many bits a command's buffer field holds (the struct's field width), undefined if unknown. */
  pspFieldBits(cmd: string, field: string): number | undefined;
  /** Why a firmware version cannot be one (the firmware's own parse), or undefined. */
  firmwareVersionProblem(version: string): string | undefined;
  /** The largest major, minor and build a firmware version may have. */
  readonly firmwareVersionMax: { readonly major: number; readonly minor: number; readonly build: number };
  /** Why sevsim cannot decide a dynamic-debug query (it selects single call sites), or undefined. */
  dyndbgQueryProblem(query: string): string | undefined;
  /** Why the machine cannot be built (the hardware's own check), or undefined. */
  machineProblem(machine: Record<string, unknown>): string | undefined;
}
