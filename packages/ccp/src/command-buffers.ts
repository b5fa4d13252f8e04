/**
 * sev_cmd_buffer_len() and the legacy-command buffer descriptors of sev-dev.c
 * (snp_populate_cmd_buf_desc_list, sev_cmd_buf_writable): which commands take a buffer of
 * which size, which buffers the firmware writes, and which address fields point at memory the
 * firmware must own while SNP is initialised (linux-ccp.md §3.12).
 */
import {
  Cmd,
  type StructCodec,
  SevDataDbg,
  SevDataDownloadFirmware,
  SevDataDownloadFirmwareEx,
  SevDataGetId,
  SevDataGuestStatus,
  SevDataInit,
  SevDataInitEx,
  SevDataLaunchFinish,
  SevDataLaunchMeasure,
  SevDataLaunchSecret,
  SevDataLaunchStart,
  SevDataLaunchUpdateData,
  SevDataLaunchUpdateVmsa,
  SevDataPdhCertExport,
  SevDataPekCertImport,
  SevDataPekCsr,
  SevDataSnpActivate,
  SevDataSnpAddr,
  SevDataSnpCommit,
  SevDataSnpDbg,
  SevDataSnpFeatureInfo,
  SevDataSnpGuestRequest,
  SevDataSnpGuestStatus,
  SevDataSnpInitEx,
  SevDataSnpLaunchFinish,
  SevDataSnpLaunchStart,
  SevDataSnpLaunchUpdate,
  SevDataSnpPageReclaim,
  SevDataSnpPageUnsmash,
  SevDataSnpShutdownEx,
  SevUserDataSnpConfig,
  SevUserDataStatus,
  SevDataActivate,
  SevDataDeactivate,
  SevDataDecommission,
} from '@sevsim/firmware';

/** sizeof(struct sev_user_data_snp_vlek_load): {u32 len, u8 version, u8 rsvd[3], u64 address}. */
export const SNP_VLEK_LOAD_SIZE = 16;

const BUFFER_LEN = new Map<number, number>([
  [Cmd.INIT, SevDataInit.size],
  [Cmd.INIT_EX, SevDataInitEx.size],
  [Cmd.SNP_SHUTDOWN_EX, SevDataSnpShutdownEx.size],
  [Cmd.SNP_INIT_EX, SevDataSnpInitEx.size],
  [Cmd.PLATFORM_STATUS, SevUserDataStatus.size],
  [Cmd.PEK_CSR, SevDataPekCsr.size],
  [Cmd.PEK_CERT_IMPORT, SevDataPekCertImport.size],
  [Cmd.PDH_CERT_EXPORT, SevDataPdhCertExport.size],
  [Cmd.LAUNCH_START, SevDataLaunchStart.size],
  [Cmd.LAUNCH_UPDATE_DATA, SevDataLaunchUpdateData.size],
  [Cmd.LAUNCH_UPDATE_VMSA, SevDataLaunchUpdateVmsa.size],
  [Cmd.LAUNCH_FINISH, SevDataLaunchFinish.size],
  [Cmd.LAUNCH_MEASURE, SevDataLaunchMeasure.size],
  [Cmd.ACTIVATE, SevDataActivate.size],
  [Cmd.DEACTIVATE, SevDataDeactivate.size],
  [Cmd.DECOMMISSION, SevDataDecommission.size],
  [Cmd.GUEST_STATUS, SevDataGuestStatus.size],
  [Cmd.DBG_DECRYPT, SevDataDbg.size],
  [Cmd.DBG_ENCRYPT, SevDataDbg.size],
  [Cmd.LAUNCH_UPDATE_SECRET, SevDataLaunchSecret.size],
  [Cmd.DOWNLOAD_FIRMWARE, SevDataDownloadFirmware.size],
  [Cmd.GET_ID, SevDataGetId.size],
  [Cmd.SNP_GCTX_CREATE, SevDataSnpAddr.size],
  [Cmd.SNP_LAUNCH_START, SevDataSnpLaunchStart.size],
  [Cmd.SNP_LAUNCH_UPDATE, SevDataSnpLaunchUpdate.size],
  [Cmd.SNP_ACTIVATE, SevDataSnpActivate.size],
  [Cmd.SNP_DECOMMISSION, SevDataSnpAddr.size],
  [Cmd.SNP_PAGE_RECLAIM, SevDataSnpPageReclaim.size],
  [Cmd.SNP_GUEST_STATUS, SevDataSnpGuestStatus.size],
  [Cmd.SNP_LAUNCH_FINISH, SevDataSnpLaunchFinish.size],
  [Cmd.SNP_DBG_DECRYPT, SevDataSnpDbg.size],
  [Cmd.SNP_DBG_ENCRYPT, SevDataSnpDbg.size],
  [Cmd.SNP_PAGE_UNSMASH, SevDataSnpPageUnsmash.size],
  [Cmd.SNP_PLATFORM_STATUS, SevDataSnpAddr.size],
  [Cmd.SNP_GUEST_REQUEST, SevDataSnpGuestRequest.size],
  [Cmd.SNP_CONFIG, SevUserDataSnpConfig.size],
  [Cmd.SNP_COMMIT, SevDataSnpCommit.size],
  [Cmd.SNP_FEATURE_INFO, SevDataSnpFeatureInfo.size],
  [Cmd.SNP_VLEK_LOAD, SNP_VLEK_LOAD_SIZE],
  // [PENDING sev-fw-upload] the RFC adds sev_data_download_firmware_ex (§5.2).
  [Cmd.SNP_DOWNLOAD_FIRMWARE_EX, SevDataDownloadFirmwareEx.size],
]);

