/**
 * SNP guest commands (docs/reference/psp-firmware.md §3.11, §3.12, §3.10): SNP_GCTX_CREATE, SNP_LAUNCH_START,
 * SNP_LAUNCH_UPDATE, SNP_LAUNCH_FINISH, SNP_ACTIVATE, SNP_GUEST_STATUS, SNP_DECOMMISSION,
 * SNP_PAGE_RECLAIM. Every one needs SNP INIT; a guest is named by its context page (gctx).
 */
import { classify, type PageState, type RmpEntry, rmpEntryWith } from '@sevsim/hardware';
import {
  Cmd,
  type CmdName,
  Status,
  SevDataSnpActivate,
  SevDataSnpAddr,
  SevDataSnpGuestStatus,
  SevDataSnpLaunchFinish,
  SevDataSnpLaunchStart,
  SevDataSnpLaunchUpdate,
  SevDataSnpPageReclaim,
  SnpGuestStatusOutput,
  SnpPageType,
  SnpPolicy,
  SnpGuestState,
} from '@sevsim/psp-abi';
import {
  type ActivateCtx,
  activate,
  activateGuards,
  completeActivation,
  deactivate,
} from './asid-activation';
import { MAX_SEV_ASIDS } from './asid-table';
import { type Firmware, PAGE, PAGE_2M, RmpEntries, isAligned, pfnOf, withinPage } from './firmware';
import { type BaseCtx, type CommandSpec, type Guard, command } from './guard';
import type { SnpGuest } from './state';
import { SNP_GUEST, SNP_PLATFORM, acceptedIn, nextState } from './state-machines';

/** Low 12 bits of an SNP address field are reserved (SNP_ADDR_RESERVED_MASK, docs/reference/psp-firmware.md §3.11). */
const ADDR_RESERVED = 0xfff;

interface SnpGuestCtx extends BaseCtx {
  gctx: number;
  /** Read-only: a handler changes the guest through `fw.state.snp.guests.writable` (shared with forks). */
  guest: Readonly<SnpGuest> | undefined;
}

function lookup(fw: Firmware, gctx: number): Readonly<SnpGuest> | undefined {
  // docs/reference/psp-firmware.md §3.11: the gctx page must be in RMP state Context; the guest lives in that page.
  if (gctx % PAGE !== 0 || !fw.inDram(gctx, PAGE) || fw.pageState(gctx) !== 'CONTEXT') return undefined;
  return fw.state.snp.guests.get(gctx);
}

/** The decoded buffer plus its gctx and the guest there, added by stores (Object.assign is a runtime call). */
function withGuest<D extends { gctxPaddr: number }>(
  fw: Firmware,
  d: D,
): D & Omit<SnpGuestCtx, keyof BaseCtx> {
  const c = d as D & Omit<SnpGuestCtx, keyof BaseCtx>;
  c.gctx = d.gctxPaddr;
  c.guest = lookup(fw, d.gctxPaddr);
  return c;
}

function reservedAddr<C extends SnpGuestCtx>(name: CmdName): Guard<C> {
  return {
    id: `${name}.gctx-reserved`,
    fact: 'docs/reference/psp-firmware.md §3.11: address low 12 bits are reserved → INVALID_PARAM',
    check: ({ gctx }) => ((gctx % PAGE) & ADDR_RESERVED ? Status.INVALID_PARAM : undefined),
  };
}

/** A guard on the SNP platform state: the states `name`'s row of SNP_PLATFORM accepts. */
function snpInitGuard<C extends BaseCtx>(name: CmdName): Guard<C> {
  const allowed = acceptedIn(SNP_PLATFORM, name);
  return {
    id: `${name}.snp-init`,
    fact: 'docs/reference/psp-firmware.md §3.12: every SNP guest command needs SNP INIT, else INVALID_PLATFORM_STATE',
    check: ({ fw }) => (allowed.includes(fw.state.snp.state) ? undefined : Status.INVALID_PLATFORM_STATE),
  };
}

