/** Legacy guest commands and the ACTIVATE ASID rules (docs/reference/psp-firmware.md §2.4, §2.5, §4 item 6). */
import { describe, expect, it } from 'vitest';
import {
  Cmd,
  SevDataActivate,
  SevDataDbg,
  SevDataDeactivate,
  SevDataDecommission,
  SevDataGuestStatus,
  SevDataLaunchFinish,
  SevDataLaunchMeasure,
  SevDataLaunchStart,
  SevDataLaunchUpdateData,
  SevDataLaunchUpdateVmsa,
  Status,
} from '@sevsim/psp-abi';
import { type Platform, lastGuard, platform, sevGuest, sevInit, snpGuest, snpInit } from './helpers';

const ES = 0x04;
const NODBG = 0x01;
const NOKS = 0x02;

/** SEV-only platform, INIT with ES, ASIDs clean. genoa: 1006 ASIDs, MIN_SEV_ASID 100 by default. */
function ready(): Platform {
  const p = platform({}, { snpEnAtBoot: false });
  expect(sevInit(p)).toBe(0);
  return p;
}

const activate = (p: Platform, handle: number, asid: number) =>
  p.run('ACTIVATE', SevDataActivate.encode({ handle, asid }));

describe('LAUNCH_START (docs/reference/psp-firmware.md §2.4)', () => {
  it('creates handle 1, moves INIT → WORKING, writes the handle back', () => {
    const p = ready();
    const r = p.psp.command(Cmd.LAUNCH_START, SevDataLaunchStart.encode({ policy: 0 }));
    expect(r.status).toBe(0);
    expect(SevDataLaunchStart.decode(r.buffer).handle).toBe(1);
    expect(p.psp.snapshot().sev).toBe('WORKING');
  });

  it('refused in UNINIT → INVALID_PLATFORM_STATE', () => {
    const p = platform({}, { snpEnAtBoot: false });
    expect(p.run('LAUNCH_START', SevDataLaunchStart.encode({}))).toBe(Status.INVALID_PLATFORM_STATE);
  });

  it('ES policy on a platform INIT without ES → UNSUPPORTED 0x15', () => {
    const p = platform({}, { snpEnAtBoot: false });
    sevInit(p, false);
    expect(p.run('LAUNCH_START', SevDataLaunchStart.encode({ policy: ES }))).toBe(Status.UNSUPPORTED);
  });

  it('reserved policy bits or a policy API newer than the firmware → POLICY_FAILURE', () => {
    const p = ready();
    expect(p.run('LAUNCH_START', SevDataLaunchStart.encode({ policy: 0x100 }))).toBe(Status.POLICY_FAILURE);
    expect(p.run('LAUNCH_START', SevDataLaunchStart.encode({ policy: 2 << 16 }))).toBe(Status.POLICY_FAILURE);
    expect(p.run('LAUNCH_START', SevDataLaunchStart.encode({ policy: (1 << 16) | (55 << 24) }))).toBe(0);
  });

  it('key sharing: unknown handle → INVALID_GUEST; NOKS or a different policy → POLICY_FAILURE', () => {
    const p = ready();
    expect(p.run('LAUNCH_START', SevDataLaunchStart.encode({ handle: 9 }))).toBe(Status.INVALID_GUEST);
    const h = sevGuest(p, NOKS);
    expect(p.run('LAUNCH_START', SevDataLaunchStart.encode({ handle: h, policy: NOKS }))).toBe(
      Status.POLICY_FAILURE,
    );
    const h2 = sevGuest(p, 0);
    expect(p.run('LAUNCH_START', SevDataLaunchStart.encode({ handle: h2, policy: NODBG }))).toBe(
      Status.POLICY_FAILURE,
    );
    expect(p.run('LAUNCH_START', SevDataLaunchStart.encode({ handle: h2, policy: 0 }))).toBe(0);
  });

  it('DH cert given: wrong session or cert length → INVALID_LENGTH', () => {
    const p = ready();
    expect(p.run('LAUNCH_START', SevDataLaunchStart.encode({ dhCertAddress: 0x1000, sessionLen: 5 }))).toBe(
      Status.INVALID_LEN,
    );
  });

  it('1024 handles in use → RESOURCE_LIMIT', () => {
    const p = ready();
    for (let i = 0; i < 1024; i++) sevGuest(p, 0);
    expect(p.run('LAUNCH_START', SevDataLaunchStart.encode({}))).toBe(Status.RESOURCE_LIMIT);
  });
});

