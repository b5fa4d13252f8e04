/**
 * A 64-bit fingerprint of simulated state, fed by each layer's own `fingerprint(f)` method with
 * the fields that decide what the layer does next (never names such as handles, page numbers or
 * counters that only differ between paths). The explorer keeps the fingerprint of every visited
 * state instead of the state itself, so each layer says what it is without anyone reading its
 * private fields.
 *
 * Two independent 32-bit lanes (a Murmur3 round and an xxHash32 round per word, each finalised
 * with its own avalanche), so two different states collide with probability about n²/2⁶⁵.
 * Collections whose order means nothing (guests, VMs, files) go in as a `bag`: each item is
 * fingerprinted on its own and the items' digests are summed, so any order gives one value.
 */
/** One item's share of a bag (`Fingerprint.item`). */
export interface ItemDigest {
  readonly a: number;
  readonly b: number;
}

/** What a `bag` holds: an array, or a Map or Set (its values). */
export interface Bag<T> {
  forEach(each: (item: T) => void): void;
}

export class Fingerprint {
  private a = 0x811c9dc5;
  private b = 0x165667b1;

  /** One 32-bit word (higher bits of a larger number are dropped: use `num` for those). */
  int(n: number): this {
    let k = Math.imul(n | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    this.a ^= Math.imul(k, 0x1b873593);
    this.a = (this.a << 13) | (this.a >>> 19);
    this.a = (Math.imul(this.a, 5) + 0xe6546b64) | 0;
    this.b = (this.b + Math.imul(n | 0, 0x85ebca77)) | 0;
    this.b = Math.imul((this.b << 13) | (this.b >>> 19), 0x9e3779b1);
    return this;
  }

  /** Any safe integer (two words). */
  num(n: number): this {
    return this.int(n >>> 0).int(Math.floor(n / 0x1_0000_0000));
  }

  /** A 64-bit unsigned value (an SNP guest policy). */
  u64(n: bigint): this {
    return this.int(Number(n & 0xffff_ffffn)).int(Number((n >> 32n) & 0xffff_ffffn));
  }

  bool(x: boolean): this {
    return this.int(x ? 1 : 0);
  }

  str(s: string): this {
    this.int(s.length);
    for (let i = 0; i < s.length; i += 2) this.int(s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
    return this;
  }

  /** Bytes, four to a word. */
  bytes(data: Uint8Array): this {
    this.int(data.length);
    let i = 0;
    for (; i + 4 <= data.length; i += 4)
      this.int(data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    for (; i < data.length; i++) this.int(data[i]!);
    return this;
  }

  /**
   * An unordered collection (an array, or a Map's values): the same items in any order give the
   * same fingerprint. Walked with `forEach`: `for…of` at a call site that sees several kinds of
   * collection allocated an iterator result per item (about 250 bytes per explored transition).
   */
  bag<T>(items: Bag<T>, each: (f: this, item: T) => void): this {
    const a = this.a;
    const b = this.b;
    let sumA = 0;
    let sumB = 0;
    let n = 0;
    items.forEach((item: T) => {
      this.a = 0x811c9dc5;
      this.b = 0x165667b1;
      each(this, item);
      sumA = (sumA + fmixA(this.a)) | 0;
      sumB = (sumB + fmixB(this.b)) | 0;
      n++;
    });
    this.a = a;
    this.b = b;
    return this.int(n).int(sumA).int(sumB);
  }

  /**
   * One item's share of a `bag`, for an item that never changes (a file's contents): computed
   * once when the item is made, then summed by `bagOf` at every fingerprint.
   */
  static item(each: (f: Fingerprint) => void): ItemDigest {
    const f = new Fingerprint();
    each(f);
    return { a: fmixA(f.a), b: fmixB(f.b) };
  }

  /** A `bag` of items whose shares `Fingerprint.item` computed: the value `bag` gives for them. */
  bagOf<T>(items: Bag<T>, share: (item: T) => ItemDigest): this {
    let sumA = 0;
    let sumB = 0;
    let n = 0;
    items.forEach((item: T) => {
      const d = share(item);
      sumA = (sumA + d.a) | 0;
      sumB = (sumB + d.b) | 0;
      n++;
    });
    return this.int(n).int(sumA).int(sumB);
  }

  /** The two 32-bit halves of the fingerprint so far. */
  digest(): [number, number] {
    return [fmixA(this.a) >>> 0, fmixB(this.b) >>> 0];
  }
}

/** Murmur3's finaliser. */
function fmixA(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** xxHash32's finaliser. */
function fmixB(h: number): number {
  h = Math.imul(h ^ (h >>> 15), 0x85ebca77);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae3d);
  return h ^ (h >>> 16);
}
