/**
 * A map for state that is copied far more often than it changes (the RMP under the explorer's
 * forks): most entries live in a frozen map that is never changed again, so a copy of the
 * machine shares it (`fork()`, docs/architecture.md), and only the entries changed
 * since are copied. The changes are folded into a new frozen map once they outgrow a fraction of
 * it, which keeps each copy small and each write amortised O(1).
 */
const EMPTY: ReadonlyMap<never, never> = Object.freeze(new Map<never, never>());

/** Changes kept apart before folding: at least this many, or an eighth of the frozen part. */
const MIN_RECENT = 32;

export class LayeredMap<K, V> {
  /** Frozen and never changed once built (the freeze tells the fork to share it). */
  private base: ReadonlyMap<K, V> = EMPTY;
  /** Entries set since `base` was built; `null` marks one deleted. */
  private recent = new Map<K, V | null>();

  /** An independent copy: the frozen base shared, the recent changes copied. */
  fork(): LayeredMap<K, V> {
    return Object.setPrototypeOf({ ...this, recent: new Map(this.recent) }, LayeredMap.prototype);
  }

  get(k: K): V | undefined {
    const r = this.recent.get(k);
    return r === undefined ? this.base.get(k) : (r ?? undefined);
  }

  has(k: K): boolean {
    return this.get(k) !== undefined;
  }

  set(k: K, v: V): void {
    this.recent.set(k, v);
    this.fold();
  }

  delete(k: K): void {
    if (this.base.has(k)) this.recent.set(k, null);
    else this.recent.delete(k);
    this.fold();
  }

  clear(): void {
    this.base = EMPTY;
    this.recent = new Map();
  }

  /** Every entry, the folded ones first (callers that need an order sort). */
  entries(): [K, V][] {
    const out: [K, V][] = [];
    for (const [k, v] of this.base) if (!this.recent.has(k)) out.push([k, v]);
    for (const [k, v] of this.recent) if (v !== null) out.push([k, v]);
    return out;
  }

  private fold(): void {
    if (this.recent.size <= Math.max(MIN_RECENT, this.base.size >> 3)) return;
    const m = new Map(this.base);
    for (const [k, v] of this.recent) {
      if (v === null) m.delete(k);
      else m.set(k, v);
    }
    this.base = Object.freeze(m);
    this.recent = new Map();
  }
}
