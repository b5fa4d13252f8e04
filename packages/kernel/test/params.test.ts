import { describe, expect, it } from 'vitest';
import { Errno, type KernelParam, paramGet, paramText, parseArgs, parseModuleArgs } from '../src/index';

const v6_12 = { kstrtoboolEnableDisable: false };
const v6_18 = { kstrtoboolEnableDisable: true };

/** kvm_amd's sev.c parameters (module_param(sev_snp, bool, 0444); module_param_named(
 *  ciphertext_hiding_asids, nr_ciphertext_hiding_asids, uint, 0444)) and svm.c's nrips (int). */
const KVM_AMD: KernelParam[] = [
  { name: 'sev_snp', type: 'bool', default: true },
  { name: 'ciphertext_hiding_asids', type: 'uint', default: 0 },
  { name: 'nrips', type: 'int', default: 1 },
];
const CCP: KernelParam[] = [{ name: 'init_ex_path', type: 'charp', default: null }];

describe('parse_args (kernel/params.c)', () => {
  it("a value the uint parser refuses: the kernel's own line, rc -EINVAL (issue 9 item 2)", () => {
    const r = parseModuleArgs('kvm_amd', [['ciphertext_hiding_asids', 'max']], KVM_AMD, v6_18);
    expect(r.rc).toBe(-Errno.EINVAL);
    expect(r.log).toEqual(["kvm_amd: `max' invalid for parameter `ciphertext_hiding_asids'"]);
  });

  it('out of range is -ERANGE with the same "invalid" line', () => {
    const r = parseModuleArgs('kvm_amd', [['ciphertext_hiding_asids', '4294967296']], KVM_AMD, v6_18);
    expect(r.rc).toBe(-Errno.ERANGE);
    expect(r.log).toEqual(["kvm_amd: `4294967296' invalid for parameter `ciphertext_hiding_asids'"]);
  });

  it('base 0 and kstrtobool per release: 0x32 is 50, "disable" is false only since 6.17', () => {
    const args = [
      ['ciphertext_hiding_asids', '0x32'],
      ['sev_snp', 'disable'],
    ] as const;
    const new_ = parseModuleArgs('kvm_amd', args, KVM_AMD, v6_18);
    expect(new_).toEqual({
      rc: 0,
      values: { sev_snp: false, ciphertext_hiding_asids: 50, nrips: 1 },
      log: [],
    });
    const old = parseModuleArgs('kvm_amd', args, KVM_AMD, v6_12);
    expect(old.rc).toBe(-Errno.EINVAL);
    expect(old.log).toEqual(["kvm_amd: `disable' invalid for parameter `sev_snp'"]);
    expect(old.values.ciphertext_hiding_asids).toBe(50);
  });

  it('keeps going after a failure and returns the last error', () => {
    const r = parseModuleArgs(
      'kvm_amd',
      [
        ['nrips', '2147483648'],
        ['sev_snp', 'x'],
        ['ciphertext_hiding_asids', '7'],
      ],
      KVM_AMD,
      v6_18,
    );
    expect(r.rc).toBe(-Errno.EINVAL);
    expect(r.log).toEqual([
      "kvm_amd: `2147483648' invalid for parameter `nrips'",
      "kvm_amd: `x' invalid for parameter `sev_snp'",
    ]);
    expect(r.values.ciphertext_hiding_asids).toBe(7);
  });

  it('a bare name sets a bool (KERNEL_PARAM_OPS_FL_NOARG) and is -EINVAL for the rest, printed as ``', () => {
    const r = parseModuleArgs('kvm_amd', [['sev_snp', null]], KVM_AMD, v6_18);
    expect(r.values.sev_snp).toBe(true);
    const bad = parseModuleArgs('kvm_amd', [['nrips', null]], KVM_AMD, v6_18);
    expect(bad.rc).toBe(-Errno.EINVAL);
    expect(bad.log).toEqual(["kvm_amd: `' invalid for parameter `nrips'"]);
  });

  it("'-' and '_' are the same in a parameter name (parameq)", () => {
    expect(parseModuleArgs('kvm_amd', [['sev-snp', '0']], KVM_AMD, v6_18).values.sev_snp).toBe(false);
  });

  it('load_module ignores an unknown name with a warning (unknown_module_param_cb)', () => {
    const r = parseModuleArgs('kvm_amd', [['avic_x', '1']], KVM_AMD, v6_18);
    expect(r.rc).toBe(0);
    expect(r.log).toEqual(["kvm_amd: unknown parameter 'avic_x' ignored"]);
  });

  it('without a handler an unknown name is -ENOENT, "Unknown parameter"', () => {
    const r = parseArgs('Booting kernel', [['nosuch', '1']], [], v6_18);
    expect(r.rc).toBe(-Errno.ENOENT);
    expect(r.log).toEqual(["Booting kernel: Unknown parameter `nosuch'"]);
  });

  it('charp: more than 1024 bytes is -ENOSPC with param_set_charp\'s own line, then "too large"', () => {
    const long = 'a'.repeat(1025);
    const r = parseModuleArgs('ccp', [['init_ex_path', long]], CCP, v6_18);
    expect(r.rc).toBe(-Errno.ENOSPC);
    expect(r.log).toEqual([
      'init_ex_path: string parameter too long',
      `ccp: \`${long}' too large for parameter \`init_ex_path'`,
    ]);
    expect(parseModuleArgs('ccp', [['init_ex_path', 'a'.repeat(1024)]], CCP, v6_18).rc).toBe(0);
  });
});

describe('text in, sysfs out', () => {
  it('paramText writes typed values as on a command line', () => {
    expect(paramText(50)).toBe('50');
    expect(paramText(1e21)).toBe('1000000000000000000000');
    expect(paramText(false)).toBe('false');
    expect(paramText(null)).toBeNull();
  });

  it('param_get_bool reads Y/N, integers in decimal, an unset charp as (null)', () => {
    expect(paramGet(true)).toBe('Y');
    expect(paramGet(0x32)).toBe('50');
    expect(paramGet(null)).toBe('(null)');
  });
});
