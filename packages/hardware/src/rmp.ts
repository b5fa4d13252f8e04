import { HardwareAccessError } from './errors.js';
import type { Fingerprint } from './fingerprint.js';
import type { Writable } from './fork.js';
import { PageMap } from './page-map.js';
import { PAGES_PER_2M, PAGE_SIZE, type RamRange, type RmpPlacement, type RmpSegment } from './rmp-layout.js';

export type PageState =
  | 'DEFAULT'
  | 'HYPERVISOR'
  | 'HV_FIXED'
  | 'FIRMWARE'
  | 'FIRMWARE_IOMMU'
  | 'RECLAIM'
  | 'CONTEXT'
  | 'METADATA'
  | 'PRE_GUEST'
  | 'PRE_SWAP'
  | 'GUEST_INVALID'
  | 'GUEST_VALID';

export const PAGE_STATES: readonly PageState[] = [
  'DEFAULT',
  'HYPERVISOR',
  'HV_FIXED',
  'FIRMWARE',
  'FIRMWARE_IOMMU',
  'RECLAIM',
  'CONTEXT',
  'METADATA',
  'PRE_GUEST',
  'PRE_SWAP',
  'GUEST_INVALID',
  'GUEST_VALID',
];

/** Each state's index in PAGE_STATES. */
const AT = Object.freeze(Object.fromEntries(PAGE_STATES.map((s, i) => [s, i]))) as Readonly<
  Record<PageState, number>
>;

export type RmpPageSize = '4K' | '2M';

/** The fields of one RMP entry (docs/reference/psp-firmware.md §5.2). `gpa` is a byte address. */
export interface RmpEntry {
  assigned: boolean;
  pageSize: RmpPageSize;
  immutable: boolean;
  gpa: number;
  asid: number;
  vmsa: boolean;
  validated: boolean;
  /** Firmware-internal marker for FIRMWARE_IOMMU pages (docs/reference/psp-firmware.md §5.3 row 5). */
  iommu?: boolean;
  /** Firmware-internal marker for swap METADATA pages (docs/reference/psp-firmware.md §5.3 row 8). */
  metadata?: boolean;
}

export interface RmpUpdateFields {
  assigned: boolean;
  pageSize?: RmpPageSize;
  immutable: boolean;
  gpa?: number;
  asid?: number;
}

/** Return codes of RMPUPDATE / PSMASH / PVALIDATE (docs/reference/psp-firmware.md §5.4). */
export const RmpResult = {
  SUCCESS: 0,
  FAIL_INPUT: 1,
  FAIL_PERMISSION: 2,
  FAIL_INUSE: 3,
  FAIL_OVERLAP: 4,
  FAIL_SIZEMISMATCH: 6,
  FAIL_UNSUPPORTED: 7,
} as const;
export type RmpResultCode = (typeof RmpResult)[keyof typeof RmpResult];

/** GPA field is 39 bits of GFN (docs/reference/psp-firmware.md §5.2): addresses below 2^51. */
const GPA_LIMIT = 2 ** 51;

/** What the RMP needs from the rest of the machine. */
/** What the RMP needs to know of the cores: SNPEn set on any core makes clearing the table fault (docs/reference/psp-firmware.md §5.1). */
export interface RmpCores {
  snpEnAny(): boolean;
}

function pagesOf(e: RmpEntry): number {
  return e.pageSize === '2M' ? PAGES_PER_2M : 1;
}

function isZero(e: RmpEntry): boolean {
  return !e.assigned && !e.immutable;
}

/**
 * The stored form of an entry: a frozen copy (entries are values, replaced on every change, so a
 * copy of the table may share them), its fields always in one order so every stored entry has
 * one of few hidden classes. Built field by field: Node 20 freezes the result of an object
 * spread through a slow path, microseconds per entry.
 */
