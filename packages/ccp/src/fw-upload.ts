/**
 * [PENDING] patch `sev-fw-upload` (Tycho Andersen's RFC, docs/reference/linux-ccp.md §5.2): the fw_upload
 * "sev" device's write: legacy SEV to UNINIT, SNP_DOWNLOAD_FIRMWARE_EX with commit = 0, the
 * RFC's error mapping, the cache refresh and the legacy re-init.
 */
import { Cmd, SevDataDownloadFirmwareEx, Status, SevState } from '@sevsim/psp-abi';
import { Errno } from '@sevsim/kernel';
import { sevPlatformInitLocked } from './legacy-init';
import { orderPages } from './page-allocator';
import { legacyPlatformStatus, sevGetApiVersion } from './platform-status';
import { type SevDevice, devLog } from './sev-device';
import { sevPlatformShutdownLocked } from './shutdown';
import { sevDoCmdLocked } from './transport';

/** enum fw_upload_err, plus NO_INTERFACE when the kernel lacks the patch (no /sys/class/firmware/sev). */
export type FwUploadResult = 'ok' | 'BUSY' | 'INVALID_SIZE' | 'FW_INVALID' | 'HW_ERROR' | 'NO_INTERFACE';

/**
 * How userspace sees a failed upload (drivers/base/firmware_loader/sysfs_upload.c, since 5.19):
 * closing `loading` only starts the upload (fw_upload_start()), which then runs on a work queue, so
 * no system call fails; the device's `error` attribute reads "<progress>:<error>" with the
 * enum fw_upload_err names of `fw_upload_err_str[]`. The sev device does its work in the write op
 * (progress "transferring").
 */
export const FW_UPLOAD_ERRORS = {
  BUSY: { name: 'FW_UPLOAD_ERR_BUSY', text: 'device-busy' },
  INVALID_SIZE: { name: 'FW_UPLOAD_ERR_INVALID_SIZE', text: 'invalid-file-size' },
  FW_INVALID: { name: 'FW_UPLOAD_ERR_FW_INVALID', text: 'firmware-invalid' },
  HW_ERROR: { name: 'FW_UPLOAD_ERR_HW_ERROR', text: 'hw-error' },
} as const satisfies Record<string, { name: string; text: string }>;

/** What /sys/class/firmware/sev/error reads after a failed upload. */
export function fwUploadErrorText(result: keyof typeof FW_UPLOAD_ERRORS): string {
  return `transferring:${FW_UPLOAD_ERRORS[result].text}`;
}

export interface FwUploadOutcome {
  readonly result: FwUploadResult;
  /** The RFC's internal rc: 0, a negative errno, or the firmware status it mapped. */
  readonly rc: number;
  /** Firmware status of SNP_DOWNLOAD_FIRMWARE_EX (or of the failing preparation command). */
  readonly error: number;
}

/** sev_firmware_shutdown_if_sev_initialized(). */
function shutdownIfInitialized(dev: SevDevice): { rc: number; error: number } {
  const st = legacyPlatformStatus(dev);
  if (st.rc < 0) return { rc: st.error || st.rc, error: st.error ?? 0 };
  switch (st.status.state) {
    case SevState.UNINIT:
      return { rc: 0, error: 0 };
    case SevState.INIT: {
      const out = { error: 0 };
      const rc = sevPlatformShutdownLocked(dev, out);
      if (rc) {
        devLog(dev, `SEV platform shutdown failed ${out.error || rc}`);
        return { rc: out.error || rc, error: out.error };
      }
      dev.fwNeedsReinit = true;
      return { rc: 0, error: 0 };
    }
    case SevState.WORKING:
      return { rc: -Errno.EBUSY, error: 0 };
    default:
      devLog(dev, `Unknown SEV firmware state: ${st.status.state}`);
      return { rc: -Errno.EINVAL, error: 0 };
  }
}

/** sev_download_firmware_ex(): the image in fresh pages, provisional (commit = 0). */
function downloadFirmwareEx(dev: SevDevice, image: Uint8Array): { rc: number; error: number } {
  const npages = orderPages(image.length);
  const pfn = dev.pages.alloc(npages);
  dev.ctx.machine.writePhys(pfn * 4096, image);
  const buf = SevDataDownloadFirmwareEx.encode({
    length: SevDataDownloadFirmwareEx.size,
    fwPaddr: pfn * 4096,
    fwLen: image.length,
    commit: 0,
  });
  const r = sevDoCmdLocked(dev, Cmd.SNP_DOWNLOAD_FIRMWARE_EX, buf);
  dev.pages.release(pfn, npages);
  const error = r.error ?? 0;
  // A failed command reports the firmware status itself as the rc.
  return { rc: r.rc < 0 && error !== 0 ? error : r.rc, error };
}

