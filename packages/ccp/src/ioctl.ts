/**
 * /dev/sev SEV_ISSUE_CMD (docs/reference/linux-ccp.md §3.8) with the implicit init/shutdown of each release:
 * 'legacy-persistent' (≤6.15: legacy init, no shutdown; SNP ioctls need SNP initialised),
 * 'full' (6.16–7.1: _sev_platform_init_locked incl. SNP, error replaced by 0x1, then
 * __sev_firmware_shutdown) and 'legacy-only' (7.2: legacy init with the real error; Linux v7.2
 * drivers/crypto/ccp/sev-dev.c sev_move_to_init_state(), re-read in the 7.2 commits,
 * docs/reference/linux-ccp.md §3.8).
 */
import {
  Cmd,
  NO_FW_CALL,
  SevDataGetId,
  SevDataPdhCertExport,
  SevDataPekCertImport,
  SevDataPekCsr,
  SevDataSnpCommit,
  SevUserDataSnpConfig,
  SevUserDataSnpVlekLoad,
  Status,
  SevState,
  SEV_FW_BLOB_MAX_SIZE,
} from '@sevsim/psp-abi';
import { Errno } from '@sevsim/kernel';
import { sevPlatformInitLocked } from './legacy-init';
import { orderPages } from './page-allocator';
import { type SevStatus, legacyPlatformStatus, snpPlatformStatusLocked } from './platform-status';
import { sevPlatformInitArgs } from './platform-init';
import { type SevDevice, type SnpPlatStatus, versionAtLeast } from './sev-device';
import { type ErrorOut, snpInitLocked } from './snp-init';
import { sevFirmwareShutdown, sevPlatformShutdownLocked, snpShutdownLocked } from './shutdown';
import { sevDoCmdLocked } from './transport';

/** uapi SEV_ISSUE_CMD command numbers (include/uapi/linux/psp-sev.h). */
export const SEV_IOCTL = {
  SEV_FACTORY_RESET: 0,
  SEV_PLATFORM_STATUS: 1,
  SEV_PEK_GEN: 2,
  SEV_PEK_CSR: 3,
  SEV_PDH_GEN: 4,
  SEV_PDH_CERT_EXPORT: 5,
  SEV_PEK_CERT_IMPORT: 6,
  SEV_GET_ID: 7,
  SEV_GET_ID2: 8,
  SNP_PLATFORM_STATUS: 9,
  SNP_COMMIT: 10,
  SNP_SET_CONFIG: 11,
  SNP_VLEK_LOAD: 12,
} as const;
export type SevIoctlCmd = keyof typeof SEV_IOCTL;

export interface IoctlOptions {
  /** The file was opened for writing (FMODE_WRITE); default true. */
  writable?: boolean;
  /** SEV_PEK_CSR / SEV_GET_ID2 buffer length (0 = query the needed length). */
  length?: number;
  /** SEV_PDH_CERT_EXPORT lengths (either 0 = query). */
  pdhCertLen?: number;
  certChainLen?: number;
  /** SEV_PEK_CERT_IMPORT blobs. */
  pekCert?: Uint8Array;
  ocaCert?: Uint8Array;
  /** SNP_SET_CONFIG. */
  config?: { reportedTcb?: bigint; maskChipId?: boolean; maskChipKey?: boolean };
  /** SNP_VLEK_LOAD: the struct's len and version (must be 16 and 0). */
  vlek?: { len?: number; version?: number };
  /** false models `argp->data == 0` for the commands that check it. */
  hasData?: boolean;
}

export interface IoctlResult {
  /** 0 or a negative errno. */
  readonly rc: number;
  /** argp->error: firmware status, or NO_FW_CALL when the ioctl never wrote it. */
  readonly error: number;
  readonly data?:
    | SevStatus
    | SnpPlatStatus
    | { length: number }
    | { pdhCertLen: number; certChainLen: number };
}