function storedEntry(e: Readonly<RmpEntry>): Readonly<RmpEntry> {
  const c: RmpEntry = {
    assigned: e.assigned,
    pageSize: e.pageSize,
    immutable: e.immutable,
    gpa: e.gpa,
    asid: e.asid,
    vmsa: e.vmsa,
    validated: e.validated,
  };
  if (e.iommu !== undefined) c.iommu = e.iommu;
  if (e.metadata !== undefined) c.metadata = e.metadata;
  return Object.freeze(c);
}

/**
 * `e` with the fields of `changes` replaced: `{ ...e, ...changes }` built field by field. Node 20
 * copies an object spread followed by more properties through a slow path (0.1–2 µs, the most
 * when the spread object was itself built so), and entries are rewritten page by page.
 */
export function rmpEntryWith(e: Readonly<RmpEntry>, changes: Readonly<Partial<RmpEntry>>): RmpEntry {
  const c: RmpEntry = {
    assigned: changes.assigned ?? e.assigned,
    pageSize: changes.pageSize ?? e.pageSize,
    immutable: changes.immutable ?? e.immutable,
    gpa: changes.gpa ?? e.gpa,
    asid: changes.asid ?? e.asid,
    vmsa: changes.vmsa ?? e.vmsa,
    validated: changes.validated ?? e.validated,
  };
  const iommu = changes.iommu ?? e.iommu;
  if (iommu !== undefined) c.iommu = iommu;
  const metadata = changes.metadata ?? e.metadata;
  if (metadata !== undefined) c.metadata = metadata;
  return c;
}

/**
 * GPA of the i-th 4 KB page under a 2 MB entry. Only a guest mapping (ASID ≠ 0) has a GPA that
 * advances page by page; the firmware's ASID-0 pages (Firmware, Metadata) keep the entry's value,
 * so the inner pages of a 2 MB Firmware region still classify as Firmware.
 */
function subpageGpa(e: RmpEntry, i: number): number {
  return e.asid !== 0 ? e.gpa + i * PAGE_SIZE : e.gpa;
}

/**
 * Page state derived from an entry, docs/reference/psp-firmware.md §5.3 table, as its index in
 * PAGE_STATES (the per-state counters are kept by index on every RMP write).
 */
function stateIndex(e: RmpEntry): number {
  if (!e.assigned) return e.immutable ? AT.HV_FIXED : AT.HYPERVISOR;
  if (e.asid === 0) {
    if (!e.immutable) return AT.RECLAIM;
    if (e.iommu) return AT.FIRMWARE_IOMMU;
    if (e.vmsa) return AT.CONTEXT;
    if (e.metadata || e.gpa !== 0) return AT.METADATA;
    return AT.FIRMWARE;
  }
  if (e.immutable) return e.validated ? AT.PRE_SWAP : AT.PRE_GUEST;
  return e.validated ? AT.GUEST_VALID : AT.GUEST_INVALID;
}

/** Page state derived from an entry, docs/reference/psp-firmware.md §5.3 table. */
export function classify(e: RmpEntry): PageState {
  return PAGE_STATES[stateIndex(e)]!;
}

/**
 * The Reverse Map Table. Sparse: only entries that differ from the all-zero (HYPERVISOR) entry are
 * stored. A 2 MB entry lives at its 2 MB-aligned PFN and governs all 512 pages of the region, as the
 * hardware's RMP check does (Linux looks up `pfn & PFN_PMD_MASK` for the authoritative entry).
 */
export class Rmp {
  readonly base: number;
  readonly end: number;
  readonly segmented: boolean;
  readonly coveredBytes: number;
  readonly coveredPages: number;
  readonly reserved: boolean;
  readonly segmentShift: number;
  readonly segments: readonly RmpSegment[];
  /** The memory the BIOS reserved for the table, [start, end) bytes in address order. */
  readonly tables: readonly RamRange[];
  /** Stored entries by PFN, in nodes that forks of the machine share until one of them writes. */
  private entries = new PageMap<RmpEntry>();
  private perAsid = new Map<number, number>();
  /** Pages per state of the stored entries, by PAGE_STATES index, kept on every write and erase so `counts()` need not walk the table. */
  private storedPages: number[] = PAGE_STATES.map(() => 0);
  /** `perAsid` and `storedPages` are shared with a copy: the first change copies both. */
  private countsShared = false;
  private isInitialised = false;

