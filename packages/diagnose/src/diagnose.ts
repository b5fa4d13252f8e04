/**
 * `diagnose(log, options) → Diagnosis` (diagnose-v1 contract): infer the configuration, replay it,
 * align the logs, explain what failed, search verified fixes.
 */
import {
  type Catalog,
  defaultCatalog,
  type Json,
  newestRelease,
  type Scenario,
  type Trace,
} from '@sevsim/scenario';
import { type Finding, findingsOf } from './findings';
import { defaultGoal, type Goal, reaches, searchFixes, stepJson } from './fixes';
import { type Facts, type Inferred, infer, smtSiblings, toInput } from './infer';
import { type LogLine, type ReadLog, readLog, isSevRelated } from './reader';
import { failedCommand, normalise, wordingOf } from './wording';
import {
  type Alignment,
  align,
  buildScenario,
  type Capabilities,
  capabilitiesOf,
  replay,
  stepsFromLog,
} from './replay';
import { CPU_PRESETS, type CpuModel } from '@sevsim/hardware';

export interface DiagnoseOptions {
  readonly facts?: Facts;
  /** Override the inferred release (`--kernel`). */
  readonly kernel?: string;
  /** Override the inferred CPU preset (`--cpu`). */
  readonly cpu?: string;
  readonly goal?: Goal;
  readonly catalog?: Catalog;
  /** Scenario name (default `diagnosis`). */
  readonly name?: string;
  /** Largest change set the fix search tries (default MAX_CHANGES). */
  readonly maxChanges?: number;
}

/** The contract's JSON document. */
export interface DiagnosisJson {
  readonly format: 'sevsim-diagnosis';
  readonly version: 1;
  readonly log: { readonly lines: number; readonly relevant: number };
  readonly inferred: readonly Inferred[];
  readonly scenario: Json;
  readonly replay: {
    readonly matched: number;
    readonly onlyInLog: Alignment['onlyInLog'];
    readonly onlyInSimulation: readonly string[];
    /** Extension: real alignable lines (matched + onlyInLog). */
    readonly aligned: number;
    /** Extension: the modelled release the replay ran. */
    readonly release: string;
  };
  readonly capabilities: Capabilities;
  readonly findings: readonly Finding[];
  readonly goal: Goal;
  readonly fixes: readonly {
    readonly changes: readonly { readonly path: string; readonly value: Json }[];
    readonly capabilities: Capabilities;
    readonly verified: true;
  }[];
  /** Extension: what was read and ignored (command-line parameters no modelled release has). */
  readonly notes: readonly string[];
  /**
   * Extension: why no fix is proposed although the goal is not reached: the log shows a cause the
   * model cannot replay beside the one the replay assumed, and what to collect to tell them apart.
   */
  readonly undecided?: string;
}

/** A diagnosis: the contract document plus what `--out` writes. */
export interface Diagnosis {
  readonly json: DiagnosisJson;
  readonly scenario: Scenario;
  readonly scenarioYaml: string;
  /** The replay's trace with the alignment in its `diagnosis` field (for `sevsim playback`). */
  readonly trace: Trace;
  readonly fixScenarios: readonly { readonly name: string; readonly yaml: string }[];
  /** Fix-search replays run (for the benchmark). */
  readonly fixesTried: number;
}

/** Exit 2: unreadable input or a log with nothing to diagnose. */
export class DiagnoseInputError extends Error {
  override readonly name = 'DiagnoseInputError';
}

export const NO_SEV_LINES = [
  'no SEV-related kernel line in the input. diagnose needs the kernel log of the host as it booted',
  '(ccp, kvm_amd, SEV, SNP, AMD-Vi and RMP lines), ideally with the command line and the CPU model:',
  "  dmesg | grep -iE 'sev|snp|ccp|kvm_amd|AMD-Vi|rmp|Linux version|Command line|smpboot: CPU0'",
  '  journalctl -k -b | grep -iE ... (same pattern) for an earlier boot',
  '(`sevctl ok` or `snphost ok` output alone is not enough: it is read beside the kernel log)',
  'or run `sevsim diagnose --host` on the machine itself.',
].join('\n');

/**
 * Settings the log cannot see that make the replay print what the real host printed, tried one
 * at a time where the inference only assumed a value (most often reported cause first).
 */
function hiddenCauses(cpu: CpuModel, sockets: number): readonly { path: string; value: Json; why: string }[] {
  return [
    { path: 'machine.bios.bootMode', value: 'legacy', why: 'a legacy (CSM) boot' },
    { path: 'machine.offlineCores', value: smtSiblings(cpu, sockets), why: 'SMT threads offline (nosmt)' },
    { path: 'machine.bios.snpMemoryCoverage', value: 'partial', why: 'partial SNP memory coverage' },
    { path: 'machine.bios.iommuSnp', value: false, why: 'the IOMMU without SNP support' },
    { path: 'machine.bios.smmLock', value: false, why: 'SMM not locked by the BIOS' },
    { path: 'machine.bios.smee', value: false, why: 'SMEE off in the BIOS' },
    { path: 'machine.iommu', value: 'passthrough', why: 'the IOMMU in passthrough' },
  ];
}

