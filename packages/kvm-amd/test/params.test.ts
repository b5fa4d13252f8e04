import { Errno } from '@sevsim/kernel';
import { describe, expect, it } from 'vitest';
import { parseKvmAmdParams, paramsForRelease, RELEASES } from '../src/index';

const release = (v: string) => RELEASES[v]!;

describe('kvm_amd parameters (docs/reference/linux-kvm-amd.md §2.1)', () => {
  it('ciphertext_hiding_asids exists from 6.18; debug_swap until 7.0 (exclusive)', () => {
    const names = (v: string) => paramsForRelease(release(v).kvm).map((p) => p.name);
    expect(names('6.16')).toContain('debug_swap');
    expect(names('6.16')).not.toContain('ciphertext_hiding_asids');
    expect(names('6.18')).toEqual(expect.arrayContaining(['ciphertext_hiding_asids', 'debug_swap']));
    expect(names('7.0')).toContain('ciphertext_hiding_asids');
    expect(names('7.0')).not.toContain('debug_swap');
  });

  it("a value the kernel refuses fails the load with kernel/params.c's line (issue 9 item 2)", () => {
    const r = parseKvmAmdParams(release('7.2'), { ciphertext_hiding_asids: 'max' });
    expect(r.rc).toBe(-Errno.EINVAL);
    expect(r.log).toEqual(["kvm_amd: `max' invalid for parameter `ciphertext_hiding_asids'"]);
    expect(parseKvmAmdParams(release('7.2'), { ciphertext_hiding_asids: '-1' }).rc).toBe(-Errno.EINVAL);
  });

  it("a name the release lacks is ignored with the loader's warning (unknown_module_param_cb)", () => {
    const r = parseKvmAmdParams(release('7.0'), { debug_swap: '0' });
    expect(r.rc).toBe(0);
    expect(r.log).toEqual(["kvm_amd: unknown parameter 'debug_swap' ignored"]);
  });

  it("parses command-line text with base 0 and the release's kstrtobool", () => {
    const p = parseKvmAmdParams(release('6.18'), {
      sev_snp: 'disable',
      ciphertext_hiding_asids: '0x32',
      npt: 'Y',
      nrips: '+0',
    });
    expect(p.rc).toBe(0);
    expect(p.params).toMatchObject({
      sev: true,
      sev_snp: false,
      ciphertext_hiding_asids: 50,
      npt: true,
      nrips: 0,
    });
    // 6.16 predates kstrtobool's enabled/disabled (commit ae5b3500856f, v6.17).
    expect(parseKvmAmdParams(release('6.16'), { sev_snp: 'disable' }).log).toEqual([
      "kvm_amd: `disable' invalid for parameter `sev_snp'",
    ]);
    expect(parseKvmAmdParams(release('6.17'), { sev_snp: 'disable' }).params.sev_snp).toBe(false);
  });

  it('a list keeps every argument in order: the later one wins, a refused earlier one still fails', () => {
    const later = parseKvmAmdParams(release('7.2'), [
      ['sev_snp', '0'],
      ['sev_snp', '1'],
    ]);
    expect(later.params.sev_snp).toBe(true);
    const r = parseKvmAmdParams(release('7.2'), [
      ['sev_snp', 'maybe'],
      ['sev_snp', '1'],
    ]);
    expect(r.rc).toBe(-Errno.EINVAL);
  });
});