  constructor(
    placement: RmpPlacement,
    private cores: RmpCores,
    /** Highest valid guest ASID (CPUID 0x8000001F ECX). */
    private maxAsid: number,
    private dramPages: number,
  ) {
    this.base = placement.base;
    this.end = placement.end;
    this.segmented = placement.segmented;
    this.coveredBytes = placement.coveredBytes;
    this.coveredPages = placement.coveredBytes / PAGE_SIZE;
    this.reserved = placement.reserved;
    this.segmentShift = placement.segmentShift;
    this.segments = placement.segments;
    this.tables = placement.tables;
  }

  /**
   * An independent copy over the copied CPUs: the counters copied, the entries' nodes shared
   * until written (entries are frozen values), placement shared (frozen).
   */
  fork(cores: RmpCores): Rmp {
    const c = Object.create(Rmp.prototype) as Rmp;
    const w = c as Writable<Rmp>;
    w.base = this.base;
    w.end = this.end;
    w.segmented = this.segmented;
    w.coveredBytes = this.coveredBytes;
    w.coveredPages = this.coveredPages;
    w.reserved = this.reserved;
    w.segmentShift = this.segmentShift;
    w.segments = this.segments;
    w.tables = this.tables;
    c.entries = this.entries.fork();
    this.countsShared = true;
    c.perAsid = this.perAsid;
    c.storedPages = this.storedPages;
    c.countsShared = true;
    c.isInitialised = this.isInitialised;
    c.cores = cores;
    c.maxAsid = this.maxAsid;
    c.dramPages = this.dramPages;
    return c;
  }

  /** Set by the firmware when SNP_INIT builds the table; cleared by IOMMU SNP shutdown (docs/reference/psp-firmware.md §3.3). */
  get initialised(): boolean {
    return this.isInitialised;
  }

  fwMarkInitialised(v: boolean): void {
    this.isInitialised = v;
  }

  /** The PFN has an RMP entry (docs/reference/psp-firmware.md §5.1: addresses beyond the table are DEFAULT). */
  covers(pfn: number): boolean {
    return Number.isInteger(pfn) && pfn >= 0 && pfn < this.coveredPages;
  }

  /**
   * The entry the hardware checks for this PFN: the 2 MB entry of its region if there is one.
   * Entries are frozen values, so the stored one is returned as is (no copy per lookup); only a
   * guest page under a 2 MB entry gets its own object, for its GPA.
   */
  entry(pfn: number): Readonly<RmpEntry> | undefined {
    if (!this.covers(pfn)) return undefined;
    const region = this.entries.leaf(pfn);
    if (region === undefined) return HYPERVISOR_ENTRY;
    const large = region[0];
    if (large !== undefined && large.pageSize === '2M') {
      const gpa = subpageGpa(large, pfn % PAGES_PER_2M);
      return gpa === large.gpa ? large : rmpEntryWith(large, { gpa });
    }
    return region[pfn % PAGES_PER_2M] ?? HYPERVISOR_ENTRY;
  }

  state(pfn: number): PageState {
    const e = this.entry(pfn);
    return e === undefined ? 'DEFAULT' : classify(e);
  }

