import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createMachine, Fork, type RmpEntry, RmpResult, rmpEntryWith } from '@sevsim/hardware';

// Properties of the host RMP instructions (docs/reference/psp-firmware.md §5.4, Appendix A "Key invariants":
// an immutable RMP entry can only be changed by the firmware).
const HEAD = 0x2000; // two 2 MB regions: [HEAD, HEAD + 1024)
const WINDOW = 1024;
const CODES = new Set<number>(Object.values(RmpResult));

// Ops land mostly on a few dozen pages around both region heads so they hit the fixed entries.
const offsetArb = fc.oneof(fc.integer({ min: 0, max: 31 }), fc.integer({ min: 510, max: 517 }));
const pfnArb = fc.oneof(
  { weight: 8, arbitrary: offsetArb.map((o) => HEAD + o) },
  { weight: 1, arbitrary: fc.integer({ min: HEAD - 2, max: HEAD + WINDOW + 2 }) },
  { weight: 1, arbitrary: fc.constantFrom(HEAD, HEAD + 512, -1, 0.5, Number.NaN, 2 ** 40) },
);
const sizeArb = fc.constantFrom<'4K' | '2M'>('4K', '2M');
const opArb = fc.oneof(
  fc.record({
    kind: fc.constant('rmpupdate' as const),
    pfn: pfnArb,
    assigned: fc.boolean(),
    immutable: fc.boolean(),
    asid: fc.oneof(fc.integer({ min: 0, max: 8 }), fc.constantFrom(-1, 1006, 1007, 2.5)),
    gpa: fc.oneof(
      fc.constant(0),
      fc.integer({ min: 0, max: 4096 }).map((g) => g * 4096),
      fc.integer({ min: 1, max: 4095 }),
    ),
    pageSize: sizeArb,
  }),
  fc.record({ kind: fc.constant('psmash' as const), pfn: pfnArb }),
  fc.record({
    kind: fc.constant('pvalidate' as const),
    pfn: pfnArb,
    asid: fc.integer({ min: -1, max: 8 }),
    validate: fc.boolean(),
    pageSize: sizeArb,
  }),
);
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

const immutableArb = fc.constantFrom<Partial<RmpEntry>>(
  { immutable: true },
  { assigned: true, immutable: true },
  { assigned: true, immutable: true, vmsa: true },
  { assigned: true, immutable: true, iommu: true },
  { assigned: true, immutable: true, asid: 3 },
  { assigned: true, immutable: true, asid: 2, validated: true },
);

function run(m: ReturnType<typeof createMachine>, op: Op): number {
  switch (op.kind) {
    case 'rmpupdate':
      return m.rmp.rmpupdate(op.pfn, op);
    case 'psmash':
      return m.rmp.psmash(op.pfn);
    case 'pvalidate':
      return m.rmp.pvalidate(op.asid, op.pfn, op.validate, op.pageSize);
  }
}

/** The fields an immutable page is defined by; PSMASH may only change the page size. */
const essence = (e: RmpEntry | undefined) =>
  e && {
    assigned: e.assigned,
    immutable: e.immutable,
    asid: e.asid,
    gpa: e.gpa,
    vmsa: e.vmsa,
    validated: e.validated,
  };