function fwResult(dev: SevDevice, cmd: number, buf: Uint8Array | null, out: ErrorOut) {
  const r = sevDoCmdLocked(dev, cmd, buf);
  if (r.error !== undefined) out.error = r.error;
  return r;
}

/** sev_move_to_init_state(): implicit legacy init for the SEV ioctls. */
function moveToInitState(dev: SevDevice, out: ErrorOut): { rc: number; shutdown: boolean } {
  switch (dev.profile.ioctlImplicitInit) {
    case 'legacy-persistent':
      return { rc: sevPlatformInitLocked(dev, out), shutdown: false };
    case 'full': {
      const rc = sevPlatformInitArgs(dev, false, 0, { error: NO_FW_CALL });
      if (rc) out.error = Status.INVALID_PLATFORM_STATE;
      return { rc, shutdown: rc === 0 };
    }
    case 'legacy-only': {
      const rc = sevPlatformInitLocked(dev, out);
      return { rc, shutdown: rc === 0 };
    }
  }
}

/** snp_move_to_init_state() (6.16–7.1): implicit SNP init for the SNP ioctls. */
function snpMoveToInitState(dev: SevDevice, out: ErrorOut): number {
  const rc = snpInitLocked(dev, { error: NO_FW_CALL }, 0);
  if (rc) out.error = Status.INVALID_PLATFORM_STATE;
  return rc;
}

function withImplicitInit(
  dev: SevDevice,
  out: ErrorOut,
  needed: boolean,
  body: () => { rc: number; data?: IoctlResult['data'] },
): { rc: number; data?: IoctlResult['data'] } {
  let shutdown = false;
  if (needed) {
    const m = moveToInitState(dev, out);
    if (m.rc) return { rc: m.rc };
    shutdown = m.shutdown;
  }
  const r = body();
  if (shutdown) sevFirmwareShutdown(dev, false);
  return r;
}

/** SNP ioctls that may init SNP themselves (COMMIT, SET_CONFIG, VLEK_LOAD before 7.2). */
function withImplicitSnpInit(dev: SevDevice, out: ErrorOut, body: () => number): number {
  if (dev.snpInitialized) return body();
  if (dev.profile.ioctlImplicitInit === 'legacy-persistent') return -Errno.EINVAL;
  const rc = snpMoveToInitState(dev, out);
  if (rc) return rc;
  const ret = body();
  snpShutdownLocked(dev, { error: NO_FW_CALL }, false);
  return ret;
}

function blobCheck(blob: Uint8Array | undefined): number {
  if (!blob || blob.length === 0 || blob.length > SEV_FW_BLOB_MAX_SIZE) return -Errno.EINVAL;
  return 0;
}

/** What each sev_ioctl_do_*() sees: the argument struct (`opts`) and argp->error (`error`). */
interface Argp extends ErrorOut {
  readonly opts: IoctlOptions;
}

type IoctlBody = { rc: number; data?: IoctlResult['data'] };

const legacyEra = (dev: SevDevice): boolean => dev.profile.ioctlImplicitInit === 'legacy-persistent';

/** sev_ioctl_do_reset(): SEV_FACTORY_RESET, shutting an INIT platform down first (not WORKING). */
function sevIoctlDoReset(dev: SevDevice, argp: Argp, writable: boolean): IoctlBody {
  if (!writable) return { rc: -Errno.EPERM };
  const st = legacyPlatformStatus(dev);
  if (st.error !== undefined) argp.error = st.error;
  if (st.rc) return { rc: st.rc };
  if (st.status.state === SevState.WORKING) return { rc: -Errno.EBUSY };
  if (st.status.state === SevState.INIT) {
    const rc = sevPlatformShutdownLocked(dev, argp);
    if (rc) return { rc };
  }
  return { rc: fwResult(dev, Cmd.FACTORY_RESET, null, argp).rc };
}

