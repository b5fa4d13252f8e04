/**
 * __sev_platform_init_locked(): legacy SEV INIT / INIT_EX with the TMR and the INIT_EX NV
 * buffer, one retry on SECURE_DATA_INVALID, then DF_FLUSH (docs/reference/linux-ccp.md §3.4, §3.7).
 */
import {
  Cmd,
  NO_FW_CALL,
  SEV_INIT_EX_LENGTH,
  SEV_INIT_FLAGS_SEV_ES,
  SevDataInit,
  SevDataInitEx,
  Status,
  NV_LENGTH,
  SevState,
} from '@sevsim/psp-abi';
import { Errno } from '@sevsim/kernel';
import { kernelFs } from './kernel';
import { orderPages } from './page-allocator';
import { allocFirmwarePages } from './firmware-pages';
import { type SevDevice, apiString, devLog, hex } from './sev-device';
import type { ErrorOut } from './snp-init';
import { markPagesFirmware, sevDoCmdLocked } from './transport';

/** __sev_platform_init_handle_tmr(): allocate sev_es_tmr_size once (Firmware-owned when SNP is up). */
function handleTmr(dev: SevDevice): void {
  if (dev.tmrPfn !== null) return;
  // Naturally aligned block (1 MB or 2 MB); without SNP the kernel only flushes caches here.
  dev.tmrPfn = allocFirmwarePages(dev, orderPages(dev.tmrSize));
  if (dev.tmrPfn === null) devLog(dev, 'SEV: TMR allocation failed, SEV-ES support unavailable');
}

/** __sev_platform_init_handle_init_ex_path(): allocate and fill the NV buffer from init_ex_path. */
function handleInitExPath(dev: SevDevice): number {
  const path = dev.params.init_ex_path;
  if (path === null || dev.nvPfn !== null) return 0;
  const npages = NV_LENGTH / 4096;
  dev.nvPfn = dev.pages.alloc(npages);
  // sev_read_init_ex_file()
  const data = kernelFs(dev.ctx).read(path);
  if (typeof data === 'number') {
    if (data !== -Errno.ENOENT) {
      devLog(dev, `SEV: could not open ${path} for read, error ${data}`);
      return data;
    }
    // docs/reference/linux-ccp.md §3.7: ENOENT is fine; the buffer is not zeroed (docs/reference/linux-ccp.md §9.8 [INFERENCE]).
    devLog(dev, `SEV: ${path} does not exist and will be created later.`);
  } else {
    if (data.length !== NV_LENGTH) {
      devLog(dev, `SEV: could not read ${NV_LENGTH} bytes to non volatile memory area, ret ${data.length}`);
    }
    dev.ctx.machine.writePhys(dev.nvPfn * 4096, data.subarray(0, NV_LENGTH));
  }
  if (dev.snpInitialized && markPagesFirmware(dev, dev.nvPfn, npages, false)) {
    devLog(dev, 'SEV: INIT_EX NV memory page state change failed.');
    return -Errno.ENOMEM;
  }
  return 0;
}

/** __sev_do_init_locked(): INIT_EX when the NV buffer exists, else INIT. */
function doInit(dev: SevDevice): { rc: number; error: number | undefined; cmd: 'INIT' | 'INIT_EX' } {
  const tmr =
    dev.tmrPfn === null
      ? {}
      : { flags: SEV_INIT_FLAGS_SEV_ES, tmrAddress: dev.tmrPfn * 4096, tmrLen: dev.tmrSize };
  if (dev.nvPfn !== null) {
    const buf = SevDataInitEx.encode({
      length: SEV_INIT_EX_LENGTH,
      nvAddress: dev.nvPfn * 4096,
      nvLen: NV_LENGTH,
      ...tmr,
    });
    const r = sevDoCmdLocked(dev, Cmd.INIT_EX, buf);
    return { rc: r.rc, error: r.error, cmd: 'INIT_EX' };
  }
  const r = sevDoCmdLocked(dev, Cmd.INIT, SevDataInit.encode(tmr));
  return { rc: r.rc, error: r.error, cmd: 'INIT' };
}

export function sevPlatformInitLocked(dev: SevDevice, out: ErrorOut): number {
  const legacyLog = dev.profile.legacyLogFormat;
  let pspRet: number = NO_FW_CALL;
  if (!dev.present) return -Errno.ENODEV;
  if (dev.sevState === SevState.INIT) return 0;

  handleTmr(dev);
  const rcPath = handleInitExPath(dev);
  if (rcPath) return rcPath;

  let init = doInit(dev);
  if (init.error !== undefined) pspRet = init.error;
  if (init.rc && pspRet === Status.SECURE_DATA_INVALID) {
    devLog(
      dev,
      'SEV: retrying INIT command because of SECURE_DATA_INVALID error. Retrying once to reset PSP SEV state.',
    );
    init = doInit(dev);
    if (init.error !== undefined) pspRet = init.error;
  }
  out.error = pspRet;
  if (init.rc) {
    if (!legacyLog) devLog(dev, `SEV: ${init.cmd} failed ${hex(pspRet)}, rc ${init.rc}`);
    return init.rc;
  }

  dev.sevState = SevState.INIT;

  // Prepare for the first SEV guest launch after INIT.
  dev.ctx.machine.wbinvdAll();
  const flush = sevDoCmdLocked(dev, Cmd.DF_FLUSH, null);
  if (flush.error !== undefined && dev.profile.dfFlushErrorToCaller) out.error = flush.error;
  if (flush.rc) {
    if (!legacyLog) devLog(dev, `SEV: DF_FLUSH failed ${hex(flush.error ?? NO_FW_CALL)}, rc ${flush.rc}`);
    return flush.rc;
  }
  devLog(dev, `SEV ${apiString(dev)}`);
  return 0;
}
