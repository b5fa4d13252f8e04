/**
 * The RMP side of moving host pages in and out of the Firmware state: rmp_make_private and
 * rmp_make_shared (arch/x86/virt/svm/sev.c) as sev-dev.c calls them, and snp_leak_pages
 * (docs/reference/linux-ccp.md §3.4 step 2, §4.2). No firmware command here: SNP_PAGE_RECLAIM
 * goes through the transport, which also uses these (transport.ts).
 */
import type { RmpUpdateFields } from '@sevsim/hardware';
import { Errno } from '@sevsim/kernel';
import { type SevDevice, hex } from './sev-device';

/** PG_LEVEL_4K in the kernel's "RMPUPDATE failed" message. */
const PG_LEVEL_4K = 1;

/** The two 4 KB states sev-dev.c moves pages between: Firmware (private to ASID 0) and shared. */
const FIRMWARE: RmpUpdateFields = Object.freeze({
  assigned: true,
  immutable: true,
  pageSize: '4K',
  gpa: 0,
  asid: 0,
});
const SHARED: RmpUpdateFields = Object.freeze({
  assigned: false,
  immutable: false,
  pageSize: '4K',
  gpa: 0,
  asid: 0,
});

/** rmpupdate() wrapper: 0, or -EFAULT after logging the failure like the kernel does. */
function rmpUpdate(dev: SevDevice, pfn: number, fields: RmpUpdateFields): number {
  const ret = dev.ctx.machine.rmp.rmpupdate(pfn, fields);
  if (ret === 0) return 0;
  dev.ctx.log.print(
    `SEV-SNP: RMPUPDATE failed for PFN ${pfn.toString(16)}, pg_level: ${PG_LEVEL_4K}, ret: ${ret}`,
  );
  return -Errno.EFAULT;
}

/** rmp_make_private(pfn, 0, PG_LEVEL_4K, 0, true): Hypervisor → Firmware. */
export function rmpMakeFirmware(dev: SevDevice, pfn: number): number {
  return rmpUpdate(dev, pfn, FIRMWARE);
}

/** rmp_make_shared(pfn, PG_LEVEL_4K): back to Hypervisor. */
export function rmpMakeShared(dev: SevDevice, pfn: number): number {
  return rmpUpdate(dev, pfn, SHARED);
}

/** snp_leak_pages(): the pages can never be given back to the allocator. */
export function leakPages(dev: SevDevice, pfn: number, npages: number): void {
  dev.ctx.log.print(`SEV-SNP: Leaking PFN range ${hex(pfn)}-${hex(pfn + npages)}`);
  for (let i = 0; i < npages; i++) dev.leakedPfns.push(pfn + i);
}
