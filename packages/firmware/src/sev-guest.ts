/**
 * Legacy SEV/SEV-ES guest commands (docs/reference/psp-firmware.md §2.4, §2.5): LAUNCH_START,
 * LAUNCH_UPDATE_DATA, LAUNCH_UPDATE_VMSA, LAUNCH_MEASURE, LAUNCH_UPDATE_SECRET, LAUNCH_FINISH,
 * ACTIVATE, DEACTIVATE, DECOMMISSION, GUEST_STATUS, DBG_DECRYPT, DBG_ENCRYPT.
 */
import {
  Cmd,
  type CmdName,
  Status,
  SevDataActivate,
  SevDataDbg,
  SevDataDeactivate,
  SevDataGuestStatus,
  SevDataLaunchMeasure,
  SevDataLaunchStart,
  SevDataLaunchUpdateData,
  SevPolicy,
  LegacyGuestState,
} from '@sevsim/psp-abi';
import {
  type ActivateCtx,
  activate,
  activateGuards,
  completeActivation,
  deactivate,
} from './asid-activation';
import { PAGE, pfnOf } from './firmware';
import { type BaseCtx, type CommandSpec, type Guard, command } from './guard';
import { addressGuard, sevStateGuard } from './sev-platform';
import { LEGACY_GUEST, SEV_PLATFORM, acceptedIn, nextState } from './state-machines';
import type { LegacyGuest } from './state';

/** Legacy guest handles 1 … 1024 (docs/reference/psp-firmware.md §2.4). */
export const MAX_GUEST_HANDLES = 1024;
/** LAUNCH_START transport blobs: sev_session (128 bytes) and a sev_cert (2084 bytes). */
export const SEV_SESSION_SIZE = 128;
export const SEV_DH_CERT_SIZE = 2084;
/** LAUNCH_MEASURE output: 32-byte measurement + 16-byte mnonce. */
export const LAUNCH_MEASURE_SIZE = 48;
/** Policy bits the firmware knows: 0–5 flags, 16–31 API version (docs/reference/psp-firmware.md §2.4). */
const POLICY_DEFINED = 0xffff_003f;

interface GuestCtx extends BaseCtx {
  handle: number;
  /** Read-only: a handler changes the guest through `fw.state.sev.guests.writable` (shared with forks). */
  guest: Readonly<LegacyGuest> | undefined;
}

function lookup(ctx: BaseCtx, handle: number): Readonly<LegacyGuest> | undefined {
  return ctx.fw.state.sev.guests.get(handle);
}

/** The decoded buffer plus the guest its handle names, added by a store (Object.assign is a runtime call). */
function withGuest<D extends { handle: number }>(
  b: BaseCtx,
  d: D,
): D & { guest: Readonly<LegacyGuest> | undefined } {
  const c = d as D & { guest: Readonly<LegacyGuest> | undefined };
  c.guest = lookup(b, d.handle);
  return c;
}

function guestGuard<C extends GuestCtx>(name: CmdName): Guard<C> {
  return {
    id: `${name}.handle`,
    fact: 'docs/reference/psp-firmware.md §2.4: a handle out of range or naming no guest → INVALID_GUEST',
    check: ({ guest }) => (guest ? undefined : Status.INVALID_GUEST),
  };
}

/** A guard on the guest's state: the states `name`'s row of LEGACY_GUEST accepts. */
function guestStateGuard<C extends GuestCtx>(name: CmdName): Guard<C> {
  const allowed = acceptedIn(LEGACY_GUEST, name);
  return {
    id: `${name}.guest-state`,
    fact: 'docs/reference/psp-firmware.md §2.4 guest transition table: other guest states → INVALID_GUEST_STATE',
    check: ({ guest }) => (guest && allowed.includes(guest.state) ? undefined : Status.INVALID_GUEST_STATE),
  };
}

// ---------------------------------------------------------------- LAUNCH_START

type LaunchStartCtx = BaseCtx & ReturnType<typeof SevDataLaunchStart.decode>;

