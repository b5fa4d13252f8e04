/**
 * Command buffers for raw `psp:` steps: which Linux struct each firmware command takes
 * (include/linux/psp-sev.h, as encoded by @sevsim/firmware's codecs). A step's keys other than
 * `cmd` are the struct's fields; unlisted fields and reserved bytes are zero.
 */
import {
  SevDataActivate,
  SevDataDbg,
  SevDataDeactivate,
  SevDataDecommission,
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
  type StructCodec,
  struct,
} from '@sevsim/firmware';

// biome-ignore lint/suspicious/noExplicitAny: codecs of heterogeneous field maps
type AnyCodec = StructCodec<any>;

/** Commands that take no buffer (the mailbox gets a zero-length one). */
const NONE = struct('(no buffer)', 0, {});

export const PSP_BUFFERS: Readonly<Record<string, AnyCodec>> = {
  INIT: SevDataInit,
  SHUTDOWN: NONE,
  FACTORY_RESET: NONE,
  PLATFORM_STATUS: SevUserDataStatus,
  PEK_GEN: NONE,
  PEK_CSR: SevDataPekCsr,
  PEK_CERT_IMPORT: SevDataPekCertImport,
  PDH_CERT_EXPORT: SevDataPdhCertExport,
  PDH_GEN: NONE,
  DF_FLUSH: NONE,
  DOWNLOAD_FIRMWARE: SevDataDownloadFirmware,
  GET_ID: SevDataGetId,
  INIT_EX: SevDataInitEx,
  DECOMMISSION: SevDataDecommission,
  ACTIVATE: SevDataActivate,
  DEACTIVATE: SevDataDeactivate,
  GUEST_STATUS: SevDataGuestStatus,
  LAUNCH_START: SevDataLaunchStart,
  LAUNCH_UPDATE_DATA: SevDataLaunchUpdateData,
  LAUNCH_UPDATE_VMSA: SevDataLaunchUpdateVmsa,
  LAUNCH_MEASURE: SevDataLaunchMeasure,
  LAUNCH_UPDATE_SECRET: SevDataLaunchSecret,
  LAUNCH_FINISH: SevDataLaunchFinish,
  DBG_DECRYPT: SevDataDbg,
  DBG_ENCRYPT: SevDataDbg,
  SNP_INIT: NONE,
  SNP_SHUTDOWN: NONE,
  SNP_PLATFORM_STATUS: SevDataSnpAddr,
  SNP_DF_FLUSH: NONE,
  SNP_INIT_EX: SevDataSnpInitEx,
  SNP_SHUTDOWN_EX: SevDataSnpShutdownEx,
  SNP_DECOMMISSION: SevDataSnpAddr,
  SNP_ACTIVATE: SevDataSnpActivate,
  SNP_GUEST_STATUS: SevDataSnpGuestStatus,
  SNP_GCTX_CREATE: SevDataSnpAddr,
  SNP_GUEST_REQUEST: SevDataSnpGuestRequest,
  SNP_LAUNCH_START: SevDataSnpLaunchStart,
  SNP_LAUNCH_UPDATE: SevDataSnpLaunchUpdate,
  SNP_LAUNCH_FINISH: SevDataSnpLaunchFinish,
  SNP_DBG_DECRYPT: SevDataSnpDbg,
  SNP_DBG_ENCRYPT: SevDataSnpDbg,
  SNP_PAGE_RECLAIM: SevDataSnpPageReclaim,
  SNP_PAGE_UNSMASH: SevDataSnpPageUnsmash,
  SNP_CONFIG: SevUserDataSnpConfig,
  SNP_DOWNLOAD_FIRMWARE_EX: SevDataDownloadFirmwareEx,
  SNP_COMMIT: SevDataSnpCommit,
  SNP_FEATURE_INFO: SevDataSnpFeatureInfo,
};

/**
 * For the two download commands a step may name the image instead of its address:
 * `image: "1.55.30"` writes a simulated image into host memory and fills address and length.
 */
export const IMAGE_FIELD = 'image';
export const DOWNLOAD_COMMANDS = ['DOWNLOAD_FIRMWARE', 'SNP_DOWNLOAD_FIRMWARE_EX'] as const;

export function pspFieldNames(cmd: string): string[] | undefined {
  const codec = PSP_BUFFERS[cmd];
  if (!codec) return undefined;
  const names = Object.keys(codec.fields);
  return (DOWNLOAD_COMMANDS as readonly string[]).includes(cmd) ? [...names, IMAGE_FIELD] : names;
}
