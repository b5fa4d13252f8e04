/**
 * The firmware's all-core checks against SYSCFG bits of different scope (AMD-ASPFW
 * sev_hal_interface.c, sev_hal.c): SNPEn/VMPLEn per core, MtrrFixDramModEn and VM_HSAVE_PA per
 * thread. An SMT thread offline while Linux enables SNP shares its core's SNPEn but misses MFDM.
 */
import { MSR, SYSCFG } from '@sevsim/hardware';
import { describe, expect, it } from 'vitest';
import { Cmd, SevDataInit, SevDataSnpInitEx, Status } from '@sevsim/psp-abi';
import { lastGuard, platform, snpInit } from './helpers';

/** nosmt / nosmt=force: every second thread offline (kernel/cpu.c cpu_bootable()). */
const siblings = (cores: number) => Array.from({ length: cores }, (_, k) => cores + k);

describe('AMDSEV#154: nosmt=force on Milan, firmware 1.51.3 (https://github.com/AMDESE/AMDSEV/issues/154)', () => {
  it('SNP_INIT_EX fails 0x3 on the per-thread MSR check, then INIT fails 0x1 on the per-core SNPEn check', () => {
    const p = platform({ cpu: 'milan', cores: 8, offlineCores: siblings(8) }, { version: '1.51.3' });
    expect(p.machine.snpEnAllCores()).toBe(true);
    expect(p.machine.rdmsr(8, MSR.SYSCFG) & SYSCFG.MFDM).toBe(0n);
    expect(snpInit(p)).toBe(Status.INVALID_CONFIG);
    expect(lastGuard(p)).toBe('SNP_INIT_EX.msrs-identical');
    expect(p.run('INIT', SevDataInit.encode({}))).toBe(Status.INVALID_PLATFORM_STATE);
    expect(lastGuard(p)).toBe('INIT.snpen-needs-rmp');
    expect(p.psp.snapshot()).toMatchObject({ sev: 'UNINIT', snp: 'UNINIT' });
  });

  it('one thread offlined (its sibling online): the same pair', () => {
    const p = platform({ cpu: 'milan', cores: 8, offlineCores: [3] });
    expect(snpInit(p)).toBe(Status.INVALID_CONFIG);
    expect(lastGuard(p)).toBe('SNP_INIT_EX.msrs-identical');
    expect(p.run('INIT', SevDataInit.encode({}))).toBe(Status.INVALID_PLATFORM_STATE);
  });

  it('both threads of a core offline: that core lacks SNPEn, so SNP_INIT fails the per-core check and INIT succeeds', () => {
    const p = platform({ cpu: 'milan', cores: 8, offlineCores: [3, 11] });
    expect(snpInit(p)).toBe(Status.INVALID_CONFIG);
    expect(lastGuard(p)).toBe('SNP_INIT_EX.cores-snp-enabled');
    expect(p.run('INIT', SevDataInit.encode({}))).toBe(Status.SUCCESS);
  });

  it('VM_HSAVE_PA is checked on every thread: a non-zero value on an offline thread fails the RMP rebuild', () => {
    const p = platform({ cpu: 'milan', cores: 2 });
    p.machine.wrmsr(3, MSR.VM_HSAVE_PA, 0x1000n);
    p.machine.wbinvdAll();
    expect(p.run('SNP_INIT_EX', SevDataSnpInitEx.encode({ initRmp: 1 }))).toBe(Status.INVALID_CONFIG);
    expect(lastGuard(p)).toBe('SNP_INIT_EX.hsave-pa');
  });

  it('MFDM set on every thread (nothing offline): SNP_INIT and then INIT succeed', () => {
    const p = platform({ cpu: 'milan', cores: 8 }, { version: '1.51.3' });
    expect(snpInit(p)).toBe(Status.SUCCESS);
    expect(p.psp.command(Cmd.INIT, SevDataInit.encode({})).status).toBe(Status.SUCCESS);
  });
});
