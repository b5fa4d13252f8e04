/**
 * Every guard in the firmware's command table fires through the mailbox, or the record says why no
 * input can reach it (issue #10 item 4). Guard evaluation is instrumented here, in the test only: each
 * guard's `check` is wrapped while the cases run, so the test sees which guards actually refused
 * (not only which guard the event names), and the record is checked both ways: every firing case
 * fires its guard and the guard decides the command (the `onCommand` event names it), every guard
 * recorded as unreachable never fires in any case, and no entry names a guard that does not exist.
 */
import { MSR, SYSCFG } from '@sevsim/hardware';
import {
  COMMAND_BUFFERS,
  Cmd,
  type CmdName,
  SevDataActivate,
  SevDataDbg,
  SevDataDeactivate,
  SevDataDownloadFirmware,
  SevDataDownloadFirmwareEx,
  SevDataGetId,
  SevDataInit,
  SevDataInitEx,
  SevDataLaunchMeasure,
  SevDataLaunchStart,
  SevDataLaunchUpdateData,
  SevDataPdhCertExport,
  SevDataPekCertImport,
  SevDataPekCsr,
  SevDataSnpActivate,
  SevDataSnpAddr,
  SevDataSnpCommit,
  SevDataSnpFeatureInfo,
  SevDataSnpGuestStatus,
  SevDataSnpInitEx,
  SevDataSnpLaunchFinish,
  SevDataSnpLaunchStart,
  SevDataSnpLaunchUpdate,
  SevDataSnpPageReclaim,
  SevDataSnpShutdownEx,
  SevPolicy,
  SevUserDataSnpConfig,
  SnpPageType,
  SnpPolicy,
} from '@sevsim/psp-abi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMMANDS,
  type FirmwareImageSpec,
  SEV_CERT_SIZE,
  SEV_PLATFORM,
  SNP_PLATFORM,
  acceptedIn,
  encodeFirmwareImage,
} from '../src/index';
import {
  MB2,
  PAGE,
  type Platform,
  SNP_POLICY,
  firmwarePage,
  hostPage,
  launchUpdate,
  platform,
  sevGuest,
  sevInit,
  shutdownEx,
  snpGuest,
  snpInit,
} from './helpers';

/** A case drives one platform through the mailbox; its last command must be refused by the guard. */
type Case = () => Platform;

/** An address past the end of the test machines' DRAM (4 GiB): FW validate_address_range refuses it. */
const BEYOND = 64 * 2 ** 30;

const zero = (name: CmdName) => new Uint8Array(COMMAND_BUFFERS.get(Cmd[name])?.size ?? 0);

/** A platform without SNPEn (legacy SEV only) in the given SEV state (0 UNINIT, 1 INIT, 2 WORKING). */
function legacy(state = 0): Platform {
  const p = platform({}, { snpEnAtBoot: false });
  if (state > 0) expect(sevInit(p)).toBe(0);
  if (state > 1) sevGuest(p, 0);
  return p;
}

/** Legacy SEV initialised on top of SNP INIT: the page-state checks of docs/reference/psp-firmware.md §2.2 apply. */
function snpAndSev(): Platform {
  const p = platform();
  expect(snpInit(p)).toBe(0);
  expect(sevInit(p)).toBe(0);
  return p;
}

function snpReady(config: Parameters<typeof platform>[0] = {}): Platform {
  const p = platform(config);
  expect(snpInit(p)).toBe(0);
  return p;
}

/** Run `name` on `p` and hand `p` back (the case's last command). */
function run(p: Platform, name: CmdName, buffer: Uint8Array = zero(name)): Platform {
  p.run(name, buffer);
  return p;
}

/** SNPEn, MFDM and VMPLEn set by hand on every thread, as a kernel that sets SNPEn would. */
function snpEnabledByHand(p: Platform): Platform {
  for (const c of p.machine.cores) {
    p.machine.wrmsr(c.id, MSR.SYSCFG, p.machine.rdmsr(c.id, MSR.SYSCFG) | SYSCFG.MFDM);
    p.machine.wrmsr(c.id, MSR.SYSCFG, p.machine.rdmsr(c.id, MSR.SYSCFG) | SYSCFG.SNP_EN | SYSCFG.VMPL_EN);
  }
  return p;
}

function clearMfdm(p: Platform, threads: readonly { id: number }[]): Platform {
  for (const c of threads)
    p.machine.wrmsr(c.id, MSR.SYSCFG, p.machine.rdmsr(c.id, MSR.SYSCFG) & ~SYSCFG.MFDM);
  return p;
}

/** A 2 MB Firmware page (rmp_make_private with a 2 MB size); returns its address. */
function firmwarePage2M(p: Platform): number {
  const pfn = p.machine.allocPages(512, 512);
  expect(p.machine.rmp.rmpupdate(pfn, { assigned: true, immutable: true, pageSize: '2M' })).toBe(0);
  return pfn * PAGE;
}

/** A Pre-Guest page of `asid` (4 KB, or 2 MB), as KVM makes it before SNP_LAUNCH_UPDATE. */
function preGuestPage(p: Platform, asid: number, large = false): number {
  const pfn = large ? p.machine.allocPages(512, 512) : p.machine.allocPages(1);
  const gpa = large ? MB2 : PAGE;
  expect(
    p.machine.rmp.rmpupdate(pfn, {
      assigned: true,
      immutable: true,
      asid,
      gpa,
      pageSize: large ? '2M' : '4K',
    }),
  ).toBe(0);
  return pfn * PAGE;
}

/** An SNP guest launched (SNP_LAUNCH_START), activated with `asid` unless 0; returns its gctx. */
function snpLaunched(p: Platform, asid: number): number {
  const gctx = firmwarePage(p);
  expect(p.run('SNP_GCTX_CREATE', SevDataSnpAddr.encode({ address: gctx }))).toBe(0);
  expect(
    p.run('SNP_LAUNCH_START', SevDataSnpLaunchStart.encode({ gctxPaddr: gctx, policy: SNP_POLICY })),
  ).toBe(0);
  if (asid) expect(p.run('SNP_ACTIVATE', SevDataSnpActivate.encode({ gctxPaddr: gctx, asid }))).toBe(0);
  return gctx;
}

/** A legacy SEV-ES guest in LUPDATE, activated with ASID 1 (SEV-ES range below MIN_SEV_ASID). */
function esGuest(p: Platform): number {
  return sevGuest(p, SevPolicy.ES, 1);
}

