/**
 * Defaults (task "Resolution of defaults"): a machine left unspecified is a fully enabled one of
 * its preset (Genoa by default): the preset's ASID count, minimum SEV ASID and firmware, every
 * BIOS option on (ciphertext hiding where the CPU has it), IOMMU translated. The kernel defaults to
 * the newest modelled release. The resolved configuration goes into every result.
 */
import { CPU_PRESETS, type CpuModel, cpuForFamilyModel, type MachineConfig } from '@sevsim/hardware';
import { RELEASES } from '@sevsim/kvm-amd';
import type { ModuleName } from './catalog';
import type { KernelInput, MachineInput, RmpSegmentsInput } from './scenario';
import type { Json } from './trace';

export const DEFAULT_CPU: CpuModel = 'genoa';

export interface ResolvedMachine {
  readonly cpu: CpuModel;
  /** CPUID family and model, present only when the scenario names them. */
  readonly family?: number;
  readonly model?: number;
  readonly asids: number;
  readonly firmware: string;
  readonly bios: {
    readonly smee: boolean;
    readonly snp: boolean;
    readonly minSevAsid: number;
    readonly ciphertextHiding: boolean;
    readonly snpMemoryCoverage: 'full' | 'partial' | 'none';
    readonly iommu: boolean;
    readonly smmLock: boolean;
    readonly iommuSnp: boolean;
    readonly bootMode: 'uefi' | 'legacy';
    /** Present only when the scenario sets it (older results stay byte-identical). */
    readonly rmpUnaligned?: 'none' | 'start' | 'end' | 'both';
    /** Present only when the scenario sets it. */
    readonly rmpSegments?: RmpSegmentsInput;
    /** Present only when the scenario sets it. */
    readonly rmpSegmented?: boolean;
  };
  readonly iommu: 'off' | 'passthrough' | 'translated';
  readonly sockets?: 1 | 2;
  readonly cores?: number;
  readonly offlineCores: readonly number[];
  readonly memoryGiB?: number;
  /** Present only when the scenario sets it (older results stay byte-identical). */
  readonly pspResponseSeconds?: Readonly<Record<string, number | 'never'>>;
  /** Present only when the scenario sets it. */
  readonly pspMailboxStatus?: Readonly<Record<string, number>>;
  /** The board's PSP PCI addresses, socket 0 first; present only when the scenario sets it. */
  readonly pspPci?: readonly string[];
}

export interface ResolvedKernel {
  readonly version: string;
  readonly patches: readonly string[];
  readonly builtin: readonly ModuleName[];
  readonly params: Record<string, Json>;
}

export function resolveMachine(m: MachineInput): ResolvedMachine {
  const named =
    m.cpu === undefined && m.family !== undefined && m.model !== undefined
      ? cpuForFamilyModel(m.family, m.model)
      : undefined;
  const cpu = (m.cpu ?? named ?? DEFAULT_CPU) as CpuModel;
  const preset = CPU_PRESETS[cpu];
  return {
    cpu,
    asids: m.asids ?? preset.asids,
    firmware: m.firmware ?? preset.defaultFirmware,
    bios: {
      // SMEE "Auto" leaves MemEncryptionModEn clear (https://github.com/AMDESE/sev-tool/issues/43).
      smee: m.bios?.smee === 'auto' ? false : (m.bios?.smee ?? true),
      snp: m.bios?.snp ?? true,
      minSevAsid: m.bios?.minSevAsid ?? preset.minSevAsid,
      ciphertextHiding: m.bios?.ciphertextHiding ?? preset.ciphertextHidingCapable,
      snpMemoryCoverage: m.bios?.snpMemoryCoverage ?? 'full',
      iommu: m.bios?.iommu ?? true,
      smmLock: m.bios?.smmLock ?? true,
      iommuSnp: m.bios?.iommuSnp ?? true,
      bootMode: m.bios?.bootMode ?? 'uefi',
      ...(m.bios?.rmpUnaligned !== undefined ? { rmpUnaligned: m.bios.rmpUnaligned } : {}),
      ...(m.bios?.rmpSegments !== undefined ? { rmpSegments: m.bios.rmpSegments } : {}),
      ...(m.bios?.rmpSegmented !== undefined ? { rmpSegmented: m.bios.rmpSegmented } : {}),
    },
    ...(m.family !== undefined ? { family: m.family } : {}),
    ...(m.model !== undefined ? { model: m.model } : {}),
    iommu: m.iommu ?? 'translated',
    ...(m.sockets !== undefined ? { sockets: m.sockets } : {}),
    ...(m.cores !== undefined ? { cores: m.cores } : {}),
    offlineCores: m.offlineCores ?? [],
    ...(m.memoryGiB !== undefined ? { memoryGiB: m.memoryGiB } : {}),
    ...(m.pspResponseSeconds !== undefined ? { pspResponseSeconds: { ...m.pspResponseSeconds } } : {}),
    ...(m.pspMailboxStatus !== undefined ? { pspMailboxStatus: { ...m.pspMailboxStatus } } : {}),
    ...(m.pspPci !== undefined ? { pspPci: [...m.pspPci] } : {}),
  };
}

/** The hardware's MachineConfig for a scenario's machine (the firmware version goes to the PSP). */
export function machineConfig(m: MachineInput): MachineConfig {
  return toMachineConfig(resolveMachine(m));
}

export function toMachineConfig(r: ResolvedMachine): MachineConfig {
  // A family/model that names no preset goes to the hardware without one: it says so.
  const unnamed = r.family !== undefined && r.model !== undefined && !cpuForFamilyModel(r.family, r.model);
  return {
    ...(unnamed ? {} : { cpu: r.cpu }),
    ...(r.family !== undefined ? { family: r.family } : {}),
    ...(r.model !== undefined ? { model: r.model } : {}),
    asids: r.asids,
    bios: { ...r.bios },
    iommu: r.iommu,
    offlineCores: [...r.offlineCores],
    ...(r.sockets !== undefined ? { sockets: r.sockets } : {}),
    ...(r.cores !== undefined ? { cores: r.cores } : {}),
    ...(r.memoryGiB !== undefined ? { memoryGiB: r.memoryGiB } : {}),
    ...(r.pspPci !== undefined ? { pspPci: [...r.pspPci] } : {}),
  };
}

export function newestRelease(): string {
  const all = Object.keys(RELEASES);
  return all[all.length - 1]!;
}

export function resolveKernel(k: KernelInput): ResolvedKernel {
  return {
    version: k.version ?? newestRelease(),
    patches: [...(k.patches ?? [])],
    builtin: [...(k.builtin ?? [])],
    params: { ...(k.params ?? {}) },
  };
}
