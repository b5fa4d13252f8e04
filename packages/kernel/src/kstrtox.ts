/**
 * lib/kstrtox.c: the kernel's string-to-integer and string-to-bool conversions, which every
 * module parameter of type bool, int and uint goes through (kernel/params.c param_set_bool,
 * param_set_int, param_set_uint). Modelled on the source of v6.11–v7.x, where the integer rules
 * have not changed; kstrtobool's accepted first characters differ by release (KernelProfile).
 */
import { Errno } from './errno';
import type { KernelProfile } from './profile';

/** A conversion's result: the value, or the negative errno the kernel function returns. */
export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly rc: number };

const EINVAL: Parsed<never> = { ok: false, rc: -Errno.EINVAL };
const ERANGE: Parsed<never> = { ok: false, rc: -Errno.ERANGE };

const ULLONG_MAX = (1n << 64n) - 1n;
const LLONG_MAX = (1n << 63n) - 1n;

/**
 * _parse_integer_fixup_radix(): base 0 means "0x" + a hex digit → 16, a leading "0" → 8, else 10;
 * with base 16 a "0x" prefix is skipped.
 */
function fixupRadix(s: string, base: number): { base: number; start: number } {
  let b = base;
  if (b === 0) {
    if (s[0] === '0') b = s[1]?.toLowerCase() === 'x' && isHexDigit(s[2]) ? 16 : 8;
    else b = 10;
  }
  const start = b === 16 && s[0] === '0' && s[1]?.toLowerCase() === 'x' ? 2 : 0;
  return { base: b, start };
}

function isHexDigit(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}

function digitValue(c: string): number {
  const d = Number.parseInt(c, 16);
  return Number.isNaN(d) ? 16 : d;
}

/**
 * _kstrtoull(): digits in the base, then at most one '\n', then the end of the string. No digit
 * is -EINVAL, a value beyond 64 bits -ERANGE (checked before the trailing characters, as
 * _parse_integer reports overflow in the count it returns).
 */
function kstrtoullUnsigned(s: string, base: number): Parsed<bigint> {
  const radix = fixupRadix(s, base);
  let i = radix.start;
  let value = 0n;
  let overflow = false;
  while (i < s.length) {
    const d = digitValue(s[i]!);
    if (d >= radix.base) break;
    value = value * BigInt(radix.base) + BigInt(d);
    if (value > ULLONG_MAX) overflow = true;
    i++;
  }
  if (overflow) return ERANGE;
  if (i === radix.start) return EINVAL;
  if (s[i] === '\n') i++;
  if (i !== s.length) return EINVAL;
  return { ok: true, value };
}

/** kstrtoull(): a leading '+' is allowed, a '-' is not. */
export function kstrtoull(s: string, base: number): Parsed<bigint> {
  return kstrtoullUnsigned(s[0] === '+' ? s.slice(1) : s, base);
}

/** kstrtoll(): a leading '-' or '+'; the magnitude must fit a signed 64-bit value. */
export function kstrtoll(s: string, base: number): Parsed<bigint> {
  if (s[0] === '-') {
    const r = kstrtoullUnsigned(s.slice(1), base);
    if (!r.ok) return r;
    if (r.value > LLONG_MAX + 1n) return ERANGE;
    return { ok: true, value: -r.value };
  }
  const r = kstrtoull(s, base);
  if (!r.ok) return r;
  if (r.value > LLONG_MAX) return ERANGE;
  return r;
}

/** kstrtouint(): kstrtoull() narrowed to 32 bits (-ERANGE when it does not fit). */
export function kstrtouint(s: string, base: number): Parsed<number> {
  const r = kstrtoull(s, base);
  if (!r.ok) return r;
  return r.value > 0xffff_ffffn ? ERANGE : { ok: true, value: Number(r.value) };
}

/** kstrtoint(): kstrtoll() narrowed to 32 bits (-ERANGE when it does not fit). */
export function kstrtoint(s: string, base: number): Parsed<number> {
  const r = kstrtoll(s, base);
  if (!r.ok) return r;
  return r.value < -0x8000_0000n || r.value > 0x7fff_ffffn ? ERANGE : { ok: true, value: Number(r.value) };
}

/**
 * kstrtobool(): the first character decides — y Y t T 1 true, n N f F 0 false, "o"/"O" followed
 * by n/N (on) or f/F (off); since v6.17 also e/E (enabled) true and d/D (disabled) false. Whatever
 * follows the deciding characters is ignored ("yes", "true", "off!" all parse).
 */
export function kstrtobool(s: string, profile: KernelProfile): Parsed<boolean> {
  const c0 = s[0];
  if (c0 === undefined) return EINVAL;
  if ('yYtT1'.includes(c0)) return { ok: true, value: true };
  if ('nNfF0'.includes(c0)) return { ok: true, value: false };
  if (profile.kstrtoboolEnableDisable) {
    if (c0 === 'e' || c0 === 'E') return { ok: true, value: true };
    if (c0 === 'd' || c0 === 'D') return { ok: true, value: false };
  }
  if (c0 === 'o' || c0 === 'O') {
    const c1 = s[1];
    if (c1 === 'n' || c1 === 'N') return { ok: true, value: true };
    if (c1 === 'f' || c1 === 'F') return { ok: true, value: false };
  }
  return EINVAL;
}