/** The legacy guest measured (LSECRET) or finished (RUNNING). */
function measured(p: Platform, handle: number, finish = false): number {
  const m = p.machine.allocPages(1) * PAGE;
  expect(p.run('LAUNCH_MEASURE', SevDataLaunchMeasure.encode({ handle, address: m, len: 48 }))).toBe(0);
  if (finish) expect(p.run('LAUNCH_FINISH', SevDataDeactivate.encode({ handle }))).toBe(0);
  return handle;
}

function image(p: Platform, spec: FirmwareImageSpec): { pa: number; len: number } {
  const bytes = encodeFirmwareImage(spec);
  const pa = p.machine.allocPages(1) * PAGE;
  p.machine.writePhys(pa, bytes);
  return { pa, len: bytes.length };
}

function dlfw(p: Platform, spec: FirmwareImageSpec, over: { address?: number; len?: number } = {}): Platform {
  const { pa, len } = image(p, spec);
  return run(p, 'DOWNLOAD_FIRMWARE', SevDataDownloadFirmware.encode({ address: pa, len, ...over }));
}

function dlfwEx(
  p: Platform,
  spec: FirmwareImageSpec,
  over: Partial<{ length: number; fwPaddr: number; fwLen: number }> = {},
): Platform {
  const { pa, len } = image(p, spec);
  return run(
    p,
    'SNP_DOWNLOAD_FIRMWARE_EX',
    SevDataDownloadFirmwareEx.encode({ length: 24, fwPaddr: pa, fwLen: len, ...over }),
  );
}

// ---------------------------------------------------------------- cases derived from the state tables

/** `X.sev-state`: the command in the first SEV state its SEV_PLATFORM row does not accept. */
function sevStateCase(name: CmdName): Case {
  const refused = [0, 1, 2].find((s) => !acceptedIn(SEV_PLATFORM, name).includes(s));
  return () => run(legacy(refused), name);
}

/** `X.snp-init`: an SNP guest command while SNP is in a state its SNP_PLATFORM row does not accept. */
function snpInitCase(name: CmdName): Case {
  expect(acceptedIn(SNP_PLATFORM, name)).not.toContain(0);
  return () => run(platform(), name);
}

/** `X.handle`: a legacy guest command in WORKING naming handle 0, which no guest has. */
const handleCase =
  (name: CmdName): Case =>
  () =>
    run(legacy(2), name);

/** `X.gctx-context`: an SNP guest command naming a page that is not a guest context. */
const contextCase =
  (name: CmdName): Case =>
  () =>
    run(snpReady(), name);

/** `X.gctx-reserved` (SNP_GCTX_CREATE, SNP_ACTIVATE, SNP_GUEST_STATUS, SNP_DECOMMISSION: gctx first). */
const gctxReservedCase =
  (name: CmdName): Case =>
  () => {
    const buf = zero(name);
    SevDataSnpAddr.patch(buf, { address: 0x10 });
    return run(snpReady(), name, buf);
  };

// ---------------------------------------------------------------- INIT and INIT_EX

