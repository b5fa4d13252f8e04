/**
 * Platform teardown (docs/reference/linux-ccp.md §4.2–§4.3): __sev_platform_shutdown_locked,
 * __sev_firmware_shutdown, __sev_snp_shutdown_locked and, for firmware without x86 SNP
 * shutdown, amd_iommu_snp_disable() from drivers/iommu/amd/init.c (pr_fmt "AMD-Vi: ").
 */
import {
  Cmd,
  SevDataSnpShutdownEx,
  SnpFeatureEcx,
  Status,
  NV_LENGTH,
  SevState,
  SEV_TMR_SIZE,
} from '@sevsim/psp-abi';
import { Errno } from '@sevsim/kernel';
import type { KernelContext } from './kernel';
import { orderPages } from './page-allocator';
import { freeFirmwarePages } from './firmware-pages';
import { rmpMakeShared } from './rmp-pages';
import { type SevDevice, devLog, hex } from './sev-device';
import type { ErrorOut } from './snp-init';
import { snpShutdown } from './snp-x86';
import { sevDoCmdLocked } from './transport';

/** __sev_platform_shutdown_locked(): SHUTDOWN unless the cached state is UNINIT. */
export function sevPlatformShutdownLocked(dev: SevDevice, out: ErrorOut): number {
  if (!dev.present || dev.sevState === SevState.UNINIT) return 0;
  const r = sevDoCmdLocked(dev, Cmd.SHUTDOWN, null);
  if (r.error !== undefined) out.error = r.error;
  if (r.rc) {
    if (!dev.profile.legacyLogFormat)
      devLog(dev, `SEV: failed to SHUTDOWN error ${hex(out.error)}, rc ${r.rc}`);
    return r.rc;
  }
  dev.sevState = SevState.UNINIT;
  return 0;
}

const PTRS_PER_PMD = 512;

/** iommu_page_make_shared(): 2 MB-aligned pages are looked up (and PSMASHed) first. */
function iommuPageMakeShared(ctx: KernelContext, dev: SevDevice, pfn: number): number {
  const m = ctx.machine;
  if (pfn % PTRS_PER_PMD === 0) {
    const e = m.rmp.entry(pfn);
    if (!e?.assigned) {
      ctx.log.print(`AMD-Vi: IOMMU PFN ${pfn.toString(16)} not assigned in RMP table`);
      return -Errno.EINVAL;
    }
    if (e.pageSize === '2M') {
      const ret = m.rmp.psmash(pfn);
      if (ret) {
        ctx.log.print(
          `AMD-Vi: PSMASH failed for IOMMU PFN ${pfn.toString(16)} huge RMP entry, ret: ${ret}, level: 2`,
        );
        return ret;
      }
    }
  }
  return rmpMakeShared(dev, pfn);
}

/** amd_iommu_snp_disable(): event log, PPR log and completion-wait page back to shared. */
export function amdIommuSnpDisable(dev: SevDevice): number {
  const { ctx } = dev;
  // amd_iommu_snp_en: the IOMMU enabled SNP support at boot, i.e. host SNP is on.
  if (!ctx.hostSnp) return 0;
  for (const pfn of ctx.machine.iommu.logPages) {
    const ret = iommuPageMakeShared(ctx, dev, pfn);
    if (ret) return ret;
  }
  return 0;
}

/** __sev_snp_shutdown_locked(error, panic) (docs/reference/linux-ccp.md §4.3, 7.1+ shape; x86 part per profile). */
export function snpShutdownLocked(dev: SevDevice, out: ErrorOut, panic: boolean): number {
  const { ctx, profile } = dev;
  const legacyLog = profile.legacyLogFormat;
  if (!dev.present || !dev.snpInitialized) return 0;

  const x86 = profile.x86SnpShutdown && (dev.snpFeatInfo0.ecx & SnpFeatureEcx.X86_SNP_SHUTDOWN) !== 0;
  const data = SevDataSnpShutdownEx.encode({
    len: SevDataSnpShutdownEx.size,
    iommuSnpShutdown: 1,
    x86SnpShutdown: x86 ? 1 : 0,
  });

  // In panic only the local CPU flushes here (the others did in the NMI callback).
  if (!panic) ctx.machine.wbinvdAll();
  else ctx.machine.wbinvd(0);

  let r = sevDoCmdLocked(dev, Cmd.SNP_SHUTDOWN_EX, data);
  if (r.error !== undefined) out.error = r.error;
  if (out.error === Status.DFFLUSH_REQUIRED) {
    const flush = sevDoCmdLocked(dev, Cmd.SNP_DF_FLUSH, null);
    if (flush.rc) {
      devLog(
        dev,
        legacyLog
          ? 'SEV-SNP DF_FLUSH failed'
          : `SEV-SNP DF_FLUSH failed, ret = ${flush.rc}, error = ${hex(flush.error ?? 0)}`,
      );
      return flush.rc;
    }
    r = sevDoCmdLocked(dev, Cmd.SNP_SHUTDOWN_EX, data);
    if (r.error !== undefined) out.error = r.error;
  }
  if (r.rc) {
    devLog(
      dev,
      legacyLog
        ? 'SEV-SNP firmware shutdown failed'
        : `SEV-SNP firmware shutdown failed, rc ${r.rc}, error ${hex(out.error)}`,
    );
    return r.rc;
  }

  if (x86) {
    // The firmware cleared SNPEn; the kernel clears the RMP and MFDM (needs IPIs, so not in panic).
    if (!panic) snpShutdown(ctx.machine, ctx.hostSnp);
  } else {
    const ret = amdIommuSnpDisable(dev);
    if (ret) {
      devLog(dev, 'SNP IOMMU shutdown failed');
      return ret;
    }
  }

  dev.snpInitialized = false;
  if (!panic) dev.panicNotifier = false;
  dev.tmrSize = SEV_TMR_SIZE;
  return 0;
}

/**
 * __sev_firmware_shutdown(sev, panic): legacy SHUTDOWN (errors ignored, docs/reference/linux-ccp.md §9.7), free the TMR and
 * NV buffer (reclaimed while SNP is still up), then the SNP shutdown.
 */
export function sevFirmwareShutdown(dev: SevDevice, panic: boolean): void {
  sevPlatformShutdownLocked(dev, { error: 0 });
  if (dev.tmrPfn !== null) {
    if (!panic) dev.ctx.machine.wbinvdAll();
    freeFirmwarePages(dev, dev.tmrPfn, orderPages(dev.tmrSize), true);
    dev.tmrPfn = null;
  }
  if (dev.nvPfn !== null) {
    freeFirmwarePages(dev, dev.nvPfn, NV_LENGTH / 4096, true);
    dev.nvPfn = null;
  }
  snpShutdownLocked(dev, { error: 0 }, panic);
}