function apiVersionTooNew(policy: number, major: number, minor: number): boolean {
  const pMajor = (policy >>> 16) & 0xff;
  const pMinor = (policy >>> 24) & 0xff;
  return pMajor > major || (pMajor === major && pMinor > minor);
}

const launchStart = command<LaunchStartCtx>({
  id: Cmd.LAUNCH_START,
  name: 'LAUNCH_START',
  writesBack: true,
  prepare: (b) => SevDataLaunchStart.decode(b.buf),
  guards: [
    sevStateGuard('LAUNCH_START', 'docs/reference/psp-firmware.md §2.4: LAUNCH_START needs INIT or WORKING'),
    {
      id: 'LAUNCH_START.session-len',
      fact: 'FW sev_mcmd_launch_start: with a DH cert, session_len must be sizeof(session), else INVALID_LENGTH',
      check: (c) =>
        c.dhCertAddress !== 0 && c.sessionLen !== SEV_SESSION_SIZE ? Status.INVALID_LEN : undefined,
    },
    {
      id: 'LAUNCH_START.dh-cert-len',
      fact: 'FW sev_mcmd_launch_start: dh_cert_len must be sizeof(sev_cert), else INVALID_LENGTH',
      check: (c) =>
        c.dhCertAddress !== 0 && c.dhCertLen !== SEV_DH_CERT_SIZE ? Status.INVALID_LEN : undefined,
    },
    {
      id: 'LAUNCH_START.shared-handle',
      fact: 'docs/reference/psp-firmware.md §2.4 LAUNCH_START: a non-zero handle must name an existing guest (INVALID_GUEST)',
      check: (c) => (c.handle !== 0 && !lookup(c, c.handle) ? Status.INVALID_GUEST : undefined),
    },
    {
      id: 'LAUNCH_START.key-sharing',
      fact: 'docs/reference/psp-firmware.md §2.4 LAUNCH_START: sharing a key needs the same policy and NOKS=0 → POLICY_FAILURE',
      check: (c) => {
        const shared = c.handle !== 0 ? lookup(c, c.handle) : undefined;
        if (!shared) return undefined;
        return shared.policy !== c.policy || shared.policy & SevPolicy.NOKS
          ? Status.POLICY_FAILURE
          : undefined;
      },
    },
    {
      id: 'LAUNCH_START.handles',
      fact: 'docs/reference/psp-firmware.md §2.4: all 1024 handles in use → RESOURCE_LIMIT',
      check: ({ fw }) => (fw.state.sev.guests.size >= MAX_GUEST_HANDLES ? Status.RESOURCE_LIMIT : undefined),
    },
    {
      id: 'LAUNCH_START.es-configured',
      fact: 'docs/reference/psp-firmware.md §2.4 LAUNCH_START: ES policy needs INIT with ES, else UNSUPPORTED',
      check: ({ fw, policy }) =>
        policy & SevPolicy.ES && !fw.state.sev.esConfigured ? Status.UNSUPPORTED : undefined,
    },
    {
      id: 'LAUNCH_START.policy',
      fact: 'docs/reference/psp-firmware.md §2.4 LAUNCH_START: reserved policy bits or an API newer than the firmware → POLICY_FAILURE',
      check: ({ fw, policy }) =>
        (policy & ~POLICY_DEFINED) !== 0 ||
        apiVersionTooNew(policy, fw.state.running.major, fw.state.running.minor)
          ? Status.POLICY_FAILURE
          : undefined,
    },
  ],
  effect: ({ fw, buf, policy }) => {
    const guests = fw.state.sev.guests;
    let handle = 1;
    while (guests.has(handle)) handle++;
    guests.set(handle, {
      handle,
      state: nextState(LEGACY_GUEST, 'LAUNCH_START'),
      policy,
      es: (policy & SevPolicy.ES) !== 0,
      asid: 0,
      activation: 'none',
    });
    fw.state.sev.state = nextState(SEV_PLATFORM, 'LAUNCH_START');
    SevDataLaunchStart.patch(buf, { handle });
    return undefined;
  },
});

// ---------------------------------------------------------------- LAUNCH_UPDATE_DATA / VMSA

