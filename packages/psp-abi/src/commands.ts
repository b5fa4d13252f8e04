/**
 * PSP firmware command ids, with the names of Linux `enum sev_cmd` (include/linux/psp-sev.h)
 * and the firmware-internal ids of amd/AMD-ASPFW 1.55.25 (reference docs/reference/psp-firmware.md §7.2).
 */
export const Cmd = {
  INIT: 0x01,
  SHUTDOWN: 0x02,
  FACTORY_RESET: 0x03,
  PLATFORM_STATUS: 0x04,
  PEK_GEN: 0x05,
  PEK_CSR: 0x06,
  PEK_CERT_IMPORT: 0x07,
  PDH_CERT_EXPORT: 0x08,
  PDH_GEN: 0x09,
  DF_FLUSH: 0x0a,
  DOWNLOAD_FIRMWARE: 0x0b,
  GET_ID: 0x0c,
  INIT_EX: 0x0d,
  NOP: 0x0e,
  RING_BUFFER: 0x0f,
  DECOMMISSION: 0x20,
  ACTIVATE: 0x21,
  DEACTIVATE: 0x22,
  GUEST_STATUS: 0x23,
  COPY: 0x24,
  ACTIVATE_EX: 0x25,
  LAUNCH_START: 0x30,
  LAUNCH_UPDATE_DATA: 0x31,
  LAUNCH_UPDATE_VMSA: 0x32,
  LAUNCH_MEASURE: 0x33,
  LAUNCH_UPDATE_SECRET: 0x34,
  LAUNCH_FINISH: 0x35,
  ATTESTATION_REPORT: 0x36,
  SEND_START: 0x40,
  SEND_UPDATE_DATA: 0x41,
  SEND_UPDATE_VMSA: 0x42,
  SEND_FINISH: 0x43,
  SEND_CANCEL: 0x44,
  RECEIVE_START: 0x50,
  RECEIVE_UPDATE_DATA: 0x51,
  RECEIVE_UPDATE_VMSA: 0x52,
  RECEIVE_FINISH: 0x53,
  DBG_DECRYPT: 0x60,
  DBG_ENCRYPT: 0x61,
  SWAP_OUT: 0x70,
  SWAP_IN: 0x71,
  SNP_INIT: 0x81,
  SNP_SHUTDOWN: 0x82,
  SNP_PLATFORM_STATUS: 0x83,
  SNP_DF_FLUSH: 0x84,
  SNP_INIT_EX: 0x85,
  SNP_SHUTDOWN_EX: 0x86,
  SNP_DECOMMISSION: 0x90,
  SNP_ACTIVATE: 0x91,
  SNP_GUEST_STATUS: 0x92,
  SNP_GCTX_CREATE: 0x93,
  SNP_GUEST_REQUEST: 0x94,
  SNP_ACTIVATE_EX: 0x95,
  SNP_LAUNCH_START: 0xa0,
  SNP_LAUNCH_UPDATE: 0xa1,
  SNP_LAUNCH_FINISH: 0xa2,
  SNP_DBG_DECRYPT: 0xb0,
  SNP_DBG_ENCRYPT: 0xb1,
  SNP_VERIFY_MITIGATION: 0xb2,
  SNP_PAGE_SWAP_OUT: 0xc0,
  SNP_PAGE_SWAP_IN: 0xc1,
  SNP_PAGE_MOVE: 0xc2,
  SNP_PAGE_MD_INIT: 0xc3,
  SNP_PAGE_SET_STATE: 0xc6,
  SNP_PAGE_RECLAIM: 0xc7,
  SNP_PAGE_UNSMASH: 0xc8,
  SNP_CONFIG: 0xc9,
  SNP_DOWNLOAD_FIRMWARE_EX: 0xca,
  SNP_COMMIT: 0xcb,
  DLFW_CONTINUE: 0xcc,
  SNP_VLEK_LOAD: 0xcd,
  SNP_FEATURE_INFO: 0xce,
} as const;

export type CmdName = keyof typeof Cmd;
export type CmdId = (typeof Cmd)[CmdName];

const namesById = new Map<number, CmdName>(Object.entries(Cmd).map(([name, id]) => [id, name as CmdName]));

/** Name of a command id, or `undefined` for an id the firmware does not know. */
export function cmdName(id: number): CmdName | undefined {
  return namesById.get(id);
}

/** Linux treats every id below SNP_INIT as a legacy command (sev-dev.c buffer handling). */
export function isLegacyCmd(id: number): boolean {
  return id < Cmd.SNP_INIT;
}