function initCases(ex: boolean): Record<string, Case> {
  const name: CmdName = ex ? 'INIT_EX' : 'INIT';
  const init = (
    p: Platform,
    f: { flags?: number; tmrAddress?: number; tmrLen?: number; nvAddress?: number; nvLen?: number },
  ) =>
    run(
      p,
      name,
      ex
        ? SevDataInitEx.encode({ length: 0x24, nvLen: f.nvAddress ? 0x8000 : 0, ...f })
        : SevDataInit.encode(f),
    );
  const tmr = (p: Platform, bytes: number) => p.machine.allocPages(bytes / PAGE, bytes / PAGE) * PAGE;
  const cases: Record<string, Case> = {
    [`${name}.sev-state`]: sevStateCase(name),
    [`${name}.hw-encryption`]: () => init(platform({ bios: { smee: false } }, { snpEnAtBoot: false }), {}),
    [`${name}.flags`]: () => init(legacy(), { flags: 2 }),
    [`${name}.snpen-needs-rmp`]: () => init(platform(), {}),
    [`${name}.tmr-address`]: () => init(legacy(), { flags: 1, tmrAddress: BEYOND, tmrLen: 0x100000 }),
    [`${name}.tmr-page-state`]: () => {
      const p = snpReady();
      return init(p, { flags: 1, tmrAddress: tmr(p, MB2), tmrLen: MB2 });
    },
    [`${name}.tmr-size`]: () => {
      const p = legacy();
      return init(p, { flags: 1, tmrAddress: tmr(p, 0x100000), tmrLen: 0x80000 });
    },
    [`${name}.tmr-align`]: () => {
      const p = legacy();
      return init(p, { flags: 1, tmrAddress: tmr(p, MB2) + PAGE, tmrLen: 0x100000 });
    },
  };
  if (!ex) return cases;
  const nv = (p: Platform) => p.machine.allocPages(8) * PAGE;
  return {
    ...cases,
    'INIT_EX.length': () => run(legacy(), 'INIT_EX', SevDataInitEx.encode({ length: 0x20 })),
    'INIT_EX.nv-align': () => {
      const p = legacy();
      return init(p, { nvAddress: nv(p) + 8 });
    },
    'INIT_EX.nv-len': () => {
      const p = legacy();
      return init(p, { nvAddress: nv(p), nvLen: 0x4000 });
    },
    'INIT_EX.address': () => init(legacy(), { nvAddress: BEYOND }),
    'INIT_EX.nv-page-state': () => {
      const p = snpReady();
      return init(p, { nvAddress: nv(p) });
    },
    'INIT_EX.nv-integrity': () => {
      const p = legacy();
      const a = nv(p);
      p.machine.writePhys(a, new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
      return init(p, { nvAddress: a });
    },
    'INIT_EX.tmr-nv-overlap': () => {
      const p = legacy();
      const a = tmr(p, 0x100000);
      return init(p, { flags: 1, tmrAddress: a, tmrLen: 0x100000, nvAddress: a });
    },
  };
}

// ---------------------------------------------------------------- SNP_INIT and SNP_INIT_EX

function snpInitCases(ex: boolean): Record<string, Case> {
  const name: CmdName = ex ? 'SNP_INIT_EX' : 'SNP_INIT';
  const go = (p: Platform, f: Parameters<typeof SevDataSnpInitEx.encode>[0] = {}) => {
    p.machine.wbinvdAll();
    return run(p, name, ex ? SevDataSnpInitEx.encode({ initRmp: 1, ...f }) : zero(name));
  };
  const cases: Record<string, Case> = {
    [`${name}.platform-uninit`]: () => go(snpReady()),
    [`${name}.cores-snp-enabled`]: () => go(platform({}, { snpEnAtBoot: false })),
    // MFDM is per thread: one thread without it makes SYSCFG differ between threads.
    [`${name}.msrs-identical`]: () => {
      const p = platform();
      return go(clearMfdm(p, [p.machine.cores[1]!]));
    },
    [`${name}.syscfg-mfdm`]: () => {
      const p = platform();
      return go(clearMfdm(p, p.machine.cores));
    },
    [`${name}.hwcr-smmlock`]: () =>
      go(snpEnabledByHand(platform({ bios: { smmLock: false } }, { snpEnAtBoot: false }))),
    [`${name}.iommu-snp`]: () => go(snpEnabledByHand(platform({ iommu: 'off' }, { snpEnAtBoot: false }))),
    [`${name}.memory-map`]: () => go(platform({ bios: { bootMode: 'legacy' } })),
    [`${name}.hsave-pa`]: () => {
      const p = platform();
      p.machine.wrmsr(3, MSR.VM_HSAVE_PA, 0x5000n);
      return go(p);
    },
  };
  if (!ex) return cases;
  const turin = (cth: boolean) => platform({ cpu: 'turin', bios: { ciphertextHiding: cth } });
  return {
    ...cases,
    'SNP_INIT_EX.reserved': () => go(platform(), { tioEn: 1 }),
    'SNP_INIT_EX.rmp-init-required': () => go(platform(), { initRmp: 0 }),
    // SNP_SHUTDOWN without the IOMMU shutdown keeps the RMP valid, so INIT_RMP=0 is allowed there.
    'SNP_INIT_EX.list-needs-rebuild': () => {
      const p = snpReady();
      expect(p.run('SNP_SHUTDOWN_EX', shutdownEx(false))).toBe(0);
      return go(p, { initRmp: 0, listPaddrEn: 1, listPaddr: hostPage(p) });
    },
    'SNP_INIT_EX.max-snp-asid': () => go(turin(true), { ciphertextHidingEn: 1, maxSnpAsid: 0 }),
    'SNP_INIT_EX.cth-capable': () => go(turin(false), { ciphertextHidingEn: 1, maxSnpAsid: 50 }),
  };
}

// ---------------------------------------------------------------- legacy ACTIVATE and SNP_ACTIVATE

function activateCases(snp: boolean): Record<string, Case> {
  const name: CmdName = snp ? 'SNP_ACTIVATE' : 'ACTIVATE';
  /** A fresh guest of the platform: an SNP context after LAUNCH_START, or a legacy SEV(-ES) handle. */
  const guest = (p: Platform, es = false) => (snp ? snpLaunched(p, 0) : sevGuest(p, es ? SevPolicy.ES : 0));
  const activate = (p: Platform, g: number, asid: number) =>
    run(
      p,
      name,
      snp ? SevDataSnpActivate.encode({ gctxPaddr: g, asid }) : SevDataActivate.encode({ handle: g, asid }),
    );
  const ready = () => (snp ? snpReady() : legacy(1));
  // An SNP guest is always ES (ASIDs 1 … MIN_SEV_ASID−1); a plain SEV guest needs MIN_SEV_ASID or above.
  const asid = (p: Platform) => (snp ? 1 : p.machine.config.bios.minSevAsid);
  return {
    [`${name}.asid-valid`]: () => {
      const p = ready();
      return activate(p, guest(p), 0);
    },
    [`${name}.asid-owned`]: () => {
      const p = ready();
      const first = guest(p);
      const second = guest(p);
      activate(p, first, asid(p));
      return activate(p, second, asid(p));
    },
    [`${name}.already-active`]: () => {
      const p = ready();
      const g = guest(p);
      activate(p, g, asid(p));
      return activate(p, g, asid(p) + 1);
    },
    // INIT / SNP_INIT mark every ASID dirty; no DF_FLUSH followed.
    [`${name}.asid-dirty`]: () => {
      const p = snp ? platform() : legacy();
      if (snp) {
        p.machine.wbinvdAll();
        expect(p.run('SNP_INIT_EX', SevDataSnpInitEx.encode({ initRmp: 1 }))).toBe(0);
      } else {
        expect(p.run('INIT', SevDataInit.encode({}))).toBe(0);
      }
      return activate(p, guest(p), asid(p));
    },
    [`${name}.asid-range`]: () => {
      const p = ready();
      return activate(p, guest(p), snp ? p.machine.config.bios.minSevAsid : 1);
    },
    // With ciphertext hiding (MAX_SNP_ASID 50) an SNP guest needs ≤ 50, an SEV-ES guest > 50.
    [`${name}.cth-split`]: () => {
      const p = platform({ cpu: 'turin', bios: { ciphertextHiding: true } });
      expect(snpInit(p, { ciphertextHidingEn: 1, maxSnpAsid: 50 })).toBe(0);
      if (!snp) expect(sevInit(p)).toBe(0);
      return activate(p, guest(p, true), snp ? 60 : 10);
    },
  };
}

// ---------------------------------------------------------------- the record

const FIRES: Record<string, Case> = {
  ...initCases(false),
  ...initCases(true),
  'FACTORY_RESET.sev-state': sevStateCase('FACTORY_RESET'),
  'PEK_GEN.sev-state': sevStateCase('PEK_GEN'),
  'PDH_GEN.sev-state': sevStateCase('PDH_GEN'),
  'PEK_CSR.sev-state': sevStateCase('PEK_CSR'),
  'PEK_CSR.length': () => run(legacy(1), 'PEK_CSR', SevDataPekCsr.encode({ address: 0, len: 0 })),
  'PEK_CSR.address': () =>
    run(legacy(1), 'PEK_CSR', SevDataPekCsr.encode({ address: BEYOND, len: SEV_CERT_SIZE })),
  'PEK_CSR.page-state': () => {
    const p = snpAndSev();
    return run(p, 'PEK_CSR', SevDataPekCsr.encode({ address: hostPage(p), len: SEV_CERT_SIZE }));
  },
  'PEK_CERT_IMPORT.sev-state': sevStateCase('PEK_CERT_IMPORT'),
  'PEK_CERT_IMPORT.already-owned': () => {
    const p = legacy(1);
    const a = p.machine.allocPages(2) * PAGE;
    p.machine.writePhys(a, new Uint8Array([1, 0, 0, 0]));
    p.machine.writePhys(a + PAGE, new Uint8Array([1, 0, 0, 0]));
    const buf = SevDataPekCertImport.encode({
      pekCertAddress: a,
      pekCertLen: SEV_CERT_SIZE,
      ocaCertAddress: a + PAGE,
      ocaCertLen: SEV_CERT_SIZE,
    });
    expect(p.run('PEK_CERT_IMPORT', buf)).toBe(0);
    return run(p, 'PEK_CERT_IMPORT', buf);
  },
  'PEK_CERT_IMPORT.length': () =>
    run(legacy(1), 'PEK_CERT_IMPORT', SevDataPekCertImport.encode({ pekCertLen: 10 })),
  'PEK_CERT_IMPORT.address': () =>
    run(
      legacy(1),
      'PEK_CERT_IMPORT',
      SevDataPekCertImport.encode({
        pekCertAddress: BEYOND,
        pekCertLen: SEV_CERT_SIZE,
        ocaCertAddress: BEYOND,
        ocaCertLen: SEV_CERT_SIZE,
      }),
    ),
  'PEK_CERT_IMPORT.certificate': () => {
    const p = legacy(1);
    const a = p.machine.allocPages(2) * PAGE;
    const buf = SevDataPekCertImport.encode({
      pekCertAddress: a,
      pekCertLen: SEV_CERT_SIZE,
      ocaCertAddress: a + PAGE,
      ocaCertLen: SEV_CERT_SIZE,
    });
    return run(p, 'PEK_CERT_IMPORT', buf);
  },
  'PDH_CERT_EXPORT.sev-state': sevStateCase('PDH_CERT_EXPORT'),
  'PDH_CERT_EXPORT.length': () => run(legacy(1), 'PDH_CERT_EXPORT', zero('PDH_CERT_EXPORT')),
  'PDH_CERT_EXPORT.address': () =>
    run(
      legacy(1),
      'PDH_CERT_EXPORT',
      SevDataPdhCertExport.encode({
        pdhCertAddress: BEYOND,
        pdhCertLen: PAGE,
        certChainAddress: BEYOND,
        certChainLen: 3 * PAGE,
      }),
    ),
  'PDH_CERT_EXPORT.page-state': () => {
    const p = snpAndSev();
    const a = p.machine.allocPages(3) * PAGE;
    return run(
      p,
      'PDH_CERT_EXPORT',
      SevDataPdhCertExport.encode({
        pdhCertAddress: a,
        pdhCertLen: PAGE,
        certChainAddress: a + PAGE,
        certChainLen: 2 * PAGE,
      }),
    );
  },
  'GET_ID.length': () => run(legacy(), 'GET_ID', SevDataGetId.encode({ address: 0, len: 10 })),
  'GET_ID.address': () => run(legacy(), 'GET_ID', SevDataGetId.encode({ address: BEYOND, len: 64 })),
  'GET_ID.page-state': () => {
    const p = snpReady();
    return run(p, 'GET_ID', SevDataGetId.encode({ address: hostPage(p), len: 64 }));
  },
  // INIT with SNP UNINIT marks the ASIDs dirty and clears every core's WBINVD_DONE.
  'DF_FLUSH.wbinvd-required': () => run(run(legacy(), 'INIT', SevDataInit.encode({})), 'DF_FLUSH'),
  'SNP_DF_FLUSH.wbinvd-required': () => {
    const p = platform();
    p.machine.wbinvdAll();
    return run(run(p, 'SNP_INIT_EX', SevDataSnpInitEx.encode({ initRmp: 1 })), 'SNP_DF_FLUSH');
  },

  // Legacy guests.
  'LAUNCH_START.sev-state': sevStateCase('LAUNCH_START'),
  'LAUNCH_START.session-len': () =>
    run(
      legacy(1),
      'LAUNCH_START',
      SevDataLaunchStart.encode({ dhCertAddress: PAGE, dhCertLen: 2084, sessionLen: 0 }),
    ),
  'LAUNCH_START.dh-cert-len': () =>
    run(
      legacy(1),
      'LAUNCH_START',
      SevDataLaunchStart.encode({ dhCertAddress: PAGE, dhCertLen: 0, sessionLen: 128 }),
    ),
  'LAUNCH_START.shared-handle': () =>
    run(legacy(1), 'LAUNCH_START', SevDataLaunchStart.encode({ handle: 5 })),
  'LAUNCH_START.key-sharing': () => {
    const p = legacy(1);
    const handle = sevGuest(p, SevPolicy.NOKS);
    return run(p, 'LAUNCH_START', SevDataLaunchStart.encode({ handle, policy: SevPolicy.NOKS }));
  },
  'LAUNCH_START.handles': () => {
    const p = legacy(1);
    for (let i = 0; i < 1024; i++) sevGuest(p, 0);
    return run(p, 'LAUNCH_START');
  },
  'LAUNCH_START.es-configured': () => {
    const p = legacy();
    expect(sevInit(p, false)).toBe(0);
    return run(p, 'LAUNCH_START', SevDataLaunchStart.encode({ policy: SevPolicy.ES }));
  },
  'LAUNCH_START.policy': () => run(legacy(1), 'LAUNCH_START', SevDataLaunchStart.encode({ policy: 0x40 })),
  ...Object.fromEntries(
    (['LAUNCH_UPDATE_DATA', 'LAUNCH_UPDATE_VMSA'] as const).flatMap((name) => {
      const update = (p: Platform, f: { handle: number; address: number; len: number }) =>
        run(p, name, SevDataLaunchUpdateData.encode(f));
      const up =
        (f: { address?: number; len?: number }): Case =>
        () => {
          const p = legacy(1);
          const handle = esGuest(p);
          return update(p, { handle, address: p.machine.allocPages(1) * PAGE, len: 16, ...f });
        };
      return [
        [`${name}.sev-state`, sevStateCase(name)],
        [`${name}.handle`, handleCase(name)],
        [
          `${name}.guest-state`,
          () => {
            const p = legacy(1);
            const handle = measured(p, esGuest(p));
            return update(p, { handle, address: 0, len: 16 });
          },
        ],
        [`${name}.address-range`, up({ address: BEYOND })],
        [`${name}.address-align`, up({ address: PAGE + 8 })],
        [`${name}.len-align`, up({ len: 8 })],
      ];
    }),
  ),
  'LAUNCH_UPDATE_VMSA.es': () => {
    const p = legacy(1);
    const handle = sevGuest(p, 0);
    return run(p, 'LAUNCH_UPDATE_VMSA', SevDataLaunchUpdateData.encode({ handle, address: 0, len: 16 }));
  },
  'LAUNCH_UPDATE_VMSA.inactive': () => {
    const p = legacy(1);
    const handle = sevGuest(p, SevPolicy.ES);
    return run(p, 'LAUNCH_UPDATE_VMSA', SevDataLaunchUpdateData.encode({ handle, address: 0, len: 16 }));
  },
  'LAUNCH_MEASURE.sev-state': sevStateCase('LAUNCH_MEASURE'),
  'LAUNCH_MEASURE.handle': handleCase('LAUNCH_MEASURE'),
  'LAUNCH_MEASURE.guest-state': () => {
    const p = legacy(1);
    const handle = measured(p, sevGuest(p, 0));
    return run(p, 'LAUNCH_MEASURE', SevDataLaunchMeasure.encode({ handle, address: 0, len: 48 }));
  },
  'LAUNCH_MEASURE.length': () => {
    const p = legacy(1);
    return run(p, 'LAUNCH_MEASURE', SevDataLaunchMeasure.encode({ handle: sevGuest(p, 0), len: 0 }));
  },
  'LAUNCH_MEASURE.address': () => {
    const p = legacy(1);
    return run(
      p,
      'LAUNCH_MEASURE',
      SevDataLaunchMeasure.encode({ handle: sevGuest(p, 0), address: BEYOND, len: 48 }),
    );
  },
  'LAUNCH_MEASURE.page-state': () => {
    const p = snpAndSev();
    const handle = sevGuest(p, 0);
    return run(p, 'LAUNCH_MEASURE', SevDataLaunchMeasure.encode({ handle, address: hostPage(p), len: 48 }));
  },
  'LAUNCH_UPDATE_SECRET.sev-state': sevStateCase('LAUNCH_UPDATE_SECRET'),
  'LAUNCH_UPDATE_SECRET.handle': handleCase('LAUNCH_UPDATE_SECRET'),
  'LAUNCH_UPDATE_SECRET.guest-state': () => {
    const p = legacy(1);
    return run(p, 'LAUNCH_UPDATE_SECRET', SevDataDeactivate.encode({ handle: sevGuest(p, 0) }));
  },
  'LAUNCH_FINISH.sev-state': sevStateCase('LAUNCH_FINISH'),
  'LAUNCH_FINISH.handle': handleCase('LAUNCH_FINISH'),
  'LAUNCH_FINISH.guest-state': () => {
    const p = legacy(1);
    return run(p, 'LAUNCH_FINISH', SevDataDeactivate.encode({ handle: sevGuest(p, 0) }));
  },
  'ACTIVATE.sev-state': sevStateCase('ACTIVATE'),
  'ACTIVATE.handle': handleCase('ACTIVATE'),
  ...activateCases(false),
  'DEACTIVATE.sev-state': sevStateCase('DEACTIVATE'),
  'DEACTIVATE.handle': handleCase('DEACTIVATE'),
  'DEACTIVATE.inactive': () => {
    const p = legacy(1);
    return run(p, 'DEACTIVATE', SevDataDeactivate.encode({ handle: sevGuest(p, 0) }));
  },
  'DECOMMISSION.sev-state': sevStateCase('DECOMMISSION'),
  'DECOMMISSION.handle': handleCase('DECOMMISSION'),
  'DECOMMISSION.active': () => {
    const p = legacy(1);
    return run(p, 'DECOMMISSION', SevDataDeactivate.encode({ handle: esGuest(p) }));
  },
  'GUEST_STATUS.sev-state': sevStateCase('GUEST_STATUS'),
  ...Object.fromEntries(
    (['DBG_DECRYPT', 'DBG_ENCRYPT'] as const).flatMap((name) => {
      const dbg =
        (policy: number, asid: number | undefined, f: { srcAddr?: number; len?: number }): Case =>
        () => {
          const p = legacy(1);
          const handle = sevGuest(p, policy, asid);
          return run(p, name, SevDataDbg.encode({ handle, srcAddr: 0, dstAddr: 0, len: 16, ...f }));
        };
      const minSev = platform().machine.config.bios.minSevAsid;
      return [
        [`${name}.sev-state`, sevStateCase(name)],
        [`${name}.handle`, handleCase(name)],
        [`${name}.nodbg`, dbg(SevPolicy.NODBG, minSev, {})],
        [`${name}.inactive`, dbg(0, undefined, {})],
        [`${name}.align`, dbg(0, minSev, { srcAddr: 8 })],
      ];
    }),
  ),

  // Firmware update.
  'DOWNLOAD_FIRMWARE.platform-uninit': () => dlfw(snpReady(), { version: '1.55.29' }),
  'DOWNLOAD_FIRMWARE.align': () => {
    const p = platform();
    const { pa, len } = image(p, { version: '1.55.29' });
    return run(p, 'DOWNLOAD_FIRMWARE', SevDataDownloadFirmware.encode({ address: pa + 16, len }));
  },
  'DOWNLOAD_FIRMWARE.image-length': () => dlfw(platform(), { version: '1.55.29' }, { len: 8 }),
  'DOWNLOAD_FIRMWARE.signature': () => dlfw(platform(), { version: '1.55.29', signed: false }),
  'DOWNLOAD_FIRMWARE.svn': () => dlfw(platform(), { version: '1.55.29', svn: 1 }),
  'DOWNLOAD_FIRMWARE.version': () => dlfw(platform(), { version: '1.55.20', svn: 25 }),
  'SNP_DOWNLOAD_FIRMWARE_EX.sev-uninit': () => dlfwEx(legacy(1), { version: '1.55.29' }),
  'SNP_DOWNLOAD_FIRMWARE_EX.reserved': () => {
    const p = platform();
    const buf = SevDataDownloadFirmwareEx.encode({ length: 24 });
    buf[4] = 1; // the reserved u32 after length
    return run(p, 'SNP_DOWNLOAD_FIRMWARE_EX', buf);
  },
  'SNP_DOWNLOAD_FIRMWARE_EX.length': () => dlfwEx(platform(), { version: '1.55.29' }, { length: 16 }),
  'SNP_DOWNLOAD_FIRMWARE_EX.align': () => {
    const p = platform();
    const { pa, len } = image(p, { version: '1.55.29' });
    return dlfwEx(p, { version: '1.55.29' }, { fwPaddr: pa + 16, fwLen: len });
  },
  'SNP_DOWNLOAD_FIRMWARE_EX.image-length': () => dlfwEx(platform(), { version: '1.55.29' }, { fwLen: 8 }),
  'SNP_DOWNLOAD_FIRMWARE_EX.signature': () => dlfwEx(platform(), { version: '1.55.29', signed: false }),
  'SNP_DOWNLOAD_FIRMWARE_EX.svn': () => dlfwEx(platform(), { version: '1.55.20', svn: 24 }),
  'SNP_DOWNLOAD_FIRMWARE_EX.version': () => dlfwEx(platform(), { version: '1.55.20', svn: 25 }),

  // SNP platform.
  ...snpInitCases(false),
  ...snpInitCases(true),
  ...Object.fromEntries(
    (['SNP_SHUTDOWN', 'SNP_SHUTDOWN_EX'] as const).flatMap((name) => {
      const buf = name === 'SNP_SHUTDOWN' ? zero(name) : shutdownEx(false);
      return [
        [`${name}.sev-uninit`, () => run(snpAndSev(), name, buf)],
        [`${name}.already-uninit`, () => run(platform(), name, buf)],
        [
          `${name}.asids-clean`,
          () => {
            const p = platform();
            p.machine.wbinvdAll();
            return run(run(p, 'SNP_INIT_EX', SevDataSnpInitEx.encode({ initRmp: 1 })), name, buf);
          },
        ],
      ];
    }),
  ),
  'SNP_SHUTDOWN_EX.len': () => run(snpReady(), 'SNP_SHUTDOWN_EX', SevDataSnpShutdownEx.encode({ len: 4 })),
  'SNP_SHUTDOWN_EX.reserved': () => {
    const buf = shutdownEx(false);
    buf[4] = 0x20; // a reserved bit beside the two shutdown flags
    return run(snpReady(), 'SNP_SHUTDOWN_EX', buf);
  },
  'SNP_SHUTDOWN_EX.x86-needs-iommu': () => run(snpReady(), 'SNP_SHUTDOWN_EX', shutdownEx(false, true)),
  'SNP_PLATFORM_STATUS.page-cross': () =>
    run(platform(), 'SNP_PLATFORM_STATUS', SevDataSnpAddr.encode({ address: PAGE - 8 })),
  'SNP_PLATFORM_STATUS.page-state': () => {
    const p = snpReady();
    return run(p, 'SNP_PLATFORM_STATUS', SevDataSnpAddr.encode({ address: hostPage(p) }));
  },
  'SNP_FEATURE_INFO.length': () => run(platform(), 'SNP_FEATURE_INFO'),
  'SNP_FEATURE_INFO.address': () =>
    run(
      platform(),
      'SNP_FEATURE_INFO',
      SevDataSnpFeatureInfo.encode({ length: 16, featureInfoPaddr: PAGE + 2 }),
    ),
  'SNP_FEATURE_INFO.page-state': () => {
    const p = snpReady();
    return run(
      p,
      'SNP_FEATURE_INFO',
      SevDataSnpFeatureInfo.encode({ length: 16, featureInfoPaddr: hostPage(p) }),
    );
  },
  'SNP_FEATURE_INFO.subfunction': () => {
    const p = platform();
    return run(
      p,
      'SNP_FEATURE_INFO',
      SevDataSnpFeatureInfo.encode({ length: 16, ecxIn: 2, featureInfoPaddr: hostPage(p) }),
    );
  },
  'SNP_CONFIG.reserved': () => {
    const buf = zero('SNP_CONFIG');
    buf[20] = 1; // inside rsvd[52]
    return run(snpReady(), 'SNP_CONFIG', buf);
  },
  'SNP_CONFIG.reported-tcb': () =>
    run(snpReady(), 'SNP_CONFIG', SevUserDataSnpConfig.encode({ reportedTcb: 0xffff_ffff_ffff_ffffn })),
  'SNP_COMMIT.len': () => run(platform(), 'SNP_COMMIT', SevDataSnpCommit.encode({ len: 0 })),

  // SNP guests.
  'SNP_GCTX_CREATE.gctx-reserved': gctxReservedCase('SNP_GCTX_CREATE'),
  'SNP_GCTX_CREATE.snp-init': snpInitCase('SNP_GCTX_CREATE'),
  'SNP_GCTX_CREATE.address': () =>
    run(snpReady(), 'SNP_GCTX_CREATE', SevDataSnpAddr.encode({ address: BEYOND })),
  'SNP_GCTX_CREATE.page-state': () => {
    const p = snpReady();
    return run(p, 'SNP_GCTX_CREATE', SevDataSnpAddr.encode({ address: hostPage(p) }));
  },
  'SNP_GCTX_CREATE.page-size': () => {
    const p = snpReady();
    return run(p, 'SNP_GCTX_CREATE', SevDataSnpAddr.encode({ address: firmwarePage2M(p) }));
  },
  'SNP_LAUNCH_START.reserved': () =>
    run(snpReady(), 'SNP_LAUNCH_START', SevDataSnpLaunchStart.encode({ gctxPaddr: PAGE + 8 })),
  'SNP_LAUNCH_START.snp-init': snpInitCase('SNP_LAUNCH_START'),
  'SNP_LAUNCH_START.gctx-context': contextCase('SNP_LAUNCH_START'),
  'SNP_LAUNCH_START.guest-state': () => {
    const p = snpReady();
    const gctx = snpLaunched(p, 0);
    return run(p, 'SNP_LAUNCH_START', SevDataSnpLaunchStart.encode({ gctxPaddr: gctx, policy: SNP_POLICY }));
  },
  ...Object.fromEntries(
    (
      [
        ['policy-mbo', 0n],
        ['policy-smt', SnpPolicy.RSVD_MBO],
        ['policy-abi', SNP_POLICY | 0xff00n],
        ['policy-reserved', SNP_POLICY | (1n << 63n)],
      ] as const
    ).map(([rule, policy]) => [
      `SNP_LAUNCH_START.${rule}`,
      () => {
        const p = snpReady();
        const gctx = firmwarePage(p);
        p.run('SNP_GCTX_CREATE', SevDataSnpAddr.encode({ address: gctx }));
        return run(p, 'SNP_LAUNCH_START', SevDataSnpLaunchStart.encode({ gctxPaddr: gctx, policy }));
      },
    ]),
  ),
  ...Object.fromEntries(
    (['ma-context', 'policy-migrate-ma'] as const).map((rule) => [
      `SNP_LAUNCH_START.${rule}`,
      () => {
        const p = snpReady();
        const [gctx, ma] = [firmwarePage(p), firmwarePage(p)];
        p.run('SNP_GCTX_CREATE', SevDataSnpAddr.encode({ address: gctx }));
        // With a migration agent context that exists, the policy must allow one.
        if (rule === 'policy-migrate-ma') p.run('SNP_GCTX_CREATE', SevDataSnpAddr.encode({ address: ma }));
        return run(
          p,
          'SNP_LAUNCH_START',
          SevDataSnpLaunchStart.encode({ gctxPaddr: gctx, policy: SNP_POLICY, maEn: 1, maGctxPaddr: ma }),
        );
      },
    ]),
  ),
  'SNP_ACTIVATE.gctx-reserved': gctxReservedCase('SNP_ACTIVATE'),
  'SNP_ACTIVATE.snp-init': snpInitCase('SNP_ACTIVATE'),
  'SNP_ACTIVATE.gctx-context': contextCase('SNP_ACTIVATE'),
  'SNP_ACTIVATE.guest-state': () => {
    const p = snpReady();
    const gctx = firmwarePage(p);
    p.run('SNP_GCTX_CREATE', SevDataSnpAddr.encode({ address: gctx }));
    return run(p, 'SNP_ACTIVATE', SevDataSnpActivate.encode({ gctxPaddr: gctx, asid: 1 }));
  },
  // A page still assigned to ASID 1 in the RMP (a guest that was decommissioned without reclaim).
  'SNP_ACTIVATE.asid-has-pages': () => {
    const p = snpReady();
    preGuestPage(p, 1);
    return run(p, 'SNP_ACTIVATE', SevDataSnpActivate.encode({ gctxPaddr: snpLaunched(p, 0), asid: 1 }));
  },
  ...activateCases(true),
  'SNP_LAUNCH_UPDATE.reserved': () =>
    run(snpReady(), 'SNP_LAUNCH_UPDATE', launchUpdate(0, PAGE + 8, SnpPageType.NORMAL)),
  'SNP_LAUNCH_UPDATE.snp-init': snpInitCase('SNP_LAUNCH_UPDATE'),
  'SNP_LAUNCH_UPDATE.gctx-context': contextCase('SNP_LAUNCH_UPDATE'),
  'SNP_LAUNCH_UPDATE.guest-state': () => {
    const p = snpReady();
    const { gctx } = snpGuest(p, 1);
    return run(p, 'SNP_LAUNCH_UPDATE', launchUpdate(gctx, preGuestPage(p, 1), SnpPageType.NORMAL));
  },
  'SNP_LAUNCH_UPDATE.inactive': () => {
    const p = snpReady();
    return run(
      p,
      'SNP_LAUNCH_UPDATE',
      launchUpdate(snpLaunched(p, 0), preGuestPage(p, 1), SnpPageType.NORMAL),
    );
  },
  ...Object.fromEntries(
    (
      [
        ['address', (_p: Platform) => ({ address: BEYOND })],
        ['pre-guest', (p: Platform) => ({ address: hostPage(p) })],
        ['page-size', (p: Platform) => ({ address: preGuestPage(p, 1), pageSize: 1 })],
        ['align-2m', (p: Platform) => ({ address: preGuestPage(p, 1, true) + PAGE, pageSize: 1 })],
        [
          'type-4k',
          (p: Platform) => ({ address: preGuestPage(p, 1, true), pageSize: 1, pageType: SnpPageType.VMSA }),
        ],
        ['page-type', (p: Platform) => ({ address: preGuestPage(p, 1), pageType: 0 })],
        ['owner', (p: Platform) => ({ address: preGuestPage(p, 2) })],
        ['imi', (p: Platform) => ({ address: preGuestPage(p, 1), imiPage: 1 })],
      ] as const
    ).map(([rule, fields]) => [
      `SNP_LAUNCH_UPDATE.${rule}`,
      () => {
        const p = snpReady();
        const gctx = snpLaunched(p, 1);
        return run(
          p,
          'SNP_LAUNCH_UPDATE',
          SevDataSnpLaunchUpdate.encode({ gctxPaddr: gctx, pageType: SnpPageType.NORMAL, ...fields(p) }),
        );
      },
    ]),
  ),
  'SNP_LAUNCH_FINISH.reserved': () =>
    run(snpReady(), 'SNP_LAUNCH_FINISH', SevDataSnpLaunchFinish.encode({ gctxPaddr: PAGE + 8 })),
  'SNP_LAUNCH_FINISH.snp-init': snpInitCase('SNP_LAUNCH_FINISH'),
  'SNP_LAUNCH_FINISH.gctx-context': contextCase('SNP_LAUNCH_FINISH'),
  'SNP_LAUNCH_FINISH.guest-state': () => {
    const p = snpReady();
    const gctx = firmwarePage(p);
    p.run('SNP_GCTX_CREATE', SevDataSnpAddr.encode({ address: gctx }));
    return run(p, 'SNP_LAUNCH_FINISH', SevDataSnpLaunchFinish.encode({ gctxPaddr: gctx }));
  },
  'SNP_LAUNCH_FINISH.inactive': () => {
    const p = snpReady();
    return run(p, 'SNP_LAUNCH_FINISH', SevDataSnpLaunchFinish.encode({ gctxPaddr: snpLaunched(p, 0) }));
  },
  'SNP_GUEST_STATUS.gctx-reserved': gctxReservedCase('SNP_GUEST_STATUS'),
  'SNP_GUEST_STATUS.output-page': () =>
    run(snpReady(), 'SNP_GUEST_STATUS', SevDataSnpGuestStatus.encode({ gctxPaddr: 0, address: PAGE - 8 })),
  'SNP_GUEST_STATUS.snp-init': snpInitCase('SNP_GUEST_STATUS'),
  'SNP_GUEST_STATUS.gctx-context': contextCase('SNP_GUEST_STATUS'),
  'SNP_GUEST_STATUS.output-page-state': () => {
    const p = snpReady();
    const gctx = snpLaunched(p, 1);
    return run(
      p,
      'SNP_GUEST_STATUS',
      SevDataSnpGuestStatus.encode({ gctxPaddr: gctx, address: hostPage(p) }),
    );
  },
  'SNP_DECOMMISSION.gctx-reserved': gctxReservedCase('SNP_DECOMMISSION'),
  'SNP_DECOMMISSION.snp-init': snpInitCase('SNP_DECOMMISSION'),
  'SNP_DECOMMISSION.gctx-context': contextCase('SNP_DECOMMISSION'),
  'SNP_PAGE_RECLAIM.reserved': () =>
    run(snpReady(), 'SNP_PAGE_RECLAIM', SevDataSnpPageReclaim.encode({ paddr: PAGE + 2 })),
  'SNP_PAGE_RECLAIM.snp-init': snpInitCase('SNP_PAGE_RECLAIM'),
  'SNP_PAGE_RECLAIM.address': () =>
    run(snpReady(), 'SNP_PAGE_RECLAIM', SevDataSnpPageReclaim.encode({ paddr: BEYOND })),
  'SNP_PAGE_RECLAIM.page-size': () => {
    const p = snpReady();
    return run(p, 'SNP_PAGE_RECLAIM', SevDataSnpPageReclaim.encode({ paddr: firmwarePage(p) + 1 }));
  },
  'SNP_PAGE_RECLAIM.align-2m': () => {
    const p = snpReady();
    return run(p, 'SNP_PAGE_RECLAIM', SevDataSnpPageReclaim.encode({ paddr: firmwarePage2M(p) + PAGE + 1 }));
  },
  'SNP_PAGE_RECLAIM.not-immutable': () => {
    const p = snpReady();
    return run(p, 'SNP_PAGE_RECLAIM', SevDataSnpPageReclaim.encode({ paddr: hostPage(p) }));
  },
  // A guest context page is immutable and not one of the reclaimable states.
  'SNP_PAGE_RECLAIM.state': () => {
    const p = snpReady();
    return run(p, 'SNP_PAGE_RECLAIM', SevDataSnpPageReclaim.encode({ paddr: snpLaunched(p, 0) }));
  },
};

/** Guards no mailbox input reaches, and why. */
const NEVER: Record<string, string> = {
  'INIT.tmr-nv-overlap':
    'INIT has no NV area (nv_address is an INIT_EX field, docs/reference/psp-firmware.md §2.3): the check runs only for INIT_EX',
  'SNP_INIT.reserved':
    'SNP_INIT (0x81) has no command buffer (docs/reference/psp-firmware.md §3.2): there are no reserved fields to set',
  'SNP_INIT.rmp-init-required':
    'SNP_INIT always rebuilds the RMP (INIT_RMP is an SNP_INIT_EX flag, docs/reference/psp-firmware.md §3.2)',
  'SNP_INIT.list-needs-rebuild': 'LIST_PADDR_EN is an SNP_INIT_EX flag; SNP_INIT has no buffer to carry it',
  'SNP_INIT.max-snp-asid':
    'MAX_SNP_ASID and CIPHERTEXT_HIDING_EN are SNP_INIT_EX fields; SNP_INIT has no buffer',
  'SNP_INIT.cth-capable': 'CIPHERTEXT_HIDING_EN is an SNP_INIT_EX flag; SNP_INIT has no buffer',
  'SNP_INIT.rmp-bounds':
    'RMP_BASE/RMP_END are programmed by the BIOS, 1 MB aligned, identically on every thread, and software cannot write them (#GP, @sevsim/hardware README Decisions); an RMP not reserved means SNPEn could not be set, so cores-snp-enabled refuses first',
  'SNP_INIT_EX.rmp-bounds':
    'RMP_BASE/RMP_END are programmed by the BIOS, 1 MB aligned, identically on every thread, and software cannot write them (#GP, @sevsim/hardware README Decisions); an RMP not reserved means SNPEn could not be set, so cores-snp-enabled refuses first',
  'SNP_INIT.rmp-cbit':
    'the BIOS programs RMP_BASE/RMP_END without the C-bit and software cannot write them (#GP)',
  'SNP_INIT_EX.rmp-cbit':
    'the BIOS programs RMP_BASE/RMP_END without the C-bit and software cannot write them (#GP)',
  'SNP_SHUTDOWN.len': 'SNP_SHUTDOWN (0x82) has no command buffer; len is an SNP_SHUTDOWN_EX field',
  'SNP_SHUTDOWN.reserved': 'SNP_SHUTDOWN has no command buffer; the reserved bits are SNP_SHUTDOWN_EX fields',
  'SNP_SHUTDOWN.x86-needs-iommu': 'X86_SNP_SHUTDOWN is an SNP_SHUTDOWN_EX flag; SNP_SHUTDOWN has no buffer',
  'ACTIVATE.sent':
    'a legacy guest reaches SENT only through SEND_START, which sevsim does not model (and Linux issues it only for migration)',
  'SNP_ACTIVATE.sent': 'SENT is a legacy guest state; an SNP guest never has it',
  'ACTIVATE.asid-not-clean':
    'sevsim models one CCX per socket mask (CCX_PRESENT): an ASID that is neither owned (step 2) nor dirty (step 5) is clean, so step 6 cannot refuse what steps 2 and 5 let through',
  'SNP_ACTIVATE.asid-not-clean':
    'sevsim models one CCX per socket mask (CCX_PRESENT): an ASID that is neither owned (step 2) nor dirty (step 5) is clean, so step 6 cannot refuse what steps 2 and 5 let through',
  'DBG_DECRYPT.guest-state':
    'DBG_* accept every live guest state; a handle names a guest only while it is live (DECOMMISSION deletes it, and the handle check refuses first)',
  'DBG_ENCRYPT.guest-state':
    'DBG_* accept every live guest state; a handle names a guest only while it is live (DECOMMISSION deletes it, and the handle check refuses first)',
};

// ---------------------------------------------------------------- the test

interface Instrumented {
  check(ctx: unknown): number | undefined;
}

/** Every guard of the table, with its command, in the firmware's order. */
const GUARDS = [...COMMANDS.values()].flatMap((spec) =>
  spec.guards.map((g) => ({ command: spec.name, guard: g as typeof g & Instrumented })),
);

describe('every firmware guard fires through the mailbox, or the record says why it cannot', () => {
  const fired = new Map<string, number>();
  const restore: (() => void)[] = [];

  beforeAll(() => {
    for (const { guard } of GUARDS) {
      const original = guard.check;
      guard.check = (ctx) => {
        const status = original(ctx);
        if (status !== undefined) fired.set(guard.id, status);
        return status;
      };
      restore.push(() => {
        guard.check = original;
      });
    }
  });
  afterAll(() => {
    for (const r of restore) r();
  });

  it('the record covers each guard id once and names no guard that does not exist', () => {
    const ids = GUARDS.map((g) => g.guard.id);
    expect(new Set(ids).size).toBe(ids.length);
    const recorded = [...Object.keys(FIRES), ...Object.keys(NEVER)];
    expect(recorded.filter((id) => !ids.includes(id))).toEqual([]);
    expect(Object.keys(FIRES).filter((id) => id in NEVER)).toEqual([]);
    expect(ids.filter((id) => !(id in FIRES) && !(id in NEVER))).toEqual([]);
  });

  for (const { guard } of GUARDS) {
    const make = FIRES[guard.id];
    if (!make) continue;
    it(`${guard.id} fires (${guard.fact})`, () => {
      fired.delete(guard.id);
      const p = make();
      expect(fired.has(guard.id), `${guard.id} never refused: ${JSON.stringify(p.events.at(-1))}`).toBe(true);
      expect(p.events.at(-1)?.guard?.id).toBe(guard.id);
      expect(p.events.at(-1)?.status).toBe(fired.get(guard.id));
    });
  }

  it('no guard recorded as unreachable fired in any case', () => {
    expect(Object.keys(NEVER).filter((id) => fired.has(id))).toEqual([]);
  });
});
