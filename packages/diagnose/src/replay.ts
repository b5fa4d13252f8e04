/**
 * Replay and align: the reconstructed scenario (boot, then the module loads the log shows, in
 * its order) runs through the layers; its kernel log is held against the real one line by line
 * after normalising timestamps, prefixes and the PSP's PCI address.
 */
import {
  type Catalog,
  type DiagnosisRow,
  formatError,
  type Json,
  type KernelInput,
  type MachineInput,
  openSession,
  parseScenario,
  run,
  type Scenario,
  type Step,
  type Trace,
  type VmType,
} from '@sevsim/scenario';
import { stringify } from 'yaml';
import type { LogLine } from './reader';
import {
  failedCommand,
  type GapKind,
  compareReleases,
  isAlignable,
  normalise,
  PLATFORM_INIT_AT_KVM_LOAD,
  pspAddress,
  pspDevices,
  snpInitialisedLine,
  wordingOf,
} from './wording';

export interface Capabilities {
  readonly sev: boolean;
  readonly sevEs: boolean;
  readonly snp: boolean;
}

export interface Gap {
  readonly line: number;
  readonly text: string;
  readonly kind: GapKind;
  readonly note: string;
  /**
   * Extension: for a `wording` gap, the index in `onlyInSimulation` of the simulated line it
   * stands beside (the same fact in the replayed release's words); absent when that line had a
   * twin of its own or another older line took it.
   */
  readonly pairedWith?: number;
}

export interface Alignment {
  readonly matched: number;
  readonly onlyInLog: readonly Gap[];
  readonly onlyInSimulation: readonly string[];
  /** One row per aligned line, in log order, for the playback app. */
  readonly rows: readonly AlignedRow[];
}

/** The row a diagnosis trace carries (`trace.diagnosis.rows`). */
export type AlignedRow = DiagnosisRow;

/** The scenario steps the log shows: ccp's probe, then kvm_amd's setup, in the order they appear. */
export function stepsFromLog(lines: readonly LogLine[]): Json[] {
  const steps: Json[] = [];
  // An image ccp loaded from /lib/firmware at probe: install it first (on a release without the
  // fw_upload interface, fw.update puts it where ccp's probe looks).
  for (const l of lines) {
    const hit = wordingOf(normalise(l.text));
    if (hit?.w.id === 'ccp-fw-updated') {
      steps.push({ 'fw.update': { version: `${hit.m[4]}.${hit.m[5]}.${hit.m[6]}` } });
      break;
    }
  }
  let ccp = false;
  let kvm = false;
  for (const l of lines) {
    const t = normalise(l.text);
    if (!ccp && /^ccp <psp>: /.test(t)) {
      ccp = true;
      steps.push({ modprobe: 'ccp' });
    }
    const hit = wordingOf(t);
    const atKvmLoad =
      hit?.w.failure !== undefined &&
      hit.w.since !== undefined &&
      compareReleases(hit.w.since, PLATFORM_INIT_AT_KVM_LOAD) >= 0;
    if (
      !kvm &&
      (atKvmLoad ||
        (/^(?:kvm_amd: |SVM: )?SEV(?:-ES| and| enabled| supported|-SNP enabled| disabled)|^kvm_amd: SEV/.test(
          t,
        ) &&
          !/^SEV-SNP: /.test(t)))
    ) {
      kvm = true;
      if (!ccp) {
        ccp = true;
        steps.push({ modprobe: 'ccp' });
      }
      steps.push({ modprobe: 'kvm_amd' });
    }
  }
  if (!ccp) steps.push({ modprobe: 'ccp' });
  return steps;
}

export interface Built {
  readonly scenario: Scenario;
  readonly yaml: string;
}

export type BuildResult =
  | { readonly ok: true; readonly built: Built }
  | { readonly ok: false; readonly errors: readonly string[] };

/** The scenario file text and its validated form; a bad value (from facts or flags) is an input error. */
export function buildScenario(
  name: string,
  description: string,
  machine: MachineInput,
  kernel: KernelInput,
  steps: readonly Json[],
  catalog: Catalog,
  header: readonly string[] = [],
): BuildResult {
  const doc = { version: 1, name, description, machine, kernel, steps };
  const text = `${header.map((h) => `# ${h}\n`).join('')}${stringify(doc, { lineWidth: 0 })}`;
  const parsed = parseScenario(text, 'scenario.yaml', catalog);
  if (!parsed.ok) return { ok: false, errors: parsed.errors.map((e) => formatError(e)) };
  return { ok: true, built: { scenario: parsed.scenario, yaml: text } };
}

const PROBE: Readonly<Record<keyof Capabilities, VmType>> = { sev: 'sev', sevEs: 'sev-es', snp: 'snp' };

/**
 * Whether a guest of each type reaches RUNNING after the scenario's steps (the meaning of
 * `sevsim compare`): each type is launched in its own fork of the replayed system.
 */
