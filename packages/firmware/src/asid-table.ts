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

export class AsidTable {
  private dirty!: Uint8Array;
  private clean!: Uint8Array;
  private allocated!: Uint8Array;
  private inUse!: Uint8Array;
  /** The masks' buffer is shared with a copy of the platform: the first change copies it. */
  private shared = false;
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
    // The four masks live in one buffer, shared by a copy of the platform (an explorer fork)
    // until one of them changes: most forks issue no command that changes the table.
    this.useMasks(new Uint8Array(4 * (MAX_SEV_ASIDS + 1)));
  }

  /** Point the four masks at their quarters of one buffer. */
  private useMasks(masks: Uint8Array): void {
    const n = MAX_SEV_ASIDS + 1;
    this.dirty = masks.subarray(0, n);
    this.clean = masks.subarray(n, 2 * n);
    this.allocated = masks.subarray(2 * n, 3 * n);
    this.inUse = masks.subarray(3 * n);
  }

  /** An independent copy: the masks shared until changed. */
  fork(): AsidTable {
    this.shared = true;
    const c = Object.create(AsidTable.prototype) as AsidTable;
    c.dirty = this.dirty;
    c.clean = this.clean;
    c.allocated = this.allocated;
    c.inUse = this.inUse;
    c.shared = true;
    c.nDirty = this.nDirty;
    c.nClean = this.nClean;
    c.nAllocated = this.nAllocated;
    c.nInUse = this.nInUse;
    return c;
  }

  /** Before a change: masks shared with a copy are copied first. */
  private own(): void {
    if (!this.shared) return;
    // Copied by construction: Uint8Array.prototype.slice() takes Node 20 about 7 µs for these 4 KB.
    this.useMasks(new Uint8Array(new Uint8Array(this.dirty.buffer)));
    this.shared = false;
  }

  /** INIT (SNP UNINIT) and SNP_INIT: every ASID dirty on every CCX (docs/reference/psp-firmware.md §2.3 step 9, docs/reference/psp-firmware.md §3.2). */
  markAllDirty(): void {
    this.own();
    this.dirty.fill(CCX_PRESENT, 1);
    this.clean.fill(0);
    this.allocated.fill(0);
    this.inUse.fill(0);
    this.nDirty = MAX_SEV_ASIDS;
    this.nClean = 0;
    this.nAllocated = 0;
    this.nInUse = 0;
  }

  /** DF_FLUSH on the CCXs whose cores all did WBINVD: dirty → clean (docs/reference/psp-firmware.md §2.3 DF_FLUSH). */
  flush(ccxs: number): void {
    this.own();
    for (let a = 1; a <= MAX_SEV_ASIDS; a++) {
      const m = this.dirty[a]! & ccxs;
      if (m) {
        const was = this.nonZero(a);
        this.dirty[a]! &= ~m;
        this.clean[a]! |= m;
        this.recount(a, was);
      }
    }
  }

  /** Held by some guest: allocated or in use on any CCX (ACTIVATE step 2). */
  owned(asid: number): boolean {
    return (this.allocated[asid] ?? 0) !== 0 || (this.inUse[asid] ?? 0) !== 0;
  }

  isDirty(asid: number): boolean {
    return (this.dirty[asid] ?? 0) !== 0;
  }

  isCleanEverywhere(asid: number): boolean {
    return this.clean[asid] === CCX_PRESENT;
  }

  /** SNP_SHUTDOWN: every ASID must be clean on every CCX (docs/reference/psp-firmware.md §3.3 step 3). */
  allClean(): boolean {
    for (let a = 1; a <= MAX_SEV_ASIDS; a++) if (this.clean[a] !== CCX_PRESENT) return false;
    return true;
  }

  /** ACTIVATE of a guest that is not running yet: CCXs → allocated. */
  allocate(asid: number, ccxs: number): void {
    this.own();
    const was = this.nonZero(asid);
    this.allocated[asid]! |= ccxs;
    this.clean[asid]! &= ~ccxs;
    this.recount(asid, was);
  }

  /** ACTIVATE of a running guest, or LAUNCH_FINISH of a pending one: CCXs → in_use. */
  use(asid: number, ccxs: number): void {
    this.own();
    const was = this.nonZero(asid);
    this.inUse[asid]! |= ccxs;
    this.allocated[asid]! &= ~ccxs;
    this.clean[asid]! &= ~ccxs;
    this.recount(asid, was);
  }

  /** DEACTIVATE: allocated CCXs → clean, in_use CCXs → dirty. Returns the in_use CCXs. */
  release(asid: number, ccxs: number): number {
    this.own();
    const was = this.nonZero(asid);
    const alloc = this.allocated[asid]! & ccxs;
    this.allocated[asid]! &= ~alloc;
    this.clean[asid]! |= alloc;
    const used = this.inUse[asid]! & ccxs;
    this.inUse[asid]! &= ~used;
    this.dirty[asid]! |= used;
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
      (this.dirty[asid] ? 1 : 0) |
      (this.clean[asid] ? 2 : 0) |
      (this.allocated[asid] ? 4 : 0) |
      (this.inUse[asid] ? 8 : 0)
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
