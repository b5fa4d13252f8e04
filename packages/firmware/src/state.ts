/**
 * The firmware's state variables (docs/reference/psp-firmware.md Appendix A) and the JSON snapshot the
 * simulator shows. Platform states are the numeric values of docs/reference/psp-firmware.md §2.1 / docs/reference/psp-firmware.md §3.1.
 */
import { deepFreeze } from '@sevsim/hardware';
import type { FirmwareImage, FirmwareVersion } from './firmware-image';
import { SevState, SnpState } from '@sevsim/psp-abi';
import { AsidTable, type AsidSummary } from './asid-table';

export type Activation = 'none' | 'pending' | 'active';

export interface LegacyGuest {
  handle: number;
  state: number;
  policy: number;
  es: boolean;
  asid: number;
  activation: Activation;
}

export interface SnpGuest {
  gctx: number;
  state: number;
  policy: bigint;
  asid: number;
  activation: Activation;
}

/** The image that runs and the one that would boot (committed). */
export interface ImageSlot extends FirmwareVersion {
  svn: number;
}

export interface FirmwareState {
  running: ImageSlot;
  committed: ImageSlot;
  sev: {
    state: number;
    esConfigured: boolean;
    externallyOwned: boolean;
    tmr: { address: number; len: number } | undefined;
    guests: Guests<LegacyGuest>;
  };
  snp: {
    state: number;
    ciphertextHiding: boolean;
    maxSnpAsid: number;
    raplDis: boolean;
    guests: Guests<SnpGuest>;
    /** SNP guests past LAUNCH_START (PLATFORM_STATUS guest_count, docs/reference/psp-firmware.md §3.4). */
    guestCount: number;
    vlek: boolean;
    maskChipId: boolean;
    maskChipKey: boolean;
    /** SNP_CONFIG reported TCB; undefined = current. */
    reportedTcb: bigint | undefined;
    /** SVN of the image that built the RMP: a DLFW_EX since then forces INIT_RMP (docs/reference/psp-firmware.md §3.2 step 4). */
    rmpBuiltBySvn: number | undefined;
  };
  asids: AsidTable;
}

/**
 * A platform's guests, by handle (legacy) or guest-context page (SNP). The table is shared with a
 * copy of the platform (an explorer fork) until one side adds or removes a guest, and each guest
 * until one side changes its fields: most forks change no guest, and copying both tables with
 * every guest at every fork was a tenth of a fork's allocation. A handler reads a guest with `get`
 * (read-only) and changes one only through `writable`, `set`, `delete` and `clear`.
 */
export class Guests<G extends object> {
  private shared = false;
  /** Guests this table made since it was last copied: the only ones changed in place (null: none). */
  private mine: Set<G> | null = null;

  constructor(
    private readonly copyGuest: (g: Readonly<G>) => G,
    private map = new Map<number, G>(),
  ) {}

  /** An independent copy: the table and every guest shared until changed, by either side. */
  fork(): Guests<G> {
    this.shared = true;
    this.mine = null;
    const c = new Guests(this.copyGuest, this.map);
    c.shared = true;
    return c;
  }

  get size(): number {
    return this.map.size;
  }

  has(key: number): boolean {
    return this.map.has(key);
  }

  get(key: number): Readonly<G> | undefined {
    return this.map.get(key);
  }

  /** Every guest, in the order added (a fingerprint's bag walks them with `forEach`). */
  values(): IterableIterator<Readonly<G>> {
    return this.map.values();
  }

  keys(): IterableIterator<number> {
    return this.map.keys();
  }

  forEach(each: (g: Readonly<G>) => void): void {
    this.map.forEach((g) => {
      each(g);
    });
  }

  /** The guest at `key` to change its fields: this table's own copy, made at the first change. */
  writable(key: number): G | undefined {
    const g = this.map.get(key);
    if (g === undefined || this.mine?.has(g) === true) return g;
    const c = this.copyGuest(g);
    this.set(key, c);
    return c;
  }

