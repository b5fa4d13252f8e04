import { describe, expect, it } from 'vitest';
import { StateTable } from '../src/state-table';

describe('StateTable', () => {
  it('adds each hash once, keeps parent and action, and rebuilds paths after growing', () => {
    const t = new StateTable(4);
    expect(t.add(1, 1, -1, -1)).toEqual({ index: 0, added: true });
    for (let i = 1; i <= 1000; i++) expect(t.add(i * 7919, i, i - 1, i).added).toBe(true);
    expect(t.add(7919 * 500, 500, 0, 0)).toEqual({ index: 500, added: false });
    expect(t.size).toBe(1001);
    expect(t.pathTo(3)).toEqual([1, 2, 3]);
    // Same low bits, different second word: two states.
    expect(t.add(7919, 2, 0, 9).added).toBe(true);
  });
});
