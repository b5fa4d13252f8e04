/**
 * atMostPattern: the JSON Schema's way of saying "a number no larger than N" on text, for firmware
 * version parts (firmware parseVersion: major and minor 0-255, build 0-65535) and raw `psp` field
 * values given as decimal or 0x-hex text (check-steps.ts checkPspFields: the struct field's width).
 */
import { describe, expect, it } from 'vitest';
import { atMostPattern } from '../src/number-pattern';

const matches = (max: bigint, base: 10 | 16, text: string) =>
  new RegExp(`^${atMostPattern(max, base)}$`).test(text);

/** Values 0..300 and max - 300..max + 300: every digit count up to max's and one past it. */
function around(max: bigint): bigint[] {
  const out = new Set<bigint>();
  for (let v = 0n; v <= 300n; v++) out.add(v);
  for (let v = max > 300n ? max - 300n : 0n; v <= max + 300n; v++) out.add(v);
  return [...out];
}

describe('atMostPattern(max, base)', () => {
  it.each([0n, 1n, 3n, 9n, 10n, 15n, 16n, 99n, 100n, 255n, 256n, 4095n, 65535n])(
    'max %s: values around 0 and max, bare, with leading zeros and in upper case, match exactly when ≤ max',
    (max) => {
      const wrong: string[] = [];
      for (const base of [10, 16] as const) {
        const re = new RegExp(`^${atMostPattern(max, base)}$`);
        for (const v of around(max)) {
          const text = v.toString(base);
          for (const written of [text, `0${text}`, `000${text}`, text.toUpperCase()])
            if (re.test(written) !== v <= max) wrong.push(`${written} (base ${base})`);
        }
      }
      expect(wrong).toEqual([]);
    },
  );

  it('a 64-bit field: 2^64 - 1 fits, 2^64 does not, in either base', () => {
    const max = (1n << 64n) - 1n;
    expect(matches(max, 10, max.toString())).toBe(true);
    expect(matches(max, 10, (max + 1n).toString())).toBe(false);
    expect(matches(max, 16, 'ffffffffffffffff')).toBe(true);
    expect(matches(max, 16, '10000000000000000')).toBe(false);
  });

  it('no digits, signs, spaces or other bases', () => {
    for (const text of ['', '-1', '+1', ' 1', '1 ', '1.0', '0x1', 'g'])
      expect(matches(255n, 10, text) || matches(255n, 16, text), JSON.stringify(text)).toBe(false);
  });
});
