import { HardwareAccessError } from './errors.js';

/** First PFN handed out: the low 1 MB stays with the BIOS/real-mode area. */
export const FIRST_ALLOC_PFN = 0x100;

/** Deterministic bump allocator over usable host RAM; pages are never returned. */
export class PageAllocator {
  private next = FIRST_ALLOC_PFN;

  constructor(private readonly limitPfn: number) {}

  alloc(n: number, align = 1): number {
    if (!Number.isInteger(n) || n < 1)
      throw new HardwareAccessError(`allocPages: page count ${n} must be ≥ 1`);
    if (!Number.isInteger(align) || align < 1)
      throw new HardwareAccessError(`allocPages: alignment ${align} must be ≥ 1`);
    const first = Math.ceil(this.next / align) * align;
    if (first + n > this.limitPfn) {
      throw new HardwareAccessError(
        `allocPages: out of host memory (${n} pages at PFN ${first}, limit ${this.limitPfn})`,
      );
    }
    this.next = first + n;
    return first;
  }
}
