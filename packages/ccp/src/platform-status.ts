/**
 * Reading the firmware's status: legacy PLATFORM_STATUS (sev_platform_status /
 * sev_get_platform_state), __sev_do_snp_platform_status (a firmware-owned page while SNP is
 * initialised), and snp_get_platform_data() + sev_get_api_version() as run at probe
 * (docs/reference/linux-ccp.md §3.1 step 2).
 */
import {
  Cmd,
  SevDataSnpAddr,
  SevDataSnpFeatureInfo,
  SevUserDataSnpStatus,
  SevUserDataStatus,
  SnpFeatureInfo,
} from '@sevsim/psp-abi';
import { Errno } from '@sevsim/kernel';
import { type SevDevice, type SnpPlatStatus, devLog, hex } from './sev-device';
import { markPagesFirmware, reclaimPages, sevDoCmdLocked } from './transport';

export type SevStatus = ReturnType<typeof SevUserDataStatus.decode>;

/** PLATFORM_STATUS through the command buffer. */
export function legacyPlatformStatus(dev: SevDevice): {
  rc: number;
  error: number | undefined;
  status: SevStatus;
} {
  const r = sevDoCmdLocked(dev, Cmd.PLATFORM_STATUS, SevUserDataStatus.encode({}));
  return { rc: r.rc, error: r.error, status: SevUserDataStatus.decode(r.buffer) };
}

/** A command whose output goes to a page: Firmware-owned around it while SNP is initialised. */
function withOutputPage(
  dev: SevDevice,
  firmwareOwned: boolean,
  run: (paddr: number) => { rc: number; error: number | undefined },
): { rc: number; error: number | undefined; pfn: number } {
  const pfn = dev.pages.alloc(1);
  if (firmwareOwned && markPagesFirmware(dev, pfn, 1, true)) {
    dev.pages.release(pfn, 1);
    return { rc: -Errno.EFAULT, error: undefined, pfn };
  }
  const r = run(pfn * 4096);
  // Reclaim state on success, Firmware on failure: reclaim covers both; a failure leaks the page.
  if (firmwareOwned && reclaimPages(dev, pfn, 1, true)) return { rc: -Errno.EFAULT, error: r.error, pfn: -1 };
  return { rc: r.rc, error: r.error, pfn };
}

/** __sev_do_snp_platform_status(): the 32-byte sev_user_data_snp_status, or an error. */
export function snpPlatformStatusLocked(
  dev: SevDevice,
  firmwareOwned = dev.snpInitialized,
): { rc: number; error: number | undefined; status: SnpPlatStatus | null } {
  const r = withOutputPage(dev, firmwareOwned, (paddr) =>
    sevDoCmdLocked(dev, Cmd.SNP_PLATFORM_STATUS, SevDataSnpAddr.encode({ address: paddr })),
  );
  if (r.pfn < 0) return { rc: r.rc, error: r.error, status: null };
  const status = r.rc ? null : SevUserDataSnpStatus.decode(dev.ctx.machine.readPhys(r.pfn * 4096, 32));
  dev.pages.release(r.pfn, 1);
  return { rc: r.rc, error: r.error, status };
}

/** snp_get_platform_data(): cache SNP_PLATFORM_STATUS and FEATURE_INFO leaf 0; set the API from it. */
function snpGetPlatformData(dev: SevDevice, firmwareOwned: boolean): number {
  const st = snpPlatformStatusLocked(dev, firmwareOwned);
  if (st.rc || !st.status) {
    devLog(dev, `SNP PLATFORM_STATUS command failed, ret = ${st.rc}, error = ${hex(st.error ?? 0)}`);
    return st.rc;
  }
  dev.snpPlatStatus = st.status;
  dev.apiMajor = st.status.apiMajor;
  dev.apiMinor = st.status.apiMinor;
  dev.build = st.status.buildId;
  if (!st.status.featureInfo) return 0;

  const r = withOutputPage(dev, firmwareOwned, (paddr) =>
    sevDoCmdLocked(
      dev,
      Cmd.SNP_FEATURE_INFO,
      SevDataSnpFeatureInfo.encode({ length: SevDataSnpFeatureInfo.size, ecxIn: 0, featureInfoPaddr: paddr }),
    ),
  );
  if (r.pfn < 0) return r.rc;
  if (r.rc) devLog(dev, `SNP FEATURE_INFO command failed, ret = ${r.rc}, error = ${hex(r.error ?? 0)}`);
  else dev.snpFeatInfo0 = SnpFeatureInfo.decode(dev.ctx.machine.readPhys(r.pfn * 4096, 16));
  dev.pages.release(r.pfn, 1);
  return r.rc;
}

/**
 * sev_get_api_version(): 0, or 1 on failure. The SNP part needs the 6.18 platform-data caching
 * (profile.ciphertextHiding) and host SNP; after SNP init only the [PENDING] fw-upload RFC may
 * run it (with firmware-owned pages) — merged code returns -EINVAL there.
 */
export function sevGetApiVersion(dev: SevDevice): number {
  if (dev.profile.ciphertextHiding && dev.ctx.hostSnp) {
    const rc =
      dev.snpInitialized && !dev.profile.fwUpload
        ? -Errno.EINVAL
        : snpGetPlatformData(dev, dev.snpInitialized);
    if (rc) return 1;
  }
  const st = legacyPlatformStatus(dev);
  if (st.rc) {
    devLog(dev, `SEV: failed to get status. Error: ${hex(st.error ?? 0)}`);
    return 1;
  }
  dev.apiMajor = st.status.apiMajor;
  dev.apiMinor = st.status.apiMinor;
  dev.build = st.status.build;
  dev.sevState = st.status.state;
  return 0;
}
