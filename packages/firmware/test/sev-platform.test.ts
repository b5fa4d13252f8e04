/** Legacy platform commands: accepted and refused states with exact statuses (docs/reference/psp-firmware.md §2.3). */
import { MSR } from '@sevsim/hardware';
import { describe, expect, it } from 'vitest';
import {
  Cmd,
  SevDataGetId,
  SevDataInit,
  SevDataInitEx,
  SevDataPdhCertExport,
  SevDataPekCertImport,
  SevDataPekCsr,
  SevUserDataStatus,
  Status,
} from '@sevsim/psp-abi';
import { GET_ID_SIZE, SEV_CERT_SIZE } from '../src/index';
import {
  MB2,
  type Platform,
  firmwarePage,
  hostPage,
  lastGuard,
  platform,
  sevGuest,
  sevInit,
  snpInit,
} from './helpers';

type Setup = 'uninit' | 'init' | 'working';

/** A platform without SNPEn (legacy SEV only) in the given SEV state. */
function legacy(state: Setup): Platform {
  const p = platform({}, { snpEnAtBoot: false });
  if (state !== 'uninit') expect(sevInit(p)).toBe(0);
  if (state === 'working') sevGuest(p, 0);
  return p;
}

describe('state gating, table-driven (docs/reference/psp-firmware.md §2.3 table)', () => {
  const cases: [string, (p: Platform) => number, Record<Setup, number>][] = [
    ['INIT', (p) => p.run('INIT', SevDataInit.encode({})), { uninit: 0, init: 1, working: 1 }],
    ['SHUTDOWN', (p) => p.run('SHUTDOWN'), { uninit: 0, init: 0, working: 0 }],
    ['FACTORY_RESET', (p) => p.run('FACTORY_RESET'), { uninit: 0, init: 1, working: 1 }],
    [
      'PLATFORM_STATUS',
      (p) => p.run('PLATFORM_STATUS', new Uint8Array(12)),
      { uninit: 0, init: 0, working: 0 },
    ],
    ['PEK_GEN', (p) => p.run('PEK_GEN'), { uninit: 1, init: 0, working: 1 }],
    ['PDH_GEN', (p) => p.run('PDH_GEN'), { uninit: 1, init: 0, working: 0 }],
    [
      'PEK_CSR',
      (p) => p.run('PEK_CSR', SevDataPekCsr.encode({ address: hostPage(p), len: SEV_CERT_SIZE })),
      { uninit: 1, init: 0, working: 0 },
    ],
    [
      'PDH_CERT_EXPORT',
      (p) => {
        const a = p.machine.allocPages(3) * 4096;
        return p.run(
          'PDH_CERT_EXPORT',
          SevDataPdhCertExport.encode({
            pdhCertAddress: a,
            pdhCertLen: 4096,
            certChainAddress: a + 4096,
            certChainLen: 8192,
          }),
        );
      },
      { uninit: 1, init: 0, working: 0 },
    ],
    [
      'GET_ID',
      (p) => p.run('GET_ID', SevDataGetId.encode({ address: hostPage(p), len: 128 })),
      { uninit: 0, init: 0, working: 0 },
    ],
  ];
  for (const [name, op, expected] of cases) {
    for (const state of ['uninit', 'init', 'working'] as const) {
      it(`${name} in SEV ${state.toUpperCase()} → 0x${expected[state].toString(16)}`, () => {
        expect(op(legacy(state))).toBe(expected[state]);
      });
    }
  }
});

