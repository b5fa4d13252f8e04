/**
 * AsidTable (docs/reference/psp-firmware.md §2.5): the four per-ASID masks INIT marks dirty,
 * DF_FLUSH cleans and ACTIVATE allocates, and a copy (an explorer fork) that shares them until one
 * side changes them.
 */
import { describe, expect, it } from 'vitest';
import { AsidTable, CCX_PRESENT, MAX_SEV_ASIDS } from '../src/asid-table';

describe('AsidTable', () => {
  it('INIT marks every ASID dirty, DF_FLUSH cleans them, ACTIVATE takes one (docs/reference/psp-firmware.md §2.5)', () => {
    const t = new AsidTable();
    t.markAllDirty();
    expect(t.summary()).toEqual({ dirty: MAX_SEV_ASIDS, clean: 0, allocated: 0, inUse: 0 });
    t.flush(CCX_PRESENT);
    expect(t.isCleanEverywhere(7)).toBe(true);
    t.allocate(7, CCX_PRESENT);
    expect(t.owned(7)).toBe(true);
    expect(t.summary()).toEqual({ dirty: 0, clean: MAX_SEV_ASIDS - 1, allocated: 1, inUse: 0 });
  });

  it('a fork and its original change their masks independently, in either order', () => {
    const t = new AsidTable();
    t.markAllDirty();
    t.flush(CCX_PRESENT);
    const f = t.fork();
    f.allocate(3, CCX_PRESENT);
    expect(f.owned(3)).toBe(true);
    expect(t.owned(3)).toBe(false);
    t.use(4, CCX_PRESENT);
    expect(t.owned(4)).toBe(true);
    expect(f.owned(4)).toBe(false);
    expect(t.isCleanEverywhere(3)).toBe(true);
    expect(f.isCleanEverywhere(4)).toBe(true);
  });
  it('summary() and the masks of each ASID match a reference after any sequence of changes, forks included (the counts are kept per change, not by walking)', () => {
    // A reference walk over the masks, by the rules of docs/reference/psp-firmware.md §2.5 with one CCX.
    const ref = {
      dirty: new Set<number>(),
      clean: new Set<number>(),
      allocated: new Set<number>(),
      inUse: new Set<number>(),
    };
    const copy = (r: typeof ref) => ({
      dirty: new Set(r.dirty),
      clean: new Set(r.clean),
      allocated: new Set(r.allocated),
      inUse: new Set(r.inUse),
    });
    const valid = (a: number) => a >= 1 && a <= MAX_SEV_ASIDS;
    let tables = [{ t: new AsidTable(), r: ref }];
    let seed = 12345;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const asids = [0, 1, 2, 5, MAX_SEV_ASIDS - 1, MAX_SEV_ASIDS, MAX_SEV_ASIDS + 1];
    for (let step = 0; step < 3000; step++) {
      const { t, r } = tables[next(tables.length)]!;
      const a = asids[next(asids.length)]!;
      switch (next(6)) {
        case 0:
          t.markAllDirty();
          for (let i = 1; i <= MAX_SEV_ASIDS; i++) r.dirty.add(i);
          r.clean.clear();
          r.allocated.clear();
          r.inUse.clear();
          break;
        case 1:
          t.flush(CCX_PRESENT);
          for (const i of r.dirty) r.clean.add(i);
          r.dirty.clear();
          break;
        case 2:
          t.allocate(a, CCX_PRESENT);
          if (valid(a)) {
            r.allocated.add(a);
            r.clean.delete(a);
          }
          break;
        case 3:
          t.use(a, CCX_PRESENT);
          if (valid(a)) {
            r.inUse.add(a);
            r.allocated.delete(a);
            r.clean.delete(a);
          }
          break;
        case 4:
          t.release(a, CCX_PRESENT);
          if (valid(a)) {
            if (r.allocated.delete(a)) r.clean.add(a);
            if (r.inUse.delete(a)) r.dirty.add(a);
          }
          break;
        default:
          if (tables.length < 4) tables.push({ t: t.fork(), r: copy(r) });
          else tables = tables.slice(1);
      }
      for (const x of tables)
        expect(x.t.summary()).toEqual({
          dirty: x.r.dirty.size,
          clean: x.r.clean.size,
          allocated: x.r.allocated.size,
          inUse: x.r.inUse.size,
        });
      // Each ASID's masks as the guards read them, in every copy (the masks are stored in 64-ASID
      // chunks that copies share until one side writes).
      for (const x of tables) {
        for (const v of asids.filter(valid)) {
          expect(x.t.owned(v)).toBe(x.r.allocated.has(v) || x.r.inUse.has(v));
          expect(x.t.isDirty(v)).toBe(x.r.dirty.has(v));
          expect(x.t.isCleanEverywhere(v)).toBe(x.r.clean.has(v));
        }
        expect(x.t.allClean()).toBe(x.r.clean.size === MAX_SEV_ASIDS);
      }
    }
  });
});
