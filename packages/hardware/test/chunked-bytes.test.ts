import { describe, expect, test } from 'vitest';
import { ChunkedBytes } from '@sevsim/hardware';

describe('ChunkedBytes (the copy-on-write store of DRAM pages and the firmware ASID masks)', () => {
  test('copies read and write independently, byte and range writes alike, and never change the chunks they started from (docs/architecture.md, forks)', () => {
    const initial = [ChunkedBytes.chunk(1, 1), ...Array.from({ length: 15 }, () => ChunkedBytes.chunk(0))];
    const pristine = initial.map((c) => c.slice());
    let copies = [{ b: ChunkedBytes.of(initial), ref: Uint8Array.from(pristine.flatMap((c) => [...c])) }];
    let seed = 11;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (let step = 0; step < 600; step++) {
      const x = copies[next(copies.length)]!;
      const op = next(6);
      if (op === 0) {
        if (copies.length < 4) copies.push({ b: x.b.fork(), ref: x.ref.slice() });
        else copies = copies.slice(1);
        continue;
      }
      if (op < 3) {
        // A byte, often the value already there (a write that must copy nothing visible).
        const i = next(1024);
        const v = next(3) === 0 ? x.ref[i]! : next(256);
        x.b.set(i, v);
        x.ref[i] = v;
      } else {
        const at = next(1024 - 150);
        const src = Uint8Array.from({ length: 1 + next(150) }, () => next(256));
        x.b.write(at, src, 0, src.length);
        x.ref.set(src, at);
      }
      for (const c of copies) {
        const out = new Uint8Array(c.b.length);
        c.b.read(0, out, 0, out.length);
        expect(Buffer.from(out).equals(c.ref)).toBe(true);
      }
    }
    expect(initial.every((c, i) => Buffer.from(c).equals(pristine[i]!))).toBe(true);
  });
});
