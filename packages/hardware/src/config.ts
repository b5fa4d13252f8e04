import { HardwareConfigError } from './errors.js';
import {
  CPU_MODELS,
  CPU_PRESETS,
  type CpuModel,
  type CpuPreset,
  cpuForFamilyModel,
  PCI_BDF,
  pspPciAddresses,
  pspPciFunction,
} from './presets.js';

export type IommuMode = 'off' | 'passthrough' | 'translated';
export type SnpMemoryCoverage = 'full' | 'partial' | 'none';
export type BootMode = 'uefi' | 'legacy';
/** Which ends of a contiguous RMP the BIOS put on an odd megabyte (not 2 MB aligned). */
export type RmpUnaligned = 'none' | 'start' | 'end' | 'both';

/** One RMP Segment Table entry as the BIOS wrote it (docs/reference/psp-firmware.md §5.1). */
export interface RmpSegmentEntry {
  /** RST index: the segment covers [index × segment size, + mappedGiB). */
  readonly index: number;
  /** Physical address of the segment's RMP entries (RST bits 51:20, so 1 MB aligned). */
  readonly at: number;
  /** GB of memory the segment maps (RST bits 19:0), at most the segment size. */
  readonly mappedGiB: number;
}

/**
 * A segmented RMP laid out by the BIOS where it chose, as a real host's log shows it: the segment
 * size of RMP_CFG, RMP_BASE (the bookkeeping area and the RST) and the RST's entries.
 */
export interface RmpSegmentLayout {
  /** RMP_CFG[13:8] as a size: a power of two within CPUID 0x80000025's bounds (1 GiB to 4 PiB). */
  readonly segmentGiB: number;
  /** RMP_BASE, 1 MB aligned. */
  readonly base: number;
  readonly segments: readonly RmpSegmentEntry[];
}

/** The BIOS setup options SEV depends on. */
export interface BiosOptions {
  /** SMEE: memory encryption enabled (SYSCFG.MemEncryptionModEn set by the BIOS). */
  smee: boolean;
  /** SEV-SNP enabled: the BIOS reserves the RMP and programs RMP_BASE/RMP_END. */
  snp: boolean;
  /** CPUID 0x8000001F EDX, the "SEV-ES ASID space limit". */
  minSevAsid: number;
  /** Ciphertext-hiding capability enabled (only on CPUs that have it). */
  ciphertextHiding: boolean;
  /** How much of DRAM the reserved RMP covers. */
  snpMemoryCoverage: SnpMemoryCoverage;
  /** IOMMU present and enabled (IVRS table published). */
  iommu: boolean;
  /** HWCR.SMMLock set before hand-off. */
  smmLock: boolean;
  /** IOMMU EFR bit 63 (SNPSup) advertised. Extension; defaults to true. */
  iommuSnp: boolean;
  /**
   * Boot mode: UEFI, or legacy (CSM). The memory map a legacy boot hands over does not pass the
   * firmware's SNP_INIT memory-map checks (https://github.com/AMDESE/AMDSEV/issues/107).
   */
  bootMode: BootMode;
  /**
   * RMP ends the BIOS left off a 2 MB boundary, with host RAM in the rest of that 2 MB (the
   * firmware needs only 1 MB alignment). Real BIOSes do this: the kernel then logs `SEV-SNP: Reserving
   * start/end of RMP table on a 2MB boundary` (https://github.com/AMDESE/AMDSEV/issues/271,
   * docs/reference/linux-ccp.md §7.3). Extension; 'none' by default.
   */
  rmpUnaligned: RmpUnaligned;
  /**
   * A segmented RMP (Zen 5) placed where the BIOS put it instead of carved from the top of DRAM:
   * its pieces may leave host RAM in their 2 MB chunks, as on AMD's reference Turin host. Extension;
   * absent by default.
   */
  rmpSegments?: RmpSegmentLayout;
  /**
   * Whether a BIOS on a CPU with the segmented-RMP feature (Zen 5) sets RMP_CFG's enable bit and
   * lays out a segmented RMP, or leaves it clear and places one contiguous RMP_BASE..RMP_END table.
   * The kernel follows RMP_CFG (docs/reference/linux-ccp.md §7.1 step 2), so it is the BIOS's choice.
   * Extension; absent means the CPU's own form (segmented on Turin); true only on such a CPU.
   */
  rmpSegmented?: boolean;
}