function contextGuard<C extends SnpGuestCtx>(name: CmdName): Guard<C> {
  return {
    id: `${name}.gctx-context`,
    fact: 'docs/reference/psp-firmware.md §3.11: gctx page not in RMP state Context → INVALID_GUEST',
    check: ({ guest }) => (guest ? undefined : Status.INVALID_GUEST),
  };
}

/** A guard on the guest's state: the states `name`'s row of SNP_GUEST accepts. */
function guestStateGuard<C extends SnpGuestCtx>(name: CmdName): Guard<C> {
  const allowed = acceptedIn(SNP_GUEST, name);
  return {
    id: `${name}.guest-state`,
    fact: 'docs/reference/psp-firmware.md §3.11 guest transition table: other states → INVALID_GUEST_STATE',
    check: ({ guest }) => (guest && allowed.includes(guest.state) ? undefined : Status.INVALID_GUEST_STATE),
  };
}

function activatedGuard<C extends SnpGuestCtx>(name: CmdName): Guard<C> {
  return {
    id: `${name}.inactive`,
    fact: 'docs/reference/psp-firmware.md §3.12: the guest must be activated (pending is enough), else INACTIVE',
    check: ({ guest }) => (guest && guest.activation !== 'none' ? undefined : Status.INACTIVE),
  };
}

// ---------------------------------------------------------------- SNP_GCTX_CREATE

const gctxCreate = command<SnpGuestCtx>({
  id: Cmd.SNP_GCTX_CREATE,
  name: 'SNP_GCTX_CREATE',
  prepare: (b) => ({ gctx: SevDataSnpAddr.decode(b.buf).address, guest: undefined }),
  guards: [
    reservedAddr('SNP_GCTX_CREATE'),
    snpInitGuard('SNP_GCTX_CREATE'),
    {
      id: 'SNP_GCTX_CREATE.address',
      fact: 'FW validate_address_range: the page must be in DRAM, else INVALID_ADDRESS',
      check: ({ fw, gctx }) => (fw.inDram(gctx, PAGE) ? undefined : Status.INVALID_ADDRESS),
    },
    {
      id: 'SNP_GCTX_CREATE.page-state',
      fact: 'docs/reference/psp-firmware.md §3.12 SNP_GCTX_CREATE: page not in Firmware state → INVALID_PAGE_STATE',
      check: ({ fw, gctx }) => (fw.pageState(gctx) === 'FIRMWARE' ? undefined : Status.INVALID_PAGE_STATE),
    },
    {
      id: 'SNP_GCTX_CREATE.page-size',
      fact: 'docs/reference/psp-firmware.md §3.12 SNP_GCTX_CREATE: a 2 MB RMP entry → INVALID_PAGE_SIZE',
      check: ({ fw, gctx }) => (fw.entry(gctx)?.pageSize === '2M' ? Status.INVALID_PAGE_SIZE : undefined),
    },
  ],
  effect: ({ fw, gctx }) => {
    fw.write(gctx, new Uint8Array(PAGE)); // zeroed
    fw.setEntry(gctx, RmpEntries.context());
    fw.state.snp.guests.set(gctx, {
      gctx,
      state: nextState(SNP_GUEST, 'SNP_GCTX_CREATE'),
      policy: 0n,
      asid: 0,
      activation: 'none',
    });
    return undefined;
  },
});

// ---------------------------------------------------------------- SNP_LAUNCH_START

type LaunchStartCtx = SnpGuestCtx & ReturnType<typeof SevDataSnpLaunchStart.decode>;

/** The firmware's SNP ABI version is the running image's major.minor (policy bits 0–15). */
function abiTooNew(fw: Firmware, policy: bigint): boolean {
  const minor = Number(policy & 0xffn);
  const major = Number((policy >> 8n) & 0xffn);
  const v = fw.state.running;
  return major > v.major || (major === v.major && minor > v.minor);
}

