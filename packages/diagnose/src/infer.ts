/**
 * Infer: every scenario-v1 `machine` and `kernel` value the log proves, each with the line it came
 * from; what it cannot prove is a default, marked as an assumption. Facts (`--facts`, `--host`)
 * and the `--kernel`/`--cpu` flags win over the log.
 */
import { CPU_PRESETS, type CpuModel, pspPciFunction } from '@sevsim/hardware';
import type { Catalog, Json, KernelInput, MachineInput } from '@sevsim/scenario';
import { isToolLine, toolProofs } from './host-tools';
import type { LogLine, ReadLog } from './reader';
import {
  compareReleases,
  FLUSH_ONLY_STATUS,
  failedCommand,
  isPlatformPsp,
  normalise,
  type Proof,
  pspDevices,
  SEGMENTED_RMP,
  SNP_INIT_PLATFORM_STATUS,
  snpInitialisedLine,
  wordingOf,
} from './wording';

export interface Inferred {
  readonly path: string;
  readonly value: Json;
  readonly from?: { readonly line: number; readonly text: string };
  readonly assumed?: true;
  readonly note?: string;
}

/** What the user knows and the log cannot say (`--facts FILE`, `--host`). */
export interface Facts {
  /** Scenario-v1 paths (`machine.bios.bootMode`, `kernel.params.kvm_amd.sev_snp`, ...) and values. */
  readonly values?: Readonly<Record<string, Json>>;
  /** `/proc/cmdline`. */
  readonly cmdline?: string;
  /** `/proc/cpuinfo` (the first processor's `cpu family`, `model`, `model name` are read). */
  readonly cpuinfo?: string;
  /** `/sys/module/{ccp,kvm_amd}/parameters/*` as read: module → name → text. */
  readonly parameters?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Where the facts came from, for notes. */
  readonly source?: string;
}

export interface InferOptions {
  readonly catalog: Catalog;
  readonly facts?: Facts;
  readonly kernel?: string;
  readonly cpu?: string;
}

type Found = Inferred & { readonly order: number };

/** The modelled release a real one behaves like: the newest modelled one not after it, else the oldest. */
export function nearestRelease(version: string, releases: readonly string[]): string {
  const sorted = [...releases].sort(compareReleases);
  let best = sorted[0]!;
  for (const r of sorted) if (compareReleases(r, version) <= 0) best = r;
  return best;
}

/** CPU preset from family/model (CPUID Fn0000_0001), as `smpboot: CPU0:` and /proc/cpuinfo print them. */
function cpuFromFamily(family: number, model: number): CpuModel | undefined {
  for (const [name, p] of Object.entries(CPU_PRESETS)) {
    const models = (p as { models?: readonly number[] }).models;
    if (p.family === family && models?.includes(model)) return name as CpuModel;
  }
  if (family === 0x19 && model <= 0x0f) return 'milan';
  if (family === 0x19 && model >= 0x10 && model <= 0x1f) return 'genoa';
  if (family === 0x19 && model >= 0xa0 && model <= 0xaf) return preset('bergamo') ?? 'genoa';
  if (family === 0x1a) return 'turin';
  if (family === 0x17 && model >= 0x30 && model <= 0x3f) return preset('rome');
  return undefined;
}

function preset(name: string): CpuModel | undefined {
  return Object.hasOwn(CPU_PRESETS, name) ? (name as CpuModel) : undefined;
}

/** CPU preset from the EPYC model number: the last digit is the generation (1 Naples … 5 Turin). */
function cpuFromBrand(brand: string): CpuModel | undefined {
  const m = /EPYC\s+(\d)(\d)(\d)(\d)/.exec(brand);
  if (!m) return undefined;
  const [series, , , gen] = [m[1], m[2], m[3], m[4]];
  if (gen === '3') return 'milan';
  if (gen === '4') return series === '8' ? (preset('siena') ?? 'genoa') : 'genoa';
  if (gen === '5') return 'turin';
  if (gen === '2') return preset('rome');
  return undefined;
}

const KSTRTOBOOL_TRUE = /^(?:y|Y|1|on|ON|On|true|TRUE|True)$/;

/** A module parameter's command-line text as the value scenario v1 takes for its type. */
function paramValue(type: string, text: string): Json | undefined {
  switch (type) {
    case 'bool':
      return KSTRTOBOOL_TRUE.test(text)
        ? 1
        : /^(?:n|N|0|off|OFF|Off|false|FALSE|False)$/.test(text)
          ? 0
          : undefined;
    case 'int':
      return /^-?\d+$/.test(text) ? Number(text) : undefined;
    case 'uint':
      return /^\d+$/.test(text) ? Number(text) : undefined;
    default:
      return text;
  }
}

/**
 * Logical CPUs `nosmt` takes offline: the second thread of every core. Linux numbers the first
 * threads of all cores, socket by socket, then the second threads in the same order.
 */