export type Sockets = 1 | 2;

export interface MachineConfig {
  /** The preset; may be left out when `family` and `model` name the CPU. */
  cpu?: CpuModel;
  /** CPUID family (Fn0000_0001), e.g. 0x19; must be the preset's. */
  family?: number;
  /** CPUID model, e.g. 0xa0; within the preset's model range. Picks the firmware file name. */
  model?: number;
  /**
   * Processor sockets, 1 or 2 (default 1). Each socket has `cores` physical cores and its own PSP;
   * the first socket's PSP is the master the kernel talks to (AMDSEV#107: two ccp devices).
   */
  sockets?: Sockets;
  /** CPUID 0x8000001F ECX override, 1..1006. */
  asids?: number;
  /** Physical cores per socket override; logical CPUs are sockets × cores × 2 (SMT 2). */
  cores?: number;
  /** Logical CPU ids present but offline (e.g. `nosmt` siblings). CPU 0 cannot be offline. */
  offlineCores?: number[];
  bios?: Partial<BiosOptions>;
  /** What the kernel makes of the IOMMU: disabled, passthrough (`iommu=pt`) or translated. */
  iommu?: IommuMode;
  memoryGiB?: number;
  /**
   * The PSPs' PCI addresses as this board places them, socket 0 (the master) first; sockets not
   * named keep the preset's. The function must be the preset's (`pspPciFunction`). Extension.
   */
  pspPci?: readonly string[];
}

export interface ResolvedMachineConfig {
  readonly cpu: CpuModel;
  /** CPUID model the machine reports (the preset's unless `model` chose another of its range). */
  readonly modelId: number;
  readonly sockets: Sockets;
  readonly asids: number;
  /** Physical cores per socket. */
  readonly cores: number;
  /** sockets × cores × threads per core. */
  readonly logicalCpus: number;
  readonly offlineCores: readonly number[];
  readonly bios: Readonly<BiosOptions>;
  readonly iommu: IommuMode;
  readonly memoryGiB: number;
  /** One PCI address per socket, in probe order (the master first). */
  readonly pspPci: readonly string[];
}

/** Firmware MAX_SEV_ASIDS (docs/reference/psp-firmware.md §2.5, §7.3): no platform exposes more. */
export const MAX_ASIDS = 1006;
/** Per socket. */
const MAX_PHYSICAL_CORES = 256;
const MAX_MEMORY_GIB = 4096;
const IOMMU_MODES: readonly IommuMode[] = ['off', 'passthrough', 'translated'];
const COVERAGES: readonly SnpMemoryCoverage[] = ['full', 'partial', 'none'];
const BOOT_MODES: readonly BootMode[] = ['uefi', 'legacy'];
const RMP_UNALIGNED: readonly RmpUnaligned[] = ['none', 'start', 'end', 'both'];
const BIOS_KEYS: readonly (keyof BiosOptions)[] = [
  'smee',
  'snp',
  'minSevAsid',
  'ciphertextHiding',
  'snpMemoryCoverage',
  'iommu',
  'smmLock',
  'iommuSnp',
  'bootMode',
  'rmpUnaligned',
  'rmpSegments',
  'rmpSegmented',
];

