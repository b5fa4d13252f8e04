export type CpuModel = 'rome' | 'milan' | 'genoa' | 'bergamo' | 'siena' | 'turin';
export type TcbLayout = 'zen3-4' | 'zen5';

/** Memory-encryption features reported in CPUID Fn8000_001F EAX (docs/reference/psp-firmware.md §8.2). */
export interface CpuFeatures {
  sme: boolean;
  sev: boolean;
  sevEs: boolean;
  snp: boolean;
  vmpl: boolean;
  rmpread: boolean;
  segmentedRmp: boolean;
  debugSwap: boolean;
  secureTsc: boolean;
}

/**
 * The PSP's PCI function on each socket: what the ccp driver matches (drivers/crypto/ccp/sp-pci.c
 * `sp_pci_table`) and the address every `ccp BDF:` line names. Bus numbers depend on the board; the
 * values are ones real machines of the part print, with the report beside each preset.
 */
export interface PspPci {
  /**
   * PCI device id: 0x1486 (Zen 2/3: the PSP shares its function with a CCP crypto engine,
   * `dev_vdata[3]`), 0x14CA (Zen 4 server parts: PSP only, `dev_vdata[5]`).
   */
  deviceId: number;
  /** The PSP's address on a one-socket board. */
  oneSocket: string;
  /** Socket 0's (the master) and socket 1's on a two-socket board; absent for a one-socket part. */
  twoSockets?: readonly [string, string];
}

export interface CpuPreset {
  model: CpuModel;
  zen: 2 | 3 | 4 | 5;
  family: number;
  /** CPUID Fn0000_0001 model the preset reports by default. */
  modelId: number;
  /** The CPUID models of this part, [first, last]: a machine may name any of them (`model`). */
  modelRange: readonly [number, number];
  /** Sockets a board can hold: Siena (SP6) is single-socket. */
  maxSockets: 1 | 2;
  /** Physical cores of the modelled one-socket part; logical CPUs = cores × threadsPerCore. */
  cores: number;
  threadsPerCore: 2;
  /** CPUID 0x8000001F ECX default: number of encrypted guests supported at once (highest ASID). */
  asids: number;
  /** CPUID 0x8000001F EDX default: first ASID for a plain SEV guest (BIOS option). */
  minSevAsid: number;
  /** CPUID 0x8000001F EBX[5:0]. */
  cbit: number;
  /** CPUID 0x8000001F EBX[11:6]: physical address bits lost when memory encryption is on. */
  physAddrReduction: number;
  /**
   * The reduction for each ASID count the BIOS's "SEV ASID Count" option offers, where the part
   * trades key-id bits against address bits; an ASID count not listed keeps `physAddrReduction`.
   */
  physAddrReductionByAsids?: Readonly<Record<number, number>>;
  /** CPUID 0x8000001F EBX[15:12]: number of VMPLs (0 without SNP). */
  vmpls: number;
  features: CpuFeatures;
  /** Firmware the platform ships with, 'major.minor.build'. */
  defaultFirmware: string;
  tcbLayout: TcbLayout;
  /** Platform can hide ciphertext of SNP guest memory (SNP_PLATFORM_STATUS ciphertext_hiding_cap). */
  ciphertextHidingCapable: boolean;
  pspPci: PspPci;
}

/** Zen3/4/5 CCX: 8 physical cores share one L3 (the firmware tracks ASID state per CCX). */
export const CORES_PER_CCX = 8;

const ZEN4_FEATURES: CpuFeatures = {
  sme: true,
  sev: true,
  sevEs: true,
  snp: true,
  vmpl: true,
  rmpread: false,
  segmentedRmp: false,
  debugSwap: true,
  secureTsc: true,
};

/** What every Zen 4 EPYC part (Genoa, Bergamo, Siena) reports alike; each preset adds its own. */
const ZEN4 = {
  zen: 4,
  family: 0x19,
  threadsPerCore: 2,
  asids: 1006,
  minSevAsid: 100,
  cbit: 51,
  physAddrReduction: 5,
  vmpls: 4,
  features: ZEN4_FEATURES,
  defaultFirmware: '1.55.25',
  tcbLayout: 'zen3-4',
  ciphertextHidingCapable: false,
} as const satisfies Partial<CpuPreset>;