describe('host RMP operations (fast-check)', () => {
  test('never change an immutable entry and never throw; results are RMP return codes', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(offsetArb, immutableArb), {
          minLength: 4,
          maxLength: 24,
          selector: ([o]) => o,
        }),
        fc.array(opArb, { minLength: 20, maxLength: 80 }),
        fc.boolean(),
        (fixed4k, ops, large) => {
          const m = createMachine({ cpu: 'genoa', cores: 1, memoryGiB: 1, asids: 1006 });
          const base: RmpEntry = {
            assigned: false,
            pageSize: '4K',
            immutable: false,
            gpa: 0,
            asid: 0,
            vmsa: false,
            validated: false,
          };
          // Optionally an immutable, validated 2 MB guest page (PRE_SWAP) as the second region.
          const fixed = large ? fixed4k.filter(([o]) => o < 512) : fixed4k;
          for (const [off, f] of fixed) m.rmp.fwSetEntry(HEAD + off, { ...base, ...f });
          const watched = fixed.map(([o]) => o);
          if (large) {
            m.rmp.fwSetEntry(HEAD + 512, {
              ...base,
              assigned: true,
              immutable: true,
              asid: 2,
              validated: true,
              pageSize: '2M',
            });
            watched.push(512, 513, 517);
          }
          const before = watched.map(
            (off) => [off, essence(m.rmp.entry(HEAD + off)), m.rmp.state(HEAD + off)] as const,
          );
          for (const op of ops) {
            const rc = run(m, op);
            expect(CODES.has(rc)).toBe(true);
          }
          for (const [off, e, state] of before) {
            expect(essence(m.rmp.entry(HEAD + off))).toEqual(e);
            expect(m.rmp.state(HEAD + off)).toBe(state);
          }
        },
      ),
    );
  });

  test('invalid operands return FAIL_INPUT and leave the entry alone', () => {
    const invalid = fc.oneof(
      fc.record({
        pfn: fc.constantFrom(-1, 0.5, Number.NaN, 2 ** 40),
        assigned: fc.boolean(),
        immutable: fc.boolean(),
        asid: fc.constant(1),
        gpa: fc.constant(0),
      }),
      fc.record({
        pfn: fc.constant(HEAD + 1),
        assigned: fc.constant(true),
        immutable: fc.boolean(),
        asid: fc.integer({ min: 1007, max: 5000 }),
        gpa: fc.constant(0),
      }),
      fc.record({
        pfn: fc.constant(HEAD + 1),
        assigned: fc.constant(true),
        immutable: fc.boolean(),
        asid: fc.constant(1),
        gpa: fc.integer({ min: 1, max: 4095 }),
      }),
      fc.record({
        pfn: fc.constant(HEAD + 1),
        assigned: fc.constant(false),
        immutable: fc.constant(false),
        asid: fc.integer({ min: 1, max: 1006 }),
        gpa: fc.constant(0),
      }),
    );
    fc.assert(
      fc.property(invalid, (f) => {
        const m = createMachine({ cpu: 'genoa', cores: 1, memoryGiB: 1 });
        const before = m.rmp.entry(HEAD + 1);
        expect(m.rmp.rmpupdate(f.pfn, f)).toBe(RmpResult.FAIL_INPUT);
        expect(m.rmp.entry(HEAD + 1)).toEqual(before);
      }),
    );
  });

  // counts() and assignedCount() are kept up to date on every write (only what an entry changes
  // is moved); they must equal, counted page by page, the per-page classification of
  // docs/reference/psp-firmware.md §5.3 table (what state() reports) and the assigned pages per
  // ASID (what SNP_ACTIVATE checks, docs/reference/psp-firmware.md §4 item 6), after any mix of
  // host and firmware writes, firmware entries given frozen (stored as they are) or not (copied).
  test('counts() and assignedCount() equal the pages counted one by one (docs/reference/psp-firmware.md §5.3 table)', () => {
    // Firmware 2 MB writes at the region heads take over the 4 KB entries below them (docs/reference/psp-firmware.md §3.10).
    const fwOpArb = fc.record({
      kind: fc.constant('fw' as const),
      pfn: fc.constantFrom(HEAD, HEAD + 512),
      entry: immutableArb,
      frozen: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(fc.oneof(opArb, fwOpArb), { minLength: 10, maxLength: 60 }), (ops) => {
        const m = createMachine({ cpu: 'genoa', cores: 1, memoryGiB: 1, asids: 1006 });
        for (const op of ops) {
          if (op.kind !== 'fw') run(m, op);
          else {
            const e: RmpEntry = {
              assigned: false,
              gpa: 0,
              asid: 0,
              vmsa: false,
              validated: false,
              ...op.entry,
              immutable: true,
              pageSize: '2M',
            };
            m.rmp.fwSetEntry(op.pfn, op.frozen ? Object.freeze(e) : e);
          }
        }
        // Every stored entry lies below HEAD + WINDOW + 512; the pages above are HYPERVISOR.
        const top = HEAD + WINDOW + 512;
        const byPage: Record<string, number> = {};
        for (let pfn = 0; pfn < top; pfn++) {
          const s = m.rmp.state(pfn);
          byPage[s] = (byPage[s] ?? 0) + 1;
        }
        byPage.HYPERVISOR = (byPage.HYPERVISOR ?? 0) + m.rmp.coveredPages - top;
        const counted = Object.entries(m.rmp.counts()).filter(([s, n]) => n > 0 && s !== 'DEFAULT');
        expect(Object.fromEntries(counted)).toEqual(byPage);
        const perAsid = new Map<number, number>();
        for (let pfn = 0; pfn < top; pfn++) {
          const e = m.rmp.entry(pfn)!;
          if (e.assigned) perAsid.set(e.asid, (perAsid.get(e.asid) ?? 0) + 1);
        }
        for (const asid of new Set([0, 1, 2, 3, 8, ...perAsid.keys()]))
          expect(m.rmp.assignedCount(asid)).toBe(perAsid.get(asid) ?? 0);
      }),
      { numRuns: 50 },
    );
  });
});