export function smtSiblings(cpu: CpuModel, sockets = 1): number[] {
  const p = CPU_PRESETS[cpu];
  const threads = (p as { threadsPerCore?: number }).threadsPerCore ?? 1;
  if (threads < 2) return [];
  const physical = p.cores * sockets;
  return Array.from({ length: physical * (threads - 1) }, (_, i) => physical + i);
}

export interface Inference {
  readonly inferred: readonly Inferred[];
  readonly machine: MachineInput;
  readonly kernel: KernelInput;
  /** The real release the log names (before choosing the nearest modelled one). */
  readonly realKernel?: string;
  /** Notes on what was read and not modelled (command-line parameters, ...). */
  readonly notes: readonly string[];
}

export function infer(log: ReadLog, opts: InferOptions): Inference {
  const found = new Map<string, Found>();
  const notes: string[] = [];
  let order = 0;
  const put = (x: Inferred, override = false): void => {
    if (!override && found.has(x.path)) return;
    found.set(x.path, { ...x, order: found.get(x.path)?.order ?? order++ });
  };
  const at = (l: LogLine) => ({ line: l.line, text: l.text });

  let cmdline: { text: string; from?: LogLine } | undefined;
  let realKernel: string | undefined;
  let versionLine: LogLine | undefined;
  let oldSev: { n: number; l: LogLine } | undefined;
  let oldEs: { n: number; l: LogLine } | undefined;
  let snpMentioned: LogLine | undefined;
  let smtOff: LogLine | undefined;
  let uefi: LogLine | undefined;
  let cpu: { value: CpuModel; l: LogLine; note: string } | undefined;
  let segmented: LogLine | undefined;
  let rmpRange: { base: bigint; end: bigint; l: LogLine } | undefined;
  const rmpChunks: { chunk: bigint; l: LogLine }[] = [];
  let segBase: number | undefined;
  let segSize: { gib: number; l: LogLine } | undefined;
  const segLines: { index: number; at: number; cover: [number, number]; l: LogLine }[] = [];
  let since: { release: string; l: LogLine } | undefined;
  let bootFirmware = false;
  let dumpRelease: { release: string; l: LogLine } | undefined;
  const psps = pspDevices(log.relevant);
  const timedOut: { name: string; l: LogLine }[] = [];
  const flushes: Flush[] = [];
  const snpUp = snpInitialisedLine(log.relevant);
  let initPlatform: LogLine | undefined;
  let platformPsp: LogLine | undefined;
  let virtualApi: LogLine | undefined;
  let snpFault: { status: number; l: LogLine } | undefined;

  for (const l of log.relevant) {
    if (isToolLine(l.text)) {
      for (const p of toolProofs(l.text))
        put({ path: p.path, value: p.value as Json, from: at(l), note: p.note });
      continue;
    }
    const text = normalise(l.text);
    // Any SNP message but the IOMMU's feature dumps: the kernel found an RMP and tried SNP.
    if (
      !snpMentioned &&
      /SEV-SNP|\bSNP\b/.test(text) &&
      !/^AMD-Vi: (?:Extended features|Using global)/.test(text)
    )
      snpMentioned = l;
    const platform = isPlatformPsp(l.text);
    if (platform) platformPsp ??= l;
    if (/^efi: EFI v/.test(text)) uefi ??= l;
    if (/^SEV-SNP: Segmented RMP/.test(text)) segmented ??= l;
    const range = /^SEV-SNP: RMP table physical (?:range|address) \[?(0x[0-9a-f]+) - (0x[0-9a-f]+)\]?/i.exec(
      l.text,
    );
    if (range && !rmpRange) rmpRange = { base: BigInt(range[1]!), end: BigInt(range[2]!), l };
    const segRange = /^SEV-SNP: Segmented RMP base table physical range \[(0x[0-9a-f]+) - /i.exec(l.text);
    if (segRange) segBase ??= Number(segRange[1]);
    const chunk = /^SEV-SNP: Reserving start\/end of RMP table on a 2MB boundary \[(0x[0-9a-f]+)\]/i.exec(
      l.text,
    );
    if (chunk) rmpChunks.push({ chunk: BigInt(chunk[1]!), l });
    const fam = /family: 0x([0-9a-f]+), model: 0x([0-9a-f]+)/i.exec(text);
    if (!cpu && /^smpboot: CPU0:/.test(text)) {
      const byFam = fam
        ? cpuFromFamily(Number.parseInt(fam[1]!, 16), Number.parseInt(fam[2]!, 16))
        : undefined;
      const byBrand = cpuFromBrand(text);
      const c = byFam ?? byBrand;
      if (c) cpu = { value: c, l, note: byFam ? 'CPUID family/model' : 'EPYC model number' };
    }
    if (!cpu && /AMD EPYC/.test(text)) {
      const c = cpuFromBrand(text);
      if (c) cpu = { value: c, l, note: 'EPYC model number' };
    }
    const hit = wordingOf(text);
    if (!hit) continue;
    const { w, m } = hit;
    const reported = w.failure?.(m);
    const failed = reported ? failedCommand(reported) : undefined;
    if (failed && (failed.cmd === 'DF_FLUSH' || failed.cmd === 'SNP_DF_FLUSH'))
      flushes.push({ cmd: failed.cmd, status: failed.status, l, named: !failed.carried });
    if (failed?.cmd === 'SNP_INIT' && SNP_INIT_PLATFORM_STATUS[failed.status]) snpFault ??= { ...failed, l };
    if (w.since && (!since || compareReleases(w.since, since.release) > 0)) since = { release: w.since, l };
    switch (w.id) {
      case 'linux-version':
        realKernel ??= `${m[1]}.${m[2]}`;
        versionLine ??= l;
        continue;
      case 'dump-header':
        dumpRelease ??= { release: `${m[1]}.${m[2]}`, l };
        continue;
      case 'command-line':
        cmdline ??= { text: m[1]!, from: l };
        continue;
      case 'smt-disabled':
        smtOff ??= l;
        continue;
      case 'rmp-segment-size':
        segSize ??= { gib: Number(m[1]), l };
        continue;
      case 'rmp-segment':
        if (!segLines.some((x) => x.index === Number(m[1])))
          segLines.push({ index: Number(m[1]), at: Number(m[2]), cover: [Number(m[3]), Number(m[4])], l });
        continue;
      case 'kvm-sev-supported-old':
        oldSev ??= { n: Number(m[1]), l };
        continue;
      case 'kvm-sev-es-supported-old':
        oldEs ??= { n: Number(m[1]), l };
        break;
      case 'ccp-timeout': {
        const name = opts.catalog.pspCommandName(Number.parseInt(m[1]!, 16));
        if (name && opts.catalog.pspCommands.includes(name) && !timedOut.some((t) => t.name === name))
          timedOut.push({ name, l });
        continue;
      }
    }
    if (w.id === 'ccp-sev-init-platform') initPlatform ??= l;
    if (w.id === 'ccp-fw-updated') bootFirmware = true;
    for (const p of w.proves?.(m) ?? ([] as Proof[])) {
      // A platform-device PSP's API version is what a hypervisor presents, not a firmware the model has.
      if (p.path === 'machine.firmware' && platform) {
        virtualApi ??= l;
        continue;
      }
      // The firmware version is the last one printed, unless the log names the one the BIOS booted
      // before a probe-time update (the replay loads the update itself); the rest the first.
      put(
        { path: p.path, value: p.value as Json, from: at(l), ...(p.note ? { note: p.note } : {}) },
        p.path === 'machine.firmware' && (w.id === 'ccp-fw-updated' || !bootFirmware),
      );
    }
  }

  // A stack dump's header names the release when no `Linux version` line does.
  if (!versionLine && dumpRelease) {
    realKernel = dumpRelease.release;
    versionLine = dumpRelease.l;
  }

  // Old kvm_amd wording: "SEV supported: N" counts min..max, "SEV-ES supported: M" counts 1..min-1.
  if (oldSev) {
    const min = oldEs ? oldEs.n + 1 : 1;
    put({
      path: 'machine.asids',
      value: oldSev.n + min - 1,
      from: at(oldSev.l),
      note: oldEs
        ? `${oldSev.n} SEV ASIDs + ${oldEs.n} SEV-ES ASIDs (line ${oldEs.l.line})`
        : 'no SEV-ES line: every ASID is SEV-only',
    });
    if (!oldEs)
      put({
        path: 'machine.bios.minSevAsid',
        value: 1,
        from: at(oldSev.l),
        note: 'no SEV-ES line: minimum SEV ASID 1 (BIOS SEV-ES ASID space limit not set)',
      });
  }

  // A PSP that is a platform device, not a PCI function: the host is itself a guest with a virtual
  // PSP (jepio/AMDSEV: an Azure nested SNP host whose PSP reports API 1.42 and runs SNP only).
  if (platformPsp)
    notes.push(
      `the PSP is a platform device (line ${platformPsp.line}: "ccp psp:", no PCI address), not a bare-metal EPYC's PCI function: a virtual PSP such as a nested SNP host's (https://github.com/jepio/AMDSEV). The model's PSP is the bare-metal one, so ${virtualApi ? `the API version it reports (line ${virtualApi.line}) is not read as machine.firmware and ` : ''}what the virtual PSP allows or refuses on its own is outside the replay`,
    );

  // A command the PSP did not answer within ccp's timeout. The line proves only that it took
  // longer than the timeout in force; the replay takes "never", the reading that claims least of
  // the driver: a longer ccp.psp_cmd_timeout is then no fix, which the log cannot show it would be.
  if (timedOut.length > 0) {
    const cmds = timedOut.map((t) => `${t.name} (line ${t.l.line})`).join(', ');
    put({
      path: 'machine.pspResponseSeconds',
      value: Object.fromEntries(timedOut.map((t) => [t.name, 'never'])),
      from: at(timedOut[0]!.l),
      note: `the PSP did not answer ${cmds} within ccp's timeout and the driver disabled it; whether it would have answered later the log cannot show, so the replay takes never`,
    });
  }

  // INIT's HWSEV_RET_PLATFORM (0x13) is memory encryption off (docs/reference/psp-firmware.md §2.7),
  // unless the log shows SNP initialised (snpInitialisedLine).
  if (initPlatform && !snpUp) {
    put({
      path: 'machine.bios.smee',
      value: false,
      from: at(initPlatform),
      note: 'INIT answered HWSEV_RET_PLATFORM (0x13): the firmware finds memory encryption off (sev-tool#43); newer kernels check first and print "SEV: memory encryption not enabled by BIOS"',
    });
  } else if (initPlatform && snpUp) {
    notes.push(
      `line ${initPlatform.line}: INIT answered HWSEV_RET_PLATFORM (0x13) although SNP initialised (line ${snpUp.line}); SNP_INIT checks memory encryption the same way, so SMEE off is not inferred and the cause is outside the model`,
    );
  }

  const flushed = flushStatus(flushes, snpUp);
  if (flushed) {
    // Beside a PLATFORM_STATUS answer the log proved (ccp-get-status-failed), if any.
    const had = found.get('machine.pspMailboxStatus')?.value as Record<string, Json> | undefined;
    put(
      {
        path: 'machine.pspMailboxStatus',
        ...flushed,
        value: { ...(had ?? {}), ...(flushed.value as Record<string, Json>) },
      },
      true,
    );
  }

  // SNP_INIT refused for the platform itself (SNP_INIT_PLATFORM_STATUS): the replay has the PSP give
  // that answer, to whichever of SNP_INIT and SNP_INIT_EX the release sends.
  if (snpFault) {
    const had = found.get('machine.pspMailboxStatus')?.value as Record<string, Json> | undefined;
    const status = `0x${snpFault.status.toString(16)}`;
    put(
      {
        path: 'machine.pspMailboxStatus',
        value: { ...(had ?? {}), SNP_INIT: snpFault.status, SNP_INIT_EX: snpFault.status },
        from: at(snpFault.l),
        note: `SNP_INIT answered ${SNP_INIT_PLATFORM_STATUS[snpFault.status]} (${status}), its answer for the platform itself (a debug-unlocked SoC or a PSP boot-loader service failing, AMD-ASPFW 1.55.25), which no setting sevsim models causes, so the replay has the PSP give it. After a firmware change aleph-im's Scaleway guide cleared it with SEV FACTORY_RESET (sevctl reset) and a reboot (https://github.com/aleph-im/aleph-cloud-docs/blob/main/docs/nodes/compute/advanced/confidential/scaleway-sev-snp.md); the firmware's PLATFORM_RESET deletes only the legacy SEV data in SPI flash, which SNP_INIT does not read (AMD-ASPFW 1.55.25), and sevsim keeps no persistent firmware state, so that remedy is not verified here`,
      },
      true,
    );
  }

  // CPU: the log's CPU line, else the ASID count of a preset, else the PSP's PCI function.
  const cpuFacts = opts.facts?.cpuinfo ? cpuFromCpuinfo(opts.facts.cpuinfo) : undefined;
  const asids = found.get('machine.asids')?.value;
  let cpuValue: CpuModel;
  if (opts.cpu) {
    cpuValue = opts.cpu as CpuModel;
    put({ path: 'machine.cpu', value: opts.cpu, note: 'from --cpu' }, true);
  } else if (cpuFacts) {
    cpuValue = cpuFacts;
    put({ path: 'machine.cpu', value: cpuFacts, note: `from /proc/cpuinfo${src(opts.facts)}` });
  } else if (cpu) {
    cpuValue = cpu.value;
    put({ path: 'machine.cpu', value: cpu.value, from: at(cpu.l), note: cpu.note });
  } else if (segmented && SEGMENTED_PRESET) {
    // Only Zen 5 has a segmented RMP (CPUID 0x8000001F EAX[23], docs/reference/psp-firmware.md §5.1).
    cpuValue = SEGMENTED_PRESET;
    put({
      path: 'machine.cpu',
      value: cpuValue,
      from: at(segmented),
      note: `a segmented RMP: of the presets only ${cpuValue} has one`,
    });
  } else {
    const byAsids = Object.entries(CPU_PRESETS).find(([, p]) => p.asids === asids)?.[0] as
      | CpuModel
      | undefined;
    const master = psps[0];
    const fn = master?.address.slice(-1);
    const byPci = fn === '1' ? 'milan' : fn === '5' ? 'genoa' : undefined;
    cpuValue = (byPci ?? byAsids ?? 'genoa') as CpuModel;
    put({
      path: 'machine.cpu',
      value: cpuValue,
      assumed: true,
      note: byPci
        ? `no CPU line; the PSP at PCI function .${fn} (line ${master!.l.line}) is ${cpuValue}'s`
        : byAsids
          ? `no CPU line; ${asids} ASIDs is the ${cpuValue} preset's count`
          : 'no CPU line: the default preset',
    });
  }

  // A second PSP (another PCI address printing "psp enabled"): the second socket's.
  const sockets = psps.length >= 2 ? 2 : 1;
  if (sockets === 2) {
    const { address, l } = psps[1]!;
    put({
      path: 'machine.sockets',
      value: 2,
      from: at(l),
      note: `a second PSP at ${address}: the second socket's`,
    });
  }

  // Where the board put the PSPs (the master, which prints the SEV lines, first): the replay's ccp
  // lines then carry the log's addresses. The function is the CPU's (pspPciFunction), and there is
  // one per socket: the CPU and socket count the facts give, if they give them, win.
  const factCpu = opts.facts?.values?.['machine.cpu'];
  const boardCpu =
    typeof factCpu === 'string' && Object.hasOwn(CPU_PRESETS, factCpu) ? (factCpu as CpuModel) : cpuValue;
  const boardSockets = Number(opts.facts?.values?.['machine.sockets'] ?? sockets);
  if (psps.length > 0) {
    const board = psps.slice(0, boardSockets);
    const fn = pspPciFunction(CPU_PRESETS[boardCpu]);
    const other = board.filter((d) => !d.address.endsWith(`.${fn}`));
    if (other.length > 0)
      notes.push(
        `the PSP at ${other.map((d) => `${d.address} (line ${d.l.line})`).join(', ')} is not PCI function ${fn}, the ${boardCpu} PSP's: machine.pspPci not read, the replay prints the preset's address`,
      );
    else
      put({
        path: 'machine.pspPci',
        value: board.map((d) => d.address),
        from: at(board[0]!.l),
        note: `the board's PSP address${board.length > 1 ? `es, socket 1's from line ${board[1]!.l.line}` : ''}`,
      });
  }

  // A contiguous RMP on a CPU with the segmented-RMP feature: every release reads RMP_BASE/RMP_END
  // only when RMP_CFG's enable bit is clear (before 6.14, a set bit left RMP_END 0 and "not
  // reserved"), so the BIOS chose the contiguous form (docs/reference/linux-ccp.md §7.1 step 2).
  if (rmpRange && CPU_PRESETS[cpuValue].features.segmentedRmp)
    put({
      path: 'machine.bios.rmpSegmented',
      value: false,
      from: at(rmpRange.l),
      note: `a contiguous RMP on ${cpuValue}: the BIOS left RMP_CFG's segmented-RMP enable bit clear`,
    });

  // docs/reference/linux-ccp.md §7.3: the kernel reserves the 2 MB chunk holding an end of a
  // contiguous RMP that the BIOS left off a 2 MB boundary (the table's start, and its end + 1).
  const unaligned = rmpRange ? rmpEnds(rmpRange, rmpChunks) : [];
  if (unaligned.length > 0) {
    put({
      path: 'machine.bios.rmpUnaligned',
      value: unaligned.length === 2 ? 'both' : unaligned[0]!.end,
      from: at(unaligned[0]!.l),
      note: `the kernel reserved the 2 MB chunk around the RMP's ${unaligned
        .map((u) => `${u.end} (line ${u.l.line})`)
        .join(' and ')}: the BIOS put it off a 2 MB boundary`,
    });
  }

  // 6.14+ prints a segmented RMP piece by piece (docs/reference/linux-ccp.md §7.1 step 2): RMP_BASE,
  // the segment size and each RST entry (where its RMP entries are, the memory it maps). The model's
  // DRAM is one range from 0, so it holds the memory the segments map from 0 without a gap; what
  // the others map (RAM higher up, as on AMD's reference host at 1 TB) it cannot place.
  const segments = segmentLayout(segBase, segSize, segLines);
  if (segments && 'why' in segments)
    notes.push(
      `the segmented-RMP lines (${segLines.map((x) => `line ${x.l.line}`).join(', ')}) are not read into machine.bios.rmpSegments: ${segments.why}; the replay uses the CPU preset's layout`,
    );
  else if (segments && CPU_PRESETS[cpuValue].features.segmentedRmp) {
    const first = segLines[0]!.l;
    put({
      path: 'machine.bios.rmpSegments',
      value: segments.layout,
      from: at(first),
      note: `RMP_BASE, the ${segSize!.gib} GB segment size (line ${segSize!.l.line}) and ${segLines.length} segment(s) (lines ${segLines.map((x) => x.l.line).join(', ')}) as the kernel printed them`,
    });
    if (segments.fromZeroGiB > 0)
      put({
        path: 'machine.memoryGiB',
        value: segments.fromZeroGiB,
        from: at(first),
        assumed: true,
        note: `the ${segments.fromZeroGiB} GB the segments map from 0 without a gap: the model's DRAM is one range from 0, so memory the other segments map (higher up) is not placed`,
      });
  }

  // Kernel release: `Linux version`, else the boot image name, else an assumption.
  const releases = opts.catalog.releases;
  const imageVersion = cmdline ? /vmlinuz-(\d+)\.(\d+)/.exec(cmdline.text) : null;
  const real =
    opts.kernel ?? realKernel ?? (imageVersion ? `${imageVersion[1]}.${imageVersion[2]}` : undefined);
  // Without a named release, a line only newer kernels print sets the oldest release it can be.
  const floor = since
    ? [...releases].sort(compareReleases).find((r) => compareReleases(r, since!.release) >= 0)
    : undefined;
  const release = real ? nearestRelease(real, releases) : (floor ?? nearestRelease('0.0', releases));
  const releaseNote = (r: string): string | undefined =>
    r === release ? undefined : `nearest modelled release to the log's ${r}`;
  if (opts.kernel) {
    const note = releaseNote(opts.kernel);
    put(
      { path: 'kernel.version', value: release, note: note ? `from --kernel; ${note}` : 'from --kernel' },
      true,
    );
  } else if (realKernel && versionLine) {
    const note = releaseNote(realKernel);
    found.delete('kernel.version');
    put({ path: 'kernel.version', value: release, from: at(versionLine), ...(note ? { note } : {}) });
  } else if (imageVersion && cmdline?.from) {
    const note = releaseNote(`${imageVersion[1]}.${imageVersion[2]}`);
    put({
      path: 'kernel.version',
      value: release,
      from: at(cmdline.from),
      note: `from the boot image name${note ? `; ${note}` : ''}`,
    });
  } else if (floor && since) {
    put({
      path: 'kernel.version',
      value: release,
      assumed: true,
      note: `the log does not name the release; line ${since.l.line} is worded as ${since.release} and later kernels print it: the oldest modelled release from ${since.release}`,
    });
  } else {
    put({
      path: 'kernel.version',
      value: release,
      assumed: true,
      note: 'the log does not name the release: the oldest modelled one (SNP and SEV initialised at ccp probe, as in AMD snp-host and distribution kernels)',
    });
  }

  // Before the segmented-RMP series the kernel reads RMP_BASE and RMP_END only, so on a CPU with a
  // segmented RMP "not reserved" is also what a BIOS that placed one (RMP_END 0) gets
  // (docs/reference/linux-ccp.md §7.1 step 2): the line proves neither reading.
  const biosSnp = found.get('machine.bios.snp');
  if (
    biosSnp?.value === false &&
    biosSnp.from &&
    wordingOf(normalise(biosSnp.from.text))?.w.id === 'rmp-not-reserved' &&
    CPU_PRESETS[cpuValue].features.segmentedRmp &&
    compareReleases(release, SEGMENTED_RMP) < 0
  ) {
    put(
      {
        ...biosSnp,
        assumed: true,
        note: `no RMP table reserved by the BIOS, or a segmented RMP (RMP_END 0) that ${release} cannot read: kernels from ${SEGMENTED_RMP} read RMP_CFG; the other reading is machine.bios.snp true, the ${cpuValue} preset's segmented RMP`,
      },
      true,
    );
  }

  // Command line: module parameters, the IOMMU mode, nosmt.
  const cmdText = opts.facts?.cmdline ?? cmdline?.text;
  const cmdFrom = opts.facts?.cmdline ? undefined : cmdline?.from;
  if (cmdText) {
    const params = opts.catalog.params(release, []);
    for (const tok of cmdText.split(/\s+/)) {
      const kv = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)=(.*)$/.exec(tok);
      const origin = cmdFrom ? { from: at(cmdFrom) } : { note: `from /proc/cmdline${src(opts.facts)}` };
      if (kv && (kv[1] === 'ccp' || kv[1] === 'kvm_amd' || kv[1] === 'kvm-amd')) {
        const mod = kv[1].replace('-', '_');
        const name = kv[2]!.replace(/-/g, '_');
        const info = params.find((p) => p.module === mod && p.name === name);
        const v = info ? paramValue(info.type, kv[3]!) : undefined;
        if (info && v !== undefined) put({ path: `kernel.params.${mod}.${name}`, value: v, ...origin });
        else notes.push(`${tok}: not a parameter ${release} models; ignored`);
        continue;
      }
      const iommu = /^(?:iommu|amd_iommu)=(pt|nopt|off)$/.exec(tok);
      if (iommu) {
        const mode = iommu[1] === 'pt' ? 'passthrough' : iommu[1] === 'off' ? 'off' : 'translated';
        put({ path: 'machine.iommu', value: mode, ...origin }, true);
        continue;
      }
      if (tok === 'nosmt' || tok === 'nosmt=force') {
        put({
          path: 'machine.offlineCores',
          value: smtSiblings(cpuValue, sockets),
          ...origin,
          note: `${'note' in origin ? `${origin.note}; ` : ''}${tok}: every core's second thread stays offline`,
        });
      }
    }
  }
  if (smtOff && !found.has('machine.offlineCores')) {
    put({
      path: 'machine.offlineCores',
      value: smtSiblings(cpuValue, sockets),
      from: at(smtOff),
      note: "SMT disabled: every core's second thread is offline",
    });
  }
  if (found.get('machine.iommu')?.value === undefined) {
    const off = log.relevant.find((l) => wordingOf(normalise(l.text))?.w.id === 'iommu-snp-off');
    if (off) {
      put({
        path: 'machine.iommu',
        value: 'passthrough',
        from: at(off),
        note: 'the line reads "disabled or passthrough"; passthrough is the usual cause (iommu=pt, a distribution default)',
      });
    }
  }

  // BIOS SNP: an RMP line or any SNP activity proves it on; their absence from a log that shows
  // SEV suggests it off.
  if (!found.has('machine.bios.snp')) {
    if (snpMentioned)
      put({
        path: 'machine.bios.snp',
        value: true,
        from: at(snpMentioned),
        note: 'the kernel reached SNP code',
      });
    else
      put({
        path: 'machine.bios.snp',
        value: false,
        assumed: true,
        note: 'no RMP table or SNP line in the log',
      });
  }
  if (uefi) put({ path: 'machine.bios.bootMode', value: 'uefi', from: at(uefi) });

  // Module parameters as /sys/module reads them.
  for (const [mod, values] of Object.entries(opts.facts?.parameters ?? {})) {
    const params = opts.catalog.params(release, []);
    for (const [name, text] of Object.entries(values)) {
      const info = params.find((p) => p.module === mod && p.name === name);
      const v = info ? paramValue(info.type, text.trim()) : undefined;
      if (
        info &&
        v !== undefined &&
        v !== info.default &&
        !(info.type === 'bool' && Boolean(v) === info.default)
      )
        put(
          {
            path: `kernel.params.${mod}.${name}`,
            value: v,
            note: `/sys/module/${mod}/parameters/${name}${src(opts.facts)}`,
          },
          true,
        );
    }
  }
  for (const [path, value] of Object.entries(opts.facts?.values ?? {})) {
    put({ path, value, note: `from ${opts.facts?.source ?? 'facts'}` }, true);
  }

  // The rest: the preset's and the BIOS's defaults, each an assumption.
  const p = CPU_PRESETS[cpuValue];
  const defaults: readonly [string, Json, string][] = [
    ['machine.firmware', p.defaultFirmware, `${cpuValue} preset's firmware`],
    ['machine.asids', p.asids, `${cpuValue} preset's ASID count`],
    ['machine.bios.minSevAsid', p.minSevAsid, `${cpuValue} preset's SEV-ES ASID limit`],
    ['machine.bios.smee', true, 'SMEE enabled'],
    ['machine.bios.bootMode', 'uefi', 'UEFI boot (the log shows no efi: lines either way)'],
    ['machine.iommu', 'translated', 'IOMMU translated (no iommu= on the command line the log shows)'],
    ['kernel.builtin', [], 'ccp and kvm_amd as modules, loaded in the order the log shows'],
  ];
  for (const [path, value, note] of defaults) if (!found.has(path)) put({ path, value, assumed: true, note });

  const inferred = [...found.values()].sort((a, b) => a.order - b.order).map(({ order: _, ...x }) => x);
  return { inferred, ...toInput(inferred), ...(realKernel ? { realKernel } : {}), notes };
}

