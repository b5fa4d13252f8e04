export { Cmd, cmdName, isLegacyCmd } from './abi/commands';
export type { CmdId, CmdName } from './abi/commands';
export { CMD_BUF_PAGE_STATE_OFFSET, NO_FW_CALL, Status, statusCode, statusName } from './abi/status';
export type { StatusName } from './abi/status';
export type { Mailbox, MailboxResult } from './abi/mailbox';
export { bits, bits8, bytes, struct, u8, u16, u32, u64, u64n } from './abi/codec';
export type { Decoded, Field, StructCodec } from './abi/codec';
export * from './abi/structs';
export { type AnyStructCodec, COMMAND_BUFFERS } from './abi/command-buffers';
export {
  FIRMWARE_IMAGE_MAGIC,
  FIRMWARE_IMAGE_SIZE,
  compareVersion,
  decodeFirmwareImage,
  encodeFirmwareImage,
  formatVersion,
  parseVersion,
} from './abi/firmware-image';
export type { FirmwareImage, FirmwareImageSpec, FirmwareVersion } from './abi/firmware-image';
export { Psp, createPsp } from './psp';
export type { CommandEvent, CommandListener, PspOptions } from './psp';
export { COMMANDS } from './dispatch';
export type { DispatchOptions } from './dispatch';
export type { CommandSpec, GuardRef } from './guard';
export type { FirmwareSnapshot, SevStateName, SnpStateName, Activation } from './state';
export { LegacyGuestState, SevState, SnpGuestState, SnpState } from './state';
export { MAX_SEV_ASIDS } from './asid-table';
export {
  CIPHERTEXT_HIDING_VERSION,
  FEATURE_INFO_VERSION,
  IOMMU_RECLAIM_VERSION,
  LIST_PADDR_VERSION,
  SNP_MIN_VERSION,
  featuresOf,
} from './features';
export type { FirmwareFeatures } from './features';
export { GET_ID_SIZE, INIT_EX_NV_LEN, SEV_CERT_SIZE, SEV_TMR_SIZE, SNP_TMR_SIZE } from './sev-platform';