type UpdateCtx = GuestCtx & ReturnType<typeof SevDataLaunchUpdateData.decode>;

function launchUpdate(vmsa: boolean): CommandSpec {
  const name: CmdName = vmsa ? 'LAUNCH_UPDATE_VMSA' : 'LAUNCH_UPDATE_DATA';
  const guards: Guard<UpdateCtx>[] = [
    sevStateGuard(name, 'docs/reference/psp-firmware.md §2.4: LAUNCH_UPDATE_* needs WORKING'),
    guestGuard(name),
    guestStateGuard(name),
  ];
  if (vmsa) {
    guards.push(
      {
        id: 'LAUNCH_UPDATE_VMSA.es',
        fact: 'docs/reference/psp-firmware.md §2.4 LAUNCH_UPDATE_VMSA: a guest without the ES policy → UNSUPPORTED',
        check: ({ guest }) => (guest?.es ? undefined : Status.UNSUPPORTED),
      },
      {
        id: 'LAUNCH_UPDATE_VMSA.inactive',
        fact: 'docs/reference/psp-firmware.md §2.4 LAUNCH_UPDATE_VMSA: the guest must be activated (active or pending), else INACTIVE',
        check: ({ guest }) => (guest && guest.activation !== 'none' ? undefined : Status.INACTIVE),
      },
    );
  }
  guards.push(
    {
      id: `${name}.address-range`,
      fact: 'FW validate_address_range: the region must be in DRAM, else INVALID_ADDRESS',
      check: ({ fw, address, len }) => (fw.inDram(address, len) ? undefined : Status.INVALID_ADDRESS),
    },
    {
      id: `${name}.address-align`,
      fact: 'docs/reference/psp-firmware.md §2.4 LAUNCH_UPDATE_DATA: address needs 16-byte alignment (INVALID_ADDRESS)',
      check: ({ address }) => (address % 16 !== 0 ? Status.INVALID_ADDRESS : undefined),
    },
    {
      id: `${name}.len-align`,
      fact: 'docs/reference/psp-firmware.md §2.4 LAUNCH_UPDATE_DATA: length needs 16-byte alignment (INVALID_LENGTH)',
      check: ({ len }) => (len === 0 || len % 16 !== 0 ? Status.INVALID_LEN : undefined),
    },
  );
  return command<UpdateCtx>({
    id: vmsa ? Cmd.LAUNCH_UPDATE_VMSA : Cmd.LAUNCH_UPDATE_DATA,
    name,
    prepare: (b) => withGuest(b, SevDataLaunchUpdateData.decode(b.buf)),
    guards,
    effect: ({ fw, guest, address, len }) => {
      // Encrypted in place under the guest's key; the model tracks keys by ASID, so pages of a
      // guest not yet activated stay untagged (KVM always ACTIVATEs right after LAUNCH_START).
      if (guest!.asid === 0) return undefined;
      const first = pfnOf(address);
      fw.machine.fwEncryptPages(first, pfnOf(address + len - 1) - first + 1, guest!.asid);
      return undefined;
    },
  });
}

// ---------------------------------------------------------------- LAUNCH_MEASURE / SECRET / FINISH

