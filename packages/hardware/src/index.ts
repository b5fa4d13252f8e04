export {
  type BiosOptions,
  type IommuMode,
  type MachineConfig,
  MAX_ASIDS,
  resolveConfig,
  type ResolvedMachineConfig,
  type SnpMemoryCoverage,
  type BootMode,
  type RmpSegmentEntry,
  type RmpSegmentLayout,
  type RmpUnaligned,
} from './config.js';
export type { Core, WrmsrResult } from './cpu-cores.js';
export { ChunkedBytes } from './chunked-bytes.js';
export { CPUID_8000_001F_EAX, type CpuidResult } from './cpuid.js';
export { type Bag, Fingerprint, type ItemDigest } from './fingerprint.js';
export { deepFreeze, Fork, type Writable } from './fork.js';
export { HardwareAccessError, HardwareConfigError } from './errors.js';
export { IOMMU_LOG_PAGES, type IommuView } from './iommu.js';
export {
  type SmtControl,
  smtControlFromCmdline,
  smtControlLog,
  smtOfflineCpus,
} from './smt-control.js';
export { createMachine, type HardwareSnapshot, Machine } from './machine.js';
export type { MemoryControllerView } from './memory-controller.js';
export { HWCR_SMMLOCK, MSR, RMP_CFG_SEGMENTED, RMP_CFG_SHIFT_BIT, SYSCFG, SYSCFG_BIOS_MTRR } from './msr.js';
export { FIRST_ALLOC_PFN } from './page-allocator.js';
export {
  CORES_PER_CCX,
  CPU_MODELS,
  CPU_PRESETS,
  cpuForFamilyModel,
  type CpuFeatures,
  type CpuModel,
  type CpuPreset,
  type PspPci,
  PCI_BDF,
  pspPciAddresses,
  pspPciFunction,
  type TcbLayout,
} from './presets.js';
export {
  classify,
  hypervisorEntry,
  PAGE_STATES,
  type PageState,
  Rmp,
  type RmpEntry,
  type RmpPageSize,
  RmpResult,
  type RmpResultCode,
  type RmpUpdateFields,
  rmpEntryWith,
} from './rmp.js';
export {
  PAGE_SIZE,
  PAGES_PER_2M,
  RMP_BOOKKEEPING_BYTES,
  RMP_ENTRY_BYTES,
  type RamRange,
  RST_BYTES,
  RST_MAX_ENTRIES,
  type RmpSegment,
} from './rmp-layout.js';
