/** SNP_INIT(_EX) and SNP_SHUTDOWN(_EX) (docs/reference/psp-firmware.md §3.2, §3.3, §4, §5.6, §8.3). */
import { MSR, SYSCFG } from '@sevsim/hardware';
import { describe, expect, it } from 'vitest';
import { Cmd, SevDataSnpInitEx, Status, encodeRangeList } from '@sevsim/psp-abi';
import { lastGuard, platform, sevInit, shutdownEx, snpGuest, snpInit } from './helpers';

const initEx = (fields: Parameters<typeof SevDataSnpInitEx.encode>[0]) => SevDataSnpInitEx.encode(fields);

describe('SNP_INIT_EX preconditions, in firmware order (docs/reference/psp-firmware.md §3.2)', () => {
  it('step 1: reserved bits → INVALID_PARAM (before the state check)', () => {
    const p = platform();
    snpInit(p);
    const b = initEx({ initRmp: 1 });
    b[0x20] = 1;
    expect(p.run('SNP_INIT_EX', b)).toBe(Status.INVALID_PARAM);
    expect(lastGuard(p)).toBe('SNP_INIT_EX.reserved');
  });

  it('step 2: SNP already INIT → INVALID_PLATFORM_STATE', () => {
    const p = platform();
    snpInit(p);
    expect(p.run('SNP_INIT_EX', initEx({ initRmp: 1 }))).toBe(Status.INVALID_PLATFORM_STATE);
  });

  it('step 4: INIT_RMP=0 with an RMP never built → RMP_INIT_REQUIRED 0x20', () => {
    expect(platform().run('SNP_INIT_EX', initEx({}))).toBe(Status.RMP_INIT_REQUIRED);
  });

  it('step 4: LIST_PADDR_EN without INIT_RMP → INVALID_PARAM (RMP valid)', () => {
    const p = platform();
    snpInit(p);
    p.run('SNP_SHUTDOWN_EX', shutdownEx(false));
    expect(p.run('SNP_INIT_EX', initEx({ listPaddrEn: 1 }))).toBe(Status.INVALID_PARAM);
    expect(p.run('SNP_INIT_EX', initEx({}))).toBe(0); // keeps the RMP as is
  });

  it('step 5: SNPEn missing on a core → INVALID_CONFIG', () => {
    const p = platform({}, { snpEnAtBoot: false });
    expect(p.run('SNP_INIT_EX', initEx({ initRmp: 1 }))).toBe(Status.INVALID_CONFIG);
    expect(lastGuard(p)).toBe('SNP_INIT_EX.cores-snp-enabled');
  });

  it('step 6: SMM lock clear → INVALID_CONFIG', () => {
    const p = platform({ bios: { smmLock: false } }, { snpEnAtBoot: false });
    for (const c of p.machine.cores) {
      p.machine.wrmsr(c.id, MSR.SYSCFG, p.machine.rdmsr(c.id, MSR.SYSCFG) | SYSCFG.MFDM);
      p.machine.wrmsr(c.id, MSR.SYSCFG, p.machine.rdmsr(c.id, MSR.SYSCFG) | SYSCFG.SNP_EN | SYSCFG.VMPL_EN);
    }
    expect(p.run('SNP_INIT_EX', initEx({ initRmp: 1 }))).toBe(Status.INVALID_CONFIG);
    expect(lastGuard(p)).toBe('SNP_INIT_EX.hwcr-smmlock');
  });

  it('step 8: VM_HSAVE_PA ≠ 0 on a core → INVALID_CONFIG, only when the RMP is rebuilt', () => {
    const p = platform();
    snpInit(p);
    p.run('SNP_SHUTDOWN_EX', shutdownEx(false));
    p.machine.wrmsr(3, MSR.VM_HSAVE_PA, 0x5000n);
    expect(p.run('SNP_INIT_EX', initEx({ initRmp: 1 }))).toBe(Status.INVALID_CONFIG);
    expect(lastGuard(p)).toBe('SNP_INIT_EX.hsave-pa');
    expect(p.run('SNP_INIT_EX', initEx({}))).toBe(0);
  });

  it('IOMMU passthrough is accepted by the firmware; IOMMU off → INVALID_CONFIG (docs/reference/linux-ccp.md §3.3)', () => {
    const p = platform({ iommu: 'off' }, { snpEnAtBoot: false });
    for (const c of p.machine.cores) {
      p.machine.wrmsr(c.id, MSR.SYSCFG, p.machine.rdmsr(c.id, MSR.SYSCFG) | SYSCFG.MFDM);
      p.machine.wrmsr(c.id, MSR.SYSCFG, p.machine.rdmsr(c.id, MSR.SYSCFG) | SYSCFG.SNP_EN | SYSCFG.VMPL_EN);
    }
    expect(p.run('SNP_INIT')).toBe(Status.INVALID_CONFIG);
    expect(lastGuard(p)).toBe('SNP_INIT.iommu-snp');
  });

  it('SNP commands on firmware older than 1.51 → INVALID_COMMAND (docs/reference/psp-firmware.md §7.3)', () => {
    const p = platform({}, { version: '1.49.3' });
    expect(p.run('SNP_INIT')).toBe(Status.INVALID_COMMAND);
  });

  it('LIST_PADDR_EN on 1.51 (before 1.52) is a reserved bit → INVALID_PARAM', () => {
    const p = platform({}, { version: '1.51.3' });
    expect(p.run('SNP_INIT_EX', initEx({ initRmp: 1, listPaddrEn: 1 }))).toBe(Status.INVALID_PARAM);
    expect(p.run('SNP_INIT_EX', initEx({ initRmp: 1 }))).toBe(0);
  });
});

