/**
 * Firmware status codes (the low 16 bits of CMDRESP), named as in Linux
 * `enum sev_ret_code` (include/uapi/linux/psp-sev.h; reference docs/reference/psp-firmware.md §7.1).
 */
export const Status = {
  SUCCESS: 0x00,
  INVALID_PLATFORM_STATE: 0x01,
  INVALID_GUEST_STATE: 0x02,
  INVALID_CONFIG: 0x03,
  INVALID_LEN: 0x04,
  ALREADY_OWNED: 0x05,
  INVALID_CERTIFICATE: 0x06,
  POLICY_FAILURE: 0x07,
  INACTIVE: 0x08,
  INVALID_ADDRESS: 0x09,
  BAD_SIGNATURE: 0x0a,
  BAD_MEASUREMENT: 0x0b,
  ASID_OWNED: 0x0c,
  INVALID_ASID: 0x0d,
  WBINVD_REQUIRED: 0x0e,
  DFFLUSH_REQUIRED: 0x0f,
  INVALID_GUEST: 0x10,
  INVALID_COMMAND: 0x11,
  ACTIVE: 0x12,
  HWSEV_RET_PLATFORM: 0x13,
  HWSEV_RET_UNSAFE: 0x14,
  UNSUPPORTED: 0x15,
  INVALID_PARAM: 0x16,
  RESOURCE_LIMIT: 0x17,
  SECURE_DATA_INVALID: 0x18,
  INVALID_PAGE_SIZE: 0x19,
  INVALID_PAGE_STATE: 0x1a,
  INVALID_MDATA_ENTRY: 0x1b,
  INVALID_PAGE_OWNER: 0x1c,
  AEAD_OFLOW: 0x1d,
  EXIT_RING_BUFFER: 0x1f,
  RMP_INIT_REQUIRED: 0x20,
  BAD_SVN: 0x21,
  BAD_VERSION: 0x22,
  SHUTDOWN_REQUIRED: 0x23,
  UPDATE_FAILED: 0x24,
  RESTORE_REQUIRED: 0x25,
  RMP_INITIALIZATION_FAILED: 0x26,
  INVALID_KEY: 0x27,
  /** Firmware-internal (not in Linux): DLFW_EX hands over to the new image's DLFW_CONTINUE. */
  DLFW_CONTINUING: 0x1000,
} as const;

/** The dispatcher adds this to a page-state failure of a write-back command buffer [FW]. */
export const CMD_BUF_PAGE_STATE_OFFSET = 0x40;

/** Linux-only value: the driver never called the firmware (SEV_RET_NO_FW_CALL). */
export const NO_FW_CALL = -1;

export type StatusName = keyof typeof Status;

const namesByCode = new Map<number, StatusName>(
  Object.entries(Status).map(([name, code]) => [code, name as StatusName]),
);

/** Name of a status code; dispatcher variants read `INVALID_PAGE_STATE+0x40`. */
export function statusName(code: number): string {
  if (code === NO_FW_CALL) return 'NO_FW_CALL';
  const name = namesByCode.get(code);
  if (name) return name;
  const base = namesByCode.get(code - CMD_BUF_PAGE_STATE_OFFSET);
  if (base && code >= CMD_BUF_PAGE_STATE_OFFSET) return `${base}+0x40`;
  return `UNKNOWN_0x${code.toString(16)}`;
}

/** Status code by name (accepts `INVALID_CONFIG` or the kernel alias `INAVLID_CONFIG`). */
export function statusCode(name: string): number | undefined {
  if (name === 'INAVLID_CONFIG') return Status.INVALID_CONFIG;
  return (Status as Record<string, number>)[name];
}