/** sev_cmd_buffer_len(): 0 for commands that take no buffer (and for ids the driver does not know). */
export function cmdBufferLen(cmd: number): number {
  return BUFFER_LEN.get(cmd) ?? 0;
}

/** sev_cmd_buf_writable(): legacy commands whose command buffer the firmware writes back. */
const WRITABLE = new Set<number>([
  Cmd.PLATFORM_STATUS,
  Cmd.GUEST_STATUS,
  Cmd.LAUNCH_START,
  Cmd.RECEIVE_START,
  Cmd.LAUNCH_MEASURE,
  Cmd.SEND_START,
  Cmd.SEND_UPDATE_DATA,
  Cmd.SEND_UPDATE_VMSA,
  Cmd.PEK_CSR,
  Cmd.PDH_CERT_EXPORT,
  Cmd.GET_ID,
  Cmd.ATTESTATION_REPORT,
]);

export function cmdBufWritable(cmd: number): boolean {
  return WRITABLE.has(cmd);
}

/** One address parameter of a legacy command that the firmware may write (struct cmd_buf_desc). */
export interface BufDescSpec {
  // biome-ignore lint/suspicious/noExplicitAny: a field pair of any command struct
  readonly codec: StructCodec<any>;
  readonly addr: string;
  readonly len: string;
  /** Guest-owned pages are moved to Firmware in place; others go through a bounce buffer. */
  readonly guestOwned: boolean;
}

/**
 * snp_populate_cmd_buf_desc_list(). SEND_* and ATTESTATION_REPORT, which sevsim's firmware does
 * not implement, have no codec and are left out.
 */
export function cmdBufDescs(cmd: number): readonly BufDescSpec[] {
  switch (cmd) {
    case Cmd.PDH_CERT_EXPORT:
      return [
        { codec: SevDataPdhCertExport, addr: 'pdhCertAddress', len: 'pdhCertLen', guestOwned: false },
        { codec: SevDataPdhCertExport, addr: 'certChainAddress', len: 'certChainLen', guestOwned: false },
      ];
    case Cmd.GET_ID:
      return [{ codec: SevDataGetId, addr: 'address', len: 'len', guestOwned: false }];
    case Cmd.PEK_CSR:
      return [{ codec: SevDataPekCsr, addr: 'address', len: 'len', guestOwned: false }];
    case Cmd.LAUNCH_UPDATE_DATA:
      return [{ codec: SevDataLaunchUpdateData, addr: 'address', len: 'len', guestOwned: true }];
    case Cmd.LAUNCH_UPDATE_VMSA:
      return [{ codec: SevDataLaunchUpdateVmsa, addr: 'address', len: 'len', guestOwned: true }];
    case Cmd.LAUNCH_MEASURE:
      return [{ codec: SevDataLaunchMeasure, addr: 'address', len: 'len', guestOwned: false }];
    case Cmd.LAUNCH_UPDATE_SECRET:
      return [{ codec: SevDataLaunchSecret, addr: 'guestAddress', len: 'guestLen', guestOwned: true }];
    case Cmd.DBG_DECRYPT:
    case Cmd.DBG_ENCRYPT:
      return [{ codec: SevDataDbg, addr: 'dstAddr', len: 'len', guestOwned: true }];
    default:
      return [];
  }
}