  /**
   * RMPUPDATE from the host (docs/reference/psp-firmware.md §5.4): input checks → FAIL_INPUT; any immutable entry
   * in the range → FAIL_PERMISSION; 4K inside an assigned 2M entry or 2M over assigned 4K pages →
   * FAIL_OVERLAP. Validated and VMSA are always cleared.
   */
  rmpupdate(pfn: number, e: RmpUpdateFields): number {
    const size: RmpPageSize = e.pageSize ?? '4K';
    const asid = e.asid ?? 0;
    const gpa = e.gpa ?? 0;
    if (!this.covers(pfn) || (size !== '4K' && size !== '2M')) return RmpResult.FAIL_INPUT;
    if (size === '2M' && (pfn % PAGES_PER_2M !== 0 || !this.covers(pfn + PAGES_PER_2M - 1))) {
      return RmpResult.FAIL_INPUT;
    }
    if (typeof e.assigned !== 'boolean' || typeof e.immutable !== 'boolean') return RmpResult.FAIL_INPUT;
    if (!Number.isInteger(asid) || asid < 0 || asid > this.maxAsid) return RmpResult.FAIL_INPUT;
    const gpaAlign = size === '2M' ? PAGES_PER_2M * PAGE_SIZE : PAGE_SIZE;
    if (!Number.isInteger(gpa) || gpa < 0 || gpa >= GPA_LIMIT || gpa % gpaAlign !== 0) {
      return RmpResult.FAIL_INPUT;
    }
    // The host reaches only HYPERVISOR, FIRMWARE, PRE_GUEST and GUEST_INVALID (docs/reference/psp-firmware.md §5.4).
    if (!e.assigned && (e.immutable || asid !== 0 || gpa !== 0)) return RmpResult.FAIL_INPUT;
    if (e.assigned && asid === 0 && (!e.immutable || gpa !== 0)) return RmpResult.FAIL_INPUT;

    const current = this.entry(pfn)!;
    if (current.immutable) return RmpResult.FAIL_PERMISSION;
    if (size === '2M') {
      const region = this.entries.leaf(pfn) ?? [];
      for (let i = 1; i < region.length; i++) {
        if (region[i]?.immutable) return RmpResult.FAIL_PERMISSION;
      }
      for (let i = 1; i < region.length; i++) {
        if (region[i]?.assigned) return RmpResult.FAIL_OVERLAP;
      }
    } else if (current.pageSize === '2M' && current.assigned) {
      return RmpResult.FAIL_OVERLAP;
    }
    // A zero result (rmp_make_shared) erases the entry: no entry object built for it.
    if (!e.assigned && !e.immutable) this.erase(pfn);
    else
      this.writeOwn(pfn, {
        assigned: e.assigned,
        pageSize: size,
        immutable: e.immutable,
        gpa,
        asid,
        vmsa: false,
        validated: false,
      });
    return RmpResult.SUCCESS;
  }

  /** PSMASH (docs/reference/psp-firmware.md §5.4): split an assigned 2 MB entry into 512 4 KB entries, keeping Validated. */
  psmash(pfn: number): number {
    if (!this.covers(pfn) || pfn % PAGES_PER_2M !== 0) return RmpResult.FAIL_INPUT;
    const head = this.entries.get(pfn);
    if (head === undefined || head.pageSize !== '2M' || !head.assigned) return RmpResult.FAIL_UNSUPPORTED;
    this.writeOwn(pfn, rmpEntryWith(head, { pageSize: '4K' }));
    for (let i = 1; i < PAGES_PER_2M; i++) {
      this.writeOwn(pfn + i, rmpEntryWith(head, { pageSize: '4K', gpa: subpageGpa(head, i) }));
    }
    return RmpResult.SUCCESS;
  }

