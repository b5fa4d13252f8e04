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

/**
 * AMD's reference Turin host (https://github.com/AMDESE/AMDSEV/blob/main/README.md, "Verify"): a
 * segmented RMP of 128 GB segments whose BIOS put segment 8's entries on an odd megabyte, with RAM
 * on both sides. Linux v6.14 arch/x86/virt/svm/sev.c fixup_e820_tables_for_segmented_rmp() runs the
 * fix-up on RMP_BASE, the RST's end and both ends of every mapped segment (docs/reference/linux-ccp.md §7.3).
 */
describe('segmented RMP placed by the BIOS (bios.rmpSegments): the fix-ups of its pieces', () => {
  const readme = () =>
    createMachine({
      cpu: 'turin',
      cores: 2,
      memoryGiB: 34,
      bios: {
        rmpSegments: {
          segmentGiB: 128,
          base: 0x9ba00000,
          segments: [
            { index: 0, at: 0x8800000, mappedGiB: 34 },
            { index: 8, at: 0x55b00000, mappedGiB: 128 },
            { index: 9, at: 0x35a00000, mappedGiB: 128 },
          ],
        },
      },
    });

  test("the README log's RMP lines, word for word, in its order", () => {
    const m = readme();
    const r = hostSnpBoot(m, { snpEnAtBoot: false });
    expect(r.log).toEqual([
      'SEV-SNP: Segmented RMP base table physical range [0x000000009ba00000 - 0x000000009ba05000]',
      'SEV-SNP: Reserving start/end of RMP table on a 2MB boundary [0x0000000055a00000]',
      'SEV-SNP: Reserving start/end of RMP table on a 2MB boundary [0x0000000075a00000]',
      'SEV-SNP: Segmented RMP using 128GB segments',
      'SEV-SNP: RMP segment 0 physical address [0x8800000 - 0x10ffffff] covering [0x0 - 0x87fffffff]',
      'SEV-SNP: RMP segment 8 physical address [0x55b00000 - 0x75afffff] covering [0x10000000000 - 0x11fffffffff]',
      'SEV-SNP: RMP segment 9 physical address [0x35a00000 - 0x559fffff] covering [0x12000000000 - 0x13fffffffff]',
      'AMD-Vi: IOMMU SNP support enabled.',
    ]);
    expect(r.hostSnp).toBe(true);
    // Only the RAM halves of the two chunks around segment 8 (segment 9 ends where the gap starts).
    expect(r.e820Reserved).toEqual([
      { start: 0x55a00000, end: 0x55b00000 },
      { start: 0x75b00000, end: 0x75c00000 },
    ]);
    // The RST's end (base + 20 KB) shares its chunk with no RAM: the base block is 2 MB; segment 0 is aligned.
    expect(m.ram.some((r) => r.start < 0x9bc00000 && 0x9ba00000 < r.end)).toBe(false);
  });

  test('a chunk an earlier fix-up reserved is not reported twice (e820__mapped_any finds no RAM left)', () => {
    const m = createMachine({
      cpu: 'turin',
      cores: 2,
      memoryGiB: 8,
      bios: {
        rmpSegments: {
          segmentGiB: 64,
          base: 0x10100000,
          segments: [{ index: 0, at: 0x20000000, mappedGiB: 8 }],
        },
      },
    });
    const r = hostSnpBoot(m, { snpEnAtBoot: false });
    // The base on an odd MB: its chunk has RAM below; the RST's end falls in the same chunk, now without RAM.
    expect(r.log.filter((l) => l.includes('Reserving'))).toEqual([
      'SEV-SNP: Reserving start/end of RMP table on a 2MB boundary [0x0000000010000000]',
    ]);
    expect(r.e820Reserved).toEqual([{ start: 0x10000000, end: 0x10100000 }]);
  });

  test('impossible layouts are refused', () => {
    const bad =
      (rmpSegments: object, cpu: 'turin' | 'genoa' = 'turin') =>
      () =>
        createMachine({ cpu, memoryGiB: 34, bios: { rmpSegments } as never });
    const seg = { segmentGiB: 128, base: 0x9ba00000, segments: [{ index: 0, at: 0x8800000, mappedGiB: 34 }] };
    expect(bad(seg, 'genoa')).toThrow('bios.rmpSegments: genoa has a contiguous RMP');
    expect(bad({ ...seg, segmentGiB: 100 })).toThrow(/segmentGiB must be a power of two/);
    expect(bad({ ...seg, base: 0x9ba80000 })).toThrow(/base must be a 1 MB-aligned address/);
    expect(bad({ ...seg, base: 0x8900000 })).toThrow('bios.rmpSegments: base overlaps segment 0');
    expect(bad({ ...seg, segments: [{ index: 0, at: 0x8800000, mappedGiB: 129 }] })).toThrow(
      /mappedGiB must be/,
    );
    expect(bad({ ...seg, segments: [{ index: 0, at: 34 * 2 ** 30 - 0x100000, mappedGiB: 34 }] })).toThrow(
      /segment 0 ends beyond DRAM/,
    );
    expect(bad({ ...seg, segments: [seg.segments[0], seg.segments[0]] })).toThrow(/listed twice/);
  });
});
