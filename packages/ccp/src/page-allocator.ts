/**
 * The kernel page allocator as the driver uses it (alloc_pages/__free_pages of naturally
 * aligned power-of-two blocks). Backed by the machine's bump allocator; freed blocks are kept
 * on per-size free lists and handed out again (most recently freed first), so long runs do not
 * grow host memory without bound. Like alloc_pages without __GFP_ZERO, contents are not
 * cleared. Deterministic.
 */
import type { Fork, Machine } from '@sevsim/hardware';

export class PageAllocator {
  constructor(
    private readonly machine: Machine,
    private readonly free = new Map<number, number[]>(),
  ) {}

  /** An independent copy over the machine's copy in fork `f`. */
  fork(f: Fork): PageAllocator {
    const free = new Map<number, number[]>();
    for (const [n, list] of this.free) free.set(n, list.slice());
    return new PageAllocator(this.machine.fork(f), free);
  }

  /** `n` contiguous pages aligned to `n` (the buddy allocator's natural alignment); first pfn. */
  alloc(n: number): number {
    const list = this.free.get(n);
    const reused = list?.pop();
    if (reused !== undefined) return reused;
    return this.machine.allocPages(n, n);
  }

  release(pfn: number, n: number): void {
    const list = this.free.get(n) ?? [];
    list.push(pfn);
    this.free.set(n, list);
  }
}

/** get_order(): pages of the smallest power-of-two block holding `bytes`. */
export function orderPages(bytes: number): number {
  let n = 1;
  while (n * 4096 < bytes) n *= 2;
  return n;
}
