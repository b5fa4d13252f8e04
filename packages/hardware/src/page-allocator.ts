import { HardwareAccessError } from './errors.js';

/** First PFN handed out: the low 1 MB stays with the BIOS/real-mode area. */
export const FIRST_ALLOC_PFN = 0x100;

/** [start, end) in PFNs. */
interface PfnRange {
  start: number;
  end: number;
}

/**
 * Deterministic bump allocator over usable host RAM, range by range in address order; pages are
 * never returned. `reserve` takes pages away before they are handed out, as memblock_reserve()
 * keeps them from the kernel's allocators.
 */
export class PageAllocator {
  private next = FIRST_ALLOC_PFN;
  private reserved: Readonly<PfnRange>[] = [];

  constructor(private readonly ram: readonly PfnRange[]) {}

  /** An independent copy (the RAM ranges and reserved ranges are frozen, shared). */
  fork(): PageAllocator {
    const c = new PageAllocator(this.ram);
    c.next = this.next;
    c.reserved = this.reserved.slice();
    return c;
  }

  reserve(start: number, end: number): void {
    this.reserved.push(Object.freeze({ start, end }));
  }

  alloc(n: number, align = 1): number {
    if (!Number.isInteger(n) || n < 1)
      throw new HardwareAccessError(`allocPages: page count ${n} must be ≥ 1`);
    if (!Number.isInteger(align) || align < 1)
      throw new HardwareAccessError(`allocPages: alignment ${align} must be ≥ 1`);
    let first = Math.ceil(this.next / align) * align;
    for (;;) {
      const range = this.ram.find((r) => first + n <= r.end && first < r.end);
      if (range === undefined) {
        const limit = this.ram[this.ram.length - 1]?.end ?? 0;
        throw new HardwareAccessError(
          `allocPages: out of host memory (${n} pages at PFN ${first}, limit ${limit})`,
        );
      }
      if (first < range.start) {
        first = Math.ceil(range.start / align) * align;
        continue;
      }
      const hit = this.reserved.find((r) => first < r.end && r.start < first + n);
      if (hit === undefined) break;
      first = Math.ceil(hit.end / align) * align;
    }
    this.next = first + n;
    return first;
  }
}