const launchStart = command<LaunchStartCtx>({
  id: Cmd.SNP_LAUNCH_START,
  name: 'SNP_LAUNCH_START',
  prepare: (b) => withGuest(b.fw, SevDataSnpLaunchStart.decode(b.buf)),
  guards: [
    {
      id: 'SNP_LAUNCH_START.reserved',
      fact: 'docs/reference/psp-firmware.md §3.12 SNP_LAUNCH_START: reserved fields → INVALID_PARAM (checked before the platform state)',
      check: ({ buf, gctxPaddr, maGctxPaddr }) =>
        SevDataSnpLaunchStart.reservedNonZero(buf) ||
        gctxPaddr & ADDR_RESERVED ||
        (maGctxPaddr % PAGE) & ADDR_RESERVED
          ? Status.INVALID_PARAM
          : undefined,
    },
    snpInitGuard('SNP_LAUNCH_START'),
    contextGuard('SNP_LAUNCH_START'),
    guestStateGuard('SNP_LAUNCH_START'),
    {
      id: 'SNP_LAUNCH_START.ma-context',
      fact: 'docs/reference/psp-firmware.md §3.12 SNP_LAUNCH_START: ma_en with an MA gctx not in Context → INVALID_GUEST',
      check: ({ fw, maEn, maGctxPaddr }) =>
        maEn && !lookup(fw, maGctxPaddr) ? Status.INVALID_GUEST : undefined,
    },
    {
      id: 'SNP_LAUNCH_START.policy-mbo',
      fact: 'docs/reference/psp-firmware.md §3.12 SNP_LAUNCH_START: policy bit 17 must be 1 → POLICY_FAILURE',
      check: ({ policy }) => (policy & SnpPolicy.RSVD_MBO ? undefined : Status.POLICY_FAILURE),
    },
    {
      id: 'SNP_LAUNCH_START.policy-smt',
      fact: 'docs/reference/psp-firmware.md §3.12 SNP_LAUNCH_START: SMT=0 while SMT is enabled on the platform → POLICY_FAILURE',
      check: ({ fw, policy }) =>
        fw.machine.preset.threadsPerCore > 1 && !(policy & SnpPolicy.SMT) ? Status.POLICY_FAILURE : undefined,
    },
    {
      id: 'SNP_LAUNCH_START.policy-abi',
      fact: 'docs/reference/psp-firmware.md §3.12 SNP_LAUNCH_START: policy ABI major.minor newer than the firmware → POLICY_FAILURE',
      check: ({ fw, policy }) => (abiTooNew(fw, policy) ? Status.POLICY_FAILURE : undefined),
    },
    {
      id: 'SNP_LAUNCH_START.policy-reserved',
      fact: 'docs/reference/psp-firmware.md §3.11: policy bits this firmware does not define → POLICY_FAILURE',
      check: ({ fw, policy }) => (policy & ~fw.features.snpPolicyMask ? Status.POLICY_FAILURE : undefined),
    },
    {
      id: 'SNP_LAUNCH_START.policy-migrate-ma',
      fact: 'docs/reference/psp-firmware.md §3.12 SNP_LAUNCH_START: ma_en without MIGRATE_MA → POLICY_FAILURE',
      check: ({ maEn, policy }) =>
        maEn && !(policy & SnpPolicy.MIGRATE_MA) ? Status.POLICY_FAILURE : undefined,
    },
  ],
  effect: ({ fw, gctx, policy }) => {
    const guest = fw.state.snp.guests.writable(gctx)!;
    guest.policy = policy;
    guest.state = nextState(SNP_GUEST, 'SNP_LAUNCH_START');
    fw.state.snp.guestCount++;
    return undefined;
  },
});

// ---------------------------------------------------------------- SNP_ACTIVATE

