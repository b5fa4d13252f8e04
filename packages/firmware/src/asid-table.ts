/**
 * The firmware's ASID bookkeeping (docs/reference/psp-firmware.md §2.5): for each ASID 1..MAX_SEV_ASIDS, four
 * per-CCX bitmasks dirty / clean / allocated / in_use. The machine model reports WBINVD for all
 * cores at once, so sevsim has one CCX (mask 0b1); the masks keep the firmware's shape.
 */

/** MAX_SEV_ASIDS in the firmware (docs/reference/psp-firmware.md §7.3). */
export const MAX_SEV_ASIDS = 1006;
/** All CCXs present (one CCX in sevsim). */
export const CCX_PRESENT = 0b1;

export interface AsidSummary {
  dirty: number;
  clean: number;
  allocated: number;
  inUse: number;
}

/** The four masks, in the order of their chunks in `AsidTable.chunks`. */
const DIRTY = 0;
const CLEAN = 1;
const ALLOCATED = 2;
const IN_USE = 3;
/**
 * ASIDs per chunk of a mask. V8 keeps a typed array of at most 64 bytes on the JS heap, so a chunk
 * is copied without allocating an ArrayBuffer: copying the whole 4 KB table at the first change
 * after a fork cost Node 20 about 6 µs (the buffer's allocation and collection), a chunk 40 ns.
 */
const CHUNK_BITS = 6;
const CHUNK = 1 << CHUNK_BITS;
/** Chunks per mask (16 × 64 ≥ MAX_SEV_ASIDS + 1), 64 chunks in all: one bit each in two words. */
const PER_MASK = Math.ceil((MAX_SEV_ASIDS + 1) / CHUNK);

/** Mask chunks never changed in place (no table owns them): zeros, and INIT's dirty mask. */
const ZERO = new Uint8Array(CHUNK);
const ALL_DIRTY = new Uint8Array(CHUNK).fill(CCX_PRESENT);
/** Every ASID but 0 dirty, the other masks clear: the chunks INIT and SNP_INIT leave. */
const INIT_CHUNKS: readonly Uint8Array[] = Array.from({ length: 4 * PER_MASK }, (_, i) => {
  if (i === DIRTY * PER_MASK) return new Uint8Array(CHUNK).fill(CCX_PRESENT, 1);
  return i < PER_MASK ? ALL_DIRTY : ZERO;
});

export class AsidTable {
  /**
   * Each mask in chunks of CHUNK ASIDs (mask m, ASID a: chunk m × PER_MASK + a / CHUNK). The list
   * is shared with a copy of the platform (an explorer fork) until one of them changes a mask
   * (`chunksShared`), and a chunk is changed in place only by the table that made it since it was
   * last copied (`ownedLo`/`ownedHi`, one bit per chunk): most forks change no mask, and a change
   * copies one 64-byte chunk per mask it writes.
   */
  private chunks: Uint8Array[];
  private chunksShared = false;
  private ownedLo = 0;
  private ownedHi = 0;
  /**
   * ASIDs 1..MAX_SEV_ASIDS with a non-zero mask, kept on every change: the explorer's fingerprint
   * reads the summary after most commands, and walking the four masks cost more than the rest of
   * the fingerprint.
   */
  private nDirty = 0;
  private nClean = 0;
  private nAllocated = 0;
  private nInUse = 0;

  constructor() {
    this.chunks = Array.from({ length: 4 * PER_MASK }, () => ZERO);
  }

  /** An independent copy: the chunks shared until changed, by either side. */
  fork(): AsidTable {
    this.chunksShared = true;
    this.ownedLo = 0;
    this.ownedHi = 0;
    const c = Object.create(AsidTable.prototype) as AsidTable;
    c.chunks = this.chunks;
    c.chunksShared = true;
    c.ownedLo = 0;
    c.ownedHi = 0;
    c.nDirty = this.nDirty;
    c.nClean = this.nClean;
    c.nAllocated = this.nAllocated;
    c.nInUse = this.nInUse;
    return c;
  }

  /** Mask `m` of `asid`; 0 outside 0..MAX_SEV_ASIDS (the firmware's table has no entry there). */
  private get(m: number, asid: number): number {
    if (!(asid >>> 0 === asid && asid <= MAX_SEV_ASIDS)) return 0;
    return this.chunks[m * PER_MASK + (asid >>> CHUNK_BITS)]![asid & (CHUNK - 1)]!;
  }

  /** Set mask `m` of `asid` (as a byte); no entry outside 0..MAX_SEV_ASIDS. Copies the chunk first unless this table made it. */
  private set(m: number, asid: number, v: number): void {
    if (!(asid >>> 0 === asid && asid <= MAX_SEV_ASIDS)) return;
    const i = m * PER_MASK + (asid >>> CHUNK_BITS);
    let chunk = this.chunks[i]!;
    if (chunk[asid & (CHUNK - 1)] === (v & 0xff)) return;
    if (this.chunksShared) {
      this.chunks = this.chunks.slice();
      this.chunksShared = false;
    }
    const bit = 1 << (i & 31);
    const owned = i < 32 ? this.ownedLo : this.ownedHi;
    if ((owned & bit) === 0) {
      chunk = chunk.slice();
      this.chunks[i] = chunk;
      if (i < 32) this.ownedLo |= bit;
      else this.ownedHi |= bit;
    }
    chunk[asid & (CHUNK - 1)] = v;
  }