describe('ACTIVATE order (docs/reference/psp-firmware.md §2.5 steps 1–8)', () => {
  it('step 1: ASID 0 or above ECX → INVALID_ASID', () => {
    const p = ready();
    const h = sevGuest(p, 0);
    expect(activate(p, h, 0)).toBe(Status.INVALID_ASID);
    expect(activate(p, h, 1007)).toBe(Status.INVALID_ASID);
    expect(lastGuard(p)).toBe('ACTIVATE.asid-valid');
  });

  it('unknown handle → INVALID_GUEST before any ASID check', () => {
    const p = ready();
    sevGuest(p, 0); // WORKING
    expect(activate(p, 77, 0)).toBe(Status.INVALID_GUEST);
  });

  it('step 2: ASID held by another guest → ASID_OWNED; step 3: the guest already has one → ACTIVE', () => {
    const p = ready();
    const a = sevGuest(p, 0, 200);
    const b = sevGuest(p, 0);
    expect(activate(p, b, 200)).toBe(Status.ASID_OWNED);
    expect(activate(p, a, 201)).toBe(Status.ACTIVE);
  });

  it('step 5: a dirty ASID → DFFLUSH_REQUIRED (after INIT, before DF_FLUSH)', () => {
    const p = platform({}, { snpEnAtBoot: false });
    p.run('INIT', new Uint8Array(20));
    const h = sevGuest(p, 0);
    expect(activate(p, h, 200)).toBe(Status.DFFLUSH_REQUIRED);
  });

  it('step 5 before step 7: a dirty, out-of-range ASID reports DFFLUSH_REQUIRED', () => {
    const p = platform({}, { snpEnAtBoot: false });
    p.run('INIT', new Uint8Array(20));
    expect(activate(p, sevGuest(p, 0), 5)).toBe(Status.DFFLUSH_REQUIRED);
  });

  it('step 7: SEV guest needs MIN_SEV_ASID ≤ asid ≤ ECX; ES guest needs 1 ≤ asid < MIN_SEV_ASID', () => {
    const p = ready();
    expect(p.machine.cpuid(0x8000001f).edx).toBe(100);
    expect(activate(p, sevGuest(p, 0), 99)).toBe(Status.INVALID_ASID);
    expect(activate(p, sevGuest(p, 0), 100)).toBe(0);
    expect(activate(p, sevGuest(p, 0), 1006)).toBe(0);
    expect(activate(p, sevGuest(p, ES), 101)).toBe(Status.INVALID_ASID);
    expect(activate(p, sevGuest(p, ES), 1)).toBe(0);
    expect(activate(p, sevGuest(p, ES), 99)).toBe(0);
  });

  it('ASID ranges follow the BIOS MIN_SEV_ASID (CPUID EDX)', () => {
    const p = platform({ bios: { minSevAsid: 10 } }, { snpEnAtBoot: false });
    sevInit(p);
    expect(activate(p, sevGuest(p, ES), 10)).toBe(Status.INVALID_ASID);
    expect(activate(p, sevGuest(p, 0), 10)).toBe(0);
  });

  it('a pending activation is completed by LAUNCH_FINISH: allocated → in use', () => {
    const p = ready();
    const h = sevGuest(p, 0, 300);
    expect(p.psp.snapshot().asids).toMatchObject({ allocated: 1, inUse: 0 });
    p.psp.command(Cmd.LAUNCH_MEASURE, SevDataLaunchMeasure.encode({ handle: h, address: 0x10000, len: 48 }));
    expect(p.run('LAUNCH_FINISH', SevDataLaunchFinish.encode({ handle: h }))).toBe(0);
    expect(p.psp.snapshot().asids).toMatchObject({ allocated: 0, inUse: 1 });
    expect(p.psp.snapshot().legacyGuests[0]).toMatchObject({ state: 3, activation: 'active' });
  });
});