/** sev_ioctl_do_platform_status(). */
function sevIoctlDoPlatformStatus(dev: SevDevice, argp: Argp): IoctlBody {
  const st = legacyPlatformStatus(dev);
  if (st.error !== undefined) argp.error = st.error;
  return st.rc ? { rc: st.rc } : { rc: 0, data: st.status };
}

/** sev_ioctl_do_pek_pdh_gen(): PEK_GEN or PDH_GEN, with the implicit init from UNINIT. */
function sevIoctlDoPekPdhGen(cmd: number) {
  return (dev: SevDevice, argp: Argp, writable: boolean): IoctlBody => {
    if (!writable) return { rc: -Errno.EPERM };
    return withImplicitInit(dev, argp, dev.sevState === SevState.UNINIT, () => ({
      rc: fwResult(dev, cmd, null, argp).rc,
    }));
  };
}

/** sev_ioctl_do_pek_csr(): length 0 asks for the needed length. */
function sevIoctlDoPekCsr(dev: SevDevice, argp: Argp, writable: boolean): IoctlBody {
  if (!writable) return { rc: -Errno.EPERM };
  const length = argp.opts.length ?? 0;
  if (length > SEV_FW_BLOB_MAX_SIZE) return { rc: -Errno.EFAULT };
  return withImplicitInit(dev, argp, dev.sevState === SevState.UNINIT, () => {
    const blob = length ? dev.pages.alloc(orderPages(length)) : null;
    const r = fwResult(
      dev,
      Cmd.PEK_CSR,
      SevDataPekCsr.encode({ address: blob === null ? 0 : blob * 4096, len: length }),
      argp,
    );
    if (blob !== null) dev.pages.release(blob, orderPages(length));
    return { rc: r.rc, data: { length: SevDataPekCsr.decode(r.buffer).len } };
  });
}

/** sev_ioctl_do_pdh_export(): either length 0 asks for the needed lengths. */
function sevIoctlDoPdhExport(dev: SevDevice, argp: Argp, writable: boolean): IoctlBody {
  const notInit = dev.sevState !== SevState.INIT;
  if (notInit && !writable) return { rc: -Errno.EPERM };
  const pdhLen = argp.opts.pdhCertLen ?? 0;
  const chainLen = argp.opts.certChainLen ?? 0;
  const query = !pdhLen || !chainLen;
  if (!query && (pdhLen > SEV_FW_BLOB_MAX_SIZE || chainLen > SEV_FW_BLOB_MAX_SIZE))
    return { rc: -Errno.EFAULT };
  return withImplicitInit(dev, argp, notInit, () => {
    const pdh = query ? null : dev.pages.alloc(orderPages(pdhLen));
    const chain = query ? null : dev.pages.alloc(orderPages(chainLen));
    const buf = SevDataPdhCertExport.encode(
      query
        ? {}
        : {
            pdhCertAddress: (pdh ?? 0) * 4096,
            pdhCertLen: pdhLen,
            certChainAddress: (chain ?? 0) * 4096,
            certChainLen: chainLen,
          },
    );
    const r = fwResult(dev, Cmd.PDH_CERT_EXPORT, buf, argp);
    if (pdh !== null) dev.pages.release(pdh, orderPages(pdhLen));
    if (chain !== null) dev.pages.release(chain, orderPages(chainLen));
    const d = SevDataPdhCertExport.decode(r.buffer);
    return { rc: r.rc, data: { pdhCertLen: d.pdhCertLen, certChainLen: d.certChainLen } };
  });
}

