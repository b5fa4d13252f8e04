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
});
