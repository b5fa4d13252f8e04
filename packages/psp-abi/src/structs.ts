/**
 * Command-buffer layouts of the PSP SEV/SNP mailbox, named after the Linux structs in
 * include/linux/psp-sev.h and include/uapi/linux/psp-sev.h (all `__packed`, little endian).
 * Offsets were checked against torvalds/linux include/linux/psp-sev.h; sizes are in the
 * struct comments. Structs Linux does not define are marked "(sevsim)".
 */
import { bits, bits8, bytes, struct, u8, u16, u32, u64, u64n } from './codec';

// ---------------------------------------------------------------- legacy SEV platform

/** sev_data_init: {u32 flags, u32 reserved, u64 tmr_address, u32 tmr_len}, 20 bytes. */
export const SevDataInit = struct('sev_data_init', 20, {
  flags: u32(0),
  tmrAddress: u64(8),
  tmrLen: u32(16),
});

/** sev_data_init_ex: 36 bytes, `length` must be 0x24. */
export const SevDataInitEx = struct('sev_data_init_ex', 36, {
  length: u32(0),
  flags: u32(4),
  tmrAddress: u64(8),
  tmrLen: u32(16),
  nvAddress: u64(24),
  nvLen: u32(32),
});

/** INIT flags bit 0: SEV_INIT_FLAGS_SEV_ES. */
export const SEV_INIT_FLAGS_SEV_ES = 0x1;
export const SEV_INIT_EX_LENGTH = 0x24;

/** sev_user_data_status (PLATFORM_STATUS output, uapi), packed 12 bytes. */
export const SevUserDataStatus = struct('sev_user_data_status', 12, {
  apiMajor: u8(0),
  apiMinor: u8(1),
  state: u8(2),
  flags: u32(3),
  build: u8(7),
  guestCount: u32(8),
});

/** PLATFORM_STATUS flags: bit 0 owner (externally owned), bit 8 CONFIG_ES. */
export const PLATFORM_STATUS_FLAG_OWNER = 0x1;
export const PLATFORM_STATUS_FLAG_CONFIG_ES = 0x100;

/** sev_data_df_flush: DF_FLUSH takes no buffer. */
export const SevDataDfFlush = struct('sev_data_df_flush', 0, {});

/** sev_data_download_firmware: {u64 address, u32 len}, 12 bytes. */
export const SevDataDownloadFirmware = struct('sev_data_download_firmware', 12, {
  address: u64(0),
  len: u32(8),
});

/** sev_data_get_id: {u64 address, u32 len (in/out)}, 12 bytes. */
export const SevDataGetId = struct('sev_data_get_id', 12, { address: u64(0), len: u32(8) });

/** sev_data_pek_csr: {u64 address, u32 len (in/out)}, 12 bytes. */
export const SevDataPekCsr = struct('sev_data_pek_csr', 12, { address: u64(0), len: u32(8) });

/** sev_data_pek_cert_import: 28 bytes. */
export const SevDataPekCertImport = struct('sev_data_pek_cert_import', 28, {
  pekCertAddress: u64(0),
  pekCertLen: u32(8),
  ocaCertAddress: u64(16),
  ocaCertLen: u32(24),
});

/** sev_data_pdh_cert_export: 28 bytes, both lengths in/out. */
export const SevDataPdhCertExport = struct('sev_data_pdh_cert_export', 28, {
  pdhCertAddress: u64(0),
  pdhCertLen: u32(8),
  certChainAddress: u64(16),
  certChainLen: u32(24),
});

// ---------------------------------------------------------------- legacy SEV guests

/** sev_data_launch_start: 36 bytes; `handle` is in/out. */
export const SevDataLaunchStart = struct('sev_data_launch_start', 36, {
  handle: u32(0),
  policy: u32(4),
  dhCertAddress: u64(8),
  dhCertLen: u32(16),
  sessionAddress: u64(24),
  sessionLen: u32(32),
});

/** sev_data_activate: {u32 handle, u32 asid}, 8 bytes. */
export const SevDataActivate = struct('sev_data_activate', 8, { handle: u32(0), asid: u32(4) });
/** sev_data_deactivate: {u32 handle}. */
export const SevDataDeactivate = struct('sev_data_deactivate', 4, { handle: u32(0) });
/** sev_data_decommission: {u32 handle}. */
export const SevDataDecommission = struct('sev_data_decommission', 4, { handle: u32(0) });
/** sev_data_launch_finish: {u32 handle}. */
export const SevDataLaunchFinish = struct('sev_data_launch_finish', 4, { handle: u32(0) });

