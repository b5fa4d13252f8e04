/** The README example, verbatim, proven to run. */
import { expect, it, vi } from 'vitest';
import { type KernelParam, parseModuleArgs } from '@sevsim/kernel';

it('README example: kvm_amd parameters parsed as load_module does', () => {
  const out = vi.spyOn(console, 'log').mockImplementation(() => {});
  // --- example start
  const kvmAmd: KernelParam[] = [
    { name: 'sev_snp', type: 'bool', default: true },
    { name: 'ciphertext_hiding_asids', type: 'uint', default: 0 },
  ];
  const v6_18 = { kstrtoboolEnableDisable: true };

  const ok = parseModuleArgs(
    'kvm_amd',
    [
      ['sev_snp', 'disable'],
      ['ciphertext_hiding_asids', '0x32'],
    ],
    kvmAmd,
    v6_18,
  );
  console.log(ok.rc, ok.values); // 0 { sev_snp: false, ciphertext_hiding_asids: 50 }

  const bad = parseModuleArgs('kvm_amd', [['ciphertext_hiding_asids', 'max']], kvmAmd, v6_18);
  console.log(bad.rc, bad.log); // -22 [ "kvm_amd: `max' invalid for parameter `ciphertext_hiding_asids'" ]
  // --- example end
  expect(out.mock.calls).toEqual([
    [0, { sev_snp: false, ciphertext_hiding_asids: 50 }],
    [-22, ["kvm_amd: `max' invalid for parameter `ciphertext_hiding_asids'"]],
  ]);
  out.mockRestore();
});