/** A flush command's failure a line reports: named by it (6.16+), or carried by an init line. */
interface Flush {
  readonly cmd: 'DF_FLUSH' | 'SNP_DF_FLUSH';
  readonly status: number;
  readonly l: LogLine;
  readonly named: boolean;
}

/**
 * The PSP's answer to DF_FLUSH and SNP_DF_FLUSH when the log shows one failing
 * (docs/reference/psp-firmware.md §2.7). An init line with a status only the flushes return is the
 * flush's (the kernel ran it right after a successful init and reported its status as the init's):
 * an assumption, said so. Both flushes make the same check (every enabled core's WBINVD_DONE flag),
 * so the one the log does not show is taken to answer the same, unless the log shows SNP
 * initialised (snpInitialisedLine), which needs SNP_DF_FLUSH to succeed. The replay has the PSP give
 * those answers (machine.pspMailboxStatus): the log cannot show which core missed the flag.
 */
function flushStatus(
  flushes: readonly Flush[],
  snpUp: LogLine | undefined,
): Omit<Inferred, 'path'> | undefined {
  const first = flushes[0];
  if (!first) return undefined;
  const value: Record<string, number> = {};
  for (const f of flushes) value[f.cmd] ??= f.status;
  const shared = FLUSH_ONLY_STATUS[first.status] !== undefined;
  const other = first.cmd === 'DF_FLUSH' ? 'SNP_DF_FLUSH' : 'DF_FLUSH';
  const extended = shared && value[other] === undefined && !(other === 'SNP_DF_FLUSH' && snpUp);
  if (extended) value[other] = first.status;
  const status = `0x${first.status.toString(16)}`;
  const name = FLUSH_ONLY_STATUS[first.status];
  const reasons = [
    first.named
      ? `line ${first.l.line}: the PSP answered ${first.cmd} with ${status}${name ? ` (${name})` : ''}`
      : `line ${first.l.line} reports ${first.cmd === 'DF_FLUSH' ? 'INIT' : 'SNP_INIT'} failing with ${status} (${name}), which the firmware's INIT and SNP_INIT never return (AMD-ASPFW 1.55.25: only DF_FLUSH and SNP_DF_FLUSH do): the kernel runs ${first.cmd} right after a successful init, after WBINVD on every CPU, and this kernel reported its status as the init's`,
    ...(extended
      ? [
          `${other} makes the same check (every enabled core's WBINVD_DONE flag), so it is taken to answer ${status} too`,
        ]
      : []),
    'which core missed the flag the log cannot show, so the replay has the PSP answer with that status',
  ];
  const assumed = extended || flushes.some((f) => !f.named);
  return {
    value,
    from: { line: first.l.line, text: first.l.text },
    ...(assumed ? { assumed: true as const } : {}),
    note: reasons.join('; '),
  };
}