type MeasureCtx = GuestCtx & ReturnType<typeof SevDataLaunchMeasure.decode>;
const launchMeasure = command<MeasureCtx>({
  id: Cmd.LAUNCH_MEASURE,
  name: 'LAUNCH_MEASURE',
  writesBack: true,
  writeBackOnInvalidLen: true,
  prepare: (b) => withGuest(b, SevDataLaunchMeasure.decode(b.buf)),
  guards: [
    sevStateGuard('LAUNCH_MEASURE', 'docs/reference/psp-firmware.md §2.4: LAUNCH_MEASURE needs WORKING'),
    guestGuard('LAUNCH_MEASURE'),
    guestStateGuard('LAUNCH_MEASURE'),
    {
      id: 'LAUNCH_MEASURE.length',
      fact: 'docs/reference/psp-firmware.md §2.4 LAUNCH_MEASURE: buffer too small → INVALID_LENGTH with the length written back',
      check: ({ buf, len }) => {
        if (len >= LAUNCH_MEASURE_SIZE) return undefined;
        SevDataLaunchMeasure.patch(buf, { len: LAUNCH_MEASURE_SIZE });
        return Status.INVALID_LEN;
      },
    },
    addressGuard<MeasureCtx>('LAUNCH_MEASURE', (c) => [[c.address, LAUNCH_MEASURE_SIZE]]),
    {
      id: 'LAUNCH_MEASURE.page-state',
      fact: 'docs/reference/psp-firmware.md §2.2: with SNP INIT the measurement destination must be Firmware/Default',
      check: ({ fw, address }) =>
        fw.snpInit() && !fw.firmwareWritable(address, LAUNCH_MEASURE_SIZE)
          ? Status.INVALID_PAGE_STATE
          : undefined,
    },
  ],
  effect: ({ fw, buf, handle, address }) => {
    const guest = fw.state.sev.guests.writable(handle)!;
    const m = new Uint8Array(LAUNCH_MEASURE_SIZE);
    m.fill(guest.handle & 0xff);
    fw.write(address, m);
    SevDataLaunchMeasure.patch(buf, { len: LAUNCH_MEASURE_SIZE });
    guest.state = nextState(LEGACY_GUEST, 'LAUNCH_MEASURE');
    return undefined;
  },
});

function handleCommand(
  id: number,
  name: CmdName,
  checksGuestState: boolean,
  extra: Guard<GuestCtx>[],
  effect: (c: GuestCtx) => void,
): CommandSpec {
  const guards: Guard<GuestCtx>[] = [
    sevStateGuard(name, `docs/reference/psp-firmware.md §2.4: ${name} needs platform WORKING`),
    guestGuard(name),
  ];
  if (checksGuestState) guards.push(guestStateGuard(name));
  guards.push(...extra);
  return command<GuestCtx>({
    id,
    name,
    prepare: (b) => {
      const handle = SevDataDeactivate.decode(b.buf).handle; // every one starts with u32 handle
      return { handle, guest: lookup(b, handle) };
    },
    guards,
    effect: (c) => {
      effect(c);
      return undefined;
    },
  });
}

const launchSecret = handleCommand(Cmd.LAUNCH_UPDATE_SECRET, 'LAUNCH_UPDATE_SECRET', true, [], () => {});

const launchFinish = handleCommand(Cmd.LAUNCH_FINISH, 'LAUNCH_FINISH', true, [], ({ fw, handle }) => {
  const guest = fw.state.sev.guests.writable(handle)!;
  guest.state = nextState(LEGACY_GUEST, 'LAUNCH_FINISH');
  completeActivation(fw, guest);
});

const deactivateCmd = handleCommand(
  Cmd.DEACTIVATE,
  'DEACTIVATE',
  false,
  [
    {
      id: 'DEACTIVATE.inactive',
      fact: 'docs/reference/psp-firmware.md §2.4 DEACTIVATE: a guest with no ASID → INACTIVE',
      check: ({ guest }) => (guest && guest.activation !== 'none' ? undefined : Status.INACTIVE),
    },
  ],
  ({ fw, handle }) => deactivate(fw, fw.state.sev.guests.writable(handle)!),
);

const decommission = handleCommand(
  Cmd.DECOMMISSION,
  'DECOMMISSION',
  false,
  [
    {
      id: 'DECOMMISSION.active',
      fact: 'docs/reference/psp-firmware.md §2.4 DECOMMISSION: a guest still holding an ASID (active or pending) → ACTIVE',
      check: ({ guest }) => (guest && guest.activation !== 'none' ? Status.ACTIVE : undefined),
    },
  ],
  ({ fw, handle }) => {
    const sev = fw.state.sev;
    sev.guests.delete(handle);
    // docs/reference/psp-firmware.md §2.6: the DECOMMISSION that removes the last legacy guest moves WORKING → INIT.
    if (sev.guests.size === 0) sev.state = nextState(SEV_PLATFORM, 'DECOMMISSION');
  },
);

// ---------------------------------------------------------------- ACTIVATE