describe('DEACTIVATE / DECOMMISSION / reuse protocol (docs/reference/psp-firmware.md §2.4, §2.5)', () => {
  function running(p: Platform, asid: number): number {
    const h = sevGuest(p, 0, asid);
    p.run('LAUNCH_MEASURE', SevDataLaunchMeasure.encode({ handle: h, address: 0x10000, len: 48 }));
    p.run('LAUNCH_FINISH', SevDataLaunchFinish.encode({ handle: h }));
    return h;
  }

  it('DECOMMISSION of an active guest → ACTIVE; after DEACTIVATE it succeeds and WORKING → INIT', () => {
    const p = ready();
    const h = running(p, 300);
    expect(p.run('DECOMMISSION', SevDataDecommission.encode({ handle: h }))).toBe(Status.ACTIVE);
    expect(p.run('DEACTIVATE', SevDataDeactivate.encode({ handle: h }))).toBe(0);
    expect(p.run('DEACTIVATE', SevDataDeactivate.encode({ handle: h }))).toBe(Status.INACTIVE);
    expect(p.run('DECOMMISSION', SevDataDecommission.encode({ handle: h }))).toBe(0);
    expect(p.psp.snapshot().sev).toBe('INIT');
  });

  it('a used ASID is dirty after DEACTIVATE: WBINVD + DF_FLUSH needed before reuse', () => {
    const p = ready();
    const h = running(p, 300);
    p.run('DEACTIVATE', SevDataDeactivate.encode({ handle: h }));
    const g = sevGuest(p, 0);
    expect(activate(p, g, 300)).toBe(Status.DFFLUSH_REQUIRED);
    expect(p.run('DF_FLUSH')).toBe(Status.WBINVD_REQUIRED); // DEACTIVATE cleared WBINVD_DONE
    p.machine.wbinvdAll();
    expect(p.run('DF_FLUSH')).toBe(0);
    expect(activate(p, g, 300)).toBe(0);
  });

  it('a pending (never ran) ASID is clean again right after DEACTIVATE', () => {
    const p = ready();
    const h = sevGuest(p, 0, 300);
    p.run('DEACTIVATE', SevDataDeactivate.encode({ handle: h }));
    expect(activate(p, sevGuest(p, 0), 300)).toBe(0);
  });

  it('guest commands refused in SEV INIT (platform must be WORKING)', () => {
    const p = ready();
    for (const [name, buf] of [
      ['ACTIVATE', SevDataActivate.encode({ handle: 1, asid: 200 })],
      ['DEACTIVATE', SevDataDeactivate.encode({ handle: 1 })],
      ['DECOMMISSION', SevDataDecommission.encode({ handle: 1 })],
      ['LAUNCH_UPDATE_DATA', SevDataLaunchUpdateData.encode({ handle: 1 })],
      ['LAUNCH_FINISH', SevDataLaunchFinish.encode({ handle: 1 })],
    ] as const) {
      expect(p.run(name, buf), name).toBe(Status.INVALID_PLATFORM_STATE);
    }
  });
});

