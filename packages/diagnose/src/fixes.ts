/**
 * Fix search: the changes a user can make (BIOS options including boot mode and SMEE, IOMMU mode,
 * CPUs online, kernel and module parameters, firmware version, kernel release, built-in vs
 * module), combined smallest first. Every set is run through the layers; only those whose replay
 * reaches the goal are kept, and never a superset of one already kept (no fix changes more than
 * it needs).
 */
import { CPU_PRESETS, type CpuModel } from '@sevsim/hardware';
import type { Catalog, Json, KernelInput, MachineInput, Scenario } from '@sevsim/scenario';
import { setPath } from './infer';
import { buildScenario, type Capabilities, capabilitiesOf } from './replay';

export type Goal = 'snp' | 'sev-es' | 'sev';

export interface Change {
  readonly path: string;
  readonly value: Json;
}

export interface Fix {
  readonly changes: readonly Change[];
  readonly capabilities: Capabilities;
  readonly verified: true;
  /** The scenario with the changes applied (for `--out`). */
  readonly scenario: Scenario;
  readonly yaml: string;
}

/** Largest change set tried. */
export const MAX_CHANGES = 3;
/** Fixes reported. */
export const MAX_FIXES = 6;

const GOAL_KEY: Readonly<Record<Goal, keyof Capabilities>> = { snp: 'snp', 'sev-es': 'sevEs', sev: 'sev' };

export function reaches(c: Capabilities, goal: Goal): boolean {
  return c[GOAL_KEY[goal]];
}

/** How much of the goal's chain a result reaches (SEV, then SEV-ES, then SNP). */
function reach(c: Capabilities): number {
  return (c.sev ? 1 : 0) + (c.sevEs ? 1 : 0) + (c.snp ? 1 : 0);
}

/** The most capable type the CPU has (CPUID 0x8000001F of its preset). */
export function defaultGoal(cpu: string): Goal {
  const p = CPU_PRESETS[cpu as CpuModel];
  if (!p) return 'snp';
  return p.features.snp ? 'snp' : p.features.sevEs ? 'sev-es' : 'sev';
}

function get(root: { machine: MachineInput; kernel: KernelInput }, path: string): unknown {
  const parts = path.split('.');
  const keys =
    parts[0] === 'kernel' && parts[1] === 'params' ? ['kernel', 'params', parts.slice(2).join('.')] : parts;
  let o: unknown = root;
  for (const k of keys) o = o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined;
  return o;
}

/** Every single change that differs from the scenario, in the order fixes are reported. */
export function candidateChanges(s: Scenario, catalog: Catalog, newestRelease: string): Change[] {
  const cpu = (s.machine.cpu ?? 'genoa') as CpuModel;
  const p = CPU_PRESETS[cpu];
  const root = { machine: s.machine, kernel: s.kernel };
  const out: Change[] = [];
  const offer = (path: string, value: Json, current: unknown, dflt: unknown): void => {
    const cur = current === undefined ? dflt : current;
    if (JSON.stringify(cur) !== JSON.stringify(value)) out.push({ path, value });
  };
  offer('machine.bios.bootMode', 'uefi', get(root, 'machine.bios.bootMode'), 'uefi');
  offer('machine.bios.smee', true, get(root, 'machine.bios.smee'), true);
  offer('machine.bios.snp', true, get(root, 'machine.bios.snp'), true);
  offer('machine.bios.snpMemoryCoverage', 'full', get(root, 'machine.bios.snpMemoryCoverage'), 'full');
  offer('machine.bios.iommu', true, get(root, 'machine.bios.iommu'), true);
  offer('machine.bios.iommuSnp', true, get(root, 'machine.bios.iommuSnp'), true);
  offer('machine.bios.smmLock', true, get(root, 'machine.bios.smmLock'), true);
  const minAsid = get(root, 'machine.bios.minSevAsid');
  if (typeof minAsid === 'number' && minAsid <= 1)
    out.push({ path: 'machine.bios.minSevAsid', value: p.minSevAsid });
  offer('machine.iommu', 'translated', get(root, 'machine.iommu'), 'translated');
  offer('machine.offlineCores', [], get(root, 'machine.offlineCores'), []);
  const fw = String(get(root, 'machine.firmware') ?? p.defaultFirmware);
  if (olderFirmware(fw, p.defaultFirmware)) out.push({ path: 'machine.firmware', value: p.defaultFirmware });
  offer('kernel.version', newestRelease, get(root, 'kernel.version'), newestRelease);
  offer('kernel.builtin', [], get(root, 'kernel.builtin'), []);
  const params = catalog.params(String(s.kernel.version ?? newestRelease), []);
  for (const [key, value] of Object.entries(s.kernel.params ?? {})) {
    const [mod, name] = key.split('.');
    const info = params.find((x) => x.module === mod && x.name === name);
    if (!info) continue;
    const dflt = info.type === 'bool' ? (info.default ? 1 : 0) : (info.default as Json);
    if (JSON.stringify(value) !== JSON.stringify(dflt))
      out.push({ path: `kernel.params.${key}`, value: dflt });
  }
  return out;
}

