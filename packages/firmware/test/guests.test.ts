/**
 * A platform's guest table (docs/reference/psp-firmware.md §2.4, §3.11: guests by handle or
 * guest-context page) and its copy in an explorer fork, which shares the table and each guest
 * until one side changes them.
 */
import { describe, expect, it } from 'vitest';
import { Guests, type LegacyGuest } from '../src/state';

const guest = (handle: number): LegacyGuest => ({
  handle,
  state: 1,
  policy: 0,
  es: false,
  asid: 0,
  activation: 'none',
});
const copy = (g: Readonly<LegacyGuest>): LegacyGuest => ({ ...g });
const dump = (t: Guests<LegacyGuest>) => JSON.stringify([...t.values()]);

describe('Guests', () => {
  it('a fork and its original change guests, add and remove them without the other seeing it (docs/architecture.md, forks)', () => {
    const a = new Guests(copy);
    a.set(1, guest(1));
    a.set(2, guest(2));
    const b = a.fork();
    const before = dump(a);
    const g = b.writable(1)!;
    g.asid = 5;
    g.activation = 'active';
    b.delete(2);
    b.set(3, guest(3));
    expect(dump(a)).toBe(before);
    expect([...b.keys()]).toEqual([1, 3]);
    expect(b.get(1)).toMatchObject({ asid: 5, activation: 'active' });
    // The original changes: the fork keeps what it had.
    const forked = dump(b);
    a.writable(1)!.state = 4;
    a.clear();
    expect(dump(b)).toBe(forked);
    expect(a.size).toBe(0);
  });

  it('a guest this table made is changed in place, not copied again', () => {
    const a = new Guests(copy);
    a.set(1, guest(1));
    a.fork();
    const g = a.writable(1)!;
    expect(a.writable(1)).toBe(g);
    expect(a.get(1)).toBe(g);
  });
});