type SnpActivateCtx = ActivateCtx & SnpGuestCtx;
const snpActivate = command<SnpActivateCtx>({
  id: Cmd.SNP_ACTIVATE,
  name: 'SNP_ACTIVATE',
  prepare: (b) => {
    const { gctxPaddr, asid } = SevDataSnpActivate.decode(b.buf);
    const guest = lookup(b.fw, gctxPaddr);
    return {
      gctx: gctxPaddr,
      asid,
      guest,
      target: guest,
      es: true, // every SNP guest is ES (docs/reference/psp-firmware.md §2.5 step 7)
      snp: true,
      sent: false,
      running: guest?.state === SnpGuestState.RUNNING,
    };
  },
  guards: [
    reservedAddr('SNP_ACTIVATE'),
    snpInitGuard('SNP_ACTIVATE'),
    contextGuard('SNP_ACTIVATE'),
    guestStateGuard('SNP_ACTIVATE'),
    {
      id: 'SNP_ACTIVATE.asid-has-pages',
      fact: 'docs/reference/psp-firmware.md §4 item 6: pages still assigned to the ASID in the RMP → INVALID_CONFIG',
      check: ({ fw, asid }) =>
        asid >= 1 && asid <= MAX_SEV_ASIDS && fw.machine.rmp.assignedCount(asid) !== 0
          ? Status.INVALID_CONFIG
          : undefined,
    },
    ...activateGuards<SnpActivateCtx>('SNP_ACTIVATE'),
  ],
  effect: ({ fw, gctx, asid, running }) => {
    activate(fw, fw.state.snp.guests.writable(gctx)!, asid, running);
    return undefined;
  },
});

// ---------------------------------------------------------------- SNP_LAUNCH_UPDATE

type LaunchUpdateCtx = SnpGuestCtx & ReturnType<typeof SevDataSnpLaunchUpdate.decode>;
const FOUR_K_ONLY: number[] = [SnpPageType.VMSA, SnpPageType.SECRETS, SnpPageType.CPUID];