interface Attempt {
  readonly inferred: readonly Inferred[];
  readonly scenario: Scenario;
  readonly yaml: string;
  readonly trace: Trace;
  readonly alignment: Alignment;
  readonly release: string;
}

export function diagnose(input: string | ReadLog, options: DiagnoseOptions = {}): Diagnosis {
  const log = typeof input === 'string' ? readLog(input) : input;
  if (!log.relevant.some((l) => isSevRelated(l.text))) throw new DiagnoseInputError(NO_SEV_LINES);
  const catalog = options.catalog ?? defaultCatalog();
  if (options.cpu && !catalog.cpus.includes(options.cpu)) {
    throw new DiagnoseInputError(
      `--cpu: unknown preset '${options.cpu}' (known: ${catalog.cpus.join(', ')})`,
    );
  }
  const inf = infer(log, {
    catalog,
    ...(options.facts ? { facts: options.facts } : {}),
    ...(options.kernel ? { kernel: options.kernel } : {}),
    ...(options.cpu ? { cpu: options.cpu } : {}),
  });
  const steps = stepsFromLog(log.relevant);
  const name = options.name ?? 'diagnosis';
  const attempt = (inferred: readonly Inferred[]): Attempt => {
    const { machine, kernel } = toInput(inferred);
    const release = String(kernel.version);
    const built = buildScenario(
      name,
      'reconstructed by sevsim diagnose from a kernel log',
      machine,
      kernel,
      steps,
      catalog,
      inferred.map(
        (x) =>
          `${x.path}: ${JSON.stringify(x.value)} ${x.assumed ? '(assumed' : '(from'}${x.from ? ` line ${x.from.line}` : ''}${x.note ? `; ${x.note}` : ''})`,
      ),
    );
    if (!built.ok)
      throw new DiagnoseInputError(`the reconstructed scenario is invalid:\n${built.errors.join('\n')}`);
    const trace = replay(built.built.scenario);
    return {
      inferred,
      scenario: built.built.scenario,
      yaml: built.built.yaml,
      trace,
      alignment: align(log.relevant, trace, release),
      release,
    };
  };

  const base = attempt(inf.inferred);
  let best = base;
  if (best.alignment.onlyInLog.some((g) => g.kind === 'fidelity')) best = reconstructHidden(best, attempt);
  const undecided = bootFirmwareUnseen(log.relevant, base, cpuOf(best));

  const capabilities = capabilitiesOf(best.scenario);
  const goal = options.goal ?? defaultGoal(cpuOf(best));
  const found = findingsOf(
    best.trace,
    log.relevant,
    new Set(best.inferred.filter((x) => x.assumed).map((x) => x.path)),
  );
  // An SNP_INIT refusal the replay reproduced only under a setting it assumed says so when the
  // log leaves another cause open (bootFirmwareUnseen).
  const hidden = best.inferred.find(
    (x) => JSON.stringify(x.value) !== JSON.stringify(base.inferred.find((y) => y.path === x.path)?.value),
  );
  const findings =
    undecided && hidden
      ? found.map((f) =>
          f.cmd?.startsWith('SNP_INIT')
            ? {
                ...f,
                why: `${f.why} Here it rests on ${hidden.path} = ${JSON.stringify(hidden.value)}, which the log does not show; a boot firmware too old for SNP fails the same way (see why no fix is proposed).`,
              }
            : f,
        )
      : found;
  const search =
    reaches(capabilities, goal) || undecided
      ? { fixes: [], tried: 0 }
      : searchFixes(best.scenario, goal, catalog, newestRelease(), options.maxChanges);
  const scenarioJson: Json = {
    version: 1,
    name: best.scenario.name,
    description: best.scenario.description ?? '',
    machine: best.scenario.machine as Json,
    kernel: best.scenario.kernel as Json,
    steps: best.scenario.steps.map(stepJson),
  };
  const trace: Trace = {
    ...best.trace,
    diagnosis: { sources: log.sources.map((s) => s.name), rows: best.alignment.rows },
  };
  const json: DiagnosisJson = {
    format: 'sevsim-diagnosis',
    version: 1,
    log: { lines: log.lines, relevant: log.relevant.length },
    inferred: best.inferred,
    scenario: scenarioJson,
    replay: {
      matched: best.alignment.matched,
      onlyInLog: best.alignment.onlyInLog,
      onlyInSimulation: best.alignment.onlyInSimulation,
      aligned: best.alignment.matched + best.alignment.onlyInLog.length,
      release: best.release,
    },
    capabilities,
    findings,
    goal,
    fixes: search.fixes.map((f) => ({
      changes: f.changes,
      capabilities: f.capabilities,
      verified: f.verified,
    })),
    notes: inf.notes,
    ...(undecided && !reaches(capabilities, goal) ? { undecided } : {}),
  };
  return {
    json,
    scenario: best.scenario,
    scenarioYaml: best.yaml,
    trace,
    fixScenarios: search.fixes.map((f, i) => ({ name: `fix-${i + 1}.yaml`, yaml: f.yaml })),
    fixesTried: search.tried,
  };
}