// A fork of the machine (docs/architecture.md, "A fork is a copy of the world") shares the RMP
// table's nodes until one side writes: each side must then read exactly what a machine that ran
// only its own operations reads, whatever the other side wrote since, in the same 2 MB regions
// or not, before or after a firmware 2 MB write takes a region over.
describe('RMP forks (fast-check)', () => {
  const fwOpArb = fc.record({
    kind: fc.constant('fw' as const),
    pfn: fc.constantFrom(HEAD, HEAD + 512, HEAD + 2 ** 18),
    entry: immutableArb,
    pageSize: sizeArb,
  });
  const anyOpArb = fc.oneof(opArb, fwOpArb);
  type AnyOp = typeof anyOpArb extends fc.Arbitrary<infer T> ? T : never;
  const apply = (m: ReturnType<typeof createMachine>, op: AnyOp): void => {
    if (op.kind !== 'fw') run(m, op);
    else
      m.rmp.fwSetEntry(op.pfn, {
        assigned: false,
        gpa: 0,
        asid: 0,
        vmsa: false,
        validated: false,
        ...op.entry,
        immutable: true,
        pageSize: op.pageSize,
      });
  };
  const machine = () => createMachine({ cpu: 'genoa', cores: 1, memoryGiB: 2, asids: 1006 });
  /** Every page the ops can reach, as entry and state, and the table's bookkeeping. */
  const view = (m: ReturnType<typeof createMachine>) => {
    const pages: unknown[] = [];
    for (const first of [HEAD - 2, HEAD + 2 ** 18])
      for (let pfn = first; pfn < first + WINDOW + 4; pfn++) pages.push(m.rmp.entry(pfn), m.rmp.state(pfn));
    const stored = ['FIRMWARE', 'PRE_GUEST', 'GUEST_INVALID', 'GUEST_VALID', 'CONTEXT'] as const;
    return {
      pages,
      counts: m.rmp.counts(),
      perAsid: [0, 1, 2, 3, 8].map((a) => m.rmp.assignedCount(a)),
      pfns: stored.map((s) => m.rmp.pfnsInState(s)),
    };
  };
  test('after a fork, each side reads what a machine running only its own operations reads', () => {
    fc.assert(
      fc.property(
        fc.array(anyOpArb, { maxLength: 40 }),
        fc.array(anyOpArb, { maxLength: 40 }),
        fc.array(anyOpArb, { maxLength: 40 }),
        (common, mine, theirs) => {
          const original = machine();
          for (const op of common) apply(original, op);
          const copy = original.fork(new Fork());
          // Interleaved, so each side writes nodes the other still shares.
          for (let i = 0; i < Math.max(mine.length, theirs.length); i++) {
            if (i < mine.length) apply(original, mine[i]!);
            if (i < theirs.length) apply(copy, theirs[i]!);
          }
          const alone = (ops: AnyOp[]) => {
            const m = machine();
            for (const op of [...common, ...ops]) apply(m, op);
            return view(m);
          };
          expect(view(original)).toEqual(alone(mine));
          expect(view(copy)).toEqual(alone(theirs));
        },
      ),
      { numRuns: 60 },
    );
  });
});

// rmpEntryWith replaces the object spreads of the RMP's and firmware's writes; it must build the
// entry `{ ...e, ...changes }` builds (for changes without explicitly undefined fields).
describe('rmpEntryWith', () => {
  const entryArb = fc.record(
    {
      assigned: fc.boolean(),
      pageSize: sizeArb,
      immutable: fc.boolean(),
      gpa: fc.integer({ min: 0, max: 4096 }).map((g) => g * 4096),
      asid: fc.integer({ min: 0, max: 8 }),
      vmsa: fc.boolean(),
      validated: fc.boolean(),
      iommu: fc.boolean(),
      metadata: fc.boolean(),
    },
    { requiredKeys: ['assigned', 'pageSize', 'immutable', 'gpa', 'asid', 'vmsa', 'validated'] },
  );
  test('equals the object spread it replaces', () => {
    fc.assert(
      fc.property(
        entryArb,
        entryArb
          .map((e) => e as Partial<RmpEntry>)
          .chain((e) =>
            fc
              .subarray(Object.keys(e))
              .map(
                (ks) => Object.fromEntries(ks.map((k) => [k, e[k as keyof RmpEntry]])) as Partial<RmpEntry>,
              ),
          ),
        (e, changes) => {
          expect(rmpEntryWith(Object.freeze(e), changes)).toStrictEqual({ ...e, ...changes });
        },
      ),
    );
  });
});