/** The RFC's status → fw_upload_err mapping, with its log lines. */
function mapFailure(dev: SevDevice, rc: number): FwUploadResult {
  switch (rc) {
    case Status.INVALID_PLATFORM_STATE:
    case Status.INVALID_ADDRESS:
      return 'BUSY'; // WARN_ON_ONCE: a kernel bug
    case Status.INVALID_LEN:
      return 'INVALID_SIZE';
    case Status.INVALID_PARAM:
      devLog(dev, 'SEV firmware image is not well formed');
      return 'FW_INVALID';
    case Status.SHUTDOWN_REQUIRED:
      devLog(dev, 'SEV firmware too far, shutdown required');
      return 'FW_INVALID';
    case Status.INVALID_CONFIG:
      devLog(dev, 'SEV firmware upgrade would rollback SVN');
      return 'FW_INVALID';
    case Status.BAD_SIGNATURE:
      devLog(dev, 'SEV firmware upgrade bad signature');
      return 'FW_INVALID';
    case Status.BAD_VERSION:
      devLog(dev, 'SEV firmware upgrade less than CommittedVersion');
      return 'FW_INVALID';
    case Status.UNSUPPORTED:
      devLog(dev, 'SEV firmware required feature not supported');
      return 'FW_INVALID';
    case Status.UPDATE_FAILED:
      devLog(dev, 'SEV firmware update failed');
      return 'HW_ERROR';
    case Status.HWSEV_RET_UNSAFE:
      devLog(dev, 'SEV firmware no longer safe to operate');
      dev.pspDead = true;
      return 'HW_ERROR';
    case Status.RESTORE_REQUIRED:
      devLog(dev, 'SEV firmware update failed, please roll back');
      dev.pspDead = true;
      dev.fwWantsRollback = true;
      return 'HW_ERROR';
    default:
      // e.g. BAD_SVN (0x21) is not in the RFC's table.
      devLog(dev, `Unknown SEV firmware err ${rc}`);
      return 'HW_ERROR';
  }
}

/** sev_firmware_reinit_if_shutdown(). */
function reinitIfShutdown(dev: SevDevice): void {
  if (!dev.fwNeedsReinit) return;
  dev.fwNeedsReinit = false;
  const out = { error: 0 };
  const rc = sevPlatformInitLocked(dev, out);
  if (rc) devLog(dev, `SEV platform re-init failed ${out.error || rc}`);
}

/** sev_fw_upload_write(): the whole image written at offset 0. */
export function sevFwUpload(dev: SevDevice, image: Uint8Array): FwUploadOutcome {
  if (!dev.profile.fwUpload || !dev.present) return { result: 'NO_INTERFACE', rc: -Errno.ENOENT, error: 0 };
  if (image.length === 0) return { result: 'INVALID_SIZE', rc: -Errno.EINVAL, error: 0 };
  const old = { major: dev.apiMajor, minor: dev.apiMinor, build: dev.build };

  let result: FwUploadResult = 'ok';
  let rc = 0;
  let error = 0;
  if (dev.fwWantsRollback && dev.pspDead) {
    // RESTORE_REQUIRED earlier: only this DLFW_EX (the admin's old image) is allowed.
    dev.fwWantsRollback = false;
    dev.pspDead = false;
  } else {
    const s = shutdownIfInitialized(dev);
    if (s.rc) {
      result = 'BUSY';
      rc = s.rc;
      error = s.error;
    }
  }
  if (result === 'ok') {
    const d = downloadFirmwareEx(dev, image);
    rc = d.rc;
    error = d.error;
    if (rc) result = mapFailure(dev, rc);
  }

  if (result === 'ok') {
    const refresh = sevGetApiVersion(dev);
    if (refresh) devLog(dev, `SNP platform data refresh after firmware update failed ${refresh}`);
    else if (old.major !== dev.apiMajor || old.minor !== dev.apiMinor || old.build !== dev.build) {
      devLog(dev, `SEV firmware updated to ${dev.apiMajor}.${dev.apiMinor} build ${dev.build}`);
    } else devLog(dev, 'SEV firmware not updated');
  }
  if (!dev.fwWantsRollback) reinitIfShutdown(dev);
  return { result, rc, error };
}