  /** INIT (SNP UNINIT) and SNP_INIT: every ASID dirty on every CCX (docs/reference/psp-firmware.md §2.3 step 9, docs/reference/psp-firmware.md §3.2). */
  markAllDirty(): void {
    this.chunks = INIT_CHUNKS.slice();
    this.chunksShared = false;
    this.ownedLo = 0;
    this.ownedHi = 0;
    this.nDirty = MAX_SEV_ASIDS;
    this.nClean = 0;
    this.nAllocated = 0;
    this.nInUse = 0;
  }

  /** DF_FLUSH on the CCXs whose cores all did WBINVD: dirty → clean (docs/reference/psp-firmware.md §2.3 DF_FLUSH). */
  flush(ccxs: number): void {
    for (let a = 1; a <= MAX_SEV_ASIDS; a++) {
      const m = this.get(DIRTY, a) & ccxs;
      if (m) {
        const was = this.nonZero(a);
        this.set(DIRTY, a, this.get(DIRTY, a) & ~m);
        this.set(CLEAN, a, this.get(CLEAN, a) | m);
        this.recount(a, was);
      }
    }
  }

  /** Held by some guest: allocated or in use on any CCX (ACTIVATE step 2). */
  owned(asid: number): boolean {
    return this.get(ALLOCATED, asid) !== 0 || this.get(IN_USE, asid) !== 0;
  }

  isDirty(asid: number): boolean {
    return this.get(DIRTY, asid) !== 0;
  }

  isCleanEverywhere(asid: number): boolean {
    return this.get(CLEAN, asid) === CCX_PRESENT;
  }

  /** SNP_SHUTDOWN: every ASID must be clean on every CCX (docs/reference/psp-firmware.md §3.3 step 3). */
  allClean(): boolean {
    for (let a = 1; a <= MAX_SEV_ASIDS; a++) if (this.get(CLEAN, a) !== CCX_PRESENT) return false;
    return true;
  }

  /** ACTIVATE of a guest that is not running yet: CCXs → allocated. */
  allocate(asid: number, ccxs: number): void {
    const was = this.nonZero(asid);
    this.set(ALLOCATED, asid, this.get(ALLOCATED, asid) | ccxs);
    this.set(CLEAN, asid, this.get(CLEAN, asid) & ~ccxs);
    this.recount(asid, was);
  }

  /** ACTIVATE of a running guest, or LAUNCH_FINISH of a pending one: CCXs → in_use. */
  use(asid: number, ccxs: number): void {
    const was = this.nonZero(asid);
    this.set(IN_USE, asid, this.get(IN_USE, asid) | ccxs);
    this.set(ALLOCATED, asid, this.get(ALLOCATED, asid) & ~ccxs);
    this.set(CLEAN, asid, this.get(CLEAN, asid) & ~ccxs);
    this.recount(asid, was);
  }

  /** DEACTIVATE: allocated CCXs → clean, in_use CCXs → dirty. Returns the in_use CCXs. */
  release(asid: number, ccxs: number): number {
    const was = this.nonZero(asid);
    const alloc = this.get(ALLOCATED, asid) & ccxs;
    this.set(ALLOCATED, asid, this.get(ALLOCATED, asid) & ~alloc);
    this.set(CLEAN, asid, this.get(CLEAN, asid) | alloc);
    const used = this.get(IN_USE, asid) & ccxs;
    this.set(IN_USE, asid, this.get(IN_USE, asid) & ~used);
    this.set(DIRTY, asid, this.get(DIRTY, asid) | used);
    this.recount(asid, was);
    return used;
  }

  summary(): AsidSummary {
    return { dirty: this.nDirty, clean: this.nClean, allocated: this.nAllocated, inUse: this.nInUse };
  }

  /** Which masks are non-zero for `asid`, as bits (dirty 1, clean 2, allocated 4, in use 8); 0 outside 1..MAX_SEV_ASIDS. */
  private nonZero(asid: number): number {
    if (!(asid >= 1 && asid <= MAX_SEV_ASIDS)) return 0;
    return (
      (this.get(DIRTY, asid) ? 1 : 0) |
      (this.get(CLEAN, asid) ? 2 : 0) |
      (this.get(ALLOCATED, asid) ? 4 : 0) |
      (this.get(IN_USE, asid) ? 8 : 0)
    );
  }

  /** The counts after `asid`'s masks changed from `was` (nonZero before the change). */
  private recount(asid: number, was: number): void {
    const now = this.nonZero(asid);
    if (now === was) return;
    const d = (bit: number) => ((now & bit) !== 0 ? 1 : 0) - ((was & bit) !== 0 ? 1 : 0);
    this.nDirty += d(1);
    this.nClean += d(2);
    this.nAllocated += d(4);
    this.nInUse += d(8);
  }
}
