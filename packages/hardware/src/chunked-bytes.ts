/**
 * Bytes copied on write in 64-byte chunks, for tables that the explorer's forks copy far more often
 * than they change: a DRAM page (`PhysMemory`), the firmware's ASID masks (`AsidTable`).
 *
 * V8 keeps a typed array of at most 64 bytes on the JS heap, so a copy is the list of chunks plus
 * the chunks written, with no ArrayBuffer allocated (a whole 4 KB table copied at the first write
 * after a fork cost Node 20 about 6 µs, most of it the buffer's allocation and collection; a chunk
 * about 40 ns). Chunks are read and written byte by byte: asking a small typed array for its
 * buffer (a view, `subarray`, `set` from one) moves it off the heap.
 */
const CHUNK_BITS = 6;
const CHUNK = 1 << CHUNK_BITS;

/** The chunk of zeros: shared, never changed (no copy owns it). */
const ZERO = new Uint8Array(CHUNK);

export class ChunkedBytes {
  /**
   * The chunks in address order. The list is shared with a copy until one of them writes
   * (`listShared`), and a chunk is changed in place only by the copy that made it since it was
   * last copied (`ownedLo`/`ownedHi`, one bit per chunk: at most 64 chunks, 4 KB).
   */
  private list: Uint8Array[];
  private listShared: boolean;
  private ownedLo = 0;
  private ownedHi = 0;

  /**
   * `chunks` (64-byte arrays, never changed in place by anyone: a frozen initial value such as
   * the ASID masks INIT leaves) is shared, as a copy's list is.
   */
  private constructor(chunks: Uint8Array[], shared: boolean) {
    this.list = chunks;
    this.listShared = shared;
  }

  /** `bytes` zeros (a multiple of 64, at most 4 KB). */
  static zeros(bytes: number): ChunkedBytes {
    // Array.from, not `new Array(n).fill`: a packed list, as `of`'s, keeps `get` monomorphic.
    return new ChunkedBytes(
      Array.from({ length: bytes >>> CHUNK_BITS }, () => ZERO),
      false,
    );
  }

  /** Bytes starting as `chunks` (64 bytes each), which stay shared: written chunks are copied first. */
  static of(chunks: readonly Uint8Array[]): ChunkedBytes {
    return new ChunkedBytes(chunks as Uint8Array[], true);
  }

  /** A chunk of `CHUNK` bytes each `value`, for `of`. */
  static chunk(value: number, from = 0): Uint8Array {
    return new Uint8Array(CHUNK).fill(value, from);
  }

  /** An independent copy: the list and every chunk shared until written, by either side. */
  fork(): ChunkedBytes {
    this.share();
    return this.copy();
  }

  /**
   * From now on write nothing in place: the list and every chunk are copied before a write. For
   * an owner that forks without copying this object yet (a DRAM page of a forked memory).
   */
  share(): void {
    this.listShared = true;
    this.ownedLo = 0;
    this.ownedHi = 0;
  }

  /** A copy of bytes that `share()` was called on since their last write: this object is not changed. */
  copy(): ChunkedBytes {
    return new ChunkedBytes(this.list, true);
  }

  get length(): number {
    return this.list.length << CHUNK_BITS;
  }

  get(i: number): number {
    return this.list[i >>> CHUNK_BITS]![i & (CHUNK - 1)]!;
  }

  /** Set byte `i` to `v & 0xff`; a write of the value already there copies nothing. */
  set(i: number, v: number): void {
    const chunk = this.list[i >>> CHUNK_BITS]!;
    if (chunk[i & (CHUNK - 1)] === (v & 0xff)) return;
    this.writable(i >>> CHUNK_BITS)[i & (CHUNK - 1)] = v;
  }

  /** `n` bytes from `at` into `out` from `outAt`. */
  read(at: number, out: Uint8Array, outAt: number, n: number): void {
    for (let i = 0; i < n; i++) out[outAt + i] = this.get(at + i);
  }

  /** `n` bytes of `src` from `srcAt` to `at`, copying each chunk written at most once. */
  write(at: number, src: Uint8Array, srcAt: number, n: number): void {
    let i = 0;
    while (i < n) {
      const c = (at + i) >>> CHUNK_BITS;
      const end = Math.min(n, ((c + 1) << CHUNK_BITS) - at);
      const chunk = this.writable(c);
      for (; i < end; i++) chunk[(at + i) & (CHUNK - 1)] = src[srcAt + i]!;
    }
  }

  /** Chunk `c`, copied first (and the list) unless this copy made it since it was last copied. */
  private writable(c: number): Uint8Array {
    if (this.listShared) {
      this.list = this.list.slice();
      this.listShared = false;
    }
    const bit = 1 << (c & 31);
    if (((c < 32 ? this.ownedLo : this.ownedHi) & bit) !== 0) return this.list[c]!;
    const mine = this.list[c]!.slice();
    this.list[c] = mine;
    if (c < 32) this.ownedLo |= bit;
    else this.ownedHi |= bit;
    return mine;
  }
}
