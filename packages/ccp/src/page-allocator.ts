/**
 * The kernel page allocator as the driver uses it (alloc_pages/__free_pages of naturally
 * aligned power-of-two blocks). Backed by the machine's bump allocator; freed blocks are kept
 * on per-size free lists and handed out again (most recently freed first), so long runs do not
 * grow host memory without bound. Like alloc_pages without __GFP_ZERO, contents are not
 * cleared. Deterministic.
 */
import type { Fork, Machine } from '@sevsim/hardware';

export class PageAllocator {
  /**
   * `free` and its lists are shared with a copy (an explorer fork) until one side allocates or
   * frees: most forks do neither, and copying the lists cost an allocation per size per fork.
   */
  private shared = false;

  constructor(
    private readonly machine: Machine,
    private free = new Map<number, number[]>(),
  ) {}

  /** An independent copy over the machine's copy in fork `f`: the free lists shared until changed. */
  fork(f: Fork): PageAllocator {
    this.shared = true;
    const c = new PageAllocator(this.machine.fork(f), this.free);
    c.shared = true;
    return c;
  }

  /** Before a change: free lists shared with a copy are copied first. */
  private own(): void {
    if (!this.shared) return;
    const free = new Map<number, number[]>();
    for (const [n, list] of this.free) free.set(n, list.slice());
    this.free = free;
    this.shared = false;
  }

  /** `n` contiguous pages aligned to `n` (the buddy allocator's natural alignment); first pfn. */
  alloc(n: number): number {
    if (this.free.get(n)?.length) {
      this.own();
      return this.free.get(n)!.pop()!;
    }
    return this.machine.allocPages(n, n);
  }

  release(pfn: number, n: number): void {
    this.own();
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