/** sev_ioctl_do_pek_import(): both certificates copied into kernel pages (psp_copy_user_blob). */
function sevIoctlDoPekImport(dev: SevDevice, argp: Argp, writable: boolean): IoctlBody {
  if (!writable) return { rc: -Errno.EPERM };
  const bad = blobCheck(argp.opts.pekCert) || blobCheck(argp.opts.ocaCert);
  if (bad) return { rc: bad };
  const pek = argp.opts.pekCert as Uint8Array;
  const oca = argp.opts.ocaCert as Uint8Array;
  return withImplicitInit(dev, argp, dev.sevState !== SevState.INIT, () => {
    const pekPfn = dev.pages.alloc(orderPages(pek.length));
    const ocaPfn = dev.pages.alloc(orderPages(oca.length));
    dev.ctx.machine.writePhys(pekPfn * 4096, pek);
    dev.ctx.machine.writePhys(ocaPfn * 4096, oca);
    const buf = SevDataPekCertImport.encode({
      pekCertAddress: pekPfn * 4096,
      pekCertLen: pek.length,
      ocaCertAddress: ocaPfn * 4096,
      ocaCertLen: oca.length,
    });
    const r = fwResult(dev, Cmd.PEK_CERT_IMPORT, buf, argp);
    dev.pages.release(pekPfn, orderPages(pek.length));
    dev.pages.release(ocaPfn, orderPages(oca.length));
    return { rc: r.rc };
  });
}

/**
 * sev_ioctl_do_get_id2() (and sev_ioctl_do_get_id(), which asks for the 2-socket, 128-byte ID);
 * GET_ID2 takes the caller's length, 0 asking for the needed one.
 */
function sevIoctlDoGetId(fixedLength: number | undefined) {
  return (dev: SevDevice, argp: Argp): IoctlBody => {
    if (!versionAtLeast(dev, 0, 16)) return { rc: -Errno.ENOTSUPP };
    const length = fixedLength ?? argp.opts.length ?? 0;
    const blob = length ? dev.pages.alloc(orderPages(length)) : null;
    const r = fwResult(
      dev,
      Cmd.GET_ID,
      SevDataGetId.encode({ address: blob === null ? 0 : blob * 4096, len: length }),
      argp,
    );
    if (blob !== null) dev.pages.release(blob, orderPages(length));
    return { rc: r.rc, data: { length: SevDataGetId.decode(r.buffer).len } };
  };
}

/** sev_ioctl_do_snp_platform_status(): with the implicit SNP init of the releases that have it. */
function sevIoctlDoSnpPlatformStatus(dev: SevDevice, argp: Argp): IoctlBody {
  if (argp.opts.hasData === false) return { rc: -Errno.EINVAL };
  if (legacyEra(dev) && !dev.snpInitialized) return { rc: -Errno.EINVAL };
  let shutdown = false;
  if (dev.profile.snpStatusImplicitInit && !dev.snpInitialized && !legacyEra(dev)) {
    const rc = snpMoveToInitState(dev, argp);
    if (rc) return { rc };
    shutdown = true;
  }
  const st = snpPlatformStatusLocked(dev);
  if (st.error !== undefined) argp.error = st.error;
  if (shutdown) snpShutdownLocked(dev, { error: NO_FW_CALL }, false);
  return st.rc || !st.status ? { rc: st.rc } : { rc: 0, data: st.status };
}

/** sev_ioctl_do_snp_commit(). */
function sevIoctlDoSnpCommit(dev: SevDevice, argp: Argp): IoctlBody {
  const commit = () =>
    fwResult(dev, Cmd.SNP_COMMIT, SevDataSnpCommit.encode({ len: SevDataSnpCommit.size }), argp).rc;
  // 7.2: the firmware accepts SNP_COMMIT in any state, so no init at all.
  if (dev.profile.snpIoctlsNeedInit) return { rc: commit() };
  return { rc: withImplicitSnpInit(dev, argp, commit) };
}

/**
 * The checks sev_ioctl_do_snp_set_config() and _vlek_load() start with, in their order: 7.2's
 * -ENODEV comes before the arguments are read (docs/reference/linux-ccp.md §3.8).
 */
function snpWriteChecks(dev: SevDevice, argp: Argp, writable: boolean): number {
  if (legacyEra(dev) && !dev.snpInitialized) return -Errno.EINVAL;
  if (argp.opts.hasData === false) return -Errno.EINVAL;
  if (!writable) return -Errno.EPERM;
  if (dev.profile.snpIoctlsNeedInit && !dev.snpInitialized) return -Errno.ENODEV;
  return 0;
}

