import { describe, expect, test } from 'vitest';
import { createMachine, HardwareConfigError, PAGE_SIZE } from '@sevsim/hardware';
import { hostSnpBoot } from '../src/index';

const MB = 1 << 20;
/** Take every page below the table (the IOMMU logs already took a few). */
const fillBelowTable = (m: ReturnType<typeof createMachine>) => {
  const next = m.allocPages(1) + 1;
  m.allocPages(m.rmp.base / PAGE_SIZE - next);
};
const boot = (rmpUnaligned: 'none' | 'start' | 'end' | 'both', rmpFixupE820Only = false) => {
  const m = createMachine({ cpu: 'genoa', cores: 2, memoryGiB: 4, bios: { rmpUnaligned } });
  return { m, r: hostSnpBoot(m, { snpEnAtBoot: false, rmpFixupE820Only }) };
};

// Linux v6.12 arch/x86/virt/svm/sev.c __snp_fixup_e820_tables() (docs/reference/linux-ccp.md §7.3).
describe('RMP ends off a 2 MB boundary: snp_fixup_e820_tables', () => {
  test('both ends unaligned: two lines after the range line, as on a Genoa (Hetzner AX162) host', () => {
    // The public log has the same shape: RMP [0x35500000 - 0x75afffff], then chunks 0x35400000 and 0x75a00000.
    const { m, r } = boot('both');
    expect(m.rmp.base % (2 * MB)).toBe(MB);
    expect((m.rmp.end + 1) % (2 * MB)).toBe(MB);
    expect(r.log).toEqual([
      'SEV-SNP: RMP table physical range [0x00000000fed00000 - 0x00000000ffefffff]',
      'SEV-SNP: Reserving start/end of RMP table on a 2MB boundary [0x00000000fec00000]',
      'SEV-SNP: Reserving start/end of RMP table on a 2MB boundary [0x00000000ffe00000]',
      'AMD-Vi: IOMMU SNP support enabled.',
    ]);
    expect(r.hostSnp).toBe(true);
    // Only the RAM half of each chunk changes type (e820__range_update RAM → RESERVED).
    expect(r.e820Reserved).toEqual([
      { start: 0xfec00000, end: 0xfed00000 },
      { start: 0xfff00000, end: 0x100000000 },
    ]);
  });

  test('end unaligned only: one line for the end chunk; max_pfn is the RAM above the table', () => {
    const { m, r } = boot('end');
    expect(m.rmp.base % (2 * MB)).toBe(0);
    expect(r.log.filter((l) => l.includes('Reserving'))).toEqual([
      'SEV-SNP: Reserving start/end of RMP table on a 2MB boundary [0x00000000ffe00000]',
    ]);
    expect(m.maxPfn).toBe((4 * 1024 * MB) / PAGE_SIZE);
    expect(r.hostSnp).toBe(true); // the table still covers all RAM (setup_contiguous_rmptable)
  });

  test('start unaligned only: one line for the start chunk', () => {
    const { r } = boot('start');
    expect(r.log.filter((l) => l.includes('Reserving'))).toEqual([
      'SEV-SNP: Reserving start/end of RMP table on a 2MB boundary [0x00000000fec00000]',
    ]);
  });

  test('aligned table (the default): no line, nothing reserved', () => {
    const { r } = boot('none');
    expect(r.log.some((l) => l.includes('Reserving'))).toBe(false);
    expect(r.e820Reserved).toEqual([]);
  });

  test('6.12+: the chunk is memblock-reserved, the allocator skips the RAM above the table', () => {
    const { m } = boot('end');
    fillBelowTable(m);
    expect(() => m.allocPages(1)).toThrow(/out of host memory/);
  });

  test('≤6.11 (e820 only, commit 88a921aa3c6b missing): the kernel hands out the RAM above the table', () => {
    const { m } = boot('end', true);
    fillBelowTable(m);
    expect(m.allocPages(1)).toBe((m.rmp.end + 1) / PAGE_SIZE);
  });

  test('segmented RMP (turin): refused as a configuration the model does not place', () => {
    expect(() => createMachine({ cpu: 'turin', bios: { rmpUnaligned: 'end' } })).toThrow(HardwareConfigError);
  });
});
