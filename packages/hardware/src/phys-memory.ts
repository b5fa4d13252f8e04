import { ChunkedBytes } from './chunked-bytes.js';
import { HardwareAccessError } from './errors.js';
import { PAGE_SIZE } from './rmp-layout.js';

/**
 * Host DRAM: a sparse byte store (pages materialise on first write) plus, per page, the key its
 * contents are encrypted with (0 = plaintext/host, otherwise the guest ASID's key slot).
 */
export class PhysMemory {
  /**
   * Pages this memory made since it was last copied, the only ones it may write without copying
   * (null: none). A copy of the machine shares every page with the original until one of them
   * writes it, and a page copy shares its 64-byte chunks until written (`ChunkedBytes`): most
   * forks write few bytes.
   */
  private owned: Set<number> | null = null;
  /** `pages` and `keys` are shared with a copy: the first change copies both maps. */
  private shared = false;

  constructor(
    readonly bytes: number,
    private pages = new Map<number, ChunkedBytes>(),
    private keys = new Map<number, number>(),
  ) {}

  /** An independent copy: the maps shared until changed, each page and chunk until written. */
  fork(): PhysMemory {
    // The pages written since the last fork become shared too (the others already are), so a
    // later copy of any page leaves the page itself, and every memory holding it, as it was.
    if (this.owned !== null) for (const pfn of this.owned) this.pages.get(pfn)!.share();
    this.owned = null;
    this.shared = true;
    const c = new PhysMemory(this.bytes, this.pages, this.keys);
    c.shared = true;
    return c;
  }

  /** Before a change: maps shared with a copy are copied first. */
  private own(): void {
    if (!this.shared) return;
    this.pages = new Map(this.pages);
    this.keys = new Map(this.keys);
    this.shared = false;
  }

  get pageCount(): number {
    return this.bytes / PAGE_SIZE;
  }

  checkRange(pa: number, len: number): void {
    if (!Number.isInteger(pa) || !Number.isInteger(len) || pa < 0 || len < 0 || pa + len > this.bytes) {
      throw new HardwareAccessError(`physical range [${pa}, +${len}) is outside DRAM (0..${this.bytes})`);
    }
  }

  read(pa: number, len: number): Uint8Array {
    this.checkRange(pa, len);
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const addr = pa + done;
      const off = addr % PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - off, len - done);
      this.pages.get(Math.floor(addr / PAGE_SIZE))?.read(off, out, done, n);
      done += n;
    }
    return out;
  }

  /** A raw write replaces the bytes with host data, so touched pages are no longer encrypted. */
  write(pa: number, bytes: Uint8Array): void {
    this.checkRange(pa, bytes.length);
    this.own();
    let done = 0;
    while (done < bytes.length) {
      const addr = pa + done;
      const pfn = Math.floor(addr / PAGE_SIZE);
      const off = addr % PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - off, bytes.length - done);
      this.writablePage(pfn).write(off, bytes, done, n);
      this.keys.delete(pfn);
      done += n;
    }
  }

  /** The page at `pfn` as this memory may write it: a new page, or a copy of a shared one. */
  private writablePage(pfn: number): ChunkedBytes {
    const page = this.pages.get(pfn);
    if (page !== undefined && this.owned?.has(pfn) === true) return page;
    const mine = page === undefined ? ChunkedBytes.zeros(PAGE_SIZE) : page.copy();
    this.pages.set(pfn, mine);
    this.owned ??= new Set();
    this.owned.add(pfn);
    return mine;
  }

  setKey(pfn: number, asid: number): void {
    this.own();
    if (asid === 0) this.keys.delete(pfn);
    else this.keys.set(pfn, asid);
  }

  key(pfn: number): number {
    return this.keys.get(pfn) ?? 0;
  }
}