const PMD = 0x200000n;

/** The ends of an RMP [base, end] whose 2 MB chunk the log shows reserved, each with its line. */
function rmpEnds(
  rmp: { base: bigint; end: bigint },
  chunks: readonly { chunk: bigint; l: LogLine }[],
): { end: 'start' | 'end'; l: LogLine }[] {
  const out: { end: 'start' | 'end'; l: LogLine }[] = [];
  for (const [end, pa] of [
    ['start', rmp.base],
    ['end', rmp.end + 1n],
  ] as const) {
    const hit = pa % PMD !== 0n ? chunks.find((c) => c.chunk === pa - (pa % PMD)) : undefined;
    if (hit) out.push({ end, l: hit.l });
  }
  return out;
}

const GIB = 2 ** 30;

/**
 * The segmented RMP the log's lines describe as machine.bios.rmpSegments, and the memory its
 * segments map from 0 without a gap; undefined without the base, size and segment lines, and a
 * reason when they do not make a layout the model can hold (a segment not covering index × size
 * or a whole number of GB; a table outside that memory, which the model's one DRAM range from 0
 * cannot place).
 */
function segmentLayout(
  base: number | undefined,
  size: { gib: number } | undefined,
  lines: readonly { index: number; at: number; cover: [number, number] }[],
): { layout: Json; fromZeroGiB: number } | { why: string } | undefined {
  if (base === undefined || !size || lines.length === 0) return undefined;
  const segments: { index: number; at: number; mappedGiB: number }[] = [];
  for (const s of lines) {
    const mapped = (s.cover[1] + 1 - s.cover[0]) / GIB;
    if (s.cover[0] !== s.index * size.gib * GIB || !Number.isInteger(mapped))
      return {
        why: `segment ${s.index} does not cover ${s.index} × ${size.gib} GB and a whole number of GB`,
      };
    segments.push({ index: s.index, at: s.at, mappedGiB: mapped });
  }
  let fromZeroGiB = 0;
  for (const s of [...segments].sort((a, b) => a.index - b.index)) {
    if (s.index * size.gib !== fromZeroGiB) break;
    fromZeroGiB += s.mappedGiB;
    if (s.mappedGiB < size.gib) break;
  }
  // RMP_BASE's 2 MB block and each segment's table (16 bytes per 4 KB page it maps).
  const ends = [base + 2 * 2 ** 20, ...segments.map((s) => s.at + (s.mappedGiB * GIB) / 256)];
  if (Math.max(...ends) > fromZeroGiB * GIB)
    return {
      why: `a table lies above the ${fromZeroGiB} GB the segments map from 0, where the model has no DRAM`,
    };
  return { layout: { segmentGiB: size.gib, base, segments }, fromZeroGiB };
}

