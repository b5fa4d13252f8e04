/**
 * Moving host pages in and out of the RMP Firmware state, as sev-dev.c does with
 * rmp_make_private/rmp_make_shared (arch/x86/virt/svm/sev.c) and SNP_PAGE_RECLAIM:
 * rmp_mark_pages_firmware, snp_reclaim_pages, snp_leak_pages, __snp_alloc_firmware_pages and
 * __snp_free_firmware_pages (docs/reference/linux-ccp.md §3.4 step 2, §3.12, §4.2).
 */
import { Cmd, SevDataSnpPageReclaim } from '@sevsim/psp-abi';
import { Errno } from '@sevsim/kernel';
import { type SevDevice, hex } from './sev-device';
import { sevDoCmdLocked } from './transport';

/** PG_LEVEL_4K in the kernel's "RMPUPDATE failed" message. */
const PG_LEVEL_4K = 1;

/** rmpupdate() wrapper: 0, or -EFAULT after logging the failure like the kernel does. */
function rmpUpdate(dev: SevDevice, pfn: number, assigned: boolean, immutable: boolean): number {
  const ret = dev.ctx.machine.rmp.rmpupdate(pfn, { assigned, immutable, pageSize: '4K', gpa: 0, asid: 0 });
  if (ret === 0) return 0;
  dev.ctx.log.print(
    `SEV-SNP: RMPUPDATE failed for PFN ${pfn.toString(16)}, pg_level: ${PG_LEVEL_4K}, ret: ${ret}`,
  );
  return -Errno.EFAULT;
}

/** rmp_make_private(pfn, 0, PG_LEVEL_4K, 0, true): Hypervisor → Firmware. */
export function rmpMakeFirmware(dev: SevDevice, pfn: number): number {
  return rmpUpdate(dev, pfn, true, true);
}

/** rmp_make_shared(pfn, PG_LEVEL_4K): back to Hypervisor. */
export function rmpMakeShared(dev: SevDevice, pfn: number): number {
  return rmpUpdate(dev, pfn, false, false);
}

/** snp_leak_pages(): the pages can never be given back to the allocator. */
export function leakPages(dev: SevDevice, pfn: number, npages: number): void {
  dev.ctx.log.print(`SEV-SNP: Leaking PFN range ${hex(pfn)}-${hex(pfn + npages)}`);
  for (let i = 0; i < npages; i++) dev.leakedPfns.push(pfn + i);
}

/** snp_reclaim_pages(): SNP_PAGE_RECLAIM then rmp_make_shared per 4 KB page; leak the rest on failure. */
export function reclaimPages(dev: SevDevice, pfn: number, npages: number, _locked: boolean): number {
  for (let i = 0; i < npages; i++) {
    const paddr = (pfn + i) * 4096;
    const r = sevDoCmdLocked(dev, Cmd.SNP_PAGE_RECLAIM, SevDataSnpPageReclaim.encode({ paddr }));
    const ret = r.rc || rmpMakeShared(dev, pfn + i);
    if (ret) {
      leakPages(dev, pfn + i, npages - i);
      return ret;
    }
  }
  return 0;
}

/** rmp_mark_pages_firmware(): on failure, unroll the pages already converted. */
export function markPagesFirmware(dev: SevDevice, pfn: number, npages: number, locked: boolean): number {
  for (let i = 0; i < npages; i++) {
    const rc = rmpMakeFirmware(dev, pfn + i);
    if (rc) {
      reclaimPages(dev, pfn, i, locked);
      return rc;
    }
  }
  return 0;
}

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