/** sev_data_guest_status: {u32 handle, u32 policy, u32 asid, u8 state}, 13 bytes. */
export const SevDataGuestStatus = struct('sev_data_guest_status', 13, {
  handle: u32(0),
  policy: u32(4),
  asid: u32(8),
  state: u8(12),
});

/** sev_data_launch_update_data: {u32 handle, u32 rsvd, u64 address, u32 len}, 20 bytes. */
export const SevDataLaunchUpdateData = struct('sev_data_launch_update_data', 20, {
  handle: u32(0),
  address: u64(8),
  len: u32(16),
});

/** sev_data_launch_update_vmsa: same layout as LAUNCH_UPDATE_DATA. */
export const SevDataLaunchUpdateVmsa = struct('sev_data_launch_update_vmsa', 20, {
  handle: u32(0),
  address: u64(8),
  len: u32(16),
});

/** sev_data_launch_measure: `len` is in/out. */
export const SevDataLaunchMeasure = struct('sev_data_launch_measure', 20, {
  handle: u32(0),
  address: u64(8),
  len: u32(16),
});

/** sev_data_launch_secret: 52 bytes. */
export const SevDataLaunchSecret = struct('sev_data_launch_secret', 52, {
  handle: u32(0),
  hdrAddress: u64(8),
  hdrLen: u32(16),
  guestAddress: u64(24),
  guestLen: u32(32),
  transAddress: u64(40),
  transLen: u32(48),
});

/** sev_data_dbg (DBG_DECRYPT/DBG_ENCRYPT): 28 bytes. */
export const SevDataDbg = struct('sev_data_dbg', 28, {
  handle: u32(0),
  srcAddr: u64(8),
  dstAddr: u64(16),
  len: u32(24),
});

/** Legacy guest policy bits (include/linux/psp-sev.h SEV_POLICY_*). */
export const SevPolicy = {
  NODBG: 0x01,
  NOKS: 0x02,
  ES: 0x04,
  NOSEND: 0x08,
  DOMAIN: 0x10,
  SEV: 0x20,
} as const;

// ---------------------------------------------------------------- SNP platform

/** sev_data_snp_init_ex: 64 bytes; flag bits, list_paddr at 8, max_snp_asid u16 at 0x10. */
export const SevDataSnpInitEx = struct('sev_data_snp_init_ex', 64, {
  initRmp: bits(0, 0),
  listPaddrEn: bits(0, 1),
  raplDis: bits(0, 2),
  ciphertextHidingEn: bits(0, 3),
  tioEn: bits(0, 4),
  listPaddr: u64(8),
  maxSnpAsid: u16(0x10),
});

/** sev_data_range_list header: {u32 num_elements, u32 rsvd}, followed by the ranges. */
export const SevDataRangeList = struct('sev_data_range_list', 8, { numElements: u32(0) });
/** sev_data_range: {u64 base, u32 page_count, u32 rsvd}, 16 bytes. */
export const SevDataRange = struct('sev_data_range', 16, { base: u64(0), pageCount: u32(8) });

export interface SevRange {
  base: number;
  pageCount: number;
}

/** Bytes of a RANGE_LIST (header + entries). */
export function encodeRangeList(ranges: readonly SevRange[]): Uint8Array {
  const out = new Uint8Array(SevDataRangeList.size + ranges.length * SevDataRange.size);
  SevDataRangeList.patch(out, { numElements: ranges.length });
  ranges.forEach((r, i) => {
    out.set(SevDataRange.encode(r), SevDataRangeList.size + i * SevDataRange.size);
  });
  return out;
}

/** Entries of a RANGE_LIST, reading at most `num_elements` entries that fit in `bytes`. */
export function decodeRangeList(bytesIn: Uint8Array): {
  numElements: number;
  headerReservedNonZero: boolean;
  ranges: (SevRange & { reservedNonZero: boolean })[];
} {
  const { numElements } = SevDataRangeList.decode(bytesIn);
  const fit = Math.max(0, Math.floor((bytesIn.length - SevDataRangeList.size) / SevDataRange.size));
  const ranges: (SevRange & { reservedNonZero: boolean })[] = [];
  for (let i = 0; i < Math.min(numElements, fit); i++) {
    const at = SevDataRangeList.size + i * SevDataRange.size;
    const entry = bytesIn.subarray(at, at + SevDataRange.size);
    ranges.push({ ...SevDataRange.decode(entry), reservedNonZero: SevDataRange.reservedNonZero(entry) });
  }
  return { numElements, headerReservedNonZero: SevDataRangeList.reservedNonZero(bytesIn), ranges };
}