/** sev_ioctl_do_snp_set_config(). */
function sevIoctlDoSnpSetConfig(dev: SevDevice, argp: Argp, writable: boolean): IoctlBody {
  const bad = snpWriteChecks(dev, argp, writable);
  if (bad) return { rc: bad };
  const c = argp.opts.config ?? {};
  const buf = SevUserDataSnpConfig.encode({
    reportedTcb: c.reportedTcb ?? 0n,
    maskChipId: c.maskChipId ? 1 : 0,
    maskChipKey: c.maskChipKey ? 1 : 0,
  });
  return { rc: withImplicitSnpInit(dev, argp, () => fwResult(dev, Cmd.SNP_CONFIG, buf, argp).rc) };
}

/** sev_ioctl_do_snp_vlek_load(): the 432-byte wrapped hashstick, copied into a kernel buffer. */
function sevIoctlDoSnpVlekLoad(dev: SevDevice, argp: Argp, writable: boolean): IoctlBody {
  const bad = snpWriteChecks(dev, argp, writable);
  if (bad) return { rc: bad };
  const len = argp.opts.vlek?.len ?? SevUserDataSnpVlekLoad.size;
  const version = argp.opts.vlek?.version ?? 0;
  if (len !== SevUserDataSnpVlekLoad.size || version !== 0) return { rc: -Errno.EINVAL };
  const blob = dev.pages.alloc(1);
  const buf = SevUserDataSnpVlekLoad.encode({ len, vlekWrappedAddress: blob * 4096 });
  const rc = withImplicitSnpInit(dev, argp, () => fwResult(dev, Cmd.SNP_VLEK_LOAD, buf, argp).rc);
  dev.pages.release(blob, 1);
  return { rc };
}

/** sev_ioctl()'s switch: the handler of each SEV_ISSUE_CMD command. */
const SEV_IOCTL_DO: Record<SevIoctlCmd, (dev: SevDevice, argp: Argp, writable: boolean) => IoctlBody> = {
  SEV_FACTORY_RESET: sevIoctlDoReset,
  SEV_PLATFORM_STATUS: sevIoctlDoPlatformStatus,
  SEV_PEK_GEN: sevIoctlDoPekPdhGen(Cmd.PEK_GEN),
  SEV_PEK_CSR: sevIoctlDoPekCsr,
  SEV_PDH_GEN: sevIoctlDoPekPdhGen(Cmd.PDH_GEN),
  SEV_PDH_CERT_EXPORT: sevIoctlDoPdhExport,
  SEV_PEK_CERT_IMPORT: sevIoctlDoPekImport,
  SEV_GET_ID: sevIoctlDoGetId(128),
  SEV_GET_ID2: sevIoctlDoGetId(undefined),
  SNP_PLATFORM_STATUS: sevIoctlDoSnpPlatformStatus,
  SNP_COMMIT: sevIoctlDoSnpCommit,
  SNP_SET_CONFIG: sevIoctlDoSnpSetConfig,
  SNP_VLEK_LOAD: sevIoctlDoSnpVlekLoad,
};

/** sev_ioctl(): one SEV_ISSUE_CMD; argp->error is NO_FW_CALL unless a firmware command wrote it. */
export function sevIoctl(dev: SevDevice, cmd: SevIoctlCmd, opts: IoctlOptions = {}): IoctlResult {
  if (!dev.present) return { rc: -Errno.ENODEV, error: NO_FW_CALL };
  const argp: Argp = { opts, error: NO_FW_CALL };
  const r = SEV_IOCTL_DO[cmd](dev, argp, opts.writable ?? true);
  return r.data === undefined
    ? { rc: r.rc, error: argp.error }
    : { rc: r.rc, error: argp.error, data: r.data };
}
