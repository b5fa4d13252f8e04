/**
 * Legacy SEV platform commands (docs/reference/psp-firmware.md §2.1–§2.3): INIT, INIT_EX, SHUTDOWN,
 * PLATFORM_RESET, PLATFORM_STATUS, PEK_GEN, PEK_CSR, PEK_CERT_IMPORT, PDH_GEN,
 * PDH_CERT_EXPORT, GET_ID, DF_FLUSH (and SNP_DF_FLUSH, which runs the same code, docs/reference/psp-firmware.md §3.5).
 */
import { SYSCFG } from '@sevsim/hardware';
import {
  Cmd,
  type CmdName,
  Status,
  PLATFORM_STATUS_FLAG_CONFIG_ES,
  PLATFORM_STATUS_FLAG_OWNER,
  SEV_INIT_EX_LENGTH,
  SEV_INIT_FLAGS_SEV_ES,
  SevDataGetId,
  SevDataInit,
  SevDataInitEx,
  SevDataPdhCertExport,
  SevDataPekCertImport,
  SevDataPekCsr,
  SevUserDataStatus,
  NV_LENGTH,
  SEV_TMR_SIZE,
  SNP_TMR_SIZE,
  SevState,
} from '@sevsim/psp-abi';
import { CCX_PRESENT } from './asid-table';
import { enabledAllCores, snpEnabledAllCores } from './cpu-checks';
import { type Firmware, PAGE, isAligned } from './firmware';
import { deactivate } from './asid-activation';
import { type BaseCtx, type CommandSpec, type Guard, command } from './guard';
import { SEV_PLATFORM, acceptedIn, nextState } from './state-machines';

/** Size of a SEV certificate (sev_cert, SEV API): PEK CSR, PDH, and each chain member. */
export const SEV_CERT_SIZE = 2084;
/** PDH_CERT_EXPORT chain: PEK, OCA and CEK certificates. */
export const SEV_CERT_CHAIN_SIZE = 3 * SEV_CERT_SIZE;
/** GET_ID: 64 bytes per socket (docs/reference/psp-firmware.md §2.3). */
export const GET_ID_SIZE = 64;

/** The GET_ID output of this machine: one 64-byte ID per socket. */
function getIdLen(fw: Firmware): number {
  return GET_ID_SIZE * fw.machine.sockets;
}
/** sevsim's marker for a valid persistent store in the INIT_EX NV area ('SEVN'). */
export const NV_STORE_MAGIC = 0x4e564553;

/** A guard on the legacy SEV platform state: the states `name`'s row of SEV_PLATFORM accepts. */
export function sevStateGuard<C extends BaseCtx>(name: CmdName, fact: string): Guard<C> {
  const allowed = acceptedIn(SEV_PLATFORM, name);
  return {
    id: `${name}.sev-state`,
    fact,
    check: ({ fw }) => (allowed.includes(fw.state.sev.state) ? undefined : Status.INVALID_PLATFORM_STATE),
  };
}

/** FW validate_address_range: every host range the command touches lies in DRAM, else INVALID_ADDRESS. */
export function addressGuard<C extends BaseCtx>(
  name: CmdName,
  ranges: (ctx: C) => [number, number][],
): Guard<C> {
  return {
    id: `${name}.address`,
    fact: 'FW validate_address_range: a host buffer outside DRAM → INVALID_ADDRESS',
    check: (c) => (ranges(c).every(([pa, len]) => c.fw.inDram(pa, len)) ? undefined : Status.INVALID_ADDRESS),
  };
}

// ---------------------------------------------------------------- INIT / INIT_EX

interface InitCtx extends BaseCtx {
  ex: boolean;
  flags: number;
  tmrAddress: number;
  tmrLen: number;
  length: number;
  nvAddress: number;
  nvLen: number;
}