describe('LAUNCH_UPDATE_*, MEASURE, GUEST_STATUS, DBG (docs/reference/psp-firmware.md §2.4)', () => {
  it('LAUNCH_UPDATE_DATA: 16-byte alignment → INVALID_ADDRESS / INVALID_LENGTH; wrong state → INVALID_GUEST_STATE', () => {
    const p = ready();
    const h = sevGuest(p, 0, 300);
    const pa = p.machine.allocPages(1) * 4096;
    expect(
      p.run('LAUNCH_UPDATE_DATA', SevDataLaunchUpdateData.encode({ handle: h, address: pa + 8, len: 16 })),
    ).toBe(Status.INVALID_ADDRESS);
    expect(
      p.run('LAUNCH_UPDATE_DATA', SevDataLaunchUpdateData.encode({ handle: h, address: pa, len: 15 })),
    ).toBe(Status.INVALID_LEN);
    expect(
      p.run('LAUNCH_UPDATE_DATA', SevDataLaunchUpdateData.encode({ handle: h, address: pa, len: 4096 })),
    ).toBe(0);
    expect(p.machine.pageKey(pa / 4096)).toBe(300);
    p.run('LAUNCH_MEASURE', SevDataLaunchMeasure.encode({ handle: h, address: 0x10000, len: 48 }));
    expect(
      p.run('LAUNCH_UPDATE_DATA', SevDataLaunchUpdateData.encode({ handle: h, address: pa, len: 16 })),
    ).toBe(Status.INVALID_GUEST_STATE);
  });

  it('LAUNCH_UPDATE_VMSA: non-ES guest → UNSUPPORTED; ES guest without ASID → INACTIVE', () => {
    const p = ready();
    const plain = sevGuest(p, 0, 300);
    const es = sevGuest(p, ES);
    expect(
      p.run(
        'LAUNCH_UPDATE_VMSA',
        SevDataLaunchUpdateVmsa.encode({ handle: plain, address: 0x10000, len: 16 }),
      ),
    ).toBe(Status.UNSUPPORTED);
    expect(
      p.run('LAUNCH_UPDATE_VMSA', SevDataLaunchUpdateVmsa.encode({ handle: es, address: 0x10000, len: 16 })),
    ).toBe(Status.INACTIVE);
  });

  it('LAUNCH_MEASURE: small buffer → INVALID_LENGTH with 48 written back, guest stays LUPDATE', () => {
    const p = ready();
    const h = sevGuest(p, 0, 300);
    const r = p.psp.command(
      Cmd.LAUNCH_MEASURE,
      SevDataLaunchMeasure.encode({ handle: h, address: 0x10000, len: 0 }),
    );
    expect(r.status).toBe(Status.INVALID_LEN);
    expect(SevDataLaunchMeasure.decode(r.buffer).len).toBe(48);
    expect(p.psp.snapshot().legacyGuests[0]!.state).toBe(1);
  });

  it('GUEST_STATUS: an unknown handle is not an error (state 0); a known one reports policy/asid/state', () => {
    const p = ready();
    let r = p.psp.command(Cmd.GUEST_STATUS, SevDataGuestStatus.encode({ handle: 42 }));
    expect(r.status).toBe(0);
    expect(SevDataGuestStatus.decode(r.buffer)).toEqual({ handle: 42, policy: 0, asid: 0, state: 0 });
    const h = sevGuest(p, ES, 7);
    r = p.psp.command(Cmd.GUEST_STATUS, SevDataGuestStatus.encode({ handle: h }));
    expect(SevDataGuestStatus.decode(r.buffer)).toEqual({ handle: h, policy: ES, asid: 7, state: 1 });
  });

  it('GUEST_STATUS in UNINIT → INVALID_PLATFORM_STATE', () => {
    const p = platform({}, { snpEnAtBoot: false });
    expect(p.run('GUEST_STATUS', SevDataGuestStatus.encode({ handle: 1 }))).toBe(
      Status.INVALID_PLATFORM_STATE,
    );
  });

  it('DBG_DECRYPT: NODBG → POLICY_FAILURE; inactive → INACTIVE; active → success', () => {
    const p = ready();
    const nodbg = sevGuest(p, NODBG, 300);
    const inactive = sevGuest(p, 0);
    const ok = sevGuest(p, 0, 301);
    const buf = (handle: number) =>
      SevDataDbg.encode({ handle, srcAddr: 0x10000, dstAddr: 0x20000, len: 16 });
    expect(p.run('DBG_DECRYPT', buf(nodbg))).toBe(Status.POLICY_FAILURE);
    expect(p.run('DBG_DECRYPT', buf(inactive))).toBe(Status.INACTIVE);
    expect(p.run('DBG_ENCRYPT', buf(ok))).toBe(0);
  });
});

describe('SEV-ES and SNP share the ES ASID range (docs/reference/psp-firmware.md §4 item 6)', () => {
  it('an SNP guest holding ASID 5 makes ACTIVATE of an SEV-ES guest on 5 → ASID_OWNED', () => {
    const p = platform();
    snpInit(p);
    sevInit(p);
    snpGuest(p, 5);
    const h = sevGuest(p, ES);
    expect(activate(p, h, 5)).toBe(Status.ASID_OWNED);
    expect(activate(p, h, 6)).toBe(0);
  });
});