  /**
   * PVALIDATE by the guest owning `asid` (docs/reference/psp-firmware.md §5.4): FAIL_INPUT for bad operands, FAIL_SIZEMISMATCH (6)
   * when the requested size differs from the RMP entry's. A page the guest may not touch (not its
   * own, or immutable) is an #NPF on real hardware; the model reports FAIL_PERMISSION.
   */
  pvalidate(asid: number, pfn: number, validate: boolean, pageSize: RmpPageSize = '4K'): number {
    if (!this.covers(pfn) || typeof validate !== 'boolean') return RmpResult.FAIL_INPUT;
    if (!Number.isInteger(asid) || asid < 1 || asid > this.maxAsid) return RmpResult.FAIL_INPUT;
    if (pageSize !== '4K' && pageSize !== '2M') return RmpResult.FAIL_INPUT;
    if (pageSize === '2M' && pfn % PAGES_PER_2M !== 0) return RmpResult.FAIL_INPUT;
    const e = this.entry(pfn)!;
    if (!e.assigned || e.asid !== asid || e.immutable) return RmpResult.FAIL_PERMISSION;
    if (e.pageSize !== pageSize) return RmpResult.FAIL_SIZEMISMATCH;
    const at = e.pageSize === '2M' ? pfn - (pfn % PAGES_PER_2M) : pfn;
    const stored = this.entries.get(at) as RmpEntry;
    this.writeOwn(at, rmpEntryWith(stored, { validated: validate }));
    return RmpResult.SUCCESS;
  }

  /**
   * Firmware-only write of a whole entry (SNP_INIT build, GCTX_CREATE, LAUNCH_UPDATE, RECLAIM, …).
   * A 2 MB entry takes over its region, as SNP_PAGE_UNSMASH does (docs/reference/psp-firmware.md §3.10).
   */
  fwSetEntry(pfn: number, e: Readonly<RmpEntry>): void {
    if (!this.covers(pfn)) {
      throw new HardwareAccessError(
        `fwSetEntry: PFN ${pfn} has no RMP entry (covered pages: ${this.coveredPages})`,
      );
    }
    if (e.pageSize === '2M') {
      if (pfn % PAGES_PER_2M !== 0)
        throw new HardwareAccessError(`fwSetEntry: 2M entry at unaligned PFN ${pfn}`);
      const region = this.entries.leaf(pfn);
      if (region !== undefined) for (let i = 1; i < region.length; i++) this.erase(pfn + i);
    }
    this.write(pfn, e);
  }

  /** Kernel clear_rmp(): zero the table; faults while SNPEn is set (docs/reference/psp-firmware.md §5.1). */
  clear(): 'ok' | 'fault' {
    if (this.cores.snpEnAny()) return 'fault';
    this.entries.clear();
    this.perAsid = new Map();
    this.storedPages = PAGE_STATES.map(() => 0);
    this.countsShared = false;
    this.isInitialised = false;
    return 'ok';
  }

  /**
   * Pages per state. DEFAULT counts DRAM pages the table does not cover; HYPERVISOR is every
   * covered page without a stored entry.
   */
  counts(): Record<PageState, number> {
    const out = {} as Record<PageState, number>;
    let stored = 0;
    for (let i = 0; i < PAGE_STATES.length; i++) {
      out[PAGE_STATES[i]!] = this.storedPages[i]!;
      stored += this.storedPages[i]!;
    }
    out.HYPERVISOR = this.coveredPages - stored;
    out.DEFAULT = Math.max(0, this.dramPages - this.coveredPages);
    return out;
  }

  /**
   * Whether the table is initialised and its pages per state: the stored pages per state, from
   * which `counts()` derives the rest (HYPERVISOR from the covered pages, DEFAULT fixed).
   */
  fingerprint(f: Fingerprint): void {
    f.bool(this.isInitialised);
    const stored = this.storedPages;
    for (let i = 0; i < stored.length; i++) f.num(stored[i]!);
  }

  /** Pages assigned to `asid` (the per-ASID counter SNP_ACTIVATE checks, docs/reference/psp-firmware.md §4 item 6). */
  assignedCount(asid: number): number {
    return this.perAsid.get(asid) ?? 0;
  }

  /** Sorted PFNs in a stored state. HYPERVISOR and DEFAULT are implicit: use `counts()`. */
  pfnsInState(s: PageState): number[] {
    if (s === 'HYPERVISOR' || s === 'DEFAULT') {
      throw new HardwareAccessError(`pfnsInState: ${s} pages are not stored; use counts()`);
    }
    const out: number[] = [];
    for (const [pfn, e] of this.entries.entries()) {
      if (classify(e) !== s) continue;
      for (let i = 0; i < pagesOf(e); i++) out.push(pfn + i);
    }
    return out.sort((a, b) => a - b);
  }