function initCommand(ex: boolean): CommandSpec {
  const name: CmdName = ex ? 'INIT_EX' : 'INIT';
  const guards: Guard<InitCtx>[] = [
    sevStateGuard(name, 'docs/reference/psp-firmware.md §2.3 INIT step 1: INIT requires SEV UNINIT'),
    {
      id: `${name}.hw-encryption`,
      fact: 'AMD-ASPFW sev_mcmd.c sev_mcmd_init_common: UMC encryption and SME on every core (sme_is_enabled_all_cores, read per core), else HWERROR_PLATFORM; docs/reference/psp-firmware.md §2.3 INIT step 2',
      check: ({ fw }) =>
        fw.machine.config.bios.smee && enabledAllCores(fw, SYSCFG.MEM_ENCRYPT)
          ? undefined
          : Status.HWSEV_RET_PLATFORM,
    },
    {
      id: `${name}.flags`,
      fact: 'docs/reference/psp-firmware.md §2.3 INIT step 3: flags may only use bit 0 (SEV_ES), else INVALID_CONFIG',
      check: (c) => ((c.flags & ~SEV_INIT_FLAGS_SEV_ES) !== 0 ? Status.INVALID_CONFIG : undefined),
    },
    {
      id: `${name}.snpen-needs-rmp`,
      fact: 'AMD-ASPFW sev_mcmd.c sev_mcmd_init_common: SNPEn on every core (snp_is_enabled_all_cores) and the RMP not initialised by SNP_INIT → INVALID_PLATFORM_STATE; docs/reference/psp-firmware.md §2.3 INIT step 4',
      check: ({ fw }) =>
        snpEnabledAllCores(fw) && !fw.machine.rmp.initialised ? Status.INVALID_PLATFORM_STATE : undefined,
    },
  ];
  if (ex) {
    guards.push(
      {
        id: 'INIT_EX.length',
        fact: 'docs/reference/psp-firmware.md §2.3 INIT_EX: length must be 0x24, else INVALID_LENGTH',
        check: (c) => (c.length !== SEV_INIT_EX_LENGTH ? Status.INVALID_LEN : undefined),
      },
      {
        id: 'INIT_EX.nv-align',
        fact: 'docs/reference/psp-firmware.md §2.3 INIT_EX: NV buffer must be 4 KB aligned, else INVALID_ADDRESS',
        check: (c) =>
          c.nvAddress !== 0 && !isAligned(c.nvAddress, PAGE) ? Status.INVALID_ADDRESS : undefined,
      },
      {
        id: 'INIT_EX.nv-len',
        fact: 'docs/reference/psp-firmware.md §2.3 INIT_EX: nv_len must be 32 KB, else INVALID_LENGTH',
        check: (c) => (c.nvAddress !== 0 && c.nvLen !== NV_LENGTH ? Status.INVALID_LEN : undefined),
      },
      addressGuard<InitCtx>('INIT_EX', (c) => (c.nvAddress !== 0 ? [[c.nvAddress, NV_LENGTH]] : [])),
      {
        id: 'INIT_EX.nv-page-state',
        fact: 'docs/reference/psp-firmware.md §2.3 INIT step 6: with SNP INIT the NV range must be Firmware/Default',
        check: ({ fw, nvAddress, nvLen }) =>
          fw.snpInit() && nvAddress !== 0 && !fw.firmwareWritable(nvAddress, nvLen)
            ? Status.INVALID_PAGE_STATE
            : undefined,
      },
      {
        id: 'INIT_EX.nv-integrity',
        fact: 'docs/reference/psp-firmware.md §2.3 INIT step 7: corrupt persistent data → SECURE_DATA_INVALID (NV area erased first)',
        check: ({ fw, nvAddress }) => {
          if (nvAddress === 0) return undefined;
          const head = fw.read(nvAddress, 4);
          const magic = new DataView(head.buffer, head.byteOffset).getUint32(0, true);
          if (magic === 0 || magic === NV_STORE_MAGIC) return undefined;
          fw.write(nvAddress, new Uint8Array(NV_LENGTH)); // erased, so a retry succeeds
          return Status.SECURE_DATA_INVALID;
        },
      },
    );
  }
  const tmrSize = (fw: Firmware) => (fw.machine.rmp.initialised ? SNP_TMR_SIZE : SEV_TMR_SIZE);
  guards.push(
    {
      id: `${name}.tmr-nv-overlap`,
      fact: 'docs/reference/psp-firmware.md §2.3 INIT_EX: TMR and NV ranges must not overlap, else INVALID_ADDRESS',
      check: ({ fw, ex, flags, tmrAddress, nvAddress }) => {
        if (!ex || !(flags & SEV_INIT_FLAGS_SEV_ES) || nvAddress === 0) return undefined;
        const tmrEnd = tmrAddress + tmrSize(fw);
        return tmrAddress < nvAddress + NV_LENGTH && nvAddress < tmrEnd ? Status.INVALID_ADDRESS : undefined;
      },
    },
    {
      id: `${name}.tmr-address`,
      fact: 'FW validate_address_range: the TMR must lie in DRAM, else INVALID_ADDRESS',
      check: ({ fw, flags, tmrAddress, tmrLen }) =>
        flags & SEV_INIT_FLAGS_SEV_ES && !fw.inDram(tmrAddress, tmrLen) ? Status.INVALID_ADDRESS : undefined,
    },
    {
      id: `${name}.tmr-page-state`,
      fact: 'docs/reference/psp-firmware.md §2.3 INIT step 10: with SNP INIT the TMR must be Firmware/Default',
      check: ({ fw, flags, tmrAddress, tmrLen }) =>
        flags & SEV_INIT_FLAGS_SEV_ES && fw.snpInit() && !fw.firmwareWritable(tmrAddress, tmrLen)
          ? Status.INVALID_PAGE_STATE
          : undefined,
    },
    {
      id: `${name}.tmr-size`,
      fact: 'docs/reference/psp-firmware.md §2.3 INIT step 10: TMR is 1 MB, or 2 MB once the RMP is initialised',
      check: ({ fw, flags, tmrLen }) =>
        flags & SEV_INIT_FLAGS_SEV_ES && tmrLen < tmrSize(fw) ? Status.INVALID_LEN : undefined,
    },
    {
      id: `${name}.tmr-align`,
      fact: 'docs/reference/psp-firmware.md §2.3 INIT step 10: the TMR is naturally aligned (2 MB with the RMP)',
      check: ({ fw, flags, tmrAddress }) =>
        flags & SEV_INIT_FLAGS_SEV_ES && !isAligned(tmrAddress, tmrSize(fw))
          ? Status.INVALID_ADDRESS
          : undefined,
    },
  );
  return command<InitCtx>({
    id: ex ? Cmd.INIT_EX : Cmd.INIT,
    name,
    prepare: (base) => {
      if (ex) return { ex, ...SevDataInitEx.decode(base.buf) };
      return { ex, length: 0, nvAddress: 0, nvLen: 0, ...SevDataInit.decode(base.buf) };
    },
    guards,
    effect: ({ fw, flags, tmrAddress, tmrLen, nvAddress }) => {
      const s = fw.state;
      if (nvAddress !== 0) {
        const store = new Uint8Array(4);
        new DataView(store.buffer).setUint32(0, NV_STORE_MAGIC, true);
        fw.write(nvAddress, store);
      }
      // Step 9: ASIDs are (re)initialised only when SNP has not done it already.
      if (s.snp.state === 0) {
        s.asids.markAllDirty();
        fw.machine.fwClearWbinvd();
      }
      s.sev.esConfigured = (flags & SEV_INIT_FLAGS_SEV_ES) !== 0;
      s.sev.tmr = s.sev.esConfigured ? { address: tmrAddress, len: tmrLen } : undefined;
      s.sev.state = nextState(SEV_PLATFORM, name);
      return undefined;
    },
  });
}

