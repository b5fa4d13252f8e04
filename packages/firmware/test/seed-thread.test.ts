/**
 * The claims of the seed thread (Ashish Kalra, "Re: [PATCH v2 3/3] x86/sev: Add SEV-SNP
 * CipherTextHiding support", 7 Dec 2024) and GitHub AMDESE/AMDSEV #107, as executable checks.
 */
import { MSR, SYSCFG } from '@sevsim/hardware';
import { describe, expect, it } from 'vitest';
import {
  Cmd,
  SevDataDownloadFirmwareEx,
  SevDataInit,
  SevDataSnpGuestStatus,
  SnpGuestStatusOutput,
  Status,
} from '@sevsim/psp-abi';
import { encodeFirmwareImage } from '../src/index';
import { firmwarePage, lastGuard, platform, sevInit, snpGuest, snpInit } from './helpers';

function dlfwEx(p: ReturnType<typeof platform>, version: string): number {
  const image = encodeFirmwareImage({ version });
  const pa = p.machine.allocPages(1) * 4096;
  p.machine.writePhys(pa, image);
  return p.run(
    'SNP_DOWNLOAD_FIRMWARE_EX',
    SevDataDownloadFirmwareEx.encode({ length: 24, fwPaddr: pa, fwLen: image.length }),
  );
}

describe('seed thread: SNP_INIT vs SEV INIT ordering', () => {
  it('SNP_INIT after SEV INIT → INVALID_PLATFORM_STATE (thread point 1; docs/reference/psp-firmware.md §3.2 step 2)', () => {
    const p = platform({}, { snpEnAtBoot: false }); // SNPEn clear: legacy INIT alone works
    expect(sevInit(p, false)).toBe(Status.SUCCESS);
    // SNPEn now set (kernel snp_prepare), then SNP_INIT_EX
    for (const c of p.machine.cores) {
      p.machine.wrmsr(c.id, MSR.SYSCFG, p.machine.rdmsr(c.id, MSR.SYSCFG) | SYSCFG.MFDM);
      p.machine.wrmsr(c.id, MSR.SYSCFG, p.machine.rdmsr(c.id, MSR.SYSCFG) | SYSCFG.SNP_EN | SYSCFG.VMPL_EN);
    }
    expect(snpInit(p)).toBe(Status.INVALID_PLATFORM_STATE);
    expect(lastGuard(p)).toBe('SNP_INIT_EX.platform-uninit');
  });

  it('SEV INIT with SNPEn and no SNP_INIT → 0x01 (thread point 2; docs/reference/psp-firmware.md §2.3 step 4)', () => {
    const p = platform();
    expect(p.machine.snpEnAllCores()).toBe(true);
    expect(p.run('INIT', SevDataInit.encode({}))).toBe(0x01);
    expect(lastGuard(p)).toBe('INIT.snpen-needs-rmp');
  });

  it('SNP_INIT first, then SEV INIT succeeds (the only working order with SNPEn, docs/reference/psp-firmware.md §4 item 1)', () => {
    const p = platform();
    expect(snpInit(p)).toBe(Status.SUCCESS);
    expect(sevInit(p)).toBe(Status.SUCCESS);
    expect(p.psp.snapshot()).toMatchObject({ sev: 'INIT', snp: 'INIT', esConfigured: true });
  });

  it('kvm_amd.sev_snp=0 with SNPEn set: SNP_INIT still first so SEV INIT works (thread)', () => {
    const p = platform();
    expect(snpInit(p)).toBe(0);
    expect(sevInit(p, false)).toBe(0);
  });
});

