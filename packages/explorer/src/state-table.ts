/**
 * The set of visited states and the BFS tree, in typed arrays: a 64-bit key hash per state in an
 * open-addressing table (linear probing, load ≤ 1/2), and per state its parent and the action
 * that reached it, so the shortest path to any state can be rebuilt: 16 bytes per state plus a
 * table slot, doubled while growing.
 */
export class StateTable {
  private slots: Int32Array;
  private hashes: Uint32Array;
  private mask: number;
  /** Parent state (-1 for the root) and interned action, by state index. */
  parent: Int32Array;
  action: Int32Array;
  size = 0;

  constructor(capacity = 1024) {
    const n = 1 << Math.ceil(Math.log2(Math.max(16, capacity * 2)));
    this.slots = new Int32Array(n).fill(-1);
    this.hashes = new Uint32Array(capacity * 2);
    this.mask = n - 1;
    this.parent = new Int32Array(capacity);
    this.action = new Int32Array(capacity);
  }

  /** The index of the state with this hash, adding it (with its parent and action) if new. */
  add(h1: number, h2: number, parent: number, action: number): { index: number; added: boolean } {
    let i = h1 & this.mask;
    for (;;) {
      const s = this.slots[i]!;
      if (s === -1) break;
      if (this.hashes[2 * s] === h1 && this.hashes[2 * s + 1] === h2) return { index: s, added: false };
      i = (i + 1) & this.mask;
    }
    const index = this.size++;
    if (index >= this.parent.length) this.growRows();
    this.hashes[2 * index] = h1;
    this.hashes[2 * index + 1] = h2;
    this.parent[index] = parent;
    this.action[index] = action;
    this.slots[i] = index;
    if (this.size * 2 > this.slots.length) this.rehash();
    return { index, added: true };
  }

  /** Actions from the root to `index`, in order. */
  pathTo(index: number): number[] {
    const out: number[] = [];
    for (let s = index; this.parent[s]! >= 0; s = this.parent[s]!) out.push(this.action[s]!);
    return out.reverse();
  }

  /** Bytes held by the table's arrays. */
  get bytes(): number {
    return this.slots.byteLength + this.hashes.byteLength + this.parent.byteLength + this.action.byteLength;
  }

  private growRows(): void {
    const n = this.parent.length * 2;
    const grow = <T extends Int32Array | Uint32Array>(a: T, len: number): T => {
      const b = new (a.constructor as new (n: number) => T)(len);
      b.set(a);
      return b;
    };
    this.parent = grow(this.parent, n);
    this.action = grow(this.action, n);
    this.hashes = grow(this.hashes, 2 * n);
  }

  private rehash(): void {
    const n = this.slots.length * 2;
    this.slots = new Int32Array(n).fill(-1);
    this.mask = n - 1;
    for (let s = 0; s < this.size; s++) {
      let i = this.hashes[2 * s]! & this.mask;
      while (this.slots[i] !== -1) i = (i + 1) & this.mask;
      this.slots[i] = s;
    }
  }
}
