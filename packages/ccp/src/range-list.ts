/**
 * The SNP_INIT_EX range list: what `walk_iomem_res_desc()` + `snp_filter_reserved_mem_regions()`
 * (docs/reference/linux-ccp.md §3.3 step 5) collect from the host's iomem resources.
 *
 * sevsim has no firmware memory map, so the host's reserved regions are a small deterministic
 * table derived from the machine's RAM size (README "Decisions"): the legacy VGA/BIOS hole, the
 * EBDA page, ACPI tables and ACPI NVS just below the top of RAM, and a PCI MMIO window above RAM.
 */
import type { RamRange } from '@sevsim/hardware';
import { Errno } from '@sevsim/kernel';

/** enum e820_type values the filter compares against (arch/x86/include/asm/e820/types.h). */
export const E820_TYPE = { RAM: 1, RESERVED: 2, ACPI: 3, NVS: 4, PMEM: 7 } as const;

/** enum IORES_DESC_* (include/linux/ioport.h): the `desc` a resource actually carries. */
export const IORES_DESC = {
  NONE: 0,
  CRASH_KERNEL: 1,
  ACPI_TABLES: 2,
  ACPI_NV_STORAGE: 3,
  PERSISTENT_MEMORY: 4,
  PERSISTENT_MEMORY_LEGACY: 5,
  DEVICE_PRIVATE_MEMORY: 6,
  RESERVED: 7,
} as const;

export interface IomemResource {
  readonly name: string;
  readonly start: number;
  /** Inclusive, as in struct resource. */
  readonly end: number;
  readonly desc: number;
}

export interface RangeEntry {
  readonly base: number;
  readonly pageCount: number;
}

const MB = 1024 * 1024;

/**
 * The host's iomem resources, in address order (the order walk_iomem_res_desc visits them).
 * `e820Reserved` is RAM the boot code turned into e820 reserved (the RMP fix-up chunks,
 * docs/reference/linux-ccp.md §7.3): e820__reserve_resources() makes each a "Reserved" resource.
 */
export function hostIomemResources(
  memoryGiB: number,
  e820Reserved: readonly RamRange[] = [],
): IomemResource[] {
  const top = memoryGiB * 1024 * MB;
  const fixups = e820Reserved.map((r) => ({
    name: 'Reserved',
    start: r.start,
    end: r.end - 1,
    desc: IORES_DESC.RESERVED,
  }));
  return [...fixed(top), ...fixups].sort((a, b) => a.start - b.start);
}

function fixed(top: number): IomemResource[] {
  return [
    { name: 'Reserved', start: 0x9f000, end: 0x9ffff, desc: IORES_DESC.RESERVED },
    { name: 'Reserved', start: 0xa0000, end: 0xfffff, desc: IORES_DESC.RESERVED },
    { name: 'ACPI Tables', start: top - 2 * MB, end: top - 2 * MB + 0x1ffff, desc: IORES_DESC.ACPI_TABLES },
    {
      name: 'ACPI Non-volatile Storage',
      start: top - 2 * MB + 0x20000,
      end: top - MB - 1,
      desc: IORES_DESC.ACPI_NV_STORAGE,
    },
    { name: 'PCI Bus 0000:00', start: top + 256 * MB, end: top + 512 * MB - 1, desc: IORES_DESC.NONE },
  ];
}

/** Entries that fit in the one-page list: (4096 - 8-byte header) / 16 = 255. */
export const RANGE_LIST_MAX = 255;

/**
 * snp_filter_reserved_mem_regions() over every resource. The kernel compares `desc` (an
 * IORES_DESC value) with E820_TYPE_* constants, so it picks ACPI tables (2), ACPI NVS (3) and
 * reserved (7) regions — by numeric coincidence (docs/reference/linux-ccp.md §9.9) — and not persistent memory (desc 4).
 * -E2BIG once the entry about to be written would overflow the page (the 7.2 off-by-one fix).
 */
export function buildRangeList(resources: readonly IomemResource[]): RangeEntry[] | number {
  const out: RangeEntry[] = [];
  for (const rs of resources) {
    if (out.length + 1 > RANGE_LIST_MAX) return -Errno.E2BIG;
    if (rs.desc === E820_TYPE.RESERVED || rs.desc === E820_TYPE.PMEM || rs.desc === E820_TYPE.ACPI) {
      const base = rs.start - (rs.start % 4096);
      const size = rs.end + 1 - rs.start;
      out.push({ base, pageCount: Math.ceil(size / 4096) });
    }
  }
  return out;
}
