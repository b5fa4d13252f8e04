import { describe, expect, test } from 'vitest';
import {
  createMachine,
  HardwareAccessError,
  HWCR_SMMLOCK,
  MSR,
  SYSCFG,
  SYSCFG_BIOS_MTRR,
} from '@sevsim/hardware';

const small = (extra: Parameters<typeof createMachine>[0] = { cpu: 'genoa' }) =>
  createMachine({ cores: 2, memoryGiB: 4, ...extra });

function enableSnp(m: ReturnType<typeof small>, core: number): string {
  const v = m.rdmsr(core, MSR.SYSCFG) | SYSCFG.MFDM;
  expect(m.wrmsr(core, MSR.SYSCFG, v)).toBe('ok');
  return m.wrmsr(core, MSR.SYSCFG, v | SYSCFG.SNP_EN | SYSCFG.VMPL_EN);
}

describe('SYSCFG rules (docs/reference/psp-firmware.md §8.1)', () => {
  // The MTRR bits: a Genoa host's faulting SNPEn write was 0x3fc0000 (docs/reference/linux-ccp.md §7.4).
  test('BIOS state: the DRAM MTRR bits (0x740000), MemEncryptionModEn when SMEE is on, SNPEn clear, HWCR.SMMLock set', () => {
    const m = small();
    expect(SYSCFG_BIOS_MTRR).toBe(0x740000n);
    expect(m.rdmsr(0, MSR.SYSCFG)).toBe(SYSCFG_BIOS_MTRR | SYSCFG.MEM_ENCRYPT);
    expect(m.rdmsr(0, MSR.HWCR) & HWCR_SMMLOCK).toBe(1n);
    expect(small({ cpu: 'genoa', bios: { smee: false } }).rdmsr(0, MSR.SYSCFG)).toBe(SYSCFG_BIOS_MTRR);
  });

  test('SNPEn needs MFDM on that core', () => {
    const m = small();
    expect(m.wrmsr(0, MSR.SYSCFG, SYSCFG.MEM_ENCRYPT | SYSCFG.SNP_EN)).toBe('#GP');
    expect(m.rdmsr(0, MSR.SYSCFG) & SYSCFG.SNP_EN).toBe(0n);
    expect(enableSnp(m, 0)).toBe('ok');
  });

  test('SNPEn needs MemEncryptionModEn (SMEE off → #GP)', () => {
    const m = small({ cpu: 'genoa', bios: { smee: false } });
    expect(m.wrmsr(0, MSR.SYSCFG, SYSCFG.MFDM)).toBe('ok');
    expect(m.wrmsr(0, MSR.SYSCFG, SYSCFG.MFDM | SYSCFG.SNP_EN)).toBe('#GP');
  });

  test('SNPEn needs the RMP MSRs programmed (BIOS snp off → #GP)', () => {
    const m = small({ cpu: 'genoa', bios: { snp: false } });
    expect(m.rdmsr(0, MSR.RMP_BASE)).toBe(0n);
    expect(enableSnp(m, 0)).toBe('#GP');
  });

  test('SNPEn is sticky: clearing it is #GP and leaves it set; only fwClearSnpEn clears it (docs/reference/psp-firmware.md §3.3)', () => {
    const m = small();
    for (const c of m.cores) expect(enableSnp(m, c.id)).toBe('ok');
    expect(m.snpEnAllCores()).toBe(true);
    const v = m.rdmsr(1, MSR.SYSCFG);
    expect(m.wrmsr(1, MSR.SYSCFG, v & ~SYSCFG.SNP_EN)).toBe('#GP');
    expect(m.rdmsr(1, MSR.SYSCFG) & SYSCFG.SNP_EN).toBe(SYSCFG.SNP_EN);
    m.fwClearSnpEn();
    expect(m.snpEnAllCores()).toBe(false);
    expect(m.snapshot().snpEn).toEqual([false, false, false, false]);
    // Other bits survive the hidden-MSR write; only bit 24 goes.
    expect(m.rdmsr(1, MSR.SYSCFG)).toBe(v & ~SYSCFG.SNP_EN);
  });

  // SNPEn and VMPLEn are per physical core, shared by its SMT threads; MtrrFixDramModEn is per
  // thread (AMD 24593 §15.36.2; AMD-ASPFW sev_hal_interface.c keeps SNP_EN/VMPL_EN per core;
  // https://github.com/AMDESE/AMDSEV/issues/154).
  test('an offline SMT thread reads SNPEn|VMPLEn its sibling set, but not the sibling’s MFDM', () => {
    // 2 cores: CPU 3 is thread 1 of core 1, sibling of CPU 1.
    const m = small({ cpu: 'genoa', offlineCores: [3] });
    for (const c of m.cores.filter((c) => c.online)) expect(enableSnp(m, c.id)).toBe('ok');
    expect(m.snpEnAllCores()).toBe(true);
    expect(m.rdmsr(3, MSR.SYSCFG)).toBe(
      SYSCFG_BIOS_MTRR | SYSCFG.MEM_ENCRYPT | SYSCFG.SNP_EN | SYSCFG.VMPL_EN,
    );
    expect(m.rdmsr(1, MSR.SYSCFG)).toBe(
      SYSCFG_BIOS_MTRR | SYSCFG.MEM_ENCRYPT | SYSCFG.MFDM | SYSCFG.SNP_EN | SYSCFG.VMPL_EN,
    );
    expect(() => m.wrmsr(3, MSR.SYSCFG, 0n)).toThrow(HardwareAccessError);
  });

  test('a core with both threads offline keeps SNPEn clear', () => {
    const m = small({ cpu: 'genoa', offlineCores: [1, 3] });
    for (const c of m.cores.filter((c) => c.online)) enableSnp(m, c.id);
    expect(m.snpEnAllCores()).toBe(false);
    expect(m.snapshot().snpEn).toEqual([true, false, true, false]);
  });

  test('VMPLEn written on one thread changes it for the sibling; MFDM does not cross', () => {
    const m = small();
    expect(m.wrmsr(0, MSR.SYSCFG, SYSCFG.MEM_ENCRYPT | SYSCFG.MFDM | SYSCFG.VMPL_EN)).toBe('ok');
    expect(m.rdmsr(2, MSR.SYSCFG)).toBe(SYSCFG_BIOS_MTRR | SYSCFG.MEM_ENCRYPT | SYSCFG.VMPL_EN);
    expect(m.wrmsr(2, MSR.SYSCFG, SYSCFG.MEM_ENCRYPT)).toBe('ok');
    expect(m.rdmsr(0, MSR.SYSCFG)).toBe(SYSCFG.MEM_ENCRYPT | SYSCFG.MFDM);
  });

  test('SNPEn set on one thread is sticky for both: the sibling cannot clear it either', () => {
    const m = small();
    expect(enableSnp(m, 0)).toBe('ok');
    expect(m.wrmsr(2, MSR.SYSCFG, m.rdmsr(2, MSR.SYSCFG) & ~SYSCFG.SNP_EN)).toBe('#GP');
    expect(m.rdmsr(2, MSR.SYSCFG) & SYSCFG.SNP_EN).toBe(SYSCFG.SNP_EN);
  });

  test('MemEncryptionModEn belongs to the BIOS: changing it is #GP', () => {
    const m = small();
    expect(m.wrmsr(0, MSR.SYSCFG, 0n)).toBe('#GP');
  });

  test('genoa erratum: SNPEn 0→1 with non-zero VM_HSAVE_PA on the SMT sibling is #GP (docs/reference/linux-ccp.md §7.4)', () => {
    const m = small();
    // cores: 2 physical → CPU 0's sibling is CPU 2.
    expect(m.wrmsr(2, MSR.VM_HSAVE_PA, 0x10_0000n)).toBe('ok');
    expect(enableSnp(m, 0)).toBe('#GP');
    expect(m.wrmsr(2, MSR.VM_HSAVE_PA, 0n)).toBe('ok');
    expect(m.wrmsr(0, MSR.SYSCFG, m.rdmsr(0, MSR.SYSCFG) | SYSCFG.SNP_EN)).toBe('ok');
    // Milan (model 01h) does not have it.
    const milan = small({ cpu: 'milan' });
    milan.wrmsr(2, MSR.VM_HSAVE_PA, 0x10_0000n);
    expect(enableSnp(milan, 0)).toBe('ok');
  });

  // AMD revision guide 57095 (docs/reference/linux-ccp.md §7.4): "one of the threads that share the
  // physical core has a non-zero value in the VM_HSAVE_PA MSR" — the writing thread is one of them.
  test("genoa erratum: the writing thread's own VM_HSAVE_PA counts too, with its sibling at 0 or offline", () => {
    const m = small();
    expect(m.wrmsr(0, MSR.VM_HSAVE_PA, 0x10_0000n)).toBe('ok');
    expect(m.rdmsr(2, MSR.VM_HSAVE_PA)).toBe(0n);
    expect(enableSnp(m, 0)).toBe('#GP');
    expect(m.rdmsr(0, MSR.SYSCFG) & SYSCFG.SNP_EN).toBe(0n);
    // Core 1 (CPUs 1 and 3) has no host save area: SNPEn sets there and only there.
    expect(enableSnp(m, 1)).toBe('ok');
    expect(m.rdmsr(3, MSR.SYSCFG) & SYSCFG.SNP_EN).toBe(SYSCFG.SNP_EN);
    // `nosmt`: CPU 2 offline keeps VM_HSAVE_PA 0; CPU 0's own value still faults.
    const nosmt = small({ cpu: 'genoa', offlineCores: [2, 3] });
    nosmt.wrmsr(0, MSR.VM_HSAVE_PA, 0x10_0000n);
    expect(enableSnp(nosmt, 0)).toBe('#GP');
    expect(nosmt.wrmsr(0, MSR.VM_HSAVE_PA, 0n)).toBe('ok');
    expect(enableSnp(nosmt, 0)).toBe('ok');
  });

  test('VM_HSAVE_PA is writable (4 KB aligned), RMP MSRs are not', () => {
    const m = small();
    expect(m.wrmsr(1, MSR.VM_HSAVE_PA, 0x2000n)).toBe('ok');
    expect(m.rdmsr(1, MSR.VM_HSAVE_PA)).toBe(0x2000n);
    expect(m.wrmsr(1, MSR.VM_HSAVE_PA, 0x2001n)).toBe('#GP');
    expect(m.wrmsr(0, MSR.RMP_BASE, 0n)).toBe('#GP');
    expect(m.wrmsr(0, MSR.HWCR, 0n)).toBe('#GP');
  });

  test('RMP MSRs: contiguous base/end 1 MB aligned on genoa; turin segmented with RMP_END 0 (docs/reference/psp-firmware.md §5.1)', () => {
    const g = createMachine({ cpu: 'genoa', memoryGiB: 8 });
    const base = g.rdmsr(0, MSR.RMP_BASE);
    const end = g.rdmsr(0, MSR.RMP_END);
    expect(base % (1n << 20n)).toBe(0n);
    expect((end + 1n - base) % (1n << 20n)).toBe(0n);
    // 16 KB + 16 B per 4 KB page of 8 GiB = 32 MB + 16 KB → 34 MB after 2 MB rounding.
    expect(end + 1n - base).toBe(34n << 20n);
    expect(() => g.rdmsr(0, MSR.RMP_CFG)).toThrow(HardwareAccessError);
    const t = createMachine({ cpu: 'turin', memoryGiB: 8 });
    expect(t.rdmsr(0, MSR.RMP_END)).toBe(0n);
    expect(t.rdmsr(0, MSR.RMP_CFG)).toBe(1n | (0x24n << 8n));
    expect(t.rmp.segmented).toBe(true);
  });

  test("turin with bios.rmpSegmented false: RMP_CFG enable bit clear, contiguous RMP_BASE..RMP_END as on genoa, and it may end off 2 MB (Linux v6.14 arch/x86/virt/svm/sev.c snp_probe_rmptable_info(): the kernel follows RMP_CFG, so the form is the BIOS's choice)", () => {
    const t = createMachine({ cpu: 'turin', memoryGiB: 8, bios: { rmpSegmented: false } });
    const g = createMachine({ cpu: 'genoa', memoryGiB: 8 });
    // The CPU still has the feature (CPUID 0x8000001F EAX[23]) and RMP_CFG reads; only the BIOS's bit is clear.
    expect(t.rdmsr(0, MSR.RMP_CFG)).toBe(0n);
    expect(t.rmp.segmented).toBe(false);
    expect(t.rdmsr(0, MSR.RMP_BASE)).toBe(g.rdmsr(0, MSR.RMP_BASE));
    expect(t.rdmsr(0, MSR.RMP_END)).toBe(g.rdmsr(0, MSR.RMP_END));
    const u = createMachine({
      cpu: 'turin',
      memoryGiB: 8,
      bios: { rmpSegmented: false, rmpUnaligned: 'end' },
    });
    expect((u.rdmsr(0, MSR.RMP_END) + 1n) % (2n << 20n)).toBe(1n << 20n);
    // Absent or true: the segmented form, as before.
    expect(
      createMachine({ cpu: 'turin', memoryGiB: 8, bios: { rmpSegmented: true } }).rdmsr(0, MSR.RMP_CFG),
    ).toBe(1n | (0x24n << 8n));
  });

  test('bios.rmpSegmented: true only on a CPU with a segmented RMP; unaligned ends and rmpSegments only in the form they describe', () => {
    expect(() => createMachine({ cpu: 'genoa', bios: { rmpSegmented: true } })).toThrow(
      'bios.rmpSegmented: genoa has a contiguous RMP only',
    );
    expect(createMachine({ cpu: 'genoa', memoryGiB: 4, bios: { rmpSegmented: false } }).rmp.segmented).toBe(
      false,
    );
    expect(() => createMachine({ cpu: 'turin', bios: { rmpUnaligned: 'end' } })).toThrow(
      /^bios\.rmpUnaligned: turin's BIOS lays out a segmented RMP; .*\(bios\.rmpSegmented: false\)$/,
    );
    expect(() =>
      createMachine({
        cpu: 'turin',
        memoryGiB: 8,
        bios: {
          rmpSegmented: false,
          rmpSegments: {
            segmentGiB: 64,
            base: 0x1000_0000,
            segments: [{ index: 0, at: 0x1020_0000, mappedGiB: 8 }],
          },
        },
      }),
    ).toThrow('bios.rmpSegments: a segmented layout, but bios.rmpSegmented is false');
    expect(() => createMachine({ cpu: 'turin', bios: { rmpSegmented: 'no' as unknown as boolean } })).toThrow(
      'bios.rmpSegmented must be true or false, got "no"',
    );
  });

  test('WBINVD tracking: per-core flags, offline cores count as flushed, firmware clears', () => {
    const m = small({ cpu: 'genoa', offlineCores: [3] });
    expect(m.fwWbinvdDoneAll()).toBe(false);
    m.wbinvd(0);
    expect(m.fwWbinvdDone(0)).toBe(true);
    expect(m.fwWbinvdDoneAll()).toBe(false);
    m.wbinvdAll();
    expect(m.fwWbinvdDoneAll()).toBe(true);
    expect(m.fwWbinvdDone(3)).toBe(false);
    m.fwClearWbinvd();
    expect(m.fwWbinvdDoneAll()).toBe(false);
    expect(() => m.wbinvd(3)).toThrow(/offline core 3/);
  });
});