// ---------------------------------------------------------------- SHUTDOWN / PLATFORM_RESET

/** SHUTDOWN: destroy every legacy guest (their ASIDs released), keep SNP guests (docs/reference/psp-firmware.md §2.3). */
export function shutdownLegacy(fw: Firmware): void {
  const s = fw.state;
  for (const handle of [...s.sev.guests.keys()]) deactivate(fw, s.sev.guests.writable(handle)!);
  s.sev.guests.clear();
  s.sev.state = nextState(SEV_PLATFORM, 'SHUTDOWN');
  s.sev.esConfigured = false;
  s.sev.tmr = undefined;
}

const shutdown = command<BaseCtx>({
  id: Cmd.SHUTDOWN,
  name: 'SHUTDOWN',
  guards: [],
  effect: ({ fw }) => {
    shutdownLegacy(fw);
    return undefined;
  },
});

const platformReset = command<BaseCtx>({
  id: Cmd.FACTORY_RESET,
  name: 'FACTORY_RESET',
  guards: [
    sevStateGuard('FACTORY_RESET', 'docs/reference/psp-firmware.md §2.3: PLATFORM_RESET in UNINIT only'),
  ],
  effect: ({ fw }) => {
    fw.state.sev.externallyOwned = false; // identity (OCA/PEK/PDH, ownership) erased
    return undefined;
  },
});