/** sev_data_snp_shutdown_ex: {u32 len (= 8), u32 iommu_snp_shutdown:1, x86_snp_shutdown:1}. */
export const SevDataSnpShutdownEx = struct('sev_data_snp_shutdown_ex', 8, {
  len: u32(0),
  iommuSnpShutdown: bits(4, 0),
  x86SnpShutdown: bits(4, 1),
});

/** sev_data_snp_addr: {u64 address}; SNP_PLATFORM_STATUS, GCTX_CREATE, DECOMMISSION. */
export const SevDataSnpAddr = struct('sev_data_snp_addr', 8, { address: u64(0) });
/** SNP_GCTX_CREATE uses sev_data_snp_addr (the gctx page). */
export const SevDataSnpGctxCreate = SevDataSnpAddr;
/** SNP_DECOMMISSION uses sev_data_snp_addr (the gctx page). */
export const SevDataSnpDecommission = SevDataSnpAddr;

/** sev_user_data_snp_status (uapi): 32 bytes written at the SNP_PLATFORM_STATUS paddr. */
export const SevUserDataSnpStatus = struct('sev_user_data_snp_status', 32, {
  apiMajor: u8(0),
  apiMinor: u8(1),
  state: u8(2),
  isRmpInitialized: bits8(3, 0),
  buildId: u32(4),
  maskChipId: bits(8, 0),
  maskChipKey: bits(8, 1),
  vlekEn: bits(8, 2),
  featureInfo: bits(8, 3),
  raplDis: bits(8, 4),
  ciphertextHidingCap: bits(8, 5),
  ciphertextHidingEn: bits(8, 6),
  guestCount: u32(12),
  currentTcb: u64n(16),
  reportedTcb: u64n(24),
});

/** sev_data_snp_feature_info: {u32 length (= 0x10), u32 ecx_in, u64 feature_info_paddr}. */
export const SevDataSnpFeatureInfo = struct('sev_data_snp_feature_info', 16, {
  length: u32(0),
  ecxIn: u32(4),
  featureInfoPaddr: u64(8),
});

/** snp_feature_info: the {EAX, EBX, ECX, EDX} output written at feature_info_paddr. */
export const SnpFeatureInfo = struct('snp_feature_info', 16, {
  eax: u32(0),
  ebx: u32(4),
  ecx: u32(8),
  edx: u32(12),
});

/** FEATURE_INFO sub-function 0 ECX bits (include/linux/psp-sev.h, docs/reference/psp-firmware.md §3.8). */
export const SnpFeatureEcx = {
  VLEK: 1 << 0,
  X86_SNP_SHUTDOWN: 1 << 1,
  RAPL_DISABLE: 1 << 2,
  CIPHERTEXT_HIDING: 1 << 3,
  AES_256_XTS_POLICY: 1 << 4,
  CXL_ALLOW_POLICY: 1 << 5,
  VERIFY_MITIGATION: 1 << 13,
} as const;

/** sev_data_snp_commit: {u32 len (= 4)}. */
export const SevDataSnpCommit = struct('sev_data_snp_commit', 4, { len: u32(0) });

/** sev_user_data_snp_config: {u64 reported_tcb, u32 mask_chip_id:1, mask_chip_key:1, u8 rsvd[52]}. */
export const SevUserDataSnpConfig = struct('sev_user_data_snp_config', 64, {
  reportedTcb: u64n(0),
  maskChipId: bits(8, 0),
  maskChipKey: bits(8, 1),
});

/** sev_data_download_firmware_ex (LKML-DLFW): {u32 length, u32 rsvd, u64 fw_paddr, u32 fw_len, u32 commit:1}. */
export const SevDataDownloadFirmwareEx = struct('sev_data_download_firmware_ex', 24, {
  length: u32(0),
  fwPaddr: u64(8),
  fwLen: u32(16),
  commit: bits(20, 0),
});

// ---------------------------------------------------------------- SNP guests

/** sev_data_snp_launch_start: 48 bytes. */
export const SevDataSnpLaunchStart = struct('sev_data_snp_launch_start', 48, {
  gctxPaddr: u64(0),
  policy: u64n(8),
  maGctxPaddr: u64(16),
  maEn: bits(24, 0),
  imiEn: bits(24, 1),
  desiredTscKhz: u32(28),
  gosvw: bytes(32, 16),
});