describe('SNP_INIT effects (docs/reference/psp-firmware.md §3.2 Effects, docs/reference/psp-firmware.md §5.6)', () => {
  it('RMP built: table pages Firmware, IOMMU pages FIRMWARE_IOMMU + enforcement, LIST ranges HV_FIXED, ASIDs dirty', () => {
    const p = platform();
    const list = p.machine.allocPages(1) * 4096;
    const fixed = p.machine.allocPages(4);
    p.machine.writePhys(list, encodeRangeList([{ base: fixed * 4096, pageCount: 4 }]));
    p.machine.wbinvdAll();
    expect(p.run('SNP_INIT_EX', initEx({ initRmp: 1, listPaddrEn: 1, listPaddr: list }))).toBe(0);
    const m = p.machine;
    expect(m.rmp.initialised).toBe(true);
    expect(m.iommu.snpEnforced).toBe(true);
    for (const pfn of m.iommu.logPages) expect(m.rmp.state(pfn)).toBe('FIRMWARE_IOMMU');
    for (let i = 0; i < 4; i++) expect(m.rmp.state(fixed + i)).toBe('HV_FIXED');
    expect(m.rmp.state(m.rmp.base / 4096)).toBe('FIRMWARE');
    expect(p.psp.snapshot().asids).toEqual({ dirty: 1006, clean: 0, allocated: 0, inUse: 0 });
    expect(m.rmp.rmpupdate(fixed, { assigned: true, immutable: true })).toBe(2); // FAIL_PERMISSION
  });

  it('a segmented RMP the BIOS spread out (bios.rmpSegments): each piece Firmware, the RAM between them Hypervisor (docs/reference/psp-firmware.md §5.6)', () => {
    const p = platform({
      cpu: 'turin',
      memoryGiB: 8,
      bios: {
        rmpSegments: {
          segmentGiB: 64,
          base: 0x10000000,
          segments: [{ index: 0, at: 0x8100000, mappedGiB: 8 }],
        },
      },
    });
    p.machine.wbinvdAll();
    expect(p.run('SNP_INIT_EX', initEx({ initRmp: 1 }))).toBe(0);
    const m = p.machine;
    const pfn = (pa: number) => pa / 4096;
    // Segment 0's 32 MB of entries from 0x8100000, and the 2 MB block of the bookkeeping area and RST.
    for (const pa of [0x8100000, 0x8100000 + 32 * 2 ** 20 - 4096, 0x10000000, 0x101ff000]) {
      expect(m.rmp.state(pfn(pa))).toBe('FIRMWARE');
    }
    for (const pa of [0x80ff000, 0x8100000 + 32 * 2 ** 20, 0xffff000, 0x10200000]) {
      expect(m.rmp.state(pfn(pa))).toBe('HYPERVISOR');
    }
  });

  it('a RANGE_LIST with more than 255 entries → RMP_INITIALIZATION_FAILED 0x26', () => {
    const p = platform();
    const list = p.machine.allocPages(1) * 4096;
    p.machine.writePhys(list, new Uint8Array([0, 1, 0, 0])); // num_elements = 256
    expect(p.run('SNP_INIT_EX', initEx({ initRmp: 1, listPaddrEn: 1, listPaddr: list }))).toBe(
      Status.RMP_INITIALIZATION_FAILED,
    );
    expect(p.psp.snapshot().snp).toBe('UNINIT');
  });

  it('SNP_ACTIVATE right after SNP_INIT without SNP_DF_FLUSH → DFFLUSH_REQUIRED (docs/reference/psp-firmware.md §3.2)', () => {
    const p = platform();
    p.machine.wbinvdAll();
    p.run('SNP_INIT');
    expect(() => snpGuest(p, 1)).toThrow(/SNP_ACTIVATE failed: 0xf/);
  });
});