/** The preset whose CPU has a segmented RMP. */
const SEGMENTED_PRESET = Object.entries(CPU_PRESETS).find(([, p]) => p.features.segmentedRmp)?.[0] as
  | CpuModel
  | undefined;

function src(f: Facts | undefined): string {
  return f?.source ? ` (${f.source})` : '';
}

function cpuFromCpuinfo(text: string): CpuModel | undefined {
  const fam = /^cpu family\s*:\s*(\d+)/m.exec(text);
  const model = /^model\s*:\s*(\d+)/m.exec(text);
  const name = /^model name\s*:\s*(.*)$/m.exec(text);
  return (
    (fam && model ? cpuFromFamily(Number(fam[1]), Number(model[1])) : undefined) ??
    (name ? cpuFromBrand(name[1]!) : undefined)
  );
}

/** Inferred values as the scenario's `machine` and `kernel` (paths applied in order). */
export function toInput(inferred: readonly { readonly path: string; readonly value: Json }[]): {
  machine: MachineInput;
  kernel: KernelInput;
} {
  const root: Record<string, Record<string, unknown>> = { machine: {}, kernel: {} };
  for (const x of inferred) setPath(root, x.path, x.value);
  return { machine: root.machine as MachineInput, kernel: root.kernel as KernelInput };
}

/** Set a scenario-v1 path; `kernel.params.MOD.NAME` is one key `MOD.NAME` as in the file. */
export function setPath(root: Record<string, unknown>, path: string, value: Json): void {
  const parts = path.split('.');
  const keys =
    parts[0] === 'kernel' && parts[1] === 'params' ? ['kernel', 'params', parts.slice(2).join('.')] : parts;
  let o = root as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) {
    if (typeof o[k] !== 'object' || o[k] === null) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys[keys.length - 1]!] = value;
}