export function capabilitiesOf(scenario: Scenario): Capabilities {
  const s = openSession({ machine: scenario.machine, kernel: scenario.kernel });
  for (const step of scenario.steps) s.apply(step);
  // A guest needs kvm_amd, whether or not the log showed it loading.
  if (!s.state().modules.kvm_amd.loaded) s.apply({ op: 'modprobe', module: 'kvm_amd', params: {}, line: 0 });
  const out: Record<string, boolean> = {};
  for (const [key, type] of Object.entries(PROBE)) {
    const f = s.fork();
    const id = 'diagnose';
    const steps: Step[] = [
      { op: 'vm.create', id, type, line: 0 },
      { op: 'vm.init', id, line: 0 },
      { op: 'vm.launch', id, line: 0 },
    ];
    for (const st of steps) if (!f.apply(st).ok) break;
    out[key] = f.state().vms[id]?.state === 'running';
  }
  return out as unknown as Capabilities;
}

export function replay(scenario: Scenario): Trace {
  return run(scenario);
}

/** Simulated lines with the trace step that printed them (null for boot). */
export function simulatedLines(trace: Trace): { step: number | null; text: string }[] {
  return [
    ...trace.boot.dmesg.map((text) => ({ step: null, text })),
    ...trace.steps.flatMap((s) => s.dmesg.map((text) => ({ step: s.index, text }))),
  ];
}

/** Longest common subsequence of the normalised texts: the pairs that match, in order. */
function lcs(a: readonly string[], b: readonly string[]): [number, number][] {
  const n = a.length;
  const m = b.length;
  const t = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      t[i * (m + 1) + j] =
        a[i] === b[j]
          ? t[(i + 1) * (m + 1) + j + 1]! + 1
          : Math.max(t[(i + 1) * (m + 1) + j]!, t[i * (m + 1) + j + 1]!);
  const pairs: [number, number][] = [];
  for (let i = 0, j = 0; i < n && j < m; ) {
    if (a[i] === b[j]) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if (t[(i + 1) * (m + 1) + j]! >= t[i * (m + 1) + j + 1]!) i++;
    else j++;
  }
  return pairs;
}

/**
 * Why a real line has no simulated twin, and for a line in another release's wording the index of
 * the simulated line that reports the same fact: one nobody else took if there is one.
 */
function gapOf(
  l: LogLine,
  text: string,
  sim: readonly { readonly norm: string; readonly text: string }[],
  taken: ReadonlySet<number>,
  release: string,
  psp: string | undefined,
  snpUp: LogLine | undefined,
): { readonly gap: Gap; readonly counterpart?: number } {
  const pick = (same: (norm: string) => boolean): number => {
    let first = -1;
    for (const [j, x] of sim.entries()) {
      if (!same(x.norm)) continue;
      if (!taken.has(j)) return j;
      if (first < 0) first = j;
    }
    return first;
  };
  const gap = (kind: GapKind, note: string) => ({ gap: { line: l.line, text: l.text, kind, note } });
  const older = (j: number) => ({
    ...gap('wording', `older wording of the simulated "${sim[j]!.text}"`),
    counterpart: j,
  });
  if (sim.some((x) => x.norm === text)) {
    return gap(
      'unmodelled',
      'printed again later; the replay printed it once (what repeated it, e.g. a VM start retrying the init, is not in the log excerpt)',
    );
  }
  const dev = pspAddress(l.text);
  if (dev && psp && dev !== psp) {
    return gap(
      'unmodelled',
      `the second socket's PSP (${dev}); the model prints the lines of the PSP that runs SEV, ${psp}`,
    );
  }
  const hit = wordingOf(text);
  if (!hit) {
    return gap('unmodelled', 'a line the layers do not print');
  }
  const { w, m } = hit;
  const reported = w.failure?.(m);
  if (reported) {
    // The same failed command in either release's words (a flush's status in its init's line too).
    const failure = failedCommand(reported);
    const same = pick((s) => {
      const h = wordingOf(s);
      const r = h?.w.failure?.(h.m);
      const f = r ? failedCommand(r) : undefined;
      return f !== undefined && f.cmd === failure.cmd && f.status === failure.status;
    });
    if (same >= 0) return older(same);
  }
  if (w.id === 'ccp-sev-init-platform' && snpUp) {
    return gap(
      'unmodelled',
      `INIT answered HWSEV_RET_PLATFORM (0x13) after SNP initialised (line ${snpUp.line}); SNP_INIT checks memory encryption the same way, so this is not SMEE off and its cause is outside the model`,
    );
  }
  if (w.gap === 'wording') {
    const same = w.sameAs ? pick((s) => w.sameAs!.test(s)) : -1;
    if (same >= 0) return older(same);
    return gap(
      'fidelity',
      `the fact this line reports did not come out of the replay on ${release}: a cause the reconstruction missed or a fidelity gap`,
    );
  }
  if (w.gap === 'unmodelled') return gap('unmodelled', UNMODELLED[w.id] ?? 'not modelled');
  return gap(
    'fidelity',
    `the layers print this line, the replay on ${release} did not: a cause the reconstruction missed or a fidelity gap`,
  );
}

