/**
 * __snp_alloc_firmware_pages and __snp_free_firmware_pages: pages the driver hands the firmware,
 * Firmware-owned in the RMP while SNP is initialised (docs/reference/linux-ccp.md §3.4 step 2, §4.2).
 */
import type { SevDevice } from './sev-device';
import { markPagesFirmware, reclaimPages } from './transport';

/** __snp_alloc_firmware_pages(): pages (Firmware-owned when SNP is initialised), or null. */
export function allocFirmwarePages(dev: SevDevice, npages: number): number | null {
  if (!dev.present) return null;
  const pfn = dev.pages.alloc(npages);
  if (!dev.snpInitialized) return pfn;
  // On failure the kernel returns NULL without freeing the block (unrolled pages stay allocated).
  return markPagesFirmware(dev, pfn, npages, false) ? null : pfn;
}

/** __snp_free_firmware_pages(): reclaim first when SNP is initialised; a failed reclaim leaks. */
export function freeFirmwarePages(dev: SevDevice, pfn: number, npages: number, locked: boolean): void {
  if (dev.snpInitialized && reclaimPages(dev, pfn, npages, locked)) return;
  dev.pages.release(pfn, npages);
}
