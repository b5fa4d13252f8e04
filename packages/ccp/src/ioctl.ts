/**
 * /dev/sev SEV_ISSUE_CMD (docs/reference/linux-ccp.md §3.8) with the implicit init/shutdown of each release:
 * 'legacy-persistent' (≤6.15: legacy init, no shutdown; SNP ioctls need SNP initialised),
 * 'full' (6.16–7.1: _sev_platform_init_locked incl. SNP, error replaced by 0x1, then
 * __sev_firmware_shutdown) and 'legacy-only' (7.2: legacy init with the real error).
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

/** sev_ioctl(): one SEV_ISSUE_CMD. */
export function sevIoctl(dev: SevDevice, cmd: SevIoctlCmd, opts: IoctlOptions = {}): IoctlResult {
  if (!dev.present) return { rc: -Errno.ENODEV, error: NO_FW_CALL };
  const writable = opts.writable ?? true;
  const hasData = opts.hasData ?? true;
  const out: ErrorOut = { error: NO_FW_CALL };
  const done = (r: { rc: number; data?: IoctlResult['data'] }): IoctlResult =>
    r.data === undefined ? { rc: r.rc, error: out.error } : { rc: r.rc, error: out.error, data: r.data };
  const legacyEra = dev.profile.ioctlImplicitInit === 'legacy-persistent';

  switch (cmd) {
    case 'SEV_FACTORY_RESET': {
      if (!writable) return done({ rc: -Errno.EPERM });
      const st = legacyPlatformStatus(dev);
      if (st.error !== undefined) out.error = st.error;
      if (st.rc) return done({ rc: st.rc });
      if (st.status.state === SevState.WORKING) return done({ rc: -Errno.EBUSY });
      if (st.status.state === SevState.INIT) {
        const rc = sevPlatformShutdownLocked(dev, out);
        if (rc) return done({ rc });
      }
      return done({ rc: fwResult(dev, Cmd.FACTORY_RESET, null, out).rc });
    }
    case 'SEV_PLATFORM_STATUS': {
      const st = legacyPlatformStatus(dev);
      if (st.error !== undefined) out.error = st.error;
      return done(st.rc ? { rc: st.rc } : { rc: 0, data: st.status });
    }
    case 'SEV_PEK_GEN':
    case 'SEV_PDH_GEN': {
      if (!writable) return done({ rc: -Errno.EPERM });
      const id = cmd === 'SEV_PEK_GEN' ? Cmd.PEK_GEN : Cmd.PDH_GEN;
      return done(
        withImplicitInit(dev, out, dev.sevState === SevState.UNINIT, () => ({
          rc: fwResult(dev, id, null, out).rc,
        })),
      );
    }
    case 'SEV_PEK_CSR': {
      if (!writable) return done({ rc: -Errno.EPERM });
      const length = opts.length ?? 0;
      if (length > SEV_FW_BLOB_MAX_SIZE) return done({ rc: -Errno.EFAULT });
      return done(
        withImplicitInit(dev, out, dev.sevState === SevState.UNINIT, () => {
          const blob = length ? dev.pages.alloc(orderPages(length)) : null;
          const r = fwResult(
            dev,
            Cmd.PEK_CSR,
            SevDataPekCsr.encode({ address: blob === null ? 0 : blob * 4096, len: length }),
            out,
          );
          if (blob !== null) dev.pages.release(blob, orderPages(length));
          return { rc: r.rc, data: { length: SevDataPekCsr.decode(r.buffer).len } };
        }),
      );
    }
    case 'SEV_PDH_CERT_EXPORT': {
      const notInit = dev.sevState !== SevState.INIT;
      if (notInit && !writable) return done({ rc: -Errno.EPERM });
      const pdhLen = opts.pdhCertLen ?? 0;
      const chainLen = opts.certChainLen ?? 0;
      const query = !pdhLen || !chainLen;
      if (!query && (pdhLen > SEV_FW_BLOB_MAX_SIZE || chainLen > SEV_FW_BLOB_MAX_SIZE))
        return done({ rc: -Errno.EFAULT });
      return done(
        withImplicitInit(dev, out, notInit, () => {
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
          const r = fwResult(dev, Cmd.PDH_CERT_EXPORT, buf, out);
          if (pdh !== null) dev.pages.release(pdh, orderPages(pdhLen));
          if (chain !== null) dev.pages.release(chain, orderPages(chainLen));
          const d = SevDataPdhCertExport.decode(r.buffer);
          return { rc: r.rc, data: { pdhCertLen: d.pdhCertLen, certChainLen: d.certChainLen } };
        }),
      );
    }
    case 'SEV_PEK_CERT_IMPORT': {
      if (!writable) return done({ rc: -Errno.EPERM });
      const bad = blobCheck(opts.pekCert) || blobCheck(opts.ocaCert);
      if (bad) return done({ rc: bad });
      const pek = opts.pekCert as Uint8Array;
      const oca = opts.ocaCert as Uint8Array;
      return done(
        withImplicitInit(dev, out, dev.sevState !== SevState.INIT, () => {
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
          const r = fwResult(dev, Cmd.PEK_CERT_IMPORT, buf, out);
          dev.pages.release(pekPfn, orderPages(pek.length));
          dev.pages.release(ocaPfn, orderPages(oca.length));
          return { rc: r.rc };
        }),
      );
    }
    case 'SEV_GET_ID':
    case 'SEV_GET_ID2': {
      if (!versionAtLeast(dev, 0, 16)) return done({ rc: -Errno.ENOTSUPP });
      // SEV_GET_ID asks for the 2-socket (128-byte) ID; GET_ID2 for the caller's length.
      const length = cmd === 'SEV_GET_ID' ? 128 : (opts.length ?? 0);
      const blob = length ? dev.pages.alloc(orderPages(length)) : null;
      const r = fwResult(
        dev,
        Cmd.GET_ID,
        SevDataGetId.encode({ address: blob === null ? 0 : blob * 4096, len: length }),
        out,
      );
      if (blob !== null) dev.pages.release(blob, orderPages(length));
      return done({ rc: r.rc, data: { length: SevDataGetId.decode(r.buffer).len } });
    }
    case 'SNP_PLATFORM_STATUS': {
      if (!hasData) return done({ rc: -Errno.EINVAL });
      if (legacyEra && !dev.snpInitialized) return done({ rc: -Errno.EINVAL });
      let shutdown = false;
      if (dev.profile.snpStatusImplicitInit && !dev.snpInitialized && !legacyEra) {
        const rc = snpMoveToInitState(dev, out);
        if (rc) return done({ rc });
        shutdown = true;
      }
      const st = snpPlatformStatusLocked(dev);
      if (st.error !== undefined) out.error = st.error;
      if (shutdown) snpShutdownLocked(dev, { error: NO_FW_CALL }, false);
      return done(st.rc || !st.status ? { rc: st.rc } : { rc: 0, data: st.status });
    }
    case 'SNP_COMMIT': {
      const commit = () =>
        fwResult(dev, Cmd.SNP_COMMIT, SevDataSnpCommit.encode({ len: SevDataSnpCommit.size }), out).rc;
      // 7.2: the firmware accepts SNP_COMMIT in any state, so no init at all.
      if (dev.profile.snpIoctlsNeedInit) return done({ rc: commit() });
      return done({ rc: withImplicitSnpInit(dev, out, commit) });
    }
    case 'SNP_SET_CONFIG': {
      if (legacyEra && !dev.snpInitialized) return done({ rc: -Errno.EINVAL });
      if (!hasData) return done({ rc: -Errno.EINVAL });
      if (!writable) return done({ rc: -Errno.EPERM });
      if (dev.profile.snpIoctlsNeedInit && !dev.snpInitialized) return done({ rc: -Errno.ENODEV });
      const c = opts.config ?? {};
      const buf = SevUserDataSnpConfig.encode({
        reportedTcb: c.reportedTcb ?? 0n,
        maskChipId: c.maskChipId ? 1 : 0,
        maskChipKey: c.maskChipKey ? 1 : 0,
      });
      return done({ rc: withImplicitSnpInit(dev, out, () => fwResult(dev, Cmd.SNP_CONFIG, buf, out).rc) });
    }
    case 'SNP_VLEK_LOAD': {
      if (legacyEra && !dev.snpInitialized) return done({ rc: -Errno.EINVAL });
      if (!hasData) return done({ rc: -Errno.EINVAL });
      if (!writable) return done({ rc: -Errno.EPERM });
      if (dev.profile.snpIoctlsNeedInit && !dev.snpInitialized) return done({ rc: -Errno.ENODEV });
      const len = opts.vlek?.len ?? SevUserDataSnpVlekLoad.size;
      const version = opts.vlek?.version ?? 0;
      if (len !== SevUserDataSnpVlekLoad.size || version !== 0) return done({ rc: -Errno.EINVAL });
      // The 432-byte wrapped hashstick, copied into a kernel buffer.
      const blob = dev.pages.alloc(1);
      const buf = SevUserDataSnpVlekLoad.encode({ len, vlekWrappedAddress: blob * 4096 });
      const rc = withImplicitSnpInit(dev, out, () => fwResult(dev, Cmd.SNP_VLEK_LOAD, buf, out).rc);
      dev.pages.release(blob, 1);
      return done({ rc });
    }
  }
}
