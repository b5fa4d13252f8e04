/**
 * KVM's SEV ASID bookkeeping (docs/reference/linux-kvm-amd.md §2.2 step 5, §4.7): two bitmaps indexed by ASID
 * (bit 0 never used), lowest-free allocation, and recycling of freed ASIDs only when a range is
 * exhausted.
 */
import type { Fingerprint, Writable } from '@sevsim/hardware';

export class AsidTable {
  /** sev_asid_bitmap: set while an ASID is in use or freed but not yet flushed. */
  private inUse: Uint8Array;
  /** sev_reclaim_asid_bitmap: freed, waiting for WBINVD + (SNP_)DF_FLUSH. */
  private reclaim: Uint8Array;
  /** The bitmaps are shared with a copy of KVM: the first change copies both. */
  private shared = false;

  /** `maxSevAsid` = CPUID 0x8000001F ECX; nr_asids = max + 1 (docs/reference/linux-kvm-amd.md §2.2 step 5). */
  constructor(readonly maxSevAsid: number) {
    // Two arrays, not views of one buffer: V8 keeps a typed array of at most 64 bytes on the JS
    // heap unless its buffer is asked for (a view is), so the small machines' bitmaps, and their
    // copies, allocate no ArrayBuffer.
    this.inUse = new Uint8Array(maxSevAsid + 1);
    this.reclaim = new Uint8Array(maxSevAsid + 1);
  }

  /** An independent copy: the bitmaps shared until changed. */
  fork(): AsidTable {
    this.shared = true;
    const c = Object.create(AsidTable.prototype) as AsidTable;
    c.inUse = this.inUse;
    c.reclaim = this.reclaim;
    c.shared = true;
    (c as Writable<AsidTable>).maxSevAsid = this.maxSevAsid;
    return c;
  }

  /** Before a change: bitmaps shared with a copy are copied first. */
  private own(): void {
    if (!this.shared) return;
    // Copied by construction (about half the time of slice() in Node 20).
    this.inUse = new Uint8Array(this.inUse);
    this.reclaim = new Uint8Array(this.reclaim);
    this.shared = false;
  }

  /** find_next_zero_bit(sev_asid_bitmap, max + 1, min): the lowest free ASID in [min, max] (docs/reference/linux-kvm-amd.md §4.7). */
  findFree(min: number, max: number): number | undefined {
    const top = Math.min(max, this.maxSevAsid);
    for (let asid = Math.max(min, 0); asid <= top; asid++) if (!this.inUse[asid]) return asid;
    return undefined;
  }

  take(asid: number): void {
    this.own();
    this.inUse[asid] = 1;
  }

  /** sev_asid_free(): into the reclaim bitmap, still set in the in-use bitmap (docs/reference/linux-kvm-amd.md §4.7 "Reuse semantics"). */
  free(asid: number): void {
    this.own();
    this.reclaim[asid] = 1;
  }

  /** sev_flush_asids() precondition: a reclaimable ASID whose first occurrence ≥ min is ≤ max (docs/reference/linux-kvm-amd.md §4.7). */
  hasReclaimable(min: number, max: number): boolean {
    for (let asid = Math.max(min, 0); asid <= this.maxSevAsid; asid++) {
      if (this.reclaim[asid]) return asid <= max;
    }
    return false;
  }

  /** After a successful flush: sev_asid_bitmap ^= reclaim (all types at once), reclaim cleared (docs/reference/linux-kvm-amd.md §4.7). */
  recycle(): void {
    this.own();
    for (let asid = 0; asid <= this.maxSevAsid; asid++) {
      if (this.reclaim[asid]) {
        this.inUse[asid] = (this.inUse[asid] ?? 0) ^ 1;
        this.reclaim[asid] = 0;
      }
    }
  }

  /** Both bitmaps, as the lists of their set ASIDs. */
  fingerprint(f: Fingerprint): void {
    setBits(f, this.inUse);
    setBits(f, this.reclaim);
  }

  inUseList(): number[] {
    return listSet(this.inUse);
  }

  reclaimList(): number[] {
    return listSet(this.reclaim);
  }
}

/** A bitmap as the count and the list of its set ASIDs. */
function setBits(f: Fingerprint, bits: Uint8Array): void {
  let n = 0;
  for (let asid = 0; asid < bits.length; asid++) if (bits[asid]) n++;
  f.int(n);
  for (let asid = 0; asid < bits.length; asid++) if (bits[asid]) f.int(asid);
}

function listSet(bits: Uint8Array): number[] {
  const out: number[] = [];
  for (let asid = 0; asid < bits.length; asid++) if (bits[asid]) out.push(asid);
  return out;
}