describe('INIT / INIT_EX check order (docs/reference/psp-firmware.md §2.3 INIT steps)', () => {
  it('step 2: SME off in BIOS → HWERROR_PLATFORM 0x13', () => {
    const p = platform({ bios: { smee: false } }, { snpEnAtBoot: false });
    expect(p.run('INIT', SevDataInit.encode({}))).toBe(Status.HWSEV_RET_PLATFORM);
    expect(lastGuard(p)).toBe('INIT.hw-encryption');
  });

  it('step 3: flags beyond bit 0 → INVALID_CONFIG', () => {
    expect(legacy('uninit').run('INIT', SevDataInit.encode({ flags: 2 }))).toBe(Status.INVALID_CONFIG);
  });

  it('step 1 before step 2: INIT in INIT with SME off still reports 0x01', () => {
    const p = legacy('init');
    expect(p.run('INIT', SevDataInit.encode({ flags: 0xff }))).toBe(Status.INVALID_PLATFORM_STATE);
  });

  it('INIT_EX: length ≠ 0x24 → INVALID_LENGTH; NV unaligned → INVALID_ADDRESS; nv_len ≠ 32 KB → INVALID_LENGTH', () => {
    const p = legacy('uninit');
    const nv = p.machine.allocPages(8) * 4096;
    expect(p.run('INIT_EX', SevDataInitEx.encode({ length: 0x20 }))).toBe(Status.INVALID_LEN);
    expect(p.run('INIT_EX', SevDataInitEx.encode({ length: 0x24, nvAddress: nv + 8, nvLen: 0x8000 }))).toBe(
      Status.INVALID_ADDRESS,
    );
    expect(p.run('INIT_EX', SevDataInitEx.encode({ length: 0x24, nvAddress: nv, nvLen: 0x4000 }))).toBe(
      Status.INVALID_LEN,
    );
    expect(p.run('INIT_EX', SevDataInitEx.encode({ length: 0x24, nvAddress: nv, nvLen: 0x8000 }))).toBe(0);
  });

  it('INIT_EX: corrupt NV store → SECURE_DATA_INVALID 0x18, area erased, the retry succeeds (step 7)', () => {
    const p = legacy('uninit');
    const nv = p.machine.allocPages(8) * 4096;
    p.machine.writePhys(nv, new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
    const buf = SevDataInitEx.encode({ length: 0x24, nvAddress: nv, nvLen: 0x8000 });
    expect(p.run('INIT_EX', buf)).toBe(Status.SECURE_DATA_INVALID);
    expect(p.run('INIT_EX', buf)).toBe(0);
  });

  it('with SNP INIT the INIT_EX NV range must be Firmware/Default → INVALID_PAGE_STATE (step 6)', () => {
    const p = platform();
    snpInit(p);
    const nv = p.machine.allocPages(8) * 4096;
    expect(p.run('INIT_EX', SevDataInitEx.encode({ length: 0x24, nvAddress: nv, nvLen: 0x8000 }))).toBe(
      Status.INVALID_PAGE_STATE,
    );
  });

  it('TMR: 2 MB and 2 MB aligned once the RMP is initialised; a 1 MB TMR → INVALID_LENGTH (step 10)', () => {
    const p = platform();
    snpInit(p);
    const pfn = p.machine.allocPages(512, 512);
    p.machine.rmp.rmpupdate(pfn, { assigned: true, immutable: true, pageSize: '2M' });
    expect(p.run('INIT', SevDataInit.encode({ flags: 1, tmrAddress: pfn * 4096, tmrLen: 0x100000 }))).toBe(
      Status.INVALID_LEN,
    );
    expect(p.run('INIT', SevDataInit.encode({ flags: 1, tmrAddress: pfn * 4096, tmrLen: MB2 }))).toBe(0);
  });

  it('TMR with SNP INIT in Hypervisor state → INVALID_PAGE_STATE', () => {
    const p = platform();
    snpInit(p);
    const pfn = p.machine.allocPages(512, 512);
    expect(p.run('INIT', SevDataInit.encode({ flags: 1, tmrAddress: pfn * 4096, tmrLen: MB2 }))).toBe(
      Status.INVALID_PAGE_STATE,
    );
    expect(lastGuard(p)).toBe('INIT.tmr-page-state');
  });

  it('INIT with SNP UNINIT marks every ASID dirty (step 9); with SNP INIT it leaves ASIDs as SNP_INIT set them', () => {
    const p = legacy('uninit');
    p.run('INIT', SevDataInit.encode({}));
    expect(p.psp.snapshot().asids).toEqual({ dirty: 1006, clean: 0, allocated: 0, inUse: 0 });
    const q = platform();
    snpInit(q);
    expect(q.psp.snapshot().asids.clean).toBe(1006);
    sevInit(q, false);
    expect(q.psp.snapshot().asids.clean).toBe(1006);
  });
});

describe('SHUTDOWN, PLATFORM_STATUS, identity', () => {
  it('SHUTDOWN in WORKING deletes legacy guests and leaves SNP guests (docs/reference/psp-firmware.md §2.3, §2.6)', () => {
    const p = platform();
    snpInit(p);
    sevInit(p);
    sevGuest(p, 0x05, 10); // SEV-ES guest with ASID 10
    expect(p.psp.snapshot().sev).toBe('WORKING');
    expect(p.run('SHUTDOWN')).toBe(0);
    const s = p.psp.snapshot();
    expect(s.sev).toBe('UNINIT');
    expect(s.snp).toBe('INIT');
    expect(s.legacyGuests).toEqual([]);
  });

  it('PLATFORM_STATUS reports api, state, ES flag, build, guest count; zeros in UNINIT (docs/reference/psp-firmware.md §2.3)', () => {
    const p = legacy('uninit');
    let r = p.psp.command(Cmd.PLATFORM_STATUS, new Uint8Array(12));
    expect(SevUserDataStatus.decode(r.buffer)).toEqual({
      apiMajor: 1,
      apiMinor: 55,
      state: 0,
      flags: 0,
      build: 25,
      guestCount: 0,
    });
    sevInit(p);
    sevGuest(p, 0);
    r = p.psp.command(Cmd.PLATFORM_STATUS, new Uint8Array(12));
    expect(SevUserDataStatus.decode(r.buffer)).toEqual({
      apiMajor: 1,
      apiMinor: 55,
      state: 2,
      flags: 0x100,
      build: 25,
      guestCount: 1,
    });
  });

  it('PEK_CSR: small buffer → INVALID_LENGTH with the needed length written back (docs/reference/psp-firmware.md §2.2)', () => {
    const p = legacy('init');
    const r = p.psp.command(Cmd.PEK_CSR, SevDataPekCsr.encode({ address: 0, len: 0 }));
    expect(r.status).toBe(Status.INVALID_LEN);
    expect(SevDataPekCsr.decode(r.buffer).len).toBe(SEV_CERT_SIZE);
  });

  it('GET_ID: len < 64 → INVALID_LENGTH with 64 written back; success writes 64 bytes (docs/reference/psp-firmware.md §2.3)', () => {
    const p = legacy('uninit');
    let r = p.psp.command(Cmd.GET_ID, SevDataGetId.encode({ address: 0, len: 10 }));
    expect(r.status).toBe(Status.INVALID_LEN);
    expect(SevDataGetId.decode(r.buffer).len).toBe(GET_ID_SIZE);
    const a = hostPage(p);
    r = p.psp.command(Cmd.GET_ID, SevDataGetId.encode({ address: a, len: 128 }));
    expect(r.status).toBe(0);
    expect(SevDataGetId.decode(r.buffer).len).toBe(64);
  });

  it('GET_ID with SNP INIT: a Hypervisor page → INVALID_PAGE_STATE, a Firmware page works (docs/reference/psp-firmware.md §2.3)', () => {
    const p = platform();
    snpInit(p);
    expect(p.run('GET_ID', SevDataGetId.encode({ address: hostPage(p), len: 64 }))).toBe(
      Status.INVALID_PAGE_STATE,
    );
    expect(p.run('GET_ID', SevDataGetId.encode({ address: firmwarePage(p), len: 64 }))).toBe(0);
  });

  it('PEK_CERT_IMPORT: wrong lengths → INVALID_LENGTH; invalid cert → INVALID_CERTIFICATE; then ALREADY_OWNED', () => {
    const p = legacy('init');
    const a = p.machine.allocPages(2) * 4096;
    const b = a + 4096;
    expect(p.run('PEK_CERT_IMPORT', SevDataPekCertImport.encode({ pekCertAddress: a, pekCertLen: 10 }))).toBe(
      Status.INVALID_LEN,
    );
    const full = {
      pekCertAddress: a,
      pekCertLen: SEV_CERT_SIZE,
      ocaCertAddress: b,
      ocaCertLen: SEV_CERT_SIZE,
    };
    expect(p.run('PEK_CERT_IMPORT', SevDataPekCertImport.encode(full))).toBe(Status.INVALID_CERTIFICATE);
    p.machine.writePhys(a, new Uint8Array([1, 0, 0, 0]));
    p.machine.writePhys(b, new Uint8Array([1, 0, 0, 0]));
    expect(p.run('PEK_CERT_IMPORT', SevDataPekCertImport.encode(full))).toBe(0);
    expect(p.run('PEK_CERT_IMPORT', SevDataPekCertImport.encode(full))).toBe(Status.ALREADY_OWNED);
    const st = SevUserDataStatus.decode(p.psp.command(Cmd.PLATFORM_STATUS, new Uint8Array(12)).buffer);
    expect(st.flags & 1).toBe(1);
    expect(p.run('PEK_GEN')).toBe(0); // self-owned again
    expect(p.run('PEK_CERT_IMPORT', SevDataPekCertImport.encode(full))).toBe(0);
  });
});

describe('DF_FLUSH (docs/reference/psp-firmware.md §2.3, §2.5)', () => {
  it('WBINVD_REQUIRED when a core has not done WBINVD; no platform-state check', () => {
    const p = legacy('uninit');
    p.machine.fwClearWbinvd();
    expect(p.run('DF_FLUSH')).toBe(Status.WBINVD_REQUIRED);
    p.machine.wbinvdAll();
    expect(p.run('DF_FLUSH')).toBe(0); // SEV UNINIT: still accepted
  });

  it('WBINVD on all but one core still refuses', () => {
    const p = legacy('init');
    p.machine.fwClearWbinvd();
    for (const c of p.machine.cores.slice(1)) p.machine.wbinvd(c.id);
    expect(p.run('DF_FLUSH')).toBe(Status.WBINVD_REQUIRED);
    p.machine.wbinvd(0);
    expect(p.run('DF_FLUSH')).toBe(0);
    expect(p.psp.snapshot().asids).toMatchObject({ dirty: 0, clean: 1006 });
  });

  it('VM_HSAVE_PA is not consulted by legacy INIT', () => {
    const p = legacy('uninit');
    p.machine.wrmsr(0, MSR.VM_HSAVE_PA, 0x1000n);
    expect(p.run('INIT', SevDataInit.encode({}))).toBe(0);
  });
});
