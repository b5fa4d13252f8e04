/**
 * The firmware's four state machines as tables, the form AMD's firmware keeps them in
 * (AMD-ASPFW `sev_plat.c state_tbl_sev` / `state_tbl_snp`, `sev_guest.c state_tbl_sev` /
 * `state_tbl_snp`). Each row names a command, the states it is accepted in, and the state it
 * leaves behind. The command handlers' state guards and state changes read these rows, and the
 * playback app draws its diagrams from them, so the rules are written once.
 *
 * Sources: SEV platform AMD 55766 §5.1.2 and docs/reference/psp-firmware.md §2.1; legacy guest
 * AMD 55766 §6.1.1 and docs/reference/psp-firmware.md §2.4; SNP platform AMD 56860 §8.3 and
 * docs/reference/psp-firmware.md §3.1; SNP guest docs/reference/psp-firmware.md §3.11.
 */
import { type CmdName, LegacyGuestState, SevState, SnpGuestState, SnpState } from '@sevsim/psp-abi';

export interface Transition<S extends string> {
  readonly cmd: CmdName;
  /** States the command is accepted in; in any other the command is refused. */
  readonly from: readonly S[];
  /** The state after success; absent: unchanged. */
  readonly to?: S;
  /** The condition under which `to` applies (e.g. DECOMMISSION of the last legacy guest). */
  readonly when?: string;
  /** The command creates the guest (there is no `from` state) or deletes it. */
  readonly guest?: 'creates' | 'deletes';
}

export interface StateMachine<S extends string> {
  readonly name: string;
  /** State name → the value the status commands report. */
  readonly states: Readonly<Record<S, number>>;
  /** The status a command gets in a state its row does not list. */
  readonly refusal: 'INVALID_PLATFORM_STATE' | 'INVALID_GUEST_STATE';
  readonly source: string;
  readonly transitions: readonly Transition<S>[];
}

type SevStateName = keyof typeof SevState;
type SnpStateName = keyof typeof SnpState;
type LegacyGuestStateName = keyof typeof LegacyGuestState;
type SnpGuestStateName = keyof typeof SnpGuestState;

const ANY_SEV: SevStateName[] = ['UNINIT', 'INIT', 'WORKING'];
const INIT_OR_WORKING: SevStateName[] = ['INIT', 'WORKING'];
const WORKING: SevStateName[] = ['WORKING'];

export const SEV_PLATFORM: StateMachine<SevStateName> = {
  name: 'SEV platform',
  states: SevState,
  refusal: 'INVALID_PLATFORM_STATE',
  source:
    'AMD 55766 §5.1.2; AMD-ASPFW sev_plat.c state_tbl_sev (docs/reference/psp-firmware.md §2.1 and docs/reference/psp-firmware.md §2.6)',
  transitions: [
    { cmd: 'INIT', from: ['UNINIT'], to: 'INIT' },
    { cmd: 'INIT_EX', from: ['UNINIT'], to: 'INIT' },
    { cmd: 'SHUTDOWN', from: ANY_SEV, to: 'UNINIT' },
    { cmd: 'FACTORY_RESET', from: ['UNINIT'] },
    { cmd: 'PEK_GEN', from: ['INIT'] },
    { cmd: 'PEK_CERT_IMPORT', from: ['INIT'] },
    { cmd: 'PDH_GEN', from: INIT_OR_WORKING },
    { cmd: 'PEK_CSR', from: INIT_OR_WORKING },
    { cmd: 'PDH_CERT_EXPORT', from: INIT_OR_WORKING },
    { cmd: 'GUEST_STATUS', from: INIT_OR_WORKING },
    { cmd: 'LAUNCH_START', from: INIT_OR_WORKING, to: 'WORKING' },
    { cmd: 'LAUNCH_UPDATE_DATA', from: WORKING },
    { cmd: 'LAUNCH_UPDATE_VMSA', from: WORKING },
    { cmd: 'LAUNCH_MEASURE', from: WORKING },
    { cmd: 'LAUNCH_UPDATE_SECRET', from: WORKING },
    { cmd: 'LAUNCH_FINISH', from: WORKING },
    { cmd: 'ACTIVATE', from: WORKING },
    { cmd: 'DEACTIVATE', from: WORKING },
    { cmd: 'DBG_DECRYPT', from: WORKING },
    { cmd: 'DBG_ENCRYPT', from: WORKING },
    { cmd: 'DECOMMISSION', from: WORKING, to: 'INIT', when: 'last legacy guest' },
  ],
};

