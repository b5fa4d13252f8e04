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
}

const TWO_32 = 0x1_0000_0000;

function fullMask(size: number): number[] {
  return new Array<number>(size).fill(0xff);
}

export function u8(offset: number): Field<number> {
  return {
    offset,
    size: 1,
    mask: fullMask(1),
    read: (v) => v.getUint8(offset),
    write: (v, x) => v.setUint8(offset, x & 0xff),
  };
}

export function u16(offset: number): Field<number> {
  return {
    offset,
    size: 2,
    mask: fullMask(2),
    read: (v) => v.getUint16(offset, true),
    write: (v, x) => v.setUint16(offset, x & 0xffff, true),
  };
}

export function u32(offset: number): Field<number> {
  return {
    offset,
    size: 4,
    mask: fullMask(4),
    read: (v) => v.getUint32(offset, true),
    write: (v, x) => v.setUint32(offset, x >>> 0, true),
  };
}

/** u64 as a number: physical addresses stay below 2^52, so a double holds them exactly. */
export function u64(offset: number): Field<number> {
  return {
    offset,
    size: 8,
    mask: fullMask(8),
    read: (v) => v.getUint32(offset, true) + v.getUint32(offset + 4, true) * TWO_32,
    write: (v, x) => {
      const n = Number.isFinite(x) && x > 0 ? Math.floor(x) : 0;
      v.setUint32(offset, n % TWO_32, true);
      v.setUint32(offset + 4, Math.floor(n / TWO_32) % TWO_32, true);
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
  return {
    offset,
    size: container,
    mask,
    read: (v) => ((get(v) >>> bit) & all) >>> 0,
    write: (v, x) => set(v, ((get(v) & ~shifted) | ((x << bit) & shifted)) >>> 0),
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

/**
 * The one working area of every codec call: a struct's bytes are copied in, read or written
 * through one DataView, and copied back. A new DataView per call cost more than the decode
 * itself (codecs run several times per firmware command); calls never nest, so one area serves
 * them all. `struct()` grows it to the largest struct built.
 */
let scratch = new Uint8Array(64);
let scratchView = new DataView(scratch.buffer);

/** The struct's `size` bytes of `buffer` in the working area, zero-padded past a short buffer. */
function load(buffer: Uint8Array, size: number): DataView {
  const n = Math.min(size, buffer.length);
  for (let i = 0; i < n; i++) scratch[i] = buffer[i]!;
  scratch.fill(0, n, size);
  return scratchView;
}

/** The working area's `size` bytes back into `buffer` (at least `size` long). */
function store(buffer: Uint8Array, size: number): void {
  for (let i = 0; i < size; i++) buffer[i] = scratch[i]!;
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
  // The fields' functions in `names` order: looking each up by name per call (`fields[k].read`)
  // is a megamorphic keyed load in code every struct shares, a third of a decode.
  const readers = names.map((k) => fields[k]!.read);
  const writers = names.map((k) => fields[k]!.write);
  if (size > scratch.length) {
    scratch = new Uint8Array(size);
    scratchView = new DataView(scratch.buffer);
  }
  /** The given fields into the working area. */
  const writeFields = (values: Partial<Decoded<F>>): void => {
    for (let i = 0; i < names.length; i++) {
      const v = values[names[i]!];
      if (v !== undefined) writers[i]!(scratchView, v);
    }
  };
  const codec: StructCodec<F> = {
    name,
    size,
    fields,
    encode(values = {}) {
      // patch() of a new zero buffer, without reading its zeros into the working area first.
      const out = new Uint8Array(size);
      scratch.fill(0, 0, size);
      writeFields(values);
      store(out, size);
      return out;
    },
    decode(buffer) {
      const view = load(buffer, size);
      const result = {} as Decoded<F>;
      for (let i = 0; i < names.length; i++) result[names[i]!] = readers[i]!(view);
      return result;
    },
    reservedNonZero(buffer) {
      const n = Math.min(size, buffer.length);
      for (let i = 0; i < n; i++) if ((buffer[i]! & ~covered[i]!) !== 0) return true;
      return false;
    },
    patch(buffer, values) {
      if (buffer.length < size) return;
      load(buffer, size);
      writeFields(values);
      store(buffer, size);
    },
  };
  return codec;
}