type LegacyActivateCtx = ActivateCtx & GuestCtx;
const activateCmd = command<LegacyActivateCtx>({
  id: Cmd.ACTIVATE,
  name: 'ACTIVATE',
  prepare: (b) => {
    const { handle, asid } = SevDataActivate.decode(b.buf);
    const guest = lookup(b, handle);
    return {
      handle,
      asid,
      guest,
      target: guest,
      es: guest?.es ?? false,
      snp: false,
      sent: guest?.state === LegacyGuestState.SENT,
      running: guest?.state === LegacyGuestState.RUNNING || guest?.state === LegacyGuestState.SUPDATE,
    };
  },
  guards: [
    sevStateGuard('ACTIVATE', 'docs/reference/psp-firmware.md §2.4: ACTIVATE needs WORKING'),
    guestGuard('ACTIVATE'),
    ...activateGuards<LegacyActivateCtx>('ACTIVATE'),
  ],
  effect: ({ fw, handle, asid, running }) => {
    activate(fw, fw.state.sev.guests.writable(handle)!, asid, running);
    return undefined;
  },
});

// ---------------------------------------------------------------- GUEST_STATUS

const guestStatus = command<BaseCtx>({
  id: Cmd.GUEST_STATUS,
  name: 'GUEST_STATUS',
  writesBack: true,
  guards: [
    sevStateGuard('GUEST_STATUS', 'docs/reference/psp-firmware.md §2.4: GUEST_STATUS needs INIT or WORKING'),
  ],
  effect: (c) => {
    const { handle } = SevDataGuestStatus.decode(c.buf);
    const g = lookup(c, handle);
    // docs/reference/psp-firmware.md §2.4: an invalid handle is not an error: it reports state 0 (INVALID).
    SevDataGuestStatus.patch(c.buf, {
      policy: g?.policy ?? 0,
      asid: g && g.activation !== 'none' ? g.asid : 0,
      state: g?.state ?? LegacyGuestState.INVALID,
    });
    return undefined;
  },
});

// ---------------------------------------------------------------- DBG_DECRYPT / DBG_ENCRYPT

type DbgCtx = GuestCtx & ReturnType<typeof SevDataDbg.decode>;
function dbg(encrypt: boolean): CommandSpec {
  const name: CmdName = encrypt ? 'DBG_ENCRYPT' : 'DBG_DECRYPT';
  return command<DbgCtx>({
    id: encrypt ? Cmd.DBG_ENCRYPT : Cmd.DBG_DECRYPT,
    name,
    prepare: (b) => withGuest(b, SevDataDbg.decode(b.buf)),
    guards: [
      sevStateGuard(name, 'docs/reference/psp-firmware.md §2.4: DBG_* needs WORKING'),
      guestGuard(name),
      guestStateGuard(name),
      {
        id: `${name}.nodbg`,
        fact: 'docs/reference/psp-firmware.md §2.4 DBG_*: policy NODBG=1 → POLICY_FAILURE',
        check: ({ guest }) => (guest && guest.policy & SevPolicy.NODBG ? Status.POLICY_FAILURE : undefined),
      },
      {
        id: `${name}.inactive`,
        fact: 'docs/reference/psp-firmware.md §2.4 DBG_*: the guest must be active (INACTIVE)',
        check: ({ guest }) => (guest && guest.activation !== 'none' ? undefined : Status.INACTIVE),
      },
      {
        id: `${name}.align`,
        fact: 'docs/reference/psp-firmware.md §2.4 DBG_*: 16-byte alignment of addresses and length',
        check: ({ srcAddr, dstAddr, len }) =>
          srcAddr % 16 || dstAddr % 16
            ? Status.INVALID_ADDRESS
            : len === 0 || len % 16 || len > PAGE
              ? Status.INVALID_LEN
              : undefined,
      },
    ],
    effect: () => undefined,
  });
}

export const sevGuestCommands: CommandSpec[] = [
  launchStart,
  launchUpdate(false),
  launchUpdate(true),
  launchMeasure,
  launchSecret,
  launchFinish,
  activateCmd,
  deactivateCmd,
  decommission,
  guestStatus,
  dbg(false),
  dbg(true),
];
