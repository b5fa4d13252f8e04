/**
 * Regular expressions for "an unsigned number no larger than N" written in decimal or hex, with
 * leading zeros: how the published JSON Schema says what the validator checks numerically on text
 * (firmware version parts, raw `psp` field values given as strings).
 */

const DIGITS = '0123456789abcdef';

const range = (a: string, b: string) => (a === b ? a : `${a}-${b}`);

/** A character class for digit values lo..hi of `base` (hex digits in either case); '' if empty. */
function digitClass(lo: number, hi: number, base: 10 | 16): string {
  if (lo > hi) return '';
  if (lo === hi && lo < 10) return DIGITS[lo]!;
  const parts: string[] = [];
  if (lo <= 9) parts.push(range(DIGITS[lo]!, DIGITS[Math.min(hi, 9)]!));
  if (base === 16 && hi >= 10) {
    const [a, b] = [DIGITS[Math.max(lo, 10)]!, DIGITS[hi]!];
    parts.push(range(a, b), range(a.toUpperCase(), b.toUpperCase()));
  }
  return `[${parts.join('')}]`;
}

/**
 * Matches exactly the strings of `base` digits (leading zeros allowed, at least one digit) whose
 * value is at most `max`. Unanchored, a group: use as `^(?:…)$` or inside a larger pattern.
 */
export function atMostPattern(max: bigint, base: 10 | 16): string {
  const digits = max
    .toString(base)
    .split('')
    .map((d) => Number.parseInt(d, base));
  const n = digits.length;
  const any = digitClass(0, base - 1, base);
  // The value without leading zeros: fewer digits than max, or as many and not above it.
  const alts: string[] = [];
  if (n > 1) alts.push(`${digitClass(1, base - 1, base)}${any}{0,${n - 2}}`);
  for (let i = 0; i < n; i++) {
    const lo = i === 0 ? 1 : 0;
    const below = digitClass(lo, digits[i]! - 1, base);
    if (below === '') continue;
    const prefix = digits
      .slice(0, i)
      .map((d) => digitClass(d, d, base))
      .join('');
    const rest = n - i - 1;
    alts.push(`${prefix}${below}${rest > 0 ? `${any}{${rest}}` : ''}`);
  }
  alts.push(digits.map((d) => digitClass(d, d, base)).join(''));
  return `(?:0*(?:${alts.join('|')})|0+)`;
}