// ---------------------------------------------------------------- PLATFORM_STATUS

const platformStatus = command<BaseCtx>({
  id: Cmd.PLATFORM_STATUS,
  name: 'PLATFORM_STATUS',
  writesBack: true,
  guards: [],
  effect: ({ fw, buf }) => {
    const s = fw.state;
    const uninit = s.sev.state === SevState.UNINIT;
    // docs/reference/psp-firmware.md §2.3: in UNINIT the owner/ES flags and guest_count read as 0.
    const flags = uninit
      ? 0
      : (s.sev.externallyOwned ? PLATFORM_STATUS_FLAG_OWNER : 0) |
        (s.sev.esConfigured ? PLATFORM_STATUS_FLAG_CONFIG_ES : 0);
    buf.fill(0);
    SevUserDataStatus.patch(buf, {
      apiMajor: s.running.major,
      apiMinor: s.running.minor,
      state: s.sev.state,
      flags,
      build: s.running.build & 0xff,
      guestCount: uninit ? 0 : s.sev.guests.size,
    });
    return undefined;
  },
});

// ---------------------------------------------------------------- identity (PEK/PDH/GET_ID)

/** Deterministic stand-in bytes for a certificate or ID the firmware writes. */
function blob(len: number, tag: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = (tag + i * 31) & 0xff;
  return out;
}

const pekGen = command<BaseCtx>({
  id: Cmd.PEK_GEN,
  name: 'PEK_GEN',
  guards: [sevStateGuard('PEK_GEN', 'docs/reference/psp-firmware.md §2.3: PEK_GEN in INIT only')],
  effect: ({ fw }) => {
    fw.state.sev.externallyOwned = false; // new self-signed OCA: self-owned again
    return undefined;
  },
});

const pdhGen = command<BaseCtx>({
  id: Cmd.PDH_GEN,
  name: 'PDH_GEN',
  guards: [sevStateGuard('PDH_GEN', 'docs/reference/psp-firmware.md §2.3: PDH_GEN in INIT or WORKING')],
  effect: () => undefined,
});

type PekCsrCtx = BaseCtx & ReturnType<typeof SevDataPekCsr.decode>;
const pekCsr = command<PekCsrCtx>({
  id: Cmd.PEK_CSR,
  name: 'PEK_CSR',
  writesBack: true,
  writeBackOnInvalidLen: true,
  prepare: (b) => SevDataPekCsr.decode(b.buf),
  guards: [
    sevStateGuard('PEK_CSR', 'docs/reference/psp-firmware.md §2.3: PEK_CSR in INIT or WORKING [FW]'),
    {
      id: 'PEK_CSR.length',
      fact: 'docs/reference/psp-firmware.md §2.3: buffer too small → INVALID_LENGTH with the needed length written back',
      check: ({ buf, len }) => {
        if (len >= SEV_CERT_SIZE) return undefined;
        SevDataPekCsr.patch(buf, { len: SEV_CERT_SIZE });
        return Status.INVALID_LEN;
      },
    },
    addressGuard<PekCsrCtx>('PEK_CSR', (c) => [[c.address, SEV_CERT_SIZE]]),
    {
      id: 'PEK_CSR.page-state',
      fact: 'docs/reference/psp-firmware.md §2.2: with SNP INIT every destination page must be Firmware/Default',
      check: ({ fw, address }) =>
        fw.snpInit() && !fw.firmwareWritable(address, SEV_CERT_SIZE) ? Status.INVALID_PAGE_STATE : undefined,
    },
  ],
  effect: ({ fw, buf, address }) => {
    fw.write(address, blob(SEV_CERT_SIZE, 0x50));
    SevDataPekCsr.patch(buf, { len: SEV_CERT_SIZE });
    return undefined;
  },
});

