/**
 * A tiny declarative little-endian codec for the packed command-buffer structs of
 * include/linux/psp-sev.h. Every field names its byte offset (and bit position for
 * bitfields); bytes and bits no field covers are reserved, and `reservedNonZero` finds them.
 * Decoding never throws: a short buffer reads as if zero-padded to the struct size.
 */

export interface Field<T> {
  readonly offset: number;
  readonly size: number;
  /** Mask of the covered bits, per byte from `offset` (length `size`). */
  readonly mask: readonly number[];
  read(view: DataView): T;
  write(view: DataView, value: T): void;
  /**
   * `read` on the struct's bytes themselves: a byte past the end of a short buffer reads as 0
   * (what `read` sees in a zero-padded copy). What the struct codecs use: no copy, no DataView.
   */
  get(bytes: Uint8Array): T;
  /** `write` on the struct's bytes themselves (at least `offset + size` long). */
  put(bytes: Uint8Array, value: T): void;
}

const TWO_32 = 0x1_0000_0000;

function fullMask(size: number): number[] {
  return new Array<number>(size).fill(0xff);
}

// Little-endian byte access. A read past the end of a short buffer gets `undefined`, which the
// bit operators take as 0: the zero padding of a short buffer, for free.
const le8 = (b: Uint8Array, o: number): number => b[o]! & 0xff;
const le16 = (b: Uint8Array, o: number): number => (b[o]! & 0xff) | ((b[o + 1]! & 0xff) << 8);
const le32 = (b: Uint8Array, o: number): number => (le16(b, o) | (le16(b, o + 2) << 16)) >>> 0;
/** Typed-array stores keep the low 8 bits of each value. */
function put32(b: Uint8Array, o: number, x: number): void {
  b[o] = x;
  b[o + 1] = x >>> 8;
  b[o + 2] = x >>> 16;
  b[o + 3] = x >>> 24;
}

/**
 * A small working area for the 64-bit bigint fields (a DataView reads and writes all 64 bits at
 * once); every other field reads and writes the struct's bytes directly.
 */
const scratch = new Uint8Array(8);
const scratchView = new DataView(scratch.buffer);

/** Eight bytes as a bigint, through the working area (a DataView reads all 64 bits at once). */
function getU64n(b: Uint8Array, o: number): bigint {
  for (let i = 0; i < 8; i++) scratch[i] = b[o + i] ?? 0;
  return scratchView.getBigUint64(0, true);
}

function putU64n(b: Uint8Array, o: number, x: bigint): void {
  scratchView.setBigUint64(0, x, true);
  for (let i = 0; i < 8; i++) b[o + i] = scratch[i]!;
}

export function u8(offset: number): Field<number> {
  return {
    offset,
    size: 1,
    mask: fullMask(1),
    read: (v) => v.getUint8(offset),
    write: (v, x) => v.setUint8(offset, x & 0xff),
    get: (b) => le8(b, offset),
    put: (b, x) => {
      b[offset] = x;
    },
  };
}

export function u16(offset: number): Field<number> {
  return {
    offset,
    size: 2,
    mask: fullMask(2),
    read: (v) => v.getUint16(offset, true),
    write: (v, x) => v.setUint16(offset, x & 0xffff, true),
    get: (b) => le16(b, offset),
    put: (b, x) => {
      b[offset] = x;
      b[offset + 1] = x >>> 8;
    },
  };
}

export function u32(offset: number): Field<number> {
  return {
    offset,
    size: 4,
    mask: fullMask(4),
    read: (v) => v.getUint32(offset, true),
    write: (v, x) => v.setUint32(offset, x >>> 0, true),
    get: (b) => le32(b, offset),
    put: (b, x) => put32(b, offset, x >>> 0),
  };
}

/** u64 as a number: physical addresses stay below 2^52, so a double holds them exactly. */
export function u64(offset: number): Field<number> {
  const clamp = (x: number): number => (Number.isFinite(x) && x > 0 ? Math.floor(x) : 0);
  return {
    offset,
    size: 8,
    mask: fullMask(8),
    read: (v) => v.getUint32(offset, true) + v.getUint32(offset + 4, true) * TWO_32,
    write: (v, x) => {
      const n = clamp(x);
      v.setUint32(offset, n % TWO_32, true);
      v.setUint32(offset + 4, Math.floor(n / TWO_32) % TWO_32, true);
    },
    get: (b) => le32(b, offset) + le32(b, offset + 4) * TWO_32,
    put: (b, x) => {
      const n = clamp(x);
      put32(b, offset, n % TWO_32);
      put32(b, offset + 4, Math.floor(n / TWO_32) % TWO_32);
    },
  };
}

/** u64 as a bigint: policies and TCB versions use all 64 bits. */
export function u64n(offset: number): Field<bigint> {
  return {
    offset,
    size: 8,
    mask: fullMask(8),
    read: (v) => v.getBigUint64(offset, true),
    write: (v, x) => v.setBigUint64(offset, BigInt.asUintN(64, x), true),
    get: (b) => getU64n(b, offset),
    put: (b, x) => putU64n(b, offset, BigInt.asUintN(64, x)),
  };
}

