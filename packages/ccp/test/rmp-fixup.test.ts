import { describe, expect, it } from 'vitest';
import { PAGE_SIZE } from '@sevsim/hardware';
import { boot } from './helpers';

const MB = 1 << 20;

// An RMP whose end the BIOS left 1 MB short of a 2 MB boundary, with 1 MB of RAM above it.
// Linux v6.12 arch/x86/virt/svm/sev.c __snp_fixup_e820_tables(); docs/reference/linux-ccp.md §7.3.
describe('RMP end off a 2 MB boundary: the fix-up chunk reaches SNP_INIT_EX as HV-Fixed', () => {
  const rig = (rmpFixupE820Only: boolean) =>
    boot({ release: '6.15', machine: { memoryGiB: 1, bios: { rmpUnaligned: 'end' } }, rmpFixupE820Only });

  it('the RAM above the table is in the range list, so SNP_INIT_EX makes it HV_FIXED', () => {
    const r = rig(false);
    expect(r.bootLog).toContain(
      'SEV-SNP: Reserving start/end of RMP table on a 2MB boundary [0x000000003fe00000]',
    );
    expect(r.probeLog).toContain('ccp 0000:03:00.5: SEV-SNP API:1.55 build:25');
    const above = (r.machine.rmp.end + 1) / PAGE_SIZE;
    expect(above * PAGE_SIZE).toBe(1024 * MB - MB);
    expect(r.machine.rmp.state(above)).toBe('HV_FIXED');
    expect(r.machine.rmp.state(above + 255)).toBe('HV_FIXED');
  });

  it('≤6.11 (no memblock_reserve, commit 88a921aa3c6b): a firmware page lands there and RMPUPDATE fails with 2, as AMDSEV#245 shows', () => {
    // https://github.com/AMDESE/AMDSEV/issues/245: "RMPUPDATE failed for PFN 56700, pg_level: 1, ret: 2"
    // on a host without the fix; the fix's commit message shows the same line for the page after the RMP.
    const r = rig(true);
    const next = r.machine.allocPages(1) + 1;
    r.machine.allocPages(r.machine.rmp.base / PAGE_SIZE - next); // the host has used all RAM below the table
    const pfn = (r.machine.rmp.end + 1) / PAGE_SIZE;
    expect(r.ccp.snpAllocFirmwarePage()).not.toBeNull(); // the driver's freed range-list page, reused
    const mark = r.ctx.log.mark();
    expect(r.ccp.snpAllocFirmwarePage()).toBeNull();
    expect(r.ctx.log.since(mark)[0]).toBe(
      `SEV-SNP: RMPUPDATE failed for PFN ${pfn.toString(16)}, pg_level: 1, ret: 2`,
    );
  });

  it('6.12+: the chunk is memblock-reserved, so the allocator never hands it out', () => {
    const r = rig(false);
    const next = r.machine.allocPages(1) + 1;
    r.machine.allocPages(r.machine.rmp.base / PAGE_SIZE - next);
    expect(() => r.machine.allocPages(1)).toThrow(/out of host memory/);
  });
});
