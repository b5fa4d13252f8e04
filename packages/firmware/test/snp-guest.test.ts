/** SNP guest commands (docs/reference/psp-firmware.md §3.10–§3.12, §4 item 6). */
import { describe, expect, it } from 'vitest';
import {
  SevDataSnpActivate,
  SevDataSnpAddr,
  SevDataSnpGuestStatus,
  SevDataSnpLaunchFinish,
  SevDataSnpLaunchStart,
  SevDataSnpPageReclaim,
  SnpGuestStatusOutput,
  SnpPolicy,
  Status,
} from '@sevsim/psp-abi';
import {
  type Platform,
  SNP_POLICY,
  firmwarePage,
  hostPage,
  lastGuard,
  launchUpdate,
  platform,
  sevGuest,
  sevInit,
  snpGuest,
  snpInit,
} from './helpers';

function ready(config = {}): Platform {
  const p = platform(config);
  expect(snpInit(p)).toBe(0);
  return p;
}

const addr = (address: number) => SevDataSnpAddr.encode({ address });
const activate = (p: Platform, gctx: number, asid: number) =>
  p.run('SNP_ACTIVATE', SevDataSnpActivate.encode({ gctxPaddr: gctx, asid }));

function created(p: Platform): number {
  const gctx = firmwarePage(p);
  expect(p.run('SNP_GCTX_CREATE', addr(gctx))).toBe(0);
  return gctx;
}

function launched(p: Platform, policy = SNP_POLICY): number {
  const gctx = created(p);
  expect(p.run('SNP_LAUNCH_START', SevDataSnpLaunchStart.encode({ gctxPaddr: gctx, policy }))).toBe(0);
  return gctx;
}

describe('every SNP guest command needs SNP INIT (docs/reference/psp-firmware.md §3.12)', () => {
  it.each([
    ['SNP_GCTX_CREATE', addr(0x10000)],
    ['SNP_DECOMMISSION', addr(0x10000)],
    ['SNP_ACTIVATE', SevDataSnpActivate.encode({ gctxPaddr: 0x10000, asid: 1 })],
    ['SNP_LAUNCH_START', SevDataSnpLaunchStart.encode({ gctxPaddr: 0x10000 })],
    ['SNP_LAUNCH_FINISH', SevDataSnpLaunchFinish.encode({ gctxPaddr: 0x10000 })],
    ['SNP_PAGE_RECLAIM', SevDataSnpPageReclaim.encode({ paddr: 0x10000 })],
  ] as const)('%s in SNP UNINIT → INVALID_PLATFORM_STATE', (name, buf) => {
    expect(platform().run(name, buf)).toBe(Status.INVALID_PLATFORM_STATE);
  });
});

describe('SNP_GCTX_CREATE (docs/reference/psp-firmware.md §3.12)', () => {
  it('low 12 bits → INVALID_PARAM; Hypervisor page → INVALID_PAGE_STATE; Firmware page → Context', () => {
    const p = ready();
    expect(p.run('SNP_GCTX_CREATE', addr(0x10008))).toBe(Status.INVALID_PARAM);
    expect(p.run('SNP_GCTX_CREATE', addr(hostPage(p)))).toBe(Status.INVALID_PAGE_STATE);
    const gctx = created(p);
    expect(p.machine.rmp.state(gctx / 4096)).toBe('CONTEXT');
    expect(p.psp.snapshot().snpGuests).toEqual([expect.objectContaining({ gctx, state: 0 })]);
  });

  it('a 2 MB Firmware entry → INVALID_PAGE_SIZE', () => {
    const p = ready();
    const pfn = p.machine.allocPages(512, 512);
    p.machine.rmp.rmpupdate(pfn, { assigned: true, immutable: true, pageSize: '2M' });
    expect(p.run('SNP_GCTX_CREATE', addr(pfn * 4096))).toBe(Status.INVALID_PAGE_SIZE);
  });
});