type PekImportCtx = BaseCtx & ReturnType<typeof SevDataPekCertImport.decode>;
const pekCertImport = command<PekImportCtx>({
  id: Cmd.PEK_CERT_IMPORT,
  name: 'PEK_CERT_IMPORT',
  prepare: (b) => SevDataPekCertImport.decode(b.buf),
  guards: [
    sevStateGuard('PEK_CERT_IMPORT', 'docs/reference/psp-firmware.md §2.3: PEK_CERT_IMPORT in INIT only'),
    {
      id: 'PEK_CERT_IMPORT.already-owned',
      fact: 'docs/reference/psp-firmware.md §2.3: an externally owned platform → ALREADY_OWNED',
      check: ({ fw }) => (fw.state.sev.externallyOwned ? Status.ALREADY_OWNED : undefined),
    },
    {
      id: 'PEK_CERT_IMPORT.length',
      fact: 'docs/reference/psp-firmware.md §2.3: PEK/OCA lengths must be exactly the certificate size',
      check: (c) =>
        c.pekCertLen !== SEV_CERT_SIZE || c.ocaCertLen !== SEV_CERT_SIZE ? Status.INVALID_LEN : undefined,
    },
    addressGuard<PekImportCtx>('PEK_CERT_IMPORT', (c) => [
      [c.pekCertAddress, SEV_CERT_SIZE],
      [c.ocaCertAddress, SEV_CERT_SIZE],
    ]),
    {
      id: 'PEK_CERT_IMPORT.certificate',
      fact: 'docs/reference/psp-firmware.md §2.3: certificates must validate (sevsim: sev_cert version field = 1)',
      check: ({ fw, pekCertAddress, ocaCertAddress }) => {
        const version = (pa: number) => new DataView(fw.read(pa, 4).buffer).getUint32(0, true);
        return version(pekCertAddress) !== 1 || version(ocaCertAddress) !== 1
          ? Status.INVALID_CERTIFICATE
          : undefined;
      },
    },
  ],
  effect: ({ fw }) => {
    fw.state.sev.externallyOwned = true;
    return undefined;
  },
});

type PdhExportCtx = BaseCtx & ReturnType<typeof SevDataPdhCertExport.decode>;
const pdhCertExport = command<PdhExportCtx>({
  id: Cmd.PDH_CERT_EXPORT,
  name: 'PDH_CERT_EXPORT',
  writesBack: true,
  writeBackOnInvalidLen: true,
  prepare: (b) => SevDataPdhCertExport.decode(b.buf),
  guards: [
    sevStateGuard(
      'PDH_CERT_EXPORT',
      'docs/reference/psp-firmware.md §2.3: PDH_CERT_EXPORT in INIT or WORKING',
    ),
    {
      id: 'PDH_CERT_EXPORT.length',
      fact: 'docs/reference/psp-firmware.md §2.3: buffers too small → INVALID_LENGTH, needed lengths written back',
      check: ({ buf, pdhCertLen, certChainLen }) => {
        if (pdhCertLen >= SEV_CERT_SIZE && certChainLen >= SEV_CERT_CHAIN_SIZE) return undefined;
        SevDataPdhCertExport.patch(buf, { pdhCertLen: SEV_CERT_SIZE, certChainLen: SEV_CERT_CHAIN_SIZE });
        return Status.INVALID_LEN;
      },
    },
    addressGuard<PdhExportCtx>('PDH_CERT_EXPORT', (c) => [
      [c.pdhCertAddress, SEV_CERT_SIZE],
      [c.certChainAddress, SEV_CERT_CHAIN_SIZE],
    ]),
    {
      id: 'PDH_CERT_EXPORT.page-state',
      fact: 'docs/reference/psp-firmware.md §2.2: with SNP INIT the certificate buffers must be Firmware/Default',
      check: ({ fw, pdhCertAddress, certChainAddress }) =>
        fw.snpInit() &&
        (!fw.firmwareWritable(pdhCertAddress, SEV_CERT_SIZE) ||
          !fw.firmwareWritable(certChainAddress, SEV_CERT_CHAIN_SIZE))
          ? Status.INVALID_PAGE_STATE
          : undefined,
    },
  ],
  effect: ({ fw, buf, pdhCertAddress, certChainAddress }) => {
    fw.write(pdhCertAddress, blob(SEV_CERT_SIZE, 0x70));
    fw.write(certChainAddress, blob(SEV_CERT_CHAIN_SIZE, 0x90));
    SevDataPdhCertExport.patch(buf, { pdhCertLen: SEV_CERT_SIZE, certChainLen: SEV_CERT_CHAIN_SIZE });
    return undefined;
  },
});