const launchUpdate = command<LaunchUpdateCtx>({
  id: Cmd.SNP_LAUNCH_UPDATE,
  name: 'SNP_LAUNCH_UPDATE',
  prepare: (b) => withGuest(b.fw, SevDataSnpLaunchUpdate.decode(b.buf)),
  guards: [
    {
      id: 'SNP_LAUNCH_UPDATE.reserved',
      fact: 'docs/reference/psp-firmware.md §3.11: reserved fields and address low bits → INVALID_PARAM',
      check: ({ buf, gctxPaddr, address }) =>
        SevDataSnpLaunchUpdate.reservedNonZero(buf) || gctxPaddr & ADDR_RESERVED || address % PAGE
          ? Status.INVALID_PARAM
          : undefined,
    },
    snpInitGuard('SNP_LAUNCH_UPDATE'),
    contextGuard('SNP_LAUNCH_UPDATE'),
    guestStateGuard('SNP_LAUNCH_UPDATE'),
    activatedGuard('SNP_LAUNCH_UPDATE'),
    {
      id: 'SNP_LAUNCH_UPDATE.address',
      fact: 'FW validate_address_range: the page must be in DRAM, else INVALID_ADDRESS',
      check: ({ fw, address, pageSize }) =>
        fw.inDram(address, pageSize ? PAGE_2M : PAGE) ? undefined : Status.INVALID_ADDRESS,
    },
    {
      id: 'SNP_LAUNCH_UPDATE.pre-guest',
      fact: 'docs/reference/psp-firmware.md §3.12 SNP_LAUNCH_UPDATE: target page not Pre-Guest → INVALID_PAGE_STATE',
      check: ({ fw, address }) =>
        fw.pageState(address) === 'PRE_GUEST' ? undefined : Status.INVALID_PAGE_STATE,
    },
    {
      id: 'SNP_LAUNCH_UPDATE.page-size',
      fact: 'docs/reference/psp-firmware.md §3.12 SNP_LAUNCH_UPDATE: RMP page size ≠ page_size → INVALID_PAGE_SIZE',
      check: ({ fw, address, pageSize }) =>
        (fw.entry(address)?.pageSize === '2M' ? 1 : 0) !== pageSize ? Status.INVALID_PAGE_SIZE : undefined,
    },
    {
      id: 'SNP_LAUNCH_UPDATE.align-2m',
      fact: 'docs/reference/psp-firmware.md §3.12 SNP_LAUNCH_UPDATE: a 2 MB page must be 2 MB aligned',
      check: ({ address, pageSize }) =>
        pageSize && !isAligned(address, PAGE_2M) ? Status.INVALID_ADDRESS : undefined,
    },
    {
      id: 'SNP_LAUNCH_UPDATE.type-4k',
      fact: 'docs/reference/psp-firmware.md §3.12 SNP_LAUNCH_UPDATE: VMSA, SECRETS and CPUID pages must be 4 KB',
      check: ({ pageType, pageSize }) =>
        pageSize && FOUR_K_ONLY.includes(pageType) ? Status.INVALID_PARAM : undefined,
    },
    {
      id: 'SNP_LAUNCH_UPDATE.page-type',
      fact: 'docs/reference/psp-firmware.md §3.12 SNP_LAUNCH_UPDATE: page_type 0 or > 6 → INVALID_PARAM',
      check: ({ pageType }) =>
        pageType < SnpPageType.NORMAL || pageType > SnpPageType.CPUID ? Status.INVALID_PARAM : undefined,
    },
    {
      id: 'SNP_LAUNCH_UPDATE.owner',
      fact: 'docs/reference/psp-firmware.md §3.12 SNP_LAUNCH_UPDATE: page RMP ASID ≠ guest ASID → INVALID_PAGE_OWNER',
      check: ({ fw, address, guest }) =>
        fw.entry(address)?.asid === guest?.asid ? undefined : Status.INVALID_PAGE_OWNER,
    },
    {
      id: 'SNP_LAUNCH_UPDATE.imi',
      fact: 'docs/reference/psp-firmware.md §3.12 SNP_LAUNCH_UPDATE: IMI pages only when imi_en (sevsim never launches IMI)',
      check: ({ imiPage }) => (imiPage ? Status.INVALID_PARAM : undefined),
    },
  ],
  effect: ({ fw, address, pageType, guest }) => {
    const e = fw.entry(address)!;
    const head = e.pageSize === '2M' ? address - (address % PAGE_2M) : address;
    // Pre-Guest → Guest-Valid: validated, immutable cleared, VMSA bit for a VMSA page.
    fw.setEntry(
      head,
      Object.freeze(
        rmpEntryWith(e, {
          gpa: e.pageSize === '2M' ? e.gpa - (address - head) : e.gpa,
          immutable: false,
          validated: true,
          vmsa: pageType === SnpPageType.VMSA,
        }),
      ),
    );
    fw.machine.fwEncryptPages(pfnOf(head), e.pageSize === '2M' ? 512 : 1, guest!.asid);
    return undefined;
  },
});

// ---------------------------------------------------------------- SNP_LAUNCH_FINISH

type LaunchFinishCtx = SnpGuestCtx & ReturnType<typeof SevDataSnpLaunchFinish.decode>;
const launchFinish = command<LaunchFinishCtx>({
  id: Cmd.SNP_LAUNCH_FINISH,
  name: 'SNP_LAUNCH_FINISH',
  prepare: (b) => withGuest(b.fw, SevDataSnpLaunchFinish.decode(b.buf)),
  guards: [
    {
      id: 'SNP_LAUNCH_FINISH.reserved',
      fact: 'docs/reference/psp-firmware.md §3.11: reserved fields and address low bits → INVALID_PARAM',
      check: ({ buf, gctxPaddr }) =>
        SevDataSnpLaunchFinish.reservedNonZero(buf) || gctxPaddr & ADDR_RESERVED
          ? Status.INVALID_PARAM
          : undefined,
    },
    snpInitGuard('SNP_LAUNCH_FINISH'),
    contextGuard('SNP_LAUNCH_FINISH'),
    guestStateGuard('SNP_LAUNCH_FINISH'),
    activatedGuard('SNP_LAUNCH_FINISH'),
  ],
  effect: ({ fw, gctx }) => {
    const guest = fw.state.snp.guests.writable(gctx)!;
    guest.state = nextState(SNP_GUEST, 'SNP_LAUNCH_FINISH');
    completeActivation(fw, guest);
    return undefined;
  },
});