/** A bitfield of `width` bits starting at bit `bit` of the little-endian u32 at `offset`. */
export function bits(offset: number, bit: number, width = 1, container: 1 | 4 = 4): Field<number> {
  const all = width >= 32 ? 0xffff_ffff : ((1 << width) - 1) >>> 0;
  const shifted = (all << bit) >>> 0;
  const mask: number[] = [];
  for (let i = 0; i < container; i++) mask.push((shifted >>> (8 * i)) & 0xff);
  const get = (v: DataView): number => (container === 1 ? v.getUint8(offset) : v.getUint32(offset, true));
  const set = (v: DataView, x: number): void => {
    if (container === 1) v.setUint8(offset, x & 0xff);
    else v.setUint32(offset, x >>> 0, true);
  };
  const load = (b: Uint8Array): number => (container === 1 ? le8(b, offset) : le32(b, offset));
  const store = (b: Uint8Array, x: number): void => {
    if (container === 1) b[offset] = x;
    else put32(b, offset, x >>> 0);
  };
  return {
    offset,
    size: container,
    mask,
    read: (v) => ((get(v) >>> bit) & all) >>> 0,
    write: (v, x) => set(v, ((get(v) & ~shifted) | ((x << bit) & shifted)) >>> 0),
    get: (b) => ((load(b) >>> bit) & all) >>> 0,
    put: (b, x) => store(b, ((load(b) & ~shifted) | ((x << bit) & shifted)) >>> 0),
  };
}

/** A bitfield inside a single byte (the `u8 x:1` fields of sev_user_data_snp_status). */
export function bits8(offset: number, bit: number, width = 1): Field<number> {
  return bits(offset, bit, width, 1);
}

/** A raw byte array field (`u8 host_data[32]`). */
export function bytes(offset: number, length: number): Field<Uint8Array> {
  return {
    offset,
    size: length,
    mask: fullMask(length),
    read: (v) => new Uint8Array(v.buffer, v.byteOffset + offset, length).slice(),
    write: (v, x) => {
      for (let i = 0; i < length; i++) v.setUint8(offset + i, x[i] ?? 0);
    },
    get: (b) => {
      const out = new Uint8Array(length);
      for (let i = 0; i < length; i++) out[i] = b[offset + i] ?? 0;
      return out;
    },
    put: (b, x) => {
      for (let i = 0; i < length; i++) b[offset + i] = x[i] ?? 0;
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: field map of heterogeneous field types
type Fields = Record<string, Field<any>>;
export type Decoded<F extends Fields> = { [K in keyof F]: F[K] extends Field<infer T> ? T : never };

export interface StructCodec<F extends Fields> {
  /** Linux struct name (include/linux/psp-sev.h or include/uapi/linux/psp-sev.h). */
  readonly name: string;
  readonly size: number;
  readonly fields: F;
  /** Bytes of the struct; unlisted fields (and reserved bytes) are zero. */
  encode(values?: Partial<Decoded<F>>): Uint8Array;
  /** Field values; a buffer shorter than `size` reads as if zero-padded. */
  decode(buffer: Uint8Array): Decoded<F>;
  /** True when any byte or bit that no field covers is non-zero (firmware INVALID_PARAM checks). */
  reservedNonZero(buffer: Uint8Array): boolean;
  /** Write some fields into an existing buffer (in place), as the firmware does on write-back. */
  patch(buffer: Uint8Array, values: Partial<Decoded<F>>): void;
}

export function struct<F extends Fields>(name: string, size: number, fields: F): StructCodec<F> {
  const covered = new Uint8Array(size);
  for (const f of Object.values(fields)) {
    if (f.offset + f.size > size) throw new Error(`${name}: field at ${f.offset} exceeds size ${size}`);
    f.mask.forEach((m, i) => {
      covered[f.offset + i] = (covered[f.offset + i] ?? 0) | m;
    });
  }
  const names = Object.keys(fields) as (keyof F & string)[];
  // The fields' functions in `names` order: looking each up by name per call (`fields[k].get`)
  // is a megamorphic keyed load in code every struct shares, a third of a decode.
  const getters = names.map((k) => fields[k]!.get);
  const putters = names.map((k) => fields[k]!.put);
  /** The given fields into `buffer` (at least `size` long), in field order. */
  const putFields = (buffer: Uint8Array, values: Partial<Decoded<F>>): void => {
    for (let i = 0; i < names.length; i++) {
      const v = values[names[i]!];
      if (v !== undefined) putters[i]!(buffer, v);
    }
  };
  const codec: StructCodec<F> = {
    name,
    size,
    fields,
    encode(values = {}) {
      const out = new Uint8Array(size);
      putFields(out, values);
      return out;
    },
    decode(buffer) {
      const result = {} as Decoded<F>;
      for (let i = 0; i < names.length; i++) result[names[i]!] = getters[i]!(buffer);
      return result;
    },
    reservedNonZero(buffer) {
      const n = Math.min(size, buffer.length);
      for (let i = 0; i < n; i++) if ((buffer[i]! & ~covered[i]!) !== 0) return true;
      return false;
    },
    patch(buffer, values) {
      if (buffer.length < size) return;
      putFields(buffer, values);
    },
  };
  return codec;
}