/**
 * The EPYC parts. Families/models: Rome 17h/31h, Milan 19h/01h, Genoa 19h/11h, Bergamo and Siena
 * 19h/A0h, Turin 1Ah/02h; the model ranges are the kernel's Zen generation ranges (Linux v6.12
 * arch/x86/kernel/cpu/amd.c bsp_init_amd()). ASID counts: 1006 is the firmware's MAX_SEV_ASIDS on
 * Genoa (docs/reference/psp-firmware.md §7.3), and a Siena shows it (ASIDs 256 - 1006,
 * https://github.com/AMDESE/AMDSEV/issues/246); Milan and Rome expose 509. Rome has no SNP.
 * RMPREAD and the segmented RMP exist from Zen 5 (docs/reference/psp-firmware.md §5.1, §5.2);
 * ciphertext hiding needs a newer platform (docs/reference/psp-firmware.md §6). Values the
 * references do not give are listed in README "Decisions".
 */
/**
 * Milan's PSP: one socket EPYC 7713 on an ASRock ROME2D16-2T, AMDESE/AMDSEV#140; two sockets
 * EPYC 7543 ×2 on a Dell R6525, AMDESE/AMDSEV#107 (both PSPs print "psp enabled").
 */
const MILAN_PSP_PCI: PspPci = {
  deviceId: 0x1486,
  oneSocket: '0000:47:00.1',
  twoSockets: ['0000:22:00.1', '0000:a2:00.1'],
};

/**
 * Genoa's PSP: one socket EPYC 9654 on a Supermicro H13SSL-N, coconut-svsm/svsm#409
 * (`ccp 0000:03:00.5`); two sockets AMDESE/AMDSEV#184, whose log prints "psp enabled" from
 * 0000:01:00.5 and 0000:83:00.5 (boards differ: #202's two-socket Gigabyte G493-ZB2 has its
 * master at 09:00.5).
 */
const GENOA_PSP_PCI: PspPci = {
  deviceId: 0x14ca,
  oneSocket: '0000:03:00.5',
  twoSockets: ['0000:01:00.5', '0000:83:00.5'],
};

