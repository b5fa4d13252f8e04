/**
 * The firmware's ASID bookkeeping (docs/reference/psp-firmware.md §2.5): for each ASID 1..MAX_SEV_ASIDS, four
 * per-CCX bitmasks dirty / clean / allocated / in_use. The machine model reports WBINVD for all
 * cores at once, so sevsim has one CCX (mask 0b1); the masks keep the firmware's shape.
 */
import { ChunkedBytes } from '@sevsim/hardware';

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

/** The four masks, in the order of their bytes in `AsidTable.masks`. */
const DIRTY = 0;
const CLEAN = 1;
const ALLOCATED = 2;
const IN_USE = 3;
/** Bytes per mask: one per ASID 0..MAX_SEV_ASIDS, rounded up to 64-byte chunks (4 masks in 4 KB). */
const MASK_BYTES = Math.ceil((MAX_SEV_ASIDS + 1) / 64) * 64;

/** Every ASID but 0 dirty, the other masks clear: the chunks INIT and SNP_INIT leave, shared by every table. */
const INIT_CHUNKS: readonly Uint8Array[] = (() => {
  const allDirty = ChunkedBytes.chunk(CCX_PRESENT);
  const zero = ChunkedBytes.chunk(0);
  return Array.from({ length: (4 * MASK_BYTES) / 64 }, (_, i) =>
    i === 0 ? ChunkedBytes.chunk(CCX_PRESENT, 1) : i < MASK_BYTES / 64 ? allDirty : zero,
  );
})();

export class AsidTable {
  /**
   * The four masks, one byte per ASID (mask m, ASID a: byte m × MASK_BYTES + a), copied on write
   * in 64-byte chunks shared with a copy of the platform (an explorer fork): most forks change no
   * mask, and a change copies one chunk per mask it writes.
   */
  private masks: ChunkedBytes;
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
    this.masks = ChunkedBytes.zeros(4 * MASK_BYTES);
  }

  /** An independent copy: the masks shared until changed, by either side. */
  fork(): AsidTable {
    const c = Object.create(AsidTable.prototype) as AsidTable;
    c.masks = this.masks.fork();
    c.nDirty = this.nDirty;
    c.nClean = this.nClean;
    c.nAllocated = this.nAllocated;
    c.nInUse = this.nInUse;
    return c;
  }

  /** Mask `m` of `asid`; 0 outside 0..MAX_SEV_ASIDS (the firmware's table has no entry there). */
  private get(m: number, asid: number): number {
    if (!(asid >>> 0 === asid && asid <= MAX_SEV_ASIDS)) return 0;
    return this.masks.get(m * MASK_BYTES + asid);
  }

  /** Set mask `m` of `asid` (as a byte); no entry outside 0..MAX_SEV_ASIDS. */
  private set(m: number, asid: number, v: number): void {
    if (!(asid >>> 0 === asid && asid <= MAX_SEV_ASIDS)) return;
    this.masks.set(m * MASK_BYTES + asid, v);
  }

  /** INIT (SNP UNINIT) and SNP_INIT: every ASID dirty on every CCX (docs/reference/psp-firmware.md §2.3 step 9, docs/reference/psp-firmware.md §3.2). */
  markAllDirty(): void {
    this.masks = ChunkedBytes.of(INIT_CHUNKS);
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