/** Whether the BIOS lays out a segmented RMP: only on a CPU that has one, unless it chose the contiguous form. */
export function biosSegmentsRmp(preset: CpuPreset, bios: Pick<BiosOptions, 'rmpSegmented'>): boolean {
  return preset.features.segmentedRmp && bios.rmpSegmented !== false;
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

function requireBool(bios: Partial<BiosOptions>, key: keyof BiosOptions): void {
  const v = bios[key];
  if (v !== undefined && typeof v !== 'boolean') {
    throw new HardwareConfigError(`bios.${key} must be true or false, got ${JSON.stringify(v)}`);
  }
}

export function defaultBios(preset: CpuPreset): BiosOptions {
  return {
    smee: true,
    snp: preset.features.snp,
    minSevAsid: preset.minSevAsid,
    ciphertextHiding: preset.ciphertextHidingCapable,
    snpMemoryCoverage: 'full',
    iommu: true,
    smmLock: true,
    iommuSnp: true,
    bootMode: 'uefi',
    rmpUnaligned: 'none',
  };
}

const hex2 = (n: number) => `0x${n.toString(16)}`;

/** The preset a configuration names, by `cpu` or by CPUID family and model. */
function resolveCpu(config: MachineConfig): { cpu: CpuModel; modelId: number } {
  const { family, model } = config;
  for (const [key, v] of [
    ['family', family],
    ['model', model],
  ] as const) {
    if (v !== undefined && (!isInt(v) || v < 0 || v > 0xff)) {
      throw new HardwareConfigError(`${key} must be an integer in 0..255, got ${JSON.stringify(v)}`);
    }
  }
  if (config.cpu === undefined) {
    if (family === undefined || model === undefined) {
      throw new HardwareConfigError('cpu is required unless family and model name the CPU');
    }
    const cpu = cpuForFamilyModel(family, model);
    if (cpu === undefined) {
      throw new HardwareConfigError(
        `family ${hex2(family)} model ${hex2(model)} is not a modelled CPU (${CPU_MODELS.join(', ')})`,
      );
    }
    return { cpu, modelId: model };
  }
  if (!CPU_MODELS.includes(config.cpu)) {
    throw new HardwareConfigError(
      `unknown cpu ${JSON.stringify(config.cpu)} (expected one of ${CPU_MODELS.join(', ')})`,
    );
  }
  const p = CPU_PRESETS[config.cpu];
  if (family !== undefined && family !== p.family) {
    throw new HardwareConfigError(`family ${hex2(family)} is not ${config.cpu}'s (${hex2(p.family)})`);
  }
  if (model !== undefined && (model < p.modelRange[0] || model > p.modelRange[1])) {
    throw new HardwareConfigError(
      `model ${hex2(model)} is not ${config.cpu}'s (${hex2(p.modelRange[0])}..${hex2(p.modelRange[1])})`,
    );
  }
  return { cpu: config.cpu, modelId: model ?? p.modelId };
}

/** Fills defaults from the preset and rejects machines that cannot exist. */
export function resolveConfig(config: MachineConfig): ResolvedMachineConfig {
  const { cpu, modelId } = resolveCpu(config);
  const preset = CPU_PRESETS[cpu];

  const asids = config.asids ?? preset.asids;
  if (!isInt(asids) || asids < 1 || asids > MAX_ASIDS) {
    throw new HardwareConfigError(`asids must be an integer in 1..${MAX_ASIDS}, got ${asids}`);
  }

  const sockets = config.sockets ?? 1;
  if (sockets !== 1 && sockets !== 2) {
    throw new HardwareConfigError(`sockets must be 1 or 2, got ${JSON.stringify(sockets)}`);
  }
  if (sockets > preset.maxSockets) {
    throw new HardwareConfigError(`sockets: ${cpu} is a single-socket part`);
  }

  const cores = config.cores ?? preset.cores;
  if (!isInt(cores) || cores < 1 || cores > MAX_PHYSICAL_CORES) {
    throw new HardwareConfigError(`cores must be an integer in 1..${MAX_PHYSICAL_CORES}, got ${cores}`);
  }
  const logicalCpus = sockets * cores * preset.threadsPerCore;

  const offline = config.offlineCores ?? [];
  const seen = new Set<number>();
  for (const id of offline) {
    if (!isInt(id) || id < 0 || id >= logicalCpus) {
      throw new HardwareConfigError(`offline core ${id} does not exist (cores are 0..${logicalCpus - 1})`);
    }
    if (id === 0) throw new HardwareConfigError('core 0 (the boot CPU) cannot be offline');
    if (seen.has(id)) throw new HardwareConfigError(`offline core ${id} listed twice`);
    seen.add(id);
  }

  const biosIn = config.bios ?? {};
  for (const key of Object.keys(biosIn)) {
    if (!BIOS_KEYS.includes(key as keyof BiosOptions)) {
      throw new HardwareConfigError(`unknown bios option ${JSON.stringify(key)}`);
    }
  }
  for (const key of [
    'smee',
    'snp',
    'ciphertextHiding',
    'iommu',
    'smmLock',
    'iommuSnp',
    'rmpSegmented',
  ] as const) {
    requireBool(biosIn, key);
  }
  const bios: BiosOptions = { ...defaultBios(preset), ...biosIn };
  // EDX may exceed ECX: that is the "SEV unusable" case (docs/reference/linux-kvm-amd.md §2.5), but not beyond ECX+1.
  if (!isInt(bios.minSevAsid) || bios.minSevAsid < 0 || bios.minSevAsid > asids + 1) {
    throw new HardwareConfigError(
      `bios.minSevAsid must be an integer in 0..${asids + 1} (asids + 1), got ${bios.minSevAsid}`,
    );
  }
  if (bios.ciphertextHiding && !preset.ciphertextHidingCapable) {
    throw new HardwareConfigError(`bios.ciphertextHiding: ${cpu} has no ciphertext-hiding capability`);
  }
  if (!COVERAGES.includes(bios.snpMemoryCoverage)) {
    throw new HardwareConfigError(
      `bios.snpMemoryCoverage must be one of ${COVERAGES.join(', ')}, got ${JSON.stringify(bios.snpMemoryCoverage)}`,
    );
  }
  if (!BOOT_MODES.includes(bios.bootMode)) {
    throw new HardwareConfigError(
      `bios.bootMode must be one of ${BOOT_MODES.join(', ')}, got ${JSON.stringify(bios.bootMode)}`,
    );
  }

  if (!RMP_UNALIGNED.includes(bios.rmpUnaligned)) {
    throw new HardwareConfigError(
      `bios.rmpUnaligned must be one of ${RMP_UNALIGNED.join(', ')}, got ${JSON.stringify(bios.rmpUnaligned)}`,
    );
  }
  if (bios.rmpSegmented === true && !preset.features.segmentedRmp) {
    throw new HardwareConfigError(`bios.rmpSegmented: ${cpu} has a contiguous RMP only`);
  }
  if (bios.rmpUnaligned !== 'none' && biosSegmentsRmp(preset, bios)) {
    throw new HardwareConfigError(
      `bios.rmpUnaligned: ${cpu}'s BIOS lays out a segmented RMP; unaligned placement is modelled for the contiguous RMP only (bios.rmpSegmented: false)`,
    );
  }

  const iommu = config.iommu ?? 'translated';
  if (!IOMMU_MODES.includes(iommu)) {
    throw new HardwareConfigError(
      `iommu must be one of ${IOMMU_MODES.join(', ')}, got ${JSON.stringify(iommu)}`,
    );
  }

  const memoryGiB = config.memoryGiB ?? 64;
  if (!isInt(memoryGiB) || memoryGiB < 1 || memoryGiB > MAX_MEMORY_GIB) {
    throw new HardwareConfigError(`memoryGiB must be an integer in 1..${MAX_MEMORY_GIB}, got ${memoryGiB}`);
  }
  if (bios.rmpSegments !== undefined) checkRmpSegments(bios, cpu, preset, memoryGiB);
  const pspPci = resolvePspPci(config.pspPci, preset, sockets);

  return {
    cpu,
    modelId,
    sockets,
    asids,
    cores,
    logicalCpus,
    offlineCores: [...offline].sort((a, b) => a - b),
    bios: Object.freeze(bios),
    // Without an IOMMU in the BIOS there is nothing for the kernel to enable.
    iommu: bios.iommu ? iommu : 'off',
    memoryGiB,
    pspPci,
  };
}

/** The board's PSP addresses over the preset's, socket by socket (AMDESE/AMDSEV#202: 09:00.5). */
function resolvePspPci(given: readonly string[] | undefined, preset: CpuPreset, sockets: Sockets) {
  const byPreset = pspPciAddresses(preset, sockets);
  if (given === undefined) return byPreset;
  if (!Array.isArray(given) || given.length < 1 || given.length > sockets) {
    throw new HardwareConfigError(
      `pspPci must list 1..${sockets} address(es), one per socket, got ${JSON.stringify(given)}`,
    );
  }
  const fn = pspPciFunction(preset);
  for (const bdf of given) {
    if (typeof bdf !== 'string' || !PCI_BDF.test(bdf)) {
      throw new HardwareConfigError(
        `pspPci: ${JSON.stringify(bdf)} is not a PCI address like 0000:01:00.${fn}`,
      );
    }
    if (Number(bdf.slice(-1)) !== fn) {
      throw new HardwareConfigError(`pspPci: ${bdf}: the ${preset.model} PSP is PCI function ${fn}`);
    }
  }
  const all = byPreset.map((bdf, socket) => given[socket] ?? bdf);
  if (new Set(all).size !== all.length)
    throw new HardwareConfigError(`pspPci: ${all.join(' and ')} are one address`);
  return all;
}

const MB = 2 ** 20;
const GIB = 2 ** 30;
/** The bookkeeping area and the RST take the 2 MB at RMP_BASE (rmp-layout.ts). */
const RMP_BASE_BLOCK = 2 * MB;

/**
 * A BIOS-placed segmented RMP that a real BIOS could produce: a Zen 5 part with SNP on, a segment
 * size within CPUID 0x80000025 (shift 30..52), RMP_BASE and each segment 1 MB aligned (the
 * firmware's granularity, the RST's bits 51:20), every piece inside DRAM and none overlapping.
 */
function checkRmpSegments(bios: BiosOptions, cpu: CpuModel, preset: CpuPreset, memoryGiB: number): void {
  const layout = bios.rmpSegments as RmpSegmentLayout;
  const bad = (what: string) => new HardwareConfigError(`bios.rmpSegments: ${what}`);
  if (!preset.features.segmentedRmp) throw bad(`${cpu} has a contiguous RMP`);
  if (bios.rmpSegmented === false) throw bad('a segmented layout, but bios.rmpSegmented is false');
  if (!bios.snp || bios.snpMemoryCoverage !== 'full') {
    throw bad('the BIOS lays out the RMP only with bios.snp on and snpMemoryCoverage left at full');
  }
  if (bios.rmpUnaligned !== 'none') throw bad('rmpUnaligned is for the contiguous RMP');
  const { segmentGiB, base, segments } = layout;
  if (!isInt(segmentGiB) || segmentGiB < 1 || segmentGiB > 2 ** 22 || (segmentGiB & (segmentGiB - 1)) !== 0) {
    throw bad(`segmentGiB must be a power of two in 1..4194304, got ${JSON.stringify(segmentGiB)}`);
  }
  const dram = memoryGiB * GIB;
  const pieces: { what: string; start: number; end: number }[] = [];
  const place = (what: string, start: number, bytes: number) => {
    if (!isInt(start) || start < 0 || start % MB !== 0) {
      throw bad(`${what} must be a 1 MB-aligned address, got ${JSON.stringify(start)}`);
    }
    if (start + bytes > dram) throw bad(`${what} ends beyond DRAM (${memoryGiB} GiB)`);
    pieces.push({ what, start, end: start + bytes });
  };
  place('base', base, RMP_BASE_BLOCK);
  if (!Array.isArray(segments) || segments.length < 1 || segments.length > 512) {
    throw bad('segments must list 1 to 512 RST entries');
  }
  const seen = new Set<number>();
  for (const s of segments) {
    if (!isInt(s.index) || s.index < 0 || s.index > 511) {
      throw bad(`segment index must be an integer in 0..511, got ${JSON.stringify(s.index)}`);
    }
    if (seen.has(s.index)) throw bad(`segment ${s.index} listed twice`);
    seen.add(s.index);
    if (!isInt(s.mappedGiB) || s.mappedGiB < 1 || s.mappedGiB > segmentGiB) {
      throw bad(`segment ${s.index} mappedGiB must be an integer in 1..${segmentGiB} (segmentGiB)`);
    }
    place(`segment ${s.index}`, s.at, (s.mappedGiB * GIB) / 256);
  }
  pieces.sort((a, b) => a.start - b.start);
  for (let i = 1; i < pieces.length; i++) {
    const [a, b] = [pieces[i - 1], pieces[i]] as [(typeof pieces)[0], (typeof pieces)[0]];
    if (b.start < a.end) throw bad(`${b.what} overlaps ${a.what}`);
  }
}