export const CPU_PRESETS: Readonly<Record<CpuModel, CpuPreset>> = {
  rome: {
    model: 'rome',
    zen: 2,
    family: 0x17,
    modelId: 0x31,
    modelRange: [0x30, 0x3f],
    maxSockets: 2,
    cores: 64,
    threadsPerCore: 2,
    asids: 509,
    minSevAsid: 100,
    cbit: 47,
    physAddrReduction: 5,
    vmpls: 0,
    features: {
      sme: true,
      sev: true,
      sevEs: true,
      snp: false,
      vmpl: false,
      rmpread: false,
      segmentedRmp: false,
      debugSwap: false,
      secureTsc: false,
    },
    defaultFirmware: '0.24.15',
    // No SNP, so no SNP TCB; the field only has to name a layout.
    tcbLayout: 'zen3-4',
    ciphertextHidingCapable: false,
    // The SP3 platform Milan shares: Milan's device and addresses.
    pspPci: MILAN_PSP_PCI,
  },
  milan: {
    model: 'milan',
    zen: 3,
    family: 0x19,
    modelId: 0x01,
    modelRange: [0x00, 0x0f],
    maxSockets: 2,
    cores: 64,
    threadsPerCore: 2,
    asids: 509,
    minSevAsid: 100,
    cbit: 51,
    physAddrReduction: 5,
    // AGESA's "SEV ASID Count" option (253 or 509 ASIDs): "16TB of physical address space is
    // available for systems that support 253 ASIDs, while 8TB … 509 ASIDs", i.e. 48 − 4 and
    // 48 − 5 bits. Real hosts agree: AMDESE/AMDSEV#197's EPYC 7313 reads ECX 0xfd, EBX 0x4133
    // (reduction 4); AMDESE/AMDSEV#271's EPYC 7453 `sevctl ok` shows 509 ASIDs, reduction 5.
    physAddrReductionByAsids: { 253: 4, 509: 5 },
    vmpls: 4,
    features: {
      sme: true,
      sev: true,
      sevEs: true,
      snp: true,
      vmpl: true,
      rmpread: false,
      segmentedRmp: false,
      debugSwap: false,
      secureTsc: false,
    },
    defaultFirmware: '1.55.21',
    tcbLayout: 'zen3-4',
    ciphertextHidingCapable: false,
    pspPci: MILAN_PSP_PCI,
  },
  genoa: {
    ...ZEN4,
    model: 'genoa',
    modelId: 0x11,
    modelRange: [0x10, 0x1f],
    maxSockets: 2,
    cores: 96,
    pspPci: GENOA_PSP_PCI,
  },
  bergamo: {
    ...ZEN4,
    model: 'bergamo',
    modelId: 0xa0,
    modelRange: [0xa0, 0xaf],
    maxSockets: 2,
    cores: 128,
    // Genoa family: Genoa's device and addresses, assumed.
    pspPci: GENOA_PSP_PCI,
  },
  siena: {
    ...ZEN4,
    model: 'siena',
    modelId: 0xa0,
    modelRange: [0xa0, 0xaf],
    maxSockets: 1,
    cores: 64,
    // AMDSEV#246's EPYC 8024P: "ccp 0000:02:00.5: sev enabled". A single-socket part (SP6).
    pspPci: { deviceId: 0x14ca, oneSocket: '0000:02:00.5' },
  },
  turin: {
    model: 'turin',
    zen: 5,
    family: 0x1a,
    modelId: 0x02,
    modelRange: [0x00, 0x2f],
    maxSockets: 2,
    cores: 128,
    threadsPerCore: 2,
    asids: 1006,
    minSevAsid: 100,
    cbit: 51,
    physAddrReduction: 5,
    vmpls: 4,
    features: {
      sme: true,
      sev: true,
      sevEs: true,
      snp: true,
      vmpl: true,
      rmpread: true,
      segmentedRmp: true,
      debugSwap: true,
      secureTsc: true,
    },
    // AMD's Turin reference host (AMDESE/AMDSEV README, "Verify") runs SNP firmware 1.58.5.
    defaultFirmware: '1.58.5',
    tcbLayout: 'zen5',
    ciphertextHidingCapable: true,
    // AMD's own Turin reference host (AMDESE/AMDSEV README, "Verify") prints
    // "ccp 0000:a9:00.5: SEV-SNP API:1.58 build:5"; its socket count is not shown, so the
    // two-socket pair stays Genoa's, assumed (README "Decisions").
    pspPci: { ...GENOA_PSP_PCI, oneSocket: '0000:a9:00.5' },
  },
};

/** In CPUID order; a family/model shared by two presets (Bergamo, Siena) finds the first. */
export const CPU_MODELS: readonly CpuModel[] = ['rome', 'milan', 'genoa', 'bergamo', 'siena', 'turin'];

/** The preset whose family and model range hold `family`/`model`, if sevsim models that CPU. */
export function cpuForFamilyModel(family: number, model: number): CpuModel | undefined {
  return CPU_MODELS.find((m) => {
    const p = CPU_PRESETS[m];
    return p.family === family && model >= p.modelRange[0] && model <= p.modelRange[1];
  });
}

/**
 * The PSPs' PCI addresses in probe order (bus order: socket 0, the master, first). Two sockets of
 * a one-socket part is refused before this (createMachine checks `maxSockets`).
 */
export function pspPciAddresses(preset: CpuPreset, sockets: number): readonly string[] {
  if (sockets !== 2) return [preset.pspPci.oneSocket];
  if (!preset.pspPci.twoSockets) throw new Error(`${preset.model} is a one-socket part`);
  return preset.pspPci.twoSockets;
}

/** A PCI address as the kernel prints it: domain:bus:device.function, lower-case hex. */
export const PCI_BDF = /^[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\.[0-7]$/;

/**
 * The PSP's PCI function: the SoC's, the same on every board (1 on Rome and Milan, 5 on the
 * Genoa family); only the bus (and domain) are the board's.
 */
export function pspPciFunction(preset: CpuPreset): number {
  return Number(preset.pspPci.oneSocket.slice(-1));
}
