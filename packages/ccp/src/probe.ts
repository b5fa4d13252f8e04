/**
 * Module load and PSP probe (docs/reference/linux-ccp.md §3.1): sev_dev_init() and sev_pci_init(), including
 * the legacy DOWNLOAD_FIRMWARE at probe (docs/reference/linux-ccp.md §5.1) and, up to 6.15, sev_platform_init(probe=true).
 */
import { Cmd, SevDataDownloadFirmware } from '@sevsim/psp-abi';
import { kernelFs } from './kernel';
import { orderPages } from './page-allocator';
import { sevGetApiVersion } from './platform-status';
import { sevPlatformInit } from './platform-init';
import { type SevDevice, apiString, devDbg, devLog, hex, versionAtLeast } from './sev-device';
import { sevFirmwareShutdown } from './shutdown';
import { sevDoCmdLocked } from './transport';

/** CPUID 0x8000001F EAX bit 1: X86_FEATURE_SEV as the kernel sees it after early_detect_mem_encrypt. */
export function bootCpuHasSev(dev: SevDevice): boolean {
  return (dev.ctx.machine.cpuid(0x8000001f).eax & 0x2) !== 0;
}

/** The files sev_get_firmware() tries, in order. */
export function firmwareFileNames(family: number, model: number): string[] {
  const h2 = (n: number) => n.toString(16).padStart(2, '0');
  return [
    `/lib/firmware/amd/amd_sev_fam${h2(family)}h_model${h2(model)}h.sbin`,
    `/lib/firmware/amd/amd_sev_fam${h2(family)}h_model${((model & 0xf0) >> 4).toString(16)}xh.sbin`,
    '/lib/firmware/amd/sev.fw',
  ];
}

/** sev_update_firmware(): 0 when DOWNLOAD_FIRMWARE succeeded; errors are only dev_dbg'd. */
function sevUpdateFirmware(dev: SevDevice): number {
  if (!versionAtLeast(dev, 0, 15)) return -1;
  const { preset } = dev.ctx.machine;
  const fs = kernelFs(dev.ctx);
  const file = firmwareFileNames(preset.family, preset.modelId).find((f) => fs.exists(f));
  if (file === undefined) return -1;
  const image = fs.read(file) as Uint8Array;
  // The 32-byte-aligned command struct, then the image, in one contiguous allocation.
  const npages = orderPages(32 + image.length);
  const pfn = dev.pages.alloc(npages);
  const address = pfn * 4096 + 32;
  dev.ctx.machine.writePhys(address, image);
  const data = SevDataDownloadFirmware.encode({ address, len: image.length });
  let r = sevDoCmdLocked(dev, Cmd.DOWNLOAD_FIRMWARE, data);
  // Quirk: fix the committed TCB when upgrading from firmware older than 1.50.
  if (!r.rc && !versionAtLeast(dev, 1, 50)) r = sevDoCmdLocked(dev, Cmd.DOWNLOAD_FIRMWARE, data);
  dev.pages.release(pfn, npages);
  return r.rc;
}

/** sev_dev_init(): false when there is no SEV (no sev device is created). */
export function sevDevInit(dev: SevDevice): boolean {
  if (!bootCpuHasSev(dev)) {
    devLog(dev, 'SEV: memory encryption not enabled by BIOS');
    return false;
  }
  // sev_misc_init() registers /dev/sev.
  devDbg(dev, 'registered SEV device');
  devLog(dev, 'sev enabled');
  return true;
}

/** sev_pci_init(). */
export function sevPciInit(dev: SevDevice): void {
  dev.pspTimeout = dev.params.psp_probe_timeout;
  if (sevGetApiVersion(dev)) {
    // sev_dev_destroy(): SEV is gone for this module instance (docs/reference/linux-ccp.md §9.16).
    sevFirmwareShutdown(dev, false);
    dev.present = false;
    return;
  }
  const old = { major: dev.apiMajor, minor: dev.apiMinor, build: dev.build };
  if (sevUpdateFirmware(dev) === 0) sevGetApiVersion(dev);
  if (old.major !== dev.apiMajor || old.minor !== dev.apiMinor || old.build !== dev.build) {
    devLog(
      dev,
      `SEV firmware updated from ${old.major}.${old.minor}.${old.build} to ${dev.apiMajor}.${dev.apiMinor}.${dev.build}`,
    );
  }
  if (dev.profile.initOnProbe) {
    // ≤6.15: initialise the platform at probe.
    const r = sevPlatformInit(dev, true, 0);
    if (r.rc) devLog(dev, `SEV: failed to INIT error ${hex(r.error)}, rc ${r.rc}`);
    devLog(dev, `SEV${dev.snpInitialized ? '-SNP' : ''} ${apiString(dev)}`);
    dev.panicNotifier = true;
  }
}