describe('ciphertext hiding at SNP_INIT_EX (docs/reference/psp-firmware.md §6, docs/reference/linux-ccp.md §6)', () => {
  it('Turin 1.58 with BIOS CTH: enabled with MAX_SNP_ASID, memory controller hides SNP pages', () => {
    const p = platform({ cpu: 'turin', bios: { ciphertextHiding: true } });
    expect(snpInit(p, { ciphertextHidingEn: 1, maxSnpAsid: 50 })).toBe(0);
    expect(p.psp.snapshot()).toMatchObject({ ciphertextHiding: true, maxSnpAsid: 50 });
    expect(p.machine.memoryController).toMatchObject({ ciphertextHiding: true, maxSnpAsid: 50 });
  });

  it('MAX_SNP_ASID outside 1 … MIN_SEV_ASID−1 → INVALID_PARAM', () => {
    const p = platform({ cpu: 'turin', bios: { ciphertextHiding: true } });
    expect(snpInit(p, { ciphertextHidingEn: 1, maxSnpAsid: 0 })).toBe(Status.INVALID_PARAM);
    expect(snpInit(p, { ciphertextHidingEn: 1, maxSnpAsid: 100 })).toBe(Status.INVALID_PARAM);
    expect(snpInit(p, { ciphertextHidingEn: 1, maxSnpAsid: 99 })).toBe(0);
  });

  it('Genoa firmware has no CTH: the bit is reserved → INVALID_PARAM', () => {
    expect(snpInit(platform(), { ciphertextHidingEn: 1, maxSnpAsid: 50 })).toBe(Status.INVALID_PARAM);
  });

  it('Turin without the BIOS option → INVALID_PARAM (no platform capability)', () => {
    const p = platform({ cpu: 'turin', bios: { ciphertextHiding: false } });
    expect(snpInit(p, { ciphertextHidingEn: 1, maxSnpAsid: 50 })).toBe(Status.INVALID_PARAM);
    expect(lastGuard(p)).toBe('SNP_INIT_EX.cth-capable');
  });
});