  set(key: number, g: G): void {
    this.own();
    this.map.set(key, g);
    this.mine ??= new Set();
    this.mine.add(g);
  }

  delete(key: number): void {
    if (!this.map.has(key)) return;
    this.own();
    this.map.delete(key);
  }

  clear(): void {
    this.map = new Map();
    this.shared = false;
    this.mine = null;
  }

  /** Before a change: a table shared with a copy is copied first. */
  private own(): void {
    if (!this.shared) return;
    this.map = new Map(this.map);
    this.shared = false;
  }
}

/**
 * An independent copy of the firmware's state (guests, ASID bookkeeping). The image slots and
 * the TMR range are replaced whole, never changed in place, so they are frozen and shared. Every
 * field is named (a spread costs Node 20 several times as much, and a field added to the state
 * without a line here fails typecheck).
 */
export function forkState(s: FirmwareState): FirmwareState {
  const sev = s.sev;
  const snp = s.snp;
  return {
    running: deepFreeze(s.running),
    committed: deepFreeze(s.committed),
    sev: {
      state: sev.state,
      esConfigured: sev.esConfigured,
      externallyOwned: sev.externallyOwned,
      tmr: sev.tmr && deepFreeze(sev.tmr),
      guests: sev.guests.fork(),
    },
    snp: {
      state: snp.state,
      ciphertextHiding: snp.ciphertextHiding,
      maxSnpAsid: snp.maxSnpAsid,
      raplDis: snp.raplDis,
      guests: snp.guests.fork(),
      guestCount: snp.guestCount,
      vlek: snp.vlek,
      maskChipId: snp.maskChipId,
      maskChipKey: snp.maskChipKey,
      reportedTcb: snp.reportedTcb,
      rmpBuiltBySvn: snp.rmpBuiltBySvn,
    },
    asids: s.asids.fork(),
  };
}

const copyLegacy = (g: Readonly<LegacyGuest>): LegacyGuest => ({
  handle: g.handle,
  state: g.state,
  policy: g.policy,
  es: g.es,
  asid: g.asid,
  activation: g.activation,
});

const copySnp = (g: Readonly<SnpGuest>): SnpGuest => ({
  gctx: g.gctx,
  state: g.state,
  policy: g.policy,
  asid: g.asid,
  activation: g.activation,
});

export function imageSlot(img: FirmwareImage | ImageSlot): ImageSlot {
  return { major: img.major, minor: img.minor, build: img.build, svn: img.svn };
}

export function freshState(running: ImageSlot, committed: ImageSlot): FirmwareState {
  return {
    running,
    committed,
    sev: {
      state: SevState.UNINIT,
      esConfigured: false,
      externallyOwned: false,
      tmr: undefined,
      guests: new Guests(copyLegacy),
    },
    snp: {
      state: SnpState.UNINIT,
      ciphertextHiding: false,
      maxSnpAsid: 0,
      raplDis: false,
      guests: new Guests(copySnp),
      guestCount: 0,
      vlek: false,
      maskChipId: false,
      maskChipKey: false,
      reportedTcb: undefined,
      rmpBuiltBySvn: undefined,
    },
    asids: new AsidTable(),
  };
}

export type SevStateName = 'UNINIT' | 'INIT' | 'WORKING';
export type SnpStateName = 'UNINIT' | 'INIT';

export interface FirmwareSnapshot {
  version: string;
  committedVersion: string;
  sev: SevStateName;
  snp: SnpStateName;
  rmpInitialised: boolean;
  ciphertextHiding: boolean;
  maxSnpAsid: number;
  esConfigured: boolean;
  legacyGuests: { handle: number; state: number; asid: number; policy: number; activation: Activation }[];
  snpGuests: { gctx: number; state: number; asid: number; policy: string; activation: Activation }[];
  snpGuestCount: number;
  asids: AsidSummary;
}

export const SEV_STATE_NAMES: readonly SevStateName[] = ['UNINIT', 'INIT', 'WORKING'];
export const SNP_STATE_NAMES: readonly SnpStateName[] = ['UNINIT', 'INIT'];
