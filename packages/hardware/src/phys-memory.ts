import { HardwareAccessError } from './errors.js';
import { PAGE_SIZE } from './rmp-layout.js';

/**
 * Bytes per chunk of a page. V8 keeps a typed array of at most 64 bytes on the JS heap, so a
 * shared page is copied as its list of chunks plus the chunks written, with no ArrayBuffer
 * allocated (a whole 4 KB page copied at the first write after a fork cost Node 20 about 6 µs, most
 * of it the buffer's allocation and collection). Chunks are read and written byte by byte: asking
 * a small typed array for its buffer (a view, `subarray`, `set` from one) moves it off the heap.
 */
const CHUNK_BITS = 6;
const CHUNK = 1 << CHUNK_BITS;
const CHUNKS = PAGE_SIZE / CHUNK;
/** The chunk of a page never written: shared, never changed (no memory owns it). */
const ZERO = new Uint8Array(CHUNK);

/** A page as its chunks, in address order. */
type Page = Uint8Array[];

/**
 * Host DRAM: a sparse byte store (pages materialise on first write) plus, per page, the key its
 * contents are encrypted with (0 = plaintext/host, otherwise the guest ASID's key slot).
 */
export class PhysMemory {
  /**
   * Pages whose chunk list, and chunks, this memory may change in place (null: none). A copy of
   * the machine shares every page and chunk with the original until one of them writes it (most
   * forks write few bytes), so a fork empties both sets.
   */
  private owned: Set<number> | null = null;
  private ownedChunks: Set<Uint8Array> | null = null;
  /** `pages` and `keys` are shared with a copy: the first change copies both maps. */
  private shared = false;

  constructor(
    readonly bytes: number,
    private pages = new Map<number, Page>(),
    private keys = new Map<number, number>(),
  ) {}

  /** An independent copy: the maps shared until changed, each page and chunk until written. */
  fork(): PhysMemory {
    this.owned = null;
    this.ownedChunks = null;
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
      const page = this.pages.get(Math.floor(addr / PAGE_SIZE));
      if (page !== undefined)
        for (let i = 0; i < n; i++) out[done + i] = page[(off + i) >>> CHUNK_BITS]![(off + i) & (CHUNK - 1)]!;
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
      const page = this.writablePage(pfn);
      for (let c = off >>> CHUNK_BITS; c <= (off + n - 1) >>> CHUNK_BITS; c++) {
        const chunk = this.writableChunk(page, c);
        const from = Math.max(off, c * CHUNK);
        const to = Math.min(off + n, (c + 1) * CHUNK);
        for (let o = from; o < to; o++) chunk[o - c * CHUNK] = bytes[done + o - off]!;
      }
      this.keys.delete(pfn);
      done += n;
    }
  }

  /** The page at `pfn` with a chunk list this memory may change: a new page, or a copy of a shared one. */
  private writablePage(pfn: number): Page {
    const page = this.pages.get(pfn);
    if (page !== undefined && this.owned?.has(pfn) === true) return page;
    const mine = page === undefined ? new Array<Uint8Array>(CHUNKS).fill(ZERO) : page.slice();
    this.pages.set(pfn, mine);
    this.owned ??= new Set();
    this.owned.add(pfn);
    return mine;
  }

  /** Chunk `c` of a page this memory owns, copied first unless this memory made it. */
  private writableChunk(page: Page, c: number): Uint8Array {
    const chunk = page[c]!;
    if (this.ownedChunks?.has(chunk) === true) return chunk;
    const mine = chunk.slice();
    page[c] = mine;
    this.ownedChunks ??= new Set();
    this.ownedChunks.add(mine);
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