describe('SNP_LAUNCH_START (docs/reference/psp-firmware.md §3.12)', () => {
  it('gctx not Context → INVALID_GUEST; not INIT → INVALID_GUEST_STATE', () => {
    const p = ready();
    expect(
      p.run(
        'SNP_LAUNCH_START',
        SevDataSnpLaunchStart.encode({ gctxPaddr: firmwarePage(p), policy: SNP_POLICY }),
      ),
    ).toBe(Status.INVALID_GUEST);
    const gctx = launched(p);
    expect(
      p.run('SNP_LAUNCH_START', SevDataSnpLaunchStart.encode({ gctxPaddr: gctx, policy: SNP_POLICY })),
    ).toBe(Status.INVALID_GUEST_STATE);
    expect(p.psp.snapshot().snpGuestCount).toBe(1);
  });

  it('reserved fields are checked before the platform state', () => {
    const b = SevDataSnpLaunchStart.encode({ gctxPaddr: 0x10000 });
    b[24] = 4; // rsvd bit
    expect(platform().run('SNP_LAUNCH_START', b)).toBe(Status.INVALID_PARAM);
  });

  it.each([
    ['bit 17 clear', SnpPolicy.SMT],
    ['SMT=0 on an SMT platform', SnpPolicy.RSVD_MBO],
    ['ABI 1.56 newer than 1.55', SNP_POLICY | (1n << 8n) | 56n],
    ['bit 24 on Genoa 1.55.25 (no CTH)', SNP_POLICY | SnpPolicy.CIPHERTEXT_HIDING_DRAM],
    ['bit 26 (undefined)', SNP_POLICY | (1n << 26n)],
  ])('policy %s → POLICY_FAILURE', (_what, policy) => {
    const p = ready();
    const gctx = created(p);
    expect(p.run('SNP_LAUNCH_START', SevDataSnpLaunchStart.encode({ gctxPaddr: gctx, policy }))).toBe(
      Status.POLICY_FAILURE,
    );
  });

  it('policy bit 24 is accepted by Turin firmware that reports CTH', () => {
    const p = platform({ cpu: 'turin' });
    snpInit(p);
    const gctx = created(p);
    const policy = SNP_POLICY | SnpPolicy.CIPHERTEXT_HIDING_DRAM;
    expect(p.run('SNP_LAUNCH_START', SevDataSnpLaunchStart.encode({ gctxPaddr: gctx, policy }))).toBe(0);
  });
});

describe('SNP_ACTIVATE (docs/reference/psp-firmware.md §3.12, docs/reference/psp-firmware.md §2.5, docs/reference/psp-firmware.md §4 item 6)', () => {
  it('guest in INIT → INVALID_GUEST_STATE', () => {
    const p = ready();
    expect(activate(p, created(p), 1)).toBe(Status.INVALID_GUEST_STATE);
  });

  it('SNP guests are ES: ASID must be < MIN_SEV_ASID → INVALID_ASID', () => {
    const p = ready();
    expect(activate(p, launched(p), 100)).toBe(Status.INVALID_ASID);
    expect(lastGuard(p)).toBe('SNP_ACTIVATE.asid-range');
    expect(activate(p, launched(p), 99)).toBe(0);
  });

  it('an ASID that still owns RMP-assigned pages → INVALID_CONFIG', () => {
    const p = ready();
    const pfn = p.machine.allocPages(1);
    p.machine.rmp.rmpupdate(pfn, { assigned: true, immutable: false, asid: 9, gpa: 0 });
    expect(activate(p, launched(p), 9)).toBe(Status.INVALID_CONFIG);
    expect(lastGuard(p)).toBe('SNP_ACTIVATE.asid-has-pages');
  });

  it('ciphertext hiding: SNP ASIDs ≤ MAX_SNP_ASID, SEV-ES ASIDs > MAX_SNP_ASID (INVALID_ASID)', () => {
    const p = platform({ cpu: 'turin', bios: { ciphertextHiding: true } });
    expect(snpInit(p, { ciphertextHidingEn: 1, maxSnpAsid: 50 })).toBe(0);
    sevInit(p);
    expect(activate(p, launched(p), 51)).toBe(Status.INVALID_ASID);
    expect(lastGuard(p)).toBe('SNP_ACTIVATE.cth-split');
    expect(activate(p, launched(p), 50)).toBe(0);
    expect(() => sevGuest(p, 0x04, 49)).toThrow(/ACTIVATE failed: 0xd/);
    expect(() => sevGuest(p, 0x04, 51)).not.toThrow();
    expect(() => sevGuest(p, 0, 100)).not.toThrow(); // plain SEV unaffected
  });

  it('host read of a guest page: ff with CTH, ciphertext without (hardware view after LAUNCH_UPDATE)', () => {
    const p = platform({ cpu: 'turin', bios: { ciphertextHiding: true } });
    snpInit(p, { ciphertextHidingEn: 1, maxSnpAsid: 50 });
    const { page } = snpGuest(p, 7);
    expect(p.machine.hostRead(page)).toBe('ff');
    const q = ready();
    expect(q.machine.hostRead(snpGuest(q, 7).page)).toBe('ciphertext');
  });
});