type GetIdCtx = BaseCtx & ReturnType<typeof SevDataGetId.decode>;
const getId = command<GetIdCtx>({
  id: Cmd.GET_ID,
  name: 'GET_ID',
  writesBack: true,
  writeBackOnInvalidLen: true,
  prepare: (b) => SevDataGetId.decode(b.buf),
  guards: [
    {
      id: 'GET_ID.length',
      fact: 'docs/reference/psp-firmware.md §2.3 GET_ID: buffer < 64 bytes per socket → INVALID_LENGTH with the needed length written to len',
      check: ({ fw, buf, len }) => {
        if (len >= getIdLen(fw)) return undefined;
        SevDataGetId.patch(buf, { len: getIdLen(fw) });
        return Status.INVALID_LEN;
      },
    },
    addressGuard<GetIdCtx>('GET_ID', (c) => [[c.address, getIdLen(c.fw)]]),
    {
      id: 'GET_ID.page-state',
      fact: 'docs/reference/psp-firmware.md §2.3 GET_ID: with SNP INIT the buffer must be firmware-writable',
      check: ({ fw, address }) =>
        fw.snpInit() && !fw.firmwareWritable(address, getIdLen(fw)) ? Status.INVALID_PAGE_STATE : undefined,
    },
  ],
  effect: ({ fw, buf, address }) => {
    fw.write(address, blob(getIdLen(fw), fw.machine.preset.modelId));
    SevDataGetId.patch(buf, { len: getIdLen(fw) });
    return undefined;
  },
});

// ---------------------------------------------------------------- DF_FLUSH

/** DF_FLUSH and SNP_DF_FLUSH: no platform-state check in [FW] (docs/reference/psp-firmware.md §2.3, §3.5). */
function dfFlushCommand(id: number, name: CmdName): CommandSpec {
  return command<BaseCtx>({
    id,
    name,
    guards: [
      {
        id: `${name}.wbinvd-required`,
        fact: 'docs/reference/psp-firmware.md §2.3 DF_FLUSH: a core without WBINVD since its last DEACTIVATE → WBINVD_REQUIRED',
        check: ({ fw }) => (fw.machine.fwWbinvdDoneAll() ? undefined : Status.WBINVD_REQUIRED),
      },
    ],
    effect: ({ fw }) => {
      fw.state.asids.flush(CCX_PRESENT);
      return undefined;
    },
  });
}

export const sevPlatformCommands: CommandSpec[] = [
  initCommand(false),
  initCommand(true),
  shutdown,
  platformReset,
  platformStatus,
  pekGen,
  pekCsr,
  pekCertImport,
  pdhGen,
  pdhCertExport,
  getId,
  dfFlushCommand(Cmd.DF_FLUSH, 'DF_FLUSH'),
];

export const snpDfFlush = dfFlushCommand(Cmd.SNP_DF_FLUSH, 'SNP_DF_FLUSH');