/**
 * The real log shows what the replay did not print: try each hidden cause the inference only
 * assumed away, keep the one under which the replay matches most real lines.
 */
function reconstructHidden(base: Attempt, attempt: (i: readonly Inferred[]) => Attempt): Attempt {
  const proven = new Set(base.inferred.filter((x) => !x.assumed).map((x) => x.path));
  const cpu = cpuOf(base);
  const tried: { a: Attempt; why: string; path: string; value: Json }[] = [];
  for (const c of hiddenCauses(cpu, Number(base.scenario.machine.sockets ?? 1))) {
    if (proven.has(c.path)) continue;
    const current = base.inferred.find((x) => x.path === c.path)?.value;
    if (JSON.stringify(current) === JSON.stringify(c.value)) continue;
    const inferred = upsert(base.inferred, { path: c.path, value: c.value, assumed: true });
    try {
      tried.push({ a: attempt(inferred), why: c.why, path: c.path, value: c.value });
    } catch (e) {
      if (!(e instanceof DiagnoseInputError)) throw e;
    }
  }
  const top = Math.max(base.alignment.matched, ...tried.map((t) => t.a.alignment.matched));
  if (top <= base.alignment.matched) return base;
  const winners = tried.filter((t) => t.a.alignment.matched === top);
  const first = winners[0]!;
  const reproduced = first.a.alignment.rows
    .filter((r) => r.real && r.simulated)
    .map((r) => r.real!)
    .filter((r) => !base.alignment.rows.some((b) => b.real?.line === r.line && b.simulated));
  const others = winners.slice(1).map((w) => w.why);
  const note = `not in the log: ${first.why} is what makes the replay print ${reproduced
    .map((r) => `line ${r.line}`)
    .join(', ')}${others.length ? `; as good: ${others.join(', ')}` : ''}`;
  return {
    ...first.a,
    inferred: upsert(base.inferred, { path: first.path, value: first.value, assumed: true, note }),
    alignment: first.a.alignment,
  };
}

const cpuOf = (a: Attempt): CpuModel => String(a.scenario.machine.cpu ?? 'genoa') as CpuModel;

/**
 * AMDSEV#176: ccp loaded a firmware from /lib/firmware at probe in the words of AMD's snp-host
 * trees ("SEV firmware update successful", naming neither version), then SNP_INIT failed. The
 * firmware the BIOS booted may be too old for SNP, which no download at probe cures (there 1.23.23
 * under 1.51.3, fixed by a newer BIOS), and the model keeps nothing of the boot firmware: when the
 * replay on what the log proves does not reproduce that failure, a setting the log cannot see
 * (what reconstructHidden assumes) and the boot firmware explain it equally, so no fix is verified.
 * The reason, with how to read the boot firmware's version (the thread's next step), or undefined.
 */
function bootFirmwareUnseen(real: readonly LogLine[], base: Attempt, cpu: CpuModel): string | undefined {
  let update: LogLine | undefined;
  let failed: LogLine | undefined;
  for (const l of real) {
    const hit = wordingOf(normalise(l.text));
    if (hit?.w.id === 'ccp-fw-update') update ??= l;
    const f = hit?.w.failure?.(hit.m);
    if (update && f && failedCommand(f).cmd === 'SNP_INIT') failed ??= l;
  }
  if (!update || !failed) return undefined;
  const reproduced = base.alignment.rows.some((r) => r.real?.line === failed.line && r.simulated !== null);
  if (reproduced) return undefined;
  const p = CPU_PRESETS[cpu];
  const fam = p.family.toString(16).padStart(2, '0');
  return `line ${update.line} shows ccp loading a firmware from /lib/firmware at probe without naming the one the BIOS booted, and SNP_INIT then failed (line ${failed.line}). A boot firmware too old for SNP does that under any newer download, and only a BIOS update replaces it (https://github.com/AMDESE/AMDSEV/issues/176: 1.23.23 under 1.51.3); the model keeps nothing of the boot firmware, so it cannot tell that cause from the settings the replay assumed, and verifies no fix. To tell them apart, boot once with the images ccp's probe looks for moved out of /lib/firmware/amd (amd_sev_fam${fam}h_model${(p.modelId >> 4).toString(16)}xh.sbin, the model-exact name or sev.fw; docs/reference/linux-ccp.md §5.1) so the log prints the BIOS's firmware version, and diagnose that log.`;
}

function upsert(list: readonly Inferred[], x: Inferred): Inferred[] {
  const i = list.findIndex((y) => y.path === x.path);
  if (i < 0) return [...list, x];
  return list.map((y, j) => (j === i ? x : y));
}

/** Lines of a read log, for callers that want them (the human report). */
export type { LogLine };