export const SNP_PLATFORM: StateMachine<SnpStateName> = {
  name: 'SNP platform',
  states: SnpState,
  refusal: 'INVALID_PLATFORM_STATE',
  source:
    'AMD 56860 §8.3; AMD-ASPFW sev_plat.c state_tbl_snp (docs/reference/psp-firmware.md §3.1 and docs/reference/psp-firmware.md §3.12)',
  transitions: [
    { cmd: 'SNP_INIT', from: ['UNINIT'], to: 'INIT' },
    { cmd: 'SNP_INIT_EX', from: ['UNINIT'], to: 'INIT' },
    { cmd: 'SNP_SHUTDOWN', from: ['UNINIT', 'INIT'], to: 'UNINIT' },
    { cmd: 'SNP_SHUTDOWN_EX', from: ['UNINIT', 'INIT'], to: 'UNINIT' },
    { cmd: 'SNP_GCTX_CREATE', from: ['INIT'] },
    { cmd: 'SNP_LAUNCH_START', from: ['INIT'] },
    { cmd: 'SNP_ACTIVATE', from: ['INIT'] },
    { cmd: 'SNP_LAUNCH_UPDATE', from: ['INIT'] },
    { cmd: 'SNP_LAUNCH_FINISH', from: ['INIT'] },
    { cmd: 'SNP_GUEST_STATUS', from: ['INIT'] },
    { cmd: 'SNP_DECOMMISSION', from: ['INIT'] },
    { cmd: 'SNP_PAGE_RECLAIM', from: ['INIT'] },
  ],
};

const LIVE_GUEST: LegacyGuestStateName[] = ['LUPDATE', 'LSECRET', 'RUNNING', 'SUPDATE', 'RUPDATE', 'SENT'];

export const LEGACY_GUEST: StateMachine<LegacyGuestStateName> = {
  name: 'legacy guest',
  states: LegacyGuestState,
  refusal: 'INVALID_GUEST_STATE',
  source: 'AMD 55766 §6.1.1; AMD-ASPFW sev_guest.c state_tbl_sev (docs/reference/psp-firmware.md §2.4)',
  transitions: [
    { cmd: 'LAUNCH_START', from: [], to: 'LUPDATE', guest: 'creates' },
    { cmd: 'LAUNCH_UPDATE_DATA', from: ['LUPDATE'] },
    { cmd: 'LAUNCH_UPDATE_VMSA', from: ['LUPDATE'] },
    { cmd: 'LAUNCH_MEASURE', from: ['LUPDATE'], to: 'LSECRET' },
    { cmd: 'LAUNCH_UPDATE_SECRET', from: ['LSECRET'] },
    { cmd: 'LAUNCH_FINISH', from: ['LSECRET'], to: 'RUNNING' },
    { cmd: 'DBG_DECRYPT', from: LIVE_GUEST },
    { cmd: 'DBG_ENCRYPT', from: LIVE_GUEST },
    { cmd: 'DECOMMISSION', from: LIVE_GUEST, guest: 'deletes' },
  ],
};

export const SNP_GUEST: StateMachine<SnpGuestStateName> = {
  name: 'SNP guest',
  states: SnpGuestState,
  refusal: 'INVALID_GUEST_STATE',
  source:
    'AMD 56860 "SNP_GCTX_CREATE" … "SNP_DECOMMISSION"; AMD-ASPFW sev_guest.c state_tbl_snp (docs/reference/psp-firmware.md §3.11)',
  transitions: [
    { cmd: 'SNP_GCTX_CREATE', from: [], to: 'INIT', guest: 'creates' },
    { cmd: 'SNP_LAUNCH_START', from: ['INIT'], to: 'LAUNCH' },
    { cmd: 'SNP_ACTIVATE', from: ['LAUNCH', 'RUNNING'] },
    { cmd: 'SNP_LAUNCH_UPDATE', from: ['LAUNCH'] },
    { cmd: 'SNP_LAUNCH_FINISH', from: ['LAUNCH'], to: 'RUNNING' },
    { cmd: 'SNP_DECOMMISSION', from: ['INIT', 'LAUNCH', 'RUNNING'], guest: 'deletes' },
  ],
};

/** The four machines, for diagrams and for `explain`. */
export const STATE_MACHINES = { SEV_PLATFORM, SNP_PLATFORM, LEGACY_GUEST, SNP_GUEST } as const;

function row<S extends string>(m: StateMachine<S>, cmd: CmdName): Transition<S> {
  const t = m.transitions.find((r) => r.cmd === cmd);
  if (!t) throw new Error(`${m.name} state table has no row for ${cmd}`);
  return t;
}

/** The state values `cmd` is accepted in (what its state guard checks). */
export function acceptedIn<S extends string>(m: StateMachine<S>, cmd: CmdName): number[] {
  return row(m, cmd).from.map((s) => m.states[s]);
}

/** The state value `cmd` leaves the machine in. */
export function nextState<S extends string>(m: StateMachine<S>, cmd: CmdName): number {
  const to = row(m, cmd).to;
  if (to === undefined) throw new Error(`${m.name}: ${cmd} changes no state`);
  return m.states[to];
}