describe('SNP_SHUTDOWN(_EX) (docs/reference/psp-firmware.md §3.3)', () => {
  it('step 1: SEV not UNINIT → INVALID_PLATFORM_STATE', () => {
    const p = platform();
    snpInit(p);
    sevInit(p);
    expect(p.run('SNP_SHUTDOWN_EX', shutdownEx(true))).toBe(Status.INVALID_PLATFORM_STATE);
    expect(p.run('SHUTDOWN')).toBe(0);
    expect(p.run('SNP_SHUTDOWN_EX', shutdownEx(true))).toBe(0);
  });

  it('step 2: SNP already UNINIT → SUCCESS, no action', () => {
    const p = platform();
    expect(p.run('SNP_SHUTDOWN')).toBe(0);
    expect(lastGuard(p)).toBe('SNP_SHUTDOWN.already-uninit');
  });

  it('step 3: an ASID not clean → DFFLUSH_REQUIRED, even right after SNP_INIT without DF_FLUSH', () => {
    const p = platform();
    p.machine.wbinvdAll();
    p.run('SNP_INIT');
    expect(p.run('SNP_SHUTDOWN_EX', shutdownEx(true))).toBe(Status.DFFLUSH_REQUIRED);
    p.machine.wbinvdAll();
    p.run('SNP_DF_FLUSH');
    expect(p.run('SNP_SHUTDOWN_EX', shutdownEx(true))).toBe(0);
  });

  it('a running SNP guest blocks shutdown until decommissioned + WBINVD + SNP_DF_FLUSH (docs/reference/psp-firmware.md §4 item 7)', () => {
    const p = platform();
    snpInit(p);
    const { gctx } = snpGuest(p, 3);
    expect(p.run('SNP_SHUTDOWN_EX', shutdownEx(true))).toBe(Status.DFFLUSH_REQUIRED);
    p.psp.command(Cmd.SNP_DECOMMISSION, new Uint8Array(new BigUint64Array([BigInt(gctx)]).buffer));
    expect(p.run('SNP_SHUTDOWN_EX', shutdownEx(true))).toBe(Status.DFFLUSH_REQUIRED);
    p.machine.wbinvdAll();
    expect(p.run('SNP_DF_FLUSH')).toBe(0);
    expect(p.run('SNP_SHUTDOWN_EX', shutdownEx(true))).toBe(0);
  });

  it('step 4: len ≠ 8 or reserved bits → INVALID_PARAM; X86 without IOMMU → INVALID_PARAM', () => {
    const p = platform();
    snpInit(p);
    const bad = shutdownEx(true);
    bad[0] = 7;
    expect(p.run('SNP_SHUTDOWN_EX', bad)).toBe(Status.INVALID_PARAM);
    const rsvd = shutdownEx(true);
    rsvd[4] = rsvd[4]! | 0x4;
    expect(p.run('SNP_SHUTDOWN_EX', rsvd)).toBe(Status.INVALID_PARAM);
    expect(p.run('SNP_SHUTDOWN_EX', shutdownEx(false, true))).toBe(Status.INVALID_PARAM);
  });

  it('IOMMU shutdown: RMP uninitialised, enforcement off, IOMMU pages → Reclaim (FW ≥ 1.53), keys wiped', () => {
    const p = platform();
    snpInit(p);
    snpGuest(p, 2, { finish: false });
    expect(p.machine.memoryController.keys.size).toBe(1);
    const { gctx } = p.psp.snapshot().snpGuests[0]!;
    p.psp.command(Cmd.SNP_DECOMMISSION, new Uint8Array(new BigUint64Array([BigInt(gctx)]).buffer));
    expect(p.run('SNP_SHUTDOWN_EX', shutdownEx(true))).toBe(0);
    const m = p.machine;
    expect(m.rmp.initialised).toBe(false);
    expect(m.iommu.snpEnforced).toBe(false);
    for (const pfn of m.iommu.logPages) expect(m.rmp.state(pfn)).toBe('RECLAIM');
    expect(m.memoryController.keys.size).toBe(0);
    expect(m.snpEnAllCores()).toBe(true); // no X86_SNP_SHUTDOWN requested
  });

  it('firmware before 1.53 returns IOMMU pages to Hypervisor instead (docs/reference/psp-firmware.md §3.3)', () => {
    const p = platform({}, { version: '1.52.4' });
    snpInit(p);
    expect(p.run('SNP_SHUTDOWN_EX', shutdownEx(true))).toBe(0);
    for (const pfn of p.machine.iommu.logPages) expect(p.machine.rmp.state(pfn)).toBe('HYPERVISOR');
  });

  it('X86_SNP_SHUTDOWN clears SNPEn on every core (FEATURE_INFO ECX bit 1, docs/reference/psp-firmware.md §3.3)', () => {
    const p = platform();
    snpInit(p);
    expect(p.run('SNP_SHUTDOWN_EX', shutdownEx(true, true))).toBe(0);
    expect(p.machine.cores.some((c) => (p.machine.rdmsr(c.id, MSR.SYSCFG) & SYSCFG.SNP_EN) !== 0n)).toBe(
      false,
    );
    // docs/reference/psp-firmware.md §4 item 4: SEV INIT is allowed again after X86_SNP_SHUTDOWN cleared SNPEn.
    expect(sevInit(p, false)).toBe(0);
  });

  it('X86_SNP_SHUTDOWN on 1.52 (no FEATURE_INFO ECX bit 1) → INVALID_PARAM', () => {
    const p = platform({}, { version: '1.52.4' });
    snpInit(p);
    expect(p.run('SNP_SHUTDOWN_EX', shutdownEx(true, true))).toBe(Status.INVALID_PARAM);
  });

  it('docs/reference/psp-firmware.md §4 item 4: SEV INIT after SNP_SHUTDOWN without IOMMU shutdown works; after IOMMU shutdown → 0x01', () => {
    const a = platform();
    snpInit(a);
    a.run('SNP_SHUTDOWN_EX', shutdownEx(false));
    expect(sevInit(a, false)).toBe(0);
    const b = platform();
    snpInit(b);
    b.run('SNP_SHUTDOWN_EX', shutdownEx(true));
    expect(sevInit(b, false)).toBe(Status.INVALID_PLATFORM_STATE);
  });

  it('after IOMMU shutdown the next SNP_INIT_EX needs INIT_RMP=1 (docs/reference/psp-firmware.md §5.6)', () => {
    const p = platform();
    snpInit(p);
    p.run('SNP_SHUTDOWN_EX', shutdownEx(true));
    expect(p.run('SNP_INIT_EX', initEx({}))).toBe(Status.RMP_INIT_REQUIRED);
    expect(snpInit(p)).toBe(0);
  });
});