describe('SNP_LAUNCH_UPDATE / FINISH (docs/reference/psp-firmware.md §3.12)', () => {
  it('not activated → INACTIVE; page not Pre-Guest → INVALID_PAGE_STATE; other ASID → INVALID_PAGE_OWNER', () => {
    const p = ready();
    const gctx = launched(p);
    const pfn = p.machine.allocPages(1);
    expect(p.run('SNP_LAUNCH_UPDATE', launchUpdate(gctx, pfn * 4096, 1))).toBe(Status.INACTIVE);
    expect(activate(p, gctx, 4)).toBe(0);
    expect(p.run('SNP_LAUNCH_UPDATE', launchUpdate(gctx, pfn * 4096, 1))).toBe(Status.INVALID_PAGE_STATE);
    p.machine.rmp.rmpupdate(pfn, { assigned: true, immutable: true, asid: 8, gpa: 0 });
    expect(p.run('SNP_LAUNCH_UPDATE', launchUpdate(gctx, pfn * 4096, 1))).toBe(Status.INVALID_PAGE_OWNER);
  });

  it('page_type 0 or 7 → INVALID_PARAM; success: Pre-Guest → Guest-Valid, encrypted with the ASID', () => {
    const p = ready();
    const gctx = launched(p);
    activate(p, gctx, 4);
    const pfn = p.machine.allocPages(1);
    p.machine.rmp.rmpupdate(pfn, { assigned: true, immutable: true, asid: 4, gpa: 0x2000 });
    expect(p.run('SNP_LAUNCH_UPDATE', launchUpdate(gctx, pfn * 4096, 0))).toBe(Status.INVALID_PARAM);
    expect(p.run('SNP_LAUNCH_UPDATE', launchUpdate(gctx, pfn * 4096, 7))).toBe(Status.INVALID_PARAM);
    expect(p.run('SNP_LAUNCH_UPDATE', launchUpdate(gctx, pfn * 4096, 2))).toBe(0);
    expect(p.machine.rmp.state(pfn)).toBe('GUEST_VALID');
    expect(p.machine.rmp.entry(pfn)).toMatchObject({ vmsa: true, gpa: 0x2000 });
    expect(p.machine.pageKey(pfn)).toBe(4);
  });

  it('SNP_LAUNCH_FINISH: pending activation becomes active (allocated → in use), guest RUNNING', () => {
    const p = ready();
    const { gctx } = snpGuest(p, 4, { finish: false });
    expect(p.psp.snapshot().asids).toMatchObject({ allocated: 1, inUse: 0 });
    expect(p.run('SNP_LAUNCH_FINISH', SevDataSnpLaunchFinish.encode({ gctxPaddr: gctx }))).toBe(0);
    expect(p.psp.snapshot().asids).toMatchObject({ allocated: 0, inUse: 1 });
    expect(p.run('SNP_LAUNCH_FINISH', SevDataSnpLaunchFinish.encode({ gctxPaddr: gctx }))).toBe(
      Status.INVALID_GUEST_STATE,
    );
  });
});

describe('SNP_GUEST_STATUS (docs/reference/psp-firmware.md §3.12)', () => {
  it('output crossing a page → INVALID_PARAM; Hypervisor output page → INVALID_PAGE_STATE; firmware page → written', () => {
    const p = ready();
    const { gctx } = snpGuest(p, 6);
    const fwPage = firmwarePage(p);
    const buf = (address: number) => SevDataSnpGuestStatus.encode({ gctxPaddr: gctx, address });
    expect(p.run('SNP_GUEST_STATUS', buf(fwPage + 4090))).toBe(Status.INVALID_PARAM);
    expect(p.run('SNP_GUEST_STATUS', buf(hostPage(p)))).toBe(Status.INVALID_PAGE_STATE);
    expect(p.run('SNP_GUEST_STATUS', buf(fwPage))).toBe(0);
    expect(SnpGuestStatusOutput.decode(p.machine.readPhys(fwPage, 16))).toMatchObject({
      policy: SNP_POLICY,
      asid: 6,
      state: 2,
    });
  });
});

