import { describe, expect, it } from 'vitest';
import { Errno, kstrtobool, kstrtoint, kstrtoll, kstrtouint, kstrtoull } from '../src/index';

const v6_16 = { kstrtoboolEnableDisable: false };
const v6_17 = { kstrtoboolEnableDisable: true };
const EINVAL = { ok: false, rc: -Errno.EINVAL };
const ERANGE = { ok: false, rc: -Errno.ERANGE };
const ok = <T>(value: T) => ({ ok: true, value });

describe('kstrtobool (lib/kstrtox.c)', () => {
  it('the first character decides: y Y t T 1 / n N f F 0, the rest is ignored', () => {
    for (const s of ['y', 'Y', 't', 'T', '1', 'yes', 'true', 'True', '1abc'])
      expect(kstrtobool(s, v6_16)).toEqual(ok(true));
    for (const s of ['n', 'N', 'f', 'F', '0', 'no', 'false', 'f', '0x1'])
      expect(kstrtobool(s, v6_16)).toEqual(ok(false));
  });

  it('"o" needs n/N (on) or f/F (off) as its second character', () => {
    expect(kstrtobool('on', v6_16)).toEqual(ok(true));
    expect(kstrtobool('ON', v6_16)).toEqual(ok(true));
    expect(kstrtobool('off', v6_16)).toEqual(ok(false));
    expect(kstrtobool('oF', v6_16)).toEqual(ok(false));
    expect(kstrtobool('o', v6_16)).toEqual(EINVAL);
    expect(kstrtobool('ox', v6_16)).toEqual(EINVAL);
  });

  it('e/E and d/D only since v6.17 (commit ae5b3500856f, enabled/disabled)', () => {
    expect(kstrtobool('enable', v6_16)).toEqual(EINVAL);
    expect(kstrtobool('disable', v6_16)).toEqual(EINVAL);
    expect(kstrtobool('enable', v6_17)).toEqual(ok(true));
    expect(kstrtobool('Enabled', v6_17)).toEqual(ok(true));
    expect(kstrtobool('disable', v6_17)).toEqual(ok(false));
    expect(kstrtobool('D', v6_17)).toEqual(ok(false));
  });

  it('anything else, including the empty string and a leading space, is -EINVAL', () => {
    for (const s of ['', ' y', '2', 'maybe', '+1', '-1']) expect(kstrtobool(s, v6_17)).toEqual(EINVAL);
  });
});

describe('kstrtoull/kstrtouint with base 0 (lib/kstrtox.c _parse_integer_fixup_radix)', () => {
  it('0x + hex digit is hexadecimal, a leading 0 octal, else decimal', () => {
    expect(kstrtouint('0x32', 0)).toEqual(ok(50));
    expect(kstrtouint('0X3f', 0)).toEqual(ok(63));
    expect(kstrtouint('062', 0)).toEqual(ok(50));
    expect(kstrtouint('0', 0)).toEqual(ok(0));
    expect(kstrtouint('50', 0)).toEqual(ok(50));
  });

  it('"0x" without a hex digit is octal 0 followed by junk: -EINVAL; 8 and 9 are not octal', () => {
    expect(kstrtouint('0x', 0)).toEqual(EINVAL);
    expect(kstrtouint('0xg', 0)).toEqual(EINVAL);
    expect(kstrtouint('08', 0)).toEqual(EINVAL);
  });

  it('one leading "+" and one trailing newline are allowed, nothing else', () => {
    expect(kstrtouint('+5', 0)).toEqual(ok(5));
    expect(kstrtouint('5\n', 0)).toEqual(ok(5));
    expect(kstrtouint('5\n\n', 0)).toEqual(EINVAL);
    expect(kstrtouint(' 5', 0)).toEqual(EINVAL);
    expect(kstrtouint('5 ', 0)).toEqual(EINVAL);
    expect(kstrtouint('++5', 0)).toEqual(EINVAL);
    expect(kstrtouint('', 0)).toEqual(EINVAL);
    expect(kstrtouint('max', 0)).toEqual(EINVAL);
  });

  it('a minus sign is -EINVAL for the unsigned parsers, not -ERANGE', () => {
    expect(kstrtouint('-1', 0)).toEqual(EINVAL);
    expect(kstrtoull('-0', 0)).toEqual(EINVAL);
  });

  it('beyond 32 bits is -ERANGE for kstrtouint, beyond 64 bits for kstrtoull (even with junk after it)', () => {
    expect(kstrtouint('4294967295', 0)).toEqual(ok(4294967295));
    expect(kstrtouint('0xffffffff', 0)).toEqual(ok(4294967295));
    expect(kstrtouint('4294967296', 0)).toEqual(ERANGE);
    expect(kstrtoull('18446744073709551615', 0)).toEqual(ok(18446744073709551615n));
    expect(kstrtoull('18446744073709551616', 0)).toEqual(ERANGE);
    expect(kstrtoull('18446744073709551616x', 0)).toEqual(ERANGE);
  });
});

describe('kstrtoll/kstrtoint (lib/kstrtox.c)', () => {
  it('takes one sign; the signed 32-bit range is checked after parsing', () => {
    expect(kstrtoint('-1', 0)).toEqual(ok(-1));
    expect(kstrtoint('+7', 0)).toEqual(ok(7));
    expect(kstrtoint('-0x10', 0)).toEqual(ok(-16));
    expect(kstrtoint('-2147483648', 0)).toEqual(ok(-2147483648));
    expect(kstrtoint('2147483647', 0)).toEqual(ok(2147483647));
    expect(kstrtoint('2147483648', 0)).toEqual(ERANGE);
    expect(kstrtoint('-2147483649', 0)).toEqual(ERANGE);
    expect(kstrtoint('-+1', 0)).toEqual(EINVAL);
    expect(kstrtoint('+-1', 0)).toEqual(EINVAL);
  });

  it('kstrtoll: -2^63 fits, 2^63 does not', () => {
    expect(kstrtoll('-9223372036854775808', 0)).toEqual(ok(-9223372036854775808n));
    expect(kstrtoll('9223372036854775808', 0)).toEqual(ERANGE);
    expect(kstrtoll('-9223372036854775809', 0)).toEqual(ERANGE);
  });
});