// ---------------------------------------------------------------- SNP_GUEST_STATUS

type GuestStatusCtx = SnpGuestCtx & ReturnType<typeof SevDataSnpGuestStatus.decode>;
const guestStatus = command<GuestStatusCtx>({
  id: Cmd.SNP_GUEST_STATUS,
  name: 'SNP_GUEST_STATUS',
  prepare: (b) => withGuest(b.fw, SevDataSnpGuestStatus.decode(b.buf)),
  guards: [
    reservedAddr('SNP_GUEST_STATUS'),
    {
      id: 'SNP_GUEST_STATUS.output-page',
      fact: 'docs/reference/psp-firmware.md §3.12 SNP_GUEST_STATUS: output crossing a page → INVALID_PARAM',
      check: ({ fw, address }) =>
        withinPage(address, SnpGuestStatusOutput.size) && fw.inDram(address, SnpGuestStatusOutput.size)
          ? undefined
          : Status.INVALID_PARAM,
    },
    snpInitGuard('SNP_GUEST_STATUS'),
    contextGuard('SNP_GUEST_STATUS'),
    {
      id: 'SNP_GUEST_STATUS.output-page-state',
      fact: 'docs/reference/psp-firmware.md §3.12 SNP_GUEST_STATUS: output page not Firmware/Default → INVALID_PAGE_STATE',
      check: ({ fw, address }) =>
        fw.firmwareWritable(address, SnpGuestStatusOutput.size) ? undefined : Status.INVALID_PAGE_STATE,
    },
  ],
  effect: ({ fw, guest, address }) => {
    const g = guest!;
    fw.write(
      address,
      SnpGuestStatusOutput.encode({
        policy: g.policy,
        asid: g.activation !== 'none' ? g.asid : 0,
        state: g.state,
      }),
    );
    return undefined;
  },
});

// ---------------------------------------------------------------- SNP_DECOMMISSION

const decommission = command<SnpGuestCtx>({
  id: Cmd.SNP_DECOMMISSION,
  name: 'SNP_DECOMMISSION',
  prepare: (b) => {
    const gctx = SevDataSnpAddr.decode(b.buf).address;
    return { gctx, guest: lookup(b.fw, gctx) };
  },
  guards: [
    reservedAddr('SNP_DECOMMISSION'),
    snpInitGuard('SNP_DECOMMISSION'),
    contextGuard('SNP_DECOMMISSION'),
  ],
  effect: ({ fw, gctx }) => {
    const g = fw.state.snp.guests.writable(gctx)!;
    deactivate(fw, g); // implicit: allocated → clean, in_use → dirty (docs/reference/psp-firmware.md §3.12)
    if (g.state !== SnpGuestState.INIT) fw.state.snp.guestCount--;
    fw.state.snp.guests.delete(gctx);
    fw.setEntry(gctx, RmpEntries.firmware()); // Context → Firmware
    return undefined;
  },
});

// ---------------------------------------------------------------- SNP_PAGE_RECLAIM

interface ReclaimCtx extends BaseCtx {
  paddr: number;
  address: number;
  large: boolean;
  /** The page's RMP entry (undefined beyond the table), read once as rmp_get_addr_entry_state does. */
  entry: Readonly<RmpEntry> | undefined;
}

const RECLAIM_PADDR = SevDataSnpPageReclaim.fields.paddr;