  /**
   * Store `e`: a frozen entry is a value already (the firmware's constant entries, an entry it
   * built and froze) and is stored as is; any other is copied, so the caller keeps its object.
   */
  private write(pfn: number, e: Readonly<RmpEntry>): void {
    this.put(pfn, isZero(e) ? undefined : Object.isFrozen(e) ? e : storedEntry(e));
  }

  /**
   * Store `e`, an entry this table has just built (a literal in storedEntry's field order, or
   * `rmpEntryWith`'s), frozen in place: no second copy (RMPUPDATE, PSMASH, PVALIDATE).
   */
  private writeOwn(pfn: number, e: RmpEntry): void {
    this.put(pfn, isZero(e) ? undefined : Object.freeze(e));
  }

  /** `stored` (a frozen entry) at `pfn`, or a zero entry when undefined; the counters follow. */
  private put(pfn: number, stored: Readonly<RmpEntry> | undefined): void {
    if (stored === undefined) {
      this.erase(pfn);
      return;
    }
    const old = this.entries.get(pfn);
    this.entries.set(pfn, stored);
    if (old === undefined) this.count(stored, 1);
    else this.recount(old, stored);
  }

  /**
   * The counters after `old` was replaced by `stored`: only what differs is moved (a Firmware page
   * reclaimed keeps its ASID-0 count, a page rewritten in its state changes nothing), so most
   * rewrites neither look up the ASID map nor copy counters shared with a fork.
   */
  private recount(old: Readonly<RmpEntry>, stored: Readonly<RmpEntry>): void {
    const was = stateIndex(old);
    const now = stateIndex(stored);
    const oldPages = pagesOf(old);
    const pages = pagesOf(stored);
    const sameOwner =
      oldPages === pages && old.assigned === stored.assigned && (!old.assigned || old.asid === stored.asid);
    if (sameOwner && was === now) return;
    this.ownCounts();
    this.storedPages[was]! -= oldPages;
    this.storedPages[now]! += pages;
    if (sameOwner) return;
    if (old.assigned) this.bumpAsid(old.asid, -oldPages);
    if (stored.assigned) this.bumpAsid(stored.asid, pages);
  }

  /** Drop a stored entry (the page reads as a zero entry again). */
  private erase(pfn: number): void {
    const old = this.entries.get(pfn);
    if (old === undefined) return;
    this.count(old, -1);
    this.entries.delete(pfn);
  }

  /** A stored entry's pages in the per-state and per-ASID counters (`sign` 1 added, -1 removed). */
  private count(e: Readonly<RmpEntry>, sign: 1 | -1): void {
    this.ownCounts();
    this.storedPages[stateIndex(e)]! += sign * pagesOf(e);
    if (e.assigned) this.bumpAsid(e.asid, sign * pagesOf(e));
  }

  /** Counters shared with a copy are copied before the first change. */
  private ownCounts(): void {
    if (!this.countsShared) return;
    this.perAsid = new Map(this.perAsid);
    this.storedPages = this.storedPages.slice();
    this.countsShared = false;
  }

  private bumpAsid(asid: number, by: number): void {
    const n = (this.perAsid.get(asid) ?? 0) + by;
    if (n === 0) this.perAsid.delete(asid);
    else this.perAsid.set(asid, n);
  }
}

/** The all-zero entry: a HYPERVISOR page (docs/reference/psp-firmware.md §5.3). */
export function hypervisorEntry(): RmpEntry {
  return {
    assigned: false,
    pageSize: '4K',
    immutable: false,
    gpa: 0,
    asid: 0,
    vmsa: false,
    validated: false,
  };
}

/** What `entry()` answers for a covered page without a stored entry (one frozen value, shared). */
const HYPERVISOR_ENTRY: Readonly<RmpEntry> = Object.freeze(hypervisorEntry());