describe('SNP_DECOMMISSION and SNP_PAGE_RECLAIM (docs/reference/psp-firmware.md §3.12, docs/reference/psp-firmware.md §3.10)', () => {
  it('decommission never returns ACTIVE; Context → Firmware; the used ASID turns dirty', () => {
    const p = ready();
    const { gctx } = snpGuest(p, 6);
    expect(p.run('SNP_DECOMMISSION', addr(gctx))).toBe(0);
    expect(p.machine.rmp.state(gctx / 4096)).toBe('FIRMWARE');
    expect(p.psp.snapshot()).toMatchObject({ snpGuests: [], snpGuestCount: 0 });
    expect(p.psp.snapshot().asids).toMatchObject({ dirty: 1, inUse: 0 });
    expect(p.run('SNP_DECOMMISSION', addr(gctx))).toBe(Status.INVALID_GUEST);
  });

  it('reclaim transitions: Firmware → Reclaim, Pre-Guest → Guest-Invalid; Context → INVALID_PAGE_STATE', () => {
    const p = ready();
    const fw = firmwarePage(p);
    expect(p.run('SNP_PAGE_RECLAIM', SevDataSnpPageReclaim.encode({ paddr: fw }))).toBe(0);
    expect(p.machine.rmp.state(fw / 4096)).toBe('RECLAIM');
    const pre = p.machine.allocPages(1);
    p.machine.rmp.rmpupdate(pre, { assigned: true, immutable: true, asid: 3, gpa: 0 });
    expect(p.run('SNP_PAGE_RECLAIM', SevDataSnpPageReclaim.encode({ paddr: pre * 4096 }))).toBe(0);
    expect(p.machine.rmp.state(pre)).toBe('GUEST_INVALID');
    const gctx = created(p);
    expect(p.run('SNP_PAGE_RECLAIM', SevDataSnpPageReclaim.encode({ paddr: gctx }))).toBe(
      Status.INVALID_PAGE_STATE,
    );
    expect(
      p.run('SNP_PAGE_RECLAIM', SevDataSnpPageReclaim.encode({ paddr: p.machine.iommu.logPages[0]! * 4096 })),
    ).toBe(Status.INVALID_PAGE_STATE);
  });

  it('already not immutable → SUCCESS, nothing done; wrong size → INVALID_PAGE_SIZE; reserved bits → INVALID_PARAM', () => {
    const p = ready();
    const h = hostPage(p);
    expect(p.run('SNP_PAGE_RECLAIM', SevDataSnpPageReclaim.encode({ paddr: h }))).toBe(0);
    expect(lastGuard(p)).toBe('SNP_PAGE_RECLAIM.not-immutable');
    expect(p.run('SNP_PAGE_RECLAIM', SevDataSnpPageReclaim.encode({ paddr: firmwarePage(p) | 1 }))).toBe(
      Status.INVALID_PAGE_SIZE,
    );
    expect(p.run('SNP_PAGE_RECLAIM', SevDataSnpPageReclaim.encode({ paddr: h | 2 }))).toBe(
      Status.INVALID_PARAM,
    );
  });

  it('full KVM teardown lets the ASID be reused: decommission, reclaim gctx, pages shared, WBINVD, SNP_DF_FLUSH', () => {
    const p = ready();
    const { gctx, page } = snpGuest(p, 6);
    p.run('SNP_DECOMMISSION', addr(gctx));
    p.run('SNP_PAGE_RECLAIM', SevDataSnpPageReclaim.encode({ paddr: gctx }));
    expect(p.machine.rmp.rmpupdate(gctx / 4096, { assigned: false, immutable: false })).toBe(0);
    expect(p.machine.rmp.rmpupdate(page / 4096, { assigned: false, immutable: false })).toBe(0);
    const next = launched(p);
    expect(activate(p, next, 6)).toBe(Status.DFFLUSH_REQUIRED);
    p.machine.wbinvdAll();
    p.run('SNP_DF_FLUSH');
    expect(activate(p, next, 6)).toBe(0);
  });
});
