/**
 * The struct codecs read and write a struct's bytes directly (`Field.get`/`put`); each field's
 * `read`/`write` work on a DataView over a zero-padded copy, the struct as psp-sev.h lays it out.
 * Over random buffers (short ones included) and random values, both ways must agree for every
 * struct: decode, encode, patch and reservedNonZero.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as abi from '../src/index';
import type { Field, StructCodec } from '../src/index';

// biome-ignore lint/suspicious/noExplicitAny: every struct codec, whatever its fields
type AnyCodec = StructCodec<Record<string, Field<any>>>;
const CODECS: AnyCodec[] = Object.values(abi).filter(
  (v): v is AnyCodec => typeof v === 'object' && v !== null && 'decode' in v && 'fields' in v,
);

/** The struct's bytes of `buffer`, zero-padded to its size, as a DataView. */
function padded(c: AnyCodec, buffer: Uint8Array): DataView {
  const copy = new Uint8Array(c.size);
  copy.set(buffer.subarray(0, c.size));
  return new DataView(copy.buffer);
}

function decodeByView(c: AnyCodec, buffer: Uint8Array): Record<string, unknown> {
  const view = padded(c, buffer);
  return Object.fromEntries(Object.entries(c.fields).map(([k, f]) => [k, f.read(view)]));
}

function patchByView(c: AnyCodec, buffer: Uint8Array, values: Record<string, unknown>): Uint8Array {
  const out = buffer.slice();
  if (out.length < c.size) return out;
  const view = new DataView(out.buffer);
  for (const [k, f] of Object.entries(c.fields)) if (values[k] !== undefined) f.write(view, values[k]);
  return out;
}

/** A value for field `f`: numbers of every width (and past it), bigints, byte arrays. */
// biome-ignore lint/suspicious/noExplicitAny: a field of any value type
function fieldValue(f: Field<any>): fc.Arbitrary<unknown> {
  const sample = f.read(new DataView(new ArrayBuffer(f.offset + f.size)));
  if (typeof sample === 'bigint') return fc.bigInt({ min: -(2n ** 64n), max: 2n ** 65n });
  if (sample instanceof Uint8Array) return fc.uint8Array({ minLength: 0, maxLength: f.size + 2 });
  return fc.oneof(
    fc.integer({ min: 0, max: 255 }),
    fc.integer({ min: 0, max: 0xffff_ffff }),
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
    fc.maxSafeNat(),
  );
}

const bufferFor = (c: AnyCodec) => fc.uint8Array({ minLength: 0, maxLength: c.size + 8 });
const valuesFor = (c: AnyCodec) =>
  fc.record(Object.fromEntries(Object.entries(c.fields).map(([k, f]) => [k, fieldValue(f)])), {
    requiredKeys: [],
  });

describe('struct codecs: direct byte access equals the fields on a zero-padded DataView', () => {
  it('covers the structs of psp-sev.h', () => {
    expect(CODECS.length).toBeGreaterThan(30);
    expect(CODECS.map((c) => c.name)).toContain('sev_data_snp_page_reclaim');
  });

  for (const c of CODECS) {
    it(`${c.name}: decode, encode, patch, reservedNonZero`, () => {
      fc.assert(
        fc.property(bufferFor(c), valuesFor(c), (buffer, values) => {
          expect(c.decode(buffer)).toEqual(decodeByView(c, buffer));
          expect(c.encode(values)).toEqual(patchByView(c, new Uint8Array(c.size), values));
          const patched = buffer.slice();
          c.patch(patched, values);
          expect(patched).toEqual(patchByView(c, buffer, values));
          const p = padded(c, buffer);
          const reservedByMask = [...new Uint8Array(p.buffer)].some((byte, i) => {
            let cover = 0;
            for (const f of Object.values(c.fields))
              if (i >= f.offset && i < f.offset + f.size) cover |= f.mask[i - f.offset]!;
            return i < buffer.length && (byte & ~cover) !== 0;
          });
          expect(c.reservedNonZero(buffer)).toBe(reservedByMask);
        }),
        { numRuns: 200 },
      );
    });
  }
});
