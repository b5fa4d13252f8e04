export {
  FIRMWARE_IMAGE_MAGIC,
  FIRMWARE_IMAGE_SIZE,
  compareVersion,
  decodeFirmwareImage,
  encodeFirmwareImage,
  formatVersion,
  parseVersion,
  VERSION_PART_MAX,
} from './firmware-image';
export type { FirmwareImage, FirmwareImageSpec, FirmwareVersion } from './firmware-image';
export { Psp, createPsp } from './psp';
export type { CommandEvent, CommandListener, PspOptions } from './psp';
export { COMMANDS } from './dispatch';
export type { CommandSpec, GuardRef } from './guard';
export type { FirmwareSnapshot, SevStateName, SnpStateName, Activation } from './state';
export { MAX_SEV_ASIDS } from './asid-table';
export type { AsidRange, GuestKind } from './asid-activation';
export {
  CIPHERTEXT_HIDING_VERSION,
  FEATURE_INFO_VERSION,
  IOMMU_RECLAIM_VERSION,
  LIST_PADDR_VERSION,
  SNP_MIN_VERSION,
  featuresOf,
} from './features';
export type { FirmwareFeatures } from './features';
export { GET_ID_SIZE, SEV_CERT_SIZE } from './sev-platform';
export {
  LEGACY_GUEST,
  SEV_PLATFORM,
  SNP_GUEST,
  SNP_PLATFORM,
  STATE_MACHINES,
  acceptedIn,
  nextState,
} from './state-machines';
export type { StateMachine, Transition } from './state-machines';