function olderFirmware(a: string, b: string): boolean {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0);
  return false;
}

function apply(s: Scenario, changes: readonly Change[]): { machine: MachineInput; kernel: KernelInput } {
  const root = JSON.parse(JSON.stringify({ machine: s.machine, kernel: s.kernel })) as Record<
    string,
    unknown
  >;
  for (const c of changes) {
    setPath(root, c.path, c.value);
    // A different release may not know a parameter the scenario sets: leave those out.
  }
  return root as { machine: MachineInput; kernel: KernelInput };
}

function* subsets<T>(items: readonly T[], k: number, start = 0, acc: T[] = []): Generator<T[]> {
  if (acc.length === k) {
    yield [...acc];
    return;
  }
  for (let i = start; i < items.length; i++) {
    acc.push(items[i]!);
    yield* subsets(items, k, i + 1, acc);
    acc.pop();
  }
}

export interface FixSearch {
  readonly fixes: readonly Fix[];
  /** Change sets run (each a full replay). */
  readonly tried: number;
}

/** Smallest change sets that reach the goal, each verified by its own replay. */
export function searchFixes(
  s: Scenario,
  goal: Goal,
  catalog: Catalog,
  newestRelease: string,
  maxChanges = MAX_CHANGES,
): FixSearch {
  const candidates = candidateChanges(s, catalog, newestRelease);
  const found: Fix[] = [];
  let tried = 0;
  for (let k = 1; k <= maxChanges && found.length === 0; k++) {
    for (const set of subsets(candidates, k)) {
      if (set.some((a, i) => set.some((b, j) => i !== j && a.path === b.path))) continue;
      const input = apply(s, set);
      const built = buildScenario(
        `${s.name}-fix`,
        `${s.name} with ${set.map((c) => `${c.path}=${JSON.stringify(c.value)}`).join(', ')}`,
        input.machine,
        dropUnknownParams(input.kernel, catalog),
        s.steps.map(stepJson),
        catalog,
      );
      if (!built.ok) continue;
      tried++;
      const caps = capabilitiesOf(built.built.scenario);
      if (reaches(caps, goal)) {
        found.push({
          changes: set,
          capabilities: caps,
          verified: true,
          scenario: built.built.scenario,
          yaml: built.built.yaml,
        });
      }
    }
  }
  found.sort((a, b) => a.changes.length - b.changes.length || reach(b.capabilities) - reach(a.capabilities));
  return { fixes: found.slice(0, MAX_FIXES), tried };
}

/** Parameters the target release does not have are dropped (a release change takes the rest along). */
function dropUnknownParams(k: KernelInput, catalog: Catalog): KernelInput {
  const params = catalog.params(String(k.version), [...(k.patches ?? [])]);
  const kept = Object.fromEntries(
    Object.entries(k.params ?? {}).filter(([key]) => {
      const [mod, name] = key.split('.');
      return params.some((p) => p.module === mod && p.name === name);
    }),
  );
  return { ...k, params: kept };
}

/** A validated step back in file form (the log replay only has module loads). */
export function stepJson(step: Scenario['steps'][number]): Json {
  switch (step.op) {
    case 'modprobe':
      return Object.keys(step.params).length > 0
        ? { modprobe: step.module, params: step.params as Json }
        : { modprobe: step.module };
    case 'rmmod':
      return { rmmod: step.module };
    case 'reboot':
      return 'reboot';
    case 'fw.update':
      return { 'fw.update': { version: step.version } };
    default:
      throw new Error(`diagnose does not replay ${step.op} steps`);
  }
}