describe('seed thread: firmware hotloading (DLFW_EX)', () => {
  it('DLFW_EX with SEV INIT → 0x01 ("SEV must be in the UNINIT state")', () => {
    const p = platform();
    snpInit(p);
    sevInit(p);
    expect(dlfwEx(p, '1.55.30')).toBe(0x01);
    expect(lastGuard(p)).toBe('SNP_DOWNLOAD_FIRMWARE_EX.sev-uninit');
  });

  it('DLFW_EX with SNP INIT and an SNP guest running → success, guest survives', () => {
    const p = platform();
    snpInit(p);
    const { gctx } = snpGuest(p, 5);
    expect(dlfwEx(p, '1.55.30')).toBe(Status.SUCCESS);
    const snap = p.psp.snapshot();
    expect(snap.version).toBe('1.55.30');
    expect(snap.committedVersion).toBe('1.55.25'); // provisional
    expect(snap.snpGuests).toEqual([
      expect.objectContaining({ gctx, state: 2, asid: 5, activation: 'active' }),
    ]);
    // The guest is still usable through the new image.
    const out = firmwarePage(p);
    expect(p.run('SNP_GUEST_STATUS', SevDataSnpGuestStatus.encode({ gctxPaddr: gctx, address: out }))).toBe(
      0,
    );
    expect(SnpGuestStatusOutput.decode(p.machine.readPhys(out, 16))).toMatchObject({ asid: 5, state: 2 });
  });

  it('SNP_INIT_EX may precede a hotload, SEV INIT may not (thread)', () => {
    const p = platform();
    expect(snpInit(p)).toBe(0);
    expect(dlfwEx(p, '1.55.30')).toBe(0);
    expect(sevInit(p)).toBe(0);
    expect(dlfwEx(p, '1.55.31')).toBe(Status.INVALID_PLATFORM_STATE);
  });
});

describe('AMDSEV#107', () => {
  it('AMDSEV#107: SNP_INIT 0x3 when SNPEn missing, then INIT 0x1', () => {
    const p = platform();
    // One physical core lost SNPEn (both its threads offline at boot, or nothing set it there).
    p.machine.fwClearSnpEn();
    for (const c of p.machine.cores.filter((c) => c.core !== 0)) {
      p.machine.wrmsr(c.id, MSR.SYSCFG, p.machine.rdmsr(c.id, MSR.SYSCFG) | SYSCFG.SNP_EN | SYSCFG.VMPL_EN);
    }
    expect(p.psp.command(Cmd.SNP_INIT, new Uint8Array(0)).status).toBe(0x03);
    expect(lastGuard(p)).toBe('SNP_INIT.cores-snp-enabled');
    // SNPEn is not on all cores, so the legacy rule does not fire … until it is set everywhere:
    p.machine.wrmsr(0, MSR.SYSCFG, p.machine.rdmsr(0, MSR.SYSCFG) | SYSCFG.SNP_EN | SYSCFG.VMPL_EN);
    expect(p.run('SNP_INIT')).toBe(Status.SUCCESS);
  });

  it('AMDSEV#107 exact pair: SNP_INIT fails 0x3 (SMM lock missing) and the following INIT fails 0x1', () => {
    const p = platform({ bios: { smmLock: false } });
    // Host SNP stays off without SMM lock, so set SNPEn by hand as the reporter's kernel had.
    for (const c of p.machine.cores) {
      p.machine.wrmsr(c.id, MSR.SYSCFG, p.machine.rdmsr(c.id, MSR.SYSCFG) | SYSCFG.MFDM);
      p.machine.wrmsr(c.id, MSR.SYSCFG, p.machine.rdmsr(c.id, MSR.SYSCFG) | SYSCFG.SNP_EN | SYSCFG.VMPL_EN);
    }
    expect(p.machine.snpEnAllCores()).toBe(true);
    expect(p.run('SNP_INIT')).toBe(0x03);
    expect(lastGuard(p)).toBe('SNP_INIT.hwcr-smmlock');
    expect(p.run('INIT', SevDataInit.encode({}))).toBe(0x01);
  });

  it('AMDSEV#107 as reported: a legacy (CSM) boot fails the memory-map check with 0x3, then INIT fails 0x1', () => {
    const p = platform({ bios: { bootMode: 'legacy' } });
    for (const c of p.machine.cores) {
      p.machine.wrmsr(c.id, MSR.SYSCFG, p.machine.rdmsr(c.id, MSR.SYSCFG) | SYSCFG.MFDM);
      p.machine.wrmsr(c.id, MSR.SYSCFG, p.machine.rdmsr(c.id, MSR.SYSCFG) | SYSCFG.SNP_EN | SYSCFG.VMPL_EN);
    }
    expect(p.run('SNP_INIT')).toBe(Status.INVALID_CONFIG);
    expect(lastGuard(p)).toBe('SNP_INIT.memory-map');
    expect(p.run('INIT', SevDataInit.encode({}))).toBe(Status.INVALID_PLATFORM_STATE);
    expect(lastGuard(p)).toBe('INIT.snpen-needs-rmp');
  });
});
