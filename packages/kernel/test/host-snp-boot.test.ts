import { describe, expect, test } from 'vitest';
import { createMachine, type MachineConfig, MSR, SYSCFG, SYSCFG_BIOS_MTRR } from '@sevsim/hardware';
import { hostSnpBoot } from '../src/index';

const boot = (c: Partial<MachineConfig>, snpEnAtBoot = false) => {
  const m = createMachine({ cpu: 'genoa', cores: 2, memoryGiB: 4, ...c });
  return { m, r: hostSnpBoot(m, { snpEnAtBoot }) };
};

describe('hostSnpBoot: CC_ATTR_HOST_SEV_SNP decision chain (docs/reference/linux-ccp.md §7.1, §7.2)', () => {
  test('success on genoa: RMP range line, then AMD-Vi enabled line', () => {
    const { r } = boot({});
    expect(r).toEqual({
      hostSnp: true,
      log: [
        'SEV-SNP: RMP table physical range [0x00000000fee00000 - 0x00000000ffffffff]',
        'AMD-Vi: IOMMU SNP support enabled.',
      ],
      e820Reserved: [],
    });
  });

  test('success on turin: segmented RMP lines (docs/reference/linux-ccp.md §7.1 step 2, 5)', () => {
    const { r } = boot({ cpu: 'turin' });
    expect(r.hostSnp).toBe(true);
    expect(r.log).toEqual([
      'SEV-SNP: Segmented RMP base table physical range [0x00000000fee00000 - 0x00000000fee05000]',
      'SEV-SNP: Segmented RMP using 64GB segments',
      'SEV-SNP: RMP segment 0 physical address [0xfef00000 - 0xffefffff] covering [0x0 - 0xffffffff]',
      'AMD-Vi: IOMMU SNP support enabled.',
    ]);
  });

  test('≤6.13 on turin: the probe reads RMP_END, 0 on a segmented-RMP BIOS → "not been reserved by BIOS", no host SNP (Linux v6.13 arch/x86/virt/svm/sev.c snp_probe_rmptable_info)', () => {
    const m = createMachine({ cpu: 'turin', cores: 2, memoryGiB: 4 });
    // The BIOS enabled the segmented RMP: RMP_CFG bit 0 set, RMP_BASE set, RMP_END ignored by the CPU and left 0.
    expect(m.rdmsr(0, MSR.RMP_CFG) & 1n).toBe(1n);
    expect(m.rdmsr(0, MSR.RMP_BASE)).not.toBe(0n);
    expect(m.rdmsr(0, MSR.RMP_END)).toBe(0n);
    const r = hostSnpBoot(m, { snpEnAtBoot: true, rmpInitAfterIommu: true, rmpContiguousOnly: true });
    expect(r).toEqual({
      hostSnp: false,
      log: ['SEV-SNP: Memory for the RMP table has not been reserved by BIOS'],
      disabledBy: { id: 'rmp-segmented-unknown', fact: 'docs/reference/linux-ccp.md §7.1 step 2' },
      e820Reserved: [],
      snpFeatureCleared: true,
    });
    // Nothing past the probe ran: the RMP is untouched and no CPU has SNPEn.
    expect(m.snpEnAllCores()).toBe(false);
    // A contiguous RMP (Genoa) on the same profile is read as before.
    const g = createMachine({ cpu: 'genoa', cores: 2, memoryGiB: 4 });
    expect(hostSnpBoot(g, { snpEnAtBoot: false, rmpContiguousOnly: true }).hostSnp).toBe(true);
  });

  test('SMEE off → disabled silently (step 1)', () => {
    const { r } = boot({ bios: { smee: false } });
    expect(r).toMatchObject({ hostSnp: false, log: [], disabledBy: { id: 'smee-off' } });
  });

  test('SMMLock clear → disabled silently (step 1)', () => {
    expect(boot({ bios: { smmLock: false } }).r).toMatchObject({
      hostSnp: false,
      log: [],
      disabledBy: { id: 'smm-lock-clear' },
    });
  });

  test('BIOS SNP off → "Memory for the RMP table has not been reserved by BIOS" (step 2)', () => {
    const { r } = boot({ bios: { snp: false } });
    expect(r.hostSnp).toBe(false);
    expect(r.log).toEqual(['SEV-SNP: Memory for the RMP table has not been reserved by BIOS']);
    expect(boot({ bios: { snpMemoryCoverage: 'none' } }).r.log).toEqual(r.log);
    expect(boot({ cpu: 'turin', bios: { snp: false } }).r.log).toEqual(r.log);
  });

  test('IOMMU absent or off → disabled without an AMD-Vi line (step 4, amd_iommu_detect)', () => {
    expect(boot({ bios: { iommu: false } }).r).toMatchObject({
      hostSnp: false,
      disabledBy: { id: 'iommu-absent' },
    });
    const { r } = boot({ iommu: 'off' });
    expect(r.disabledBy?.id).toBe('iommu-off');
    expect(r.log).toEqual(['SEV-SNP: RMP table physical range [0x00000000fee00000 - 0x00000000ffffffff]']);
  });

  test('IOMMU passthrough → "IOMMU disabled or configured in passthrough mode" (step 4)', () => {
    const { r } = boot({ iommu: 'passthrough' });
    expect(r.hostSnp).toBe(false);
    expect(r.log.at(-1)).toBe(
      'AMD-Vi: SNP: IOMMU disabled or configured in passthrough mode, SNP cannot be supported.',
    );
  });

  test('IOMMU EFR without SNPSup → "IOMMU SNP feature not enabled" (step 4)', () => {
    const { r } = boot({ bios: { iommuSnp: false } });
    expect(r.log.at(-1)).toBe('AMD-Vi: SNP: IOMMU SNP feature not enabled, SNP cannot be supported.');
    expect(r.disabledBy?.id).toBe('iommu-no-snp');
  });

  test('partial coverage → "does not cover full system RAM", then RMP initialization failed (step 5)', () => {
    const { r } = boot({ bios: { snpMemoryCoverage: 'partial' } });
    expect(r.log.slice(1)).toEqual([
      // expected = 16 B × 1Mi pages + 16 KB; got = the 2 MB-rounded half-size table.
      'SEV-SNP: Memory reserved for the RMP table does not cover full system RAM (expected 0x1004000 got 0xa00000)',
      'AMD-Vi: SNP: RMP initialization failed, SNP cannot be supported.',
    ]);
    const t = boot({ cpu: 'turin', bios: { snpMemoryCoverage: 'partial' } }).r;
    expect(t.log.at(-2)).toBe(
      'SEV-SNP: Segmented RMP does not cover full system RAM (expected 0xff600000 got 0x80000000)',
    );
  });

  test('≤6.13: snp_rmptable_init() is a device_initcall after iommu_snp_enable(): the IOMMU line comes first and a coverage failure only clears the attribute (commit 409f45387c93, 6.14)', () => {
    const m = createMachine({ cpu: 'genoa', cores: 2, memoryGiB: 4, bios: { snpMemoryCoverage: 'partial' } });
    const r = hostSnpBoot(m, { snpEnAtBoot: true, rmpInitAfterIommu: true });
    expect(r.hostSnp).toBe(false);
    expect(r.disabledBy?.id).toBe('rmp-coverage');
    expect(r.log.slice(1)).toEqual([
      'AMD-Vi: IOMMU SNP support enabled.',
      'SEV-SNP: Memory reserved for the RMP table does not cover full system RAM (expected 0x1004000 got 0xa00000)',
    ]);
    const ok = hostSnpBoot(createMachine({ cpu: 'genoa', cores: 2, memoryGiB: 4 }), {
      snpEnAtBoot: true,
      rmpInitAfterIommu: true,
    });
    expect(ok.log.at(-1)).toBe('AMD-Vi: IOMMU SNP support enabled.');
    expect(ok.hostSnp).toBe(true);
  });

  test('7.1+: no SNPEn at boot', () => {
    const { m } = boot({}, false);
    expect(m.snapshot().snpEn.some(Boolean)).toBe(false);
  });

  test('≤7.0: RMP cleared, WBINVD, MFDM and SNPEn|VMPLEn on every online CPU; an offline thread gets SNPEn through its core, not MFDM', () => {
    const { m, r } = boot({ offlineCores: [3] }, true);
    expect(r.hostSnp).toBe(true);
    expect(m.snapshot().snpEn).toEqual([true, true, true, true]);
    expect(m.rdmsr(0, MSR.SYSCFG)).toBe(
      SYSCFG_BIOS_MTRR | SYSCFG.MEM_ENCRYPT | SYSCFG.MFDM | SYSCFG.SNP_EN | SYSCFG.VMPL_EN,
    );
    expect(m.rdmsr(3, MSR.SYSCFG)).toBe(
      SYSCFG_BIOS_MTRR | SYSCFG.MEM_ENCRYPT | SYSCFG.SNP_EN | SYSCFG.VMPL_EN,
    );
    expect(m.snpEnAllCores()).toBe(true);
    expect(m.fwWbinvdDoneAll()).toBe(true);
  });

  test('≤7.0 kexec: SNPEn already set → the RMP is not cleared', () => {
    const { m } = boot({}, true);
    m.rmp.rmpupdate(0x1000, { assigned: true, immutable: true });
    const again = hostSnpBoot(m, { snpEnAtBoot: true });
    expect(again.hostSnp).toBe(true);
    expect(m.rmp.state(0x1000)).toBe('FIRMWARE');
  });
});

describe('hostSnpBoot on a two-socket machine', () => {
  test('≤7.0 boot sets SNPEn on every CPU of both sockets', () => {
    const m = createMachine({ cpu: 'genoa', sockets: 2, cores: 4, memoryGiB: 4 });
    expect(hostSnpBoot(m, { snpEnAtBoot: true }).hostSnp).toBe(true);
    expect(m.snapshot().snpEn).toEqual(new Array(16).fill(true));
  });
});