const UNMODELLED: Readonly<Record<string, string>> = {
  'ccp-probe-detail': 'ccp probe detail (command queues, PCI enable) the model does not print',
  // AMDSEV#176: 1.51.3 hot-loaded over the BIOS's 1.23.23, SNP_INIT 0x3 until a newer BIOS.
  'ccp-fw-update':
    'firmware hot-loaded from /lib/firmware at probe: the replay boots with the version the log printed after it; the one the BIOS booted is older and not in the log, and if SNP_INIT fails after the update that boot firmware may be too old for SNP, which only a BIOS update replaces (https://github.com/AMDESE/AMDSEV/issues/176)',
  'ccp-fw-file-missing': 'the firmware file search at probe is not modelled',
  'ccp-platform-enabled':
    "sp_platform_probe()'s line: the PSP is a platform device (a virtual PSP, e.g. a nested SNP host's), not the bare-metal PCI function the model has",
  'ccp-snp-min-fw':
    "printed at error level by AMD's snp-host kernels; the modelled releases print it with dev_dbg, only under dynamic debug",
  'ccp-dyndbg': 'dynamic-debug dump of a PSP command buffer',
  'ccp-dyndbg-failed':
    "dynamic-debug line with the PSP's status for one command; the failure is read from the kernel's own report of it",
  'ccp-snp-initialised-dbg':
    'dynamic-debug line after SNP_INIT succeeded (the model does not print dev_dbg): read as SNP initialised',
  'kvm-guest-memfd': 'kernel built without CONFIG_KVM_PRIVATE_MEM: an unmodelled cause (kernel config)',
  'rmp-2mb-fixup':
    'the 2 MB chunk around an RMP end off a 2 MB boundary, reserved at boot: read into machine.bios.rmpUnaligned for a contiguous RMP, and follows from machine.bios.rmpSegments (read from the segment lines) for a segmented one',
  'iommu-efr': 'IOMMU feature register dump',
  'iommu-features': 'IOMMU feature list',
};

/** Align the real log's kernel lines (those the modelled code could print) with the simulation's. */
export function align(real: readonly LogLine[], trace: Trace, release: string): Alignment {
  const realLines = real.map((l) => ({ l, t: normalise(l.text) })).filter((x) => isAlignable(x.t));
  // The PSP that runs SEV; another one's lines are the second socket's.
  const psp = pspDevices(real)[0]?.address;
  const snpUp = snpInitialisedLine(real);
  const sim = simulatedLines(trace);
  const simNorm = sim.map((s) => normalise(s.text));
  const pairs = lcs(
    realLines.map((x) => x.t),
    simNorm,
  );
  const realMatched = new Set(pairs.map(([i]) => i));
  const simMatched = new Set(pairs.map(([, j]) => j));
  // A real line in another release's wording stands beside the simulated line it words
  // differently, when that line has no twin of its own: one row, at the simulation's step.
  const taken = new Set(simMatched);
  const wordingPair = new Map<number, number>();
  const simText = sim.map((s, j) => ({ norm: simNorm[j]!, text: s.text }));
  const gaps: { gap: Gap; real: number }[] = [];
  for (const [i, x] of realLines.entries()) {
    if (realMatched.has(i)) continue;
    const { gap, counterpart } = gapOf(x.l, x.t, simText, taken, release, psp, snpUp);
    gaps.push({ gap, real: i });
    if (counterpart !== undefined && !taken.has(counterpart)) {
      taken.add(counterpart);
      wordingPair.set(i, counterpart);
    }
  }
  const unmatched = sim.flatMap((_, j) => (simMatched.has(j) ? [] : [j]));
  const onlyInSimulation = unmatched.map((j) => sim[j]!.text);
  // A wording gap names the simulated line it stands beside by its place in onlyInSimulation.
  const onlyInLog = gaps.map(({ gap, real }) => {
    const c = wordingPair.get(real);
    return c === undefined ? gap : { ...gap, pairedWith: unmatched.indexOf(c) };
  });

  // Rows: walk both sides, matched pairs side by side, the rest where they fall.
  const rows: AlignedRow[] = [];
  const pairedSim = new Set(wordingPair.values());
  let i = 0;
  let j = 0;
  const realRow = (k: number): AlignedRow => {
    const real = { line: realLines[k]!.l.line, text: realLines[k]!.l.text };
    const c = wordingPair.get(k);
    return c === undefined
      ? { step: null, real, simulated: null }
      : { step: sim[c]!.step, real, simulated: sim[c]!.text, wording: true };
  };
  const simRows = (end: number) => {
    for (; j < end; j++)
      if (!pairedSim.has(j)) rows.push({ step: sim[j]!.step, real: null, simulated: sim[j]!.text });
  };
  for (const [pi, pj] of pairs) {
    while (i < pi) rows.push(realRow(i++));
    simRows(pj);
    rows.push({
      step: sim[pj]!.step,
      real: { line: realLines[pi]!.l.line, text: realLines[pi]!.l.text },
      simulated: sim[pj]!.text,
    });
    i = pi + 1;
    j = pj + 1;
  }
  while (i < realLines.length) rows.push(realRow(i++));
  simRows(sim.length);
  return { matched: pairs.length, onlyInLog, onlyInSimulation, rows };
}
