import { describe, expect, test } from 'vitest';
import { createMachine, HardwareConfigError, type MachineConfig } from '@sevsim/hardware';

const bad = (c: MachineConfig, msg: RegExp) => () => {
  expect(() => createMachine(c)).toThrow(HardwareConfigError);
  expect(() => createMachine(c)).toThrow(msg);
};

describe('createMachine validation', () => {
  test('defaults: genoa, 1006 ASIDs, EDX 100, 96 cores × SMT2, IOMMU translated, SNP BIOS on', () => {
    const m = createMachine({ cpu: 'genoa' });
    expect(m.config.asids).toBe(1006);
    expect(m.config.bios.minSevAsid).toBe(100);
    expect(m.cores).toHaveLength(192);
    expect(m.config.iommu).toBe('translated');
    expect(m.config.bios.snp).toBe(true);
    expect(m.config.bios.ciphertextHiding).toBe(false);
    expect(createMachine({ cpu: 'turin' }).config.bios.ciphertextHiding).toBe(true);
  });

  test('unknown cpu', bad({ cpu: 'naples' as never }, /unknown cpu "naples"/));
  test(
    'asids above the firmware MAX_SEV_ASIDS 1006 (docs/reference/psp-firmware.md §7.3)',
    bad({ cpu: 'genoa', asids: 1007 }, /1\.\.1006/),
  );
  test('asids 0', bad({ cpu: 'genoa', asids: 0 }, /asids/));
  test('minSevAsid above asids+1', bad({ cpu: 'genoa', asids: 10, bios: { minSevAsid: 12 } }, /0\.\.11/));
  test(
    'ciphertext hiding on a CPU without it',
    bad({ cpu: 'genoa', bios: { ciphertextHiding: true } }, /genoa has no ciphertext-hiding/),
  );
  test(
    'offline core that does not exist',
    bad({ cpu: 'genoa', cores: 4, offlineCores: [8] }, /offline core 8 does not exist/),
  );
  test('core 0 offline', bad({ cpu: 'genoa', offlineCores: [0] }, /core 0/));
  test('unknown bios key', bad({ cpu: 'genoa', bios: { sev: true } as never }, /unknown bios option "sev"/));
  test('bad iommu mode', bad({ cpu: 'genoa', iommu: 'on' as never }, /iommu must be one of/));
  test(
    'bad boot mode',
    bad({ cpu: 'genoa', bios: { bootMode: 'csm' as never } }, /bios.bootMode must be one of uefi, legacy/),
  );

  test('minSevAsid = asids + 1 is allowed (SEV unusable case, docs/reference/linux-kvm-amd.md §2.5)', () => {
    expect(createMachine({ cpu: 'genoa', asids: 10, bios: { minSevAsid: 11 } }).cpuid(0x8000001f).edx).toBe(
      11,
    );
  });

  test('offline cores are present but not online; BIOS without IOMMU resolves to mode off', () => {
    const m = createMachine({ cpu: 'milan', cores: 2, offlineCores: [2, 3], bios: { iommu: false } });
    expect(m.cores.map((c) => [c.id, c.present, c.online])).toEqual([
      [0, true, true],
      [1, true, true],
      [2, true, false],
      [3, true, false],
    ]);
    expect(m.iommu.mode).toBe('off');
    expect(m.iommu.logPages).toEqual([]);
  });
});
