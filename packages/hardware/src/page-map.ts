/**
 * Values by page frame number for state that is copied far more often than it changes (the RMP
 * under the explorer's forks). A radix tree as the page tables are: a node of 512 slots per 2 MB
 * region (a leaf: one slot per 4 KB page, the 2 MB entry in slot 0) and one of 512 regions per
 * 1 GB (a directory), under a map by 1 GB. A copy (`fork()`) shares every node; a write copies
 * only the nodes on its path that the writer does not own yet, once per node and fork, so a step
 * that rewrites a whole 2 MB region (the TMR made Firmware or reclaimed page by page) copies one
 * leaf and one directory however many pages it writes, and a copy costs the size of the top map.
 */
const SLOTS = 512;
const LEAF_BITS = 9;
/** PFNs stay below 2^30 (4 TB of DRAM at most), so the shifts below work on 32-bit integers. */
const DIR_BITS = 18;

type Leaf<V> = (V | undefined)[];
type Directory<V> = (Leaf<V> | undefined)[];

export class PageMap<V> {
  /** Directories by 1 GB (pfn >> 18); the nodes are shared, the map too until a write (`topShared`). */
  private top = new Map<number, Directory<V>>();
  private topShared = false;
  /** The nodes this copy made since it was last copied: the only ones it may change in place. */
  private owned: Set<Directory<V> | Leaf<V>> | null = null;
  /** The region (pfn >> 9) last written and its leaf, owned: runs of writes in one region skip the lookups. */
  private lastRegion = -1;
  private lastLeaf: Leaf<V> | null = null;

  /** An independent copy sharing every node: neither side changes a shared node in place again. */
  fork(): PageMap<V> {
    this.disown();
    this.topShared = true;
    const copy = Object.create(PageMap.prototype) as PageMap<V>;
    copy.top = this.top;
    copy.topShared = true;
    copy.disown();
    return copy;
  }

  get(pfn: number): V | undefined {
    return this.leaf(pfn)?.[pfn & (SLOTS - 1)];
  }

  /** The slots of the 2 MB region holding `pfn` (index: pfn % 512), undefined if none was ever set. */
  leaf(pfn: number): readonly (V | undefined)[] | undefined {
    return this.top.get(pfn >>> DIR_BITS)?.[(pfn >>> LEAF_BITS) & (SLOTS - 1)];
  }

  set(pfn: number, v: V): void {
    this.writableLeaf(pfn)[pfn & (SLOTS - 1)] = v;
  }

  delete(pfn: number): void {
    if (this.get(pfn) !== undefined) this.writableLeaf(pfn)[pfn & (SLOTS - 1)] = undefined;
  }

  clear(): void {
    this.top = new Map();
    this.topShared = false;
    this.disown();
  }

  /** Every entry in PFN order. */
  entries(): [number, V][] {
    const out: [number, V][] = [];
    for (const t of [...this.top.keys()].sort((a, b) => a - b)) {
      const dir = this.top.get(t)!;
      for (let d = 0; d < dir.length; d++) {
        const leaf = dir[d];
        if (leaf === undefined) continue;
        const first = t * 2 ** DIR_BITS + d * SLOTS;
        for (let i = 0; i < leaf.length; i++) {
          const v = leaf[i];
          if (v !== undefined) out.push([first + i, v]);
        }
      }
    }
    return out;
  }

  /** The leaf of `pfn`'s region, copied first (with its directory) if this copy does not own it. */
  private writableLeaf(pfn: number): Leaf<V> {
    if (pfn >>> LEAF_BITS === this.lastRegion) return this.lastLeaf!;
    this.owned ??= new Set();
    const owned = this.owned;
    if (this.topShared) {
      this.top = new Map(this.top);
      this.topShared = false;
    }
    const t = pfn >>> DIR_BITS;
    let dir = this.top.get(t);
    if (dir === undefined || !owned.has(dir)) {
      dir = dir === undefined ? [] : dir.slice();
      owned.add(dir);
      this.top.set(t, dir);
    }
    const d = (pfn >>> LEAF_BITS) & (SLOTS - 1);
    let leaf = dir[d];
    if (leaf === undefined || !owned.has(leaf)) {
      leaf = leaf === undefined ? [] : leaf.slice();
      owned.add(leaf);
      dir[d] = leaf;
    }
    this.lastRegion = pfn >>> LEAF_BITS;
    this.lastLeaf = leaf;
    return leaf;
  }

  /** Own no node (after a fork both sides share them all). */
  private disown(): void {
    this.owned = null;
    this.lastRegion = -1;
    this.lastLeaf = null;
  }
}