/** What SNP_PAGE_RECLAIM changes in the page's entry. */
const RECLAIMED: Readonly<Partial<RmpEntry>> = Object.freeze({ immutable: false, metadata: false });

/** The states SNP_PAGE_RECLAIM takes back (docs/reference/psp-firmware.md §3.10). */
const RECLAIMABLE: ReadonlySet<PageState> = new Set(['FIRMWARE', 'METADATA', 'PRE_GUEST', 'PRE_SWAP']);

const pageReclaim = command<ReclaimCtx>({
  id: Cmd.SNP_PAGE_RECLAIM,
  name: 'SNP_PAGE_RECLAIM',
  prepare: (b) => {
    // Its one field read where it is (no decoded object: reclaim runs once per page of a range).
    const paddr = RECLAIM_PADDR.get(b.buf);
    const low = paddr % PAGE;
    const address = paddr - low;
    return { paddr, address, large: (low & 1) === 1, entry: b.fw.entry(address) };
  },
  guards: [
    {
      id: 'SNP_PAGE_RECLAIM.reserved',
      fact: 'docs/reference/psp-firmware.md §3.10 SNP_PAGE_RECLAIM: bits 1–11 reserved → INVALID_PARAM',
      check: ({ paddr }) => ((paddr % PAGE) & 0xffe ? Status.INVALID_PARAM : undefined),
    },
    snpInitGuard('SNP_PAGE_RECLAIM'),
    {
      id: 'SNP_PAGE_RECLAIM.address',
      fact: 'FW validate_address_range / rmp_get_addr_entry_state: a page without an RMP entry → INVALID_ADDRESS',
      check: ({ fw, address, large, entry }) =>
        fw.inDram(address, large ? PAGE_2M : PAGE) && entry ? undefined : Status.INVALID_ADDRESS,
    },
    {
      id: 'SNP_PAGE_RECLAIM.page-size',
      fact: 'docs/reference/psp-firmware.md §3.10 SNP_PAGE_RECLAIM: RMP page size ≠ requested → INVALID_PAGE_SIZE',
      check: ({ entry, large }) =>
        (entry!.pageSize === '2M') !== large ? Status.INVALID_PAGE_SIZE : undefined,
    },
    {
      id: 'SNP_PAGE_RECLAIM.align-2m',
      fact: 'docs/reference/psp-firmware.md §3.10 SNP_PAGE_RECLAIM: a 2 MB request must be 2 MB aligned → INVALID_ADDRESS',
      check: ({ address, large }) =>
        large && !isAligned(address, PAGE_2M) ? Status.INVALID_ADDRESS : undefined,
    },
    {
      id: 'SNP_PAGE_RECLAIM.not-immutable',
      fact: 'docs/reference/psp-firmware.md §3.10 SNP_PAGE_RECLAIM: immutable already 0 → SUCCESS, nothing done',
      check: ({ entry }) => (entry!.immutable ? undefined : Status.SUCCESS),
    },
    {
      id: 'SNP_PAGE_RECLAIM.state',
      fact: 'docs/reference/psp-firmware.md §3.10 SNP_PAGE_RECLAIM: only Firmware, Metadata, Pre-Guest, Pre-Swap → else INVALID_PAGE_STATE',
      check: ({ entry }) => (RECLAIMABLE.has(classify(entry!)) ? undefined : Status.INVALID_PAGE_STATE),
    },
  ],
  effect: ({ fw, address, entry }) => {
    // Firmware/Metadata → Reclaim, Pre-Guest → Guest-Invalid, Pre-Swap → Guest-Valid: clear
    // Immutable. Frozen here, so the RMP stores this entry without a second copy.
    fw.setEntry(address, Object.freeze(rmpEntryWith(entry!, RECLAIMED)));
    return undefined;
  },
});

export const snpGuestCommands: CommandSpec[] = [
  gctxCreate,
  launchStart,
  snpActivate,
  launchUpdate,
  launchFinish,
  guestStatus,
  decommission,
  pageReclaim,
];