/** SNP page types (include/linux/psp-sev.h SNP_PAGE_TYPE_*). */
export const SnpPageType = {
  NORMAL: 1,
  VMSA: 2,
  ZERO: 3,
  UNMEASURED: 4,
  SECRETS: 5,
  CPUID: 6,
} as const;

/** sev_data_snp_launch_update: 32 bytes. */
export const SevDataSnpLaunchUpdate = struct('sev_data_snp_launch_update', 32, {
  gctxPaddr: u64(0),
  pageSize: bits(8, 0),
  pageType: bits(8, 1, 3),
  imiPage: bits(8, 4),
  address: u64(16),
  vmpl1Perms: bits(24, 8, 8),
  vmpl2Perms: bits(24, 16, 8),
  vmpl3Perms: bits(24, 24, 8),
});

/** sev_data_snp_launch_finish: 64 bytes. */
export const SevDataSnpLaunchFinish = struct('sev_data_snp_launch_finish', 64, {
  gctxPaddr: u64(0),
  idBlockPaddr: u64(8),
  idAuthPaddr: u64(16),
  idBlockEn: bits8(24, 0),
  authKeyEn: bits8(24, 1),
  vcekDisabled: bits8(24, 2),
  hostData: bytes(32, 32),
});

/** sev_data_snp_activate: {u64 gctx_paddr, u32 asid}, 12 bytes. */
export const SevDataSnpActivate = struct('sev_data_snp_activate', 12, {
  gctxPaddr: u64(0),
  asid: u32(8),
});

/** sev_data_snp_guest_status: {u64 gctx_paddr, u64 address}, 16 bytes. */
export const SevDataSnpGuestStatus = struct('sev_data_snp_guest_status', 16, {
  gctxPaddr: u64(0),
  address: u64(8),
});

/** (sevsim) SNP_GUEST_STATUS output at `address`: {u64 policy, u32 asid, u8 state, u8 vcek_dis}. */
export const SnpGuestStatusOutput = struct('snp_guest_status_output', 16, {
  policy: u64n(0),
  asid: u32(8),
  state: u8(12),
  vcekDis: u8(13),
});

/** sev_data_snp_page_reclaim: {u64 paddr}; bit 0 = page size (1 = 2 MB). */
export const SevDataSnpPageReclaim = struct('sev_data_snp_page_reclaim', 8, { paddr: u64(0) });
/** sev_data_snp_page_unsmash: {u64 paddr}. */
export const SevDataSnpPageUnsmash = struct('sev_data_snp_page_unsmash', 8, { paddr: u64(0) });

/** sev_data_snp_dbg: {u64 gctx_paddr, u64 src_addr, u64 dst_addr}. */
export const SevDataSnpDbg = struct('sev_data_snp_dbg', 24, {
  gctxPaddr: u64(0),
  srcAddr: u64(8),
  dstAddr: u64(16),
});

/** sev_data_snp_guest_request: {u64 gctx_paddr, u64 req_paddr, u64 res_paddr}. */
export const SevDataSnpGuestRequest = struct('sev_data_snp_guest_request', 24, {
  gctxPaddr: u64(0),
  reqPaddr: u64(8),
  resPaddr: u64(16),
});

/** SNP guest policy bits (include/linux/psp-sev.h SNP_POLICY_*). */
export const SnpPolicy = {
  SMT: 1n << 16n,
  RSVD_MBO: 1n << 17n,
  MIGRATE_MA: 1n << 18n,
  DEBUG: 1n << 19n,
  SINGLE_SOCKET: 1n << 20n,
  CXL_ALLOW: 1n << 21n,
  MEM_AES_256_XTS: 1n << 22n,
  RAPL_DIS: 1n << 23n,
  CIPHERTEXT_HIDING_DRAM: 1n << 24n,
  PAGE_SWAP_DISABLE: 1n << 25n,
} as const;

/** sev_user_data_snp_vlek_load (uapi psp-sev.h): {u32 len, u8 vlek_wrapped_version, u8 rsvd[3], u64 address}. */
export const SevUserDataSnpVlekLoad = struct('sev_user_data_snp_vlek_load', 16, {
  len: u32(0),
  vlekWrappedVersion: u8(4),
  vlekWrappedAddress: u64(8),
});
