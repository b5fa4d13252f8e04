import { describe, expect, it } from 'vitest';
import {
  KvmAmdParamError,
  parseKernelBool,
  parseKernelInt,
  parseKernelUint,
  parseKvmAmdParams,
  paramsForRelease,
  RELEASES,
  sysfsValue,
} from '../src/index';

const kvm = (v: string) => RELEASES[v]!.kvm;

describe('kvm_amd parameters (docs/reference/linux-kvm-amd.md §2.1)', () => {
  it('kstrtobool: y/Y/t/T/1 true, n/N/f/F/0 false, on/off, missing value means set', () => {
    for (const s of ['1', 'y', 'Y', 'true', 'T', 'on', 'ON']) expect(parseKernelBool(s)).toBe(true);
    for (const s of ['0', 'n', 'N', 'false', 'F', 'off', 'OFF']) expect(parseKernelBool(s)).toBe(false);
    expect(parseKernelBool(null)).toBe(true);
    for (const s of ['', 'x', 'o', '2', 'maybe']) expect(parseKernelBool(s)).toBeUndefined();
  });

  it('kstrtouint: decimal, 0x hex, leading-0 octal, "+"; no sign, max 4294967295', () => {
    expect(parseKernelUint('4294967295')).toBe(4294967295);
    expect(parseKernelUint('0xffffffff')).toBe(4294967295);
    expect(parseKernelUint('010')).toBe(8);
    expect(parseKernelUint('+50')).toBe(50);
    expect(parseKernelUint('50\n')).toBe(50);
    expect(parseKernelUint('4294967296')).toBeUndefined();
    expect(parseKernelUint('-1')).toBeUndefined();
    expect(parseKernelUint('max')).toBeUndefined();
    expect(parseKernelUint('')).toBeUndefined();
  });

  it('kstrtoint accepts a sign (nrips/lbrv are int params in svm.c)', () => {
    expect(parseKernelInt('-1')).toBe(-1);
    expect(parseKernelInt('2147483648')).toBeUndefined();
  });

  it('ciphertext_hiding_asids exists from 6.18; debug_swap until 7.0 (exclusive)', () => {
    const names = (v: string) => paramsForRelease(kvm(v)).map((p) => p.name);
    expect(names('6.16')).toContain('debug_swap');
    expect(names('6.16')).not.toContain('ciphertext_hiding_asids');
    expect(names('6.18')).toEqual(expect.arrayContaining(['ciphertext_hiding_asids', 'debug_swap']));
    expect(names('7.0')).toContain('ciphertext_hiding_asids');
    expect(names('7.0')).not.toContain('debug_swap');
  });

  it('rejects parameters the release lacks and values the kernel parser refuses', () => {
    expect(() => parseKvmAmdParams(kvm('6.16'), { ciphertext_hiding_asids: '50' })).toThrow(KvmAmdParamError);
    expect(() => parseKvmAmdParams(kvm('7.0'), { debug_swap: '0' })).toThrow(
      /unknown parameter 'debug_swap'/,
    );
    expect(() => parseKvmAmdParams(kvm('7.2'), { ciphertext_hiding_asids: '-1' })).toThrow(
      "kvm_amd: '-1' invalid for parameter 'ciphertext_hiding_asids'",
    );
    expect(() => parseKvmAmdParams(kvm('7.2'), { sev_snp: 'maybe' })).toThrow(KvmAmdParamError);
  });

  it('parses command-line values into typed params', () => {
    const p = parseKvmAmdParams(kvm('6.18'), { sev_snp: '0', ciphertext_hiding_asids: 4294967295, npt: 'Y' });
    expect(p).toMatchObject({ sev: true, sev_snp: false, ciphertext_hiding_asids: 4294967295, npt: true });
  });

  it('sysfs reads bools as Y/N and integers in decimal', () => {
    expect(sysfsValue(true)).toBe('Y');
    expect(sysfsValue(false)).toBe('N');
    expect(sysfsValue(100)).toBe('100');
  });
});
