/**
 * Fingerprint (src/fingerprint.ts): the 64-bit state fingerprint every layer feeds for the
 * explorer's visited set. Checked: determinism, order-freedom of bags only, and that near
 * values and a changed machine field give another fingerprint.
 */
import { describe, expect, it } from 'vitest';
import { createMachine, Fingerprint, Fork, MSR } from '../src/index.js';

const of = (feed: (f: Fingerprint) => void) => {
  const f = new Fingerprint();
  feed(f);
  return f.digest();
};

describe('Fingerprint', () => {
  it('is two 32-bit words, the same for the same input, different for near inputs', () => {
    const [a, b] = of((f) => f.str('INIT').int(3));
    expect(a).not.toBe(b);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThan(2 ** 32);
    expect(of((f) => f.str('INIT').int(3))).toEqual([a, b]);
    expect(of((f) => f.str('INIU').int(3))).not.toEqual([a, b]);
    expect(of((f) => f.str('INIT').int(4))).not.toEqual([a, b]);
    expect(of((f) => f.num(2 ** 32))).not.toEqual(of((f) => f.num(0)));
    expect(of((f) => f.u64(1n << 40n))).not.toEqual(of((f) => f.u64(0n)));
  });

  it('a bag ignores order; a sequence does not; bags of different items differ', () => {
    const items = [
      [2, 'running'],
      [4, 'created'],
      [1, 'initialized'],
    ] as const;
    const bag = (xs: readonly (readonly [number, string])[]) =>
      of((f) => f.bag(xs, (h, [asid, state]) => h.int(asid).str(state)));
    expect(bag([...items].reverse())).toEqual(bag(items));
    expect(bag([items[0], items[1]])).not.toEqual(bag(items));
    expect(bag([items[0], items[0], items[1]])).not.toEqual(bag([items[0], items[1], items[1]]));
    expect(of((f) => f.int(1).int(2))).not.toEqual(of((f) => f.int(2).int(1)));
  });

  it('a machine fingerprint changes with SNPEn and the RMP, not with an allocation (a name)', () => {
    const m = createMachine({ cpu: 'genoa', cores: 2 });
    const fp = () => of((f) => m.fingerprint(f));
    const boot = fp();
    m.allocPages(3);
    expect(fp()).toEqual(boot);
    m.rmp.fwMarkInitialised(true);
    expect(fp()).not.toEqual(boot);
  });

  // VM_HSAVE_PA ≠ 0 decides SNP_INIT (docs/reference/psp-firmware.md §3.2 step 8) and, on Genoa,
  // whether setting SNPEn faults (docs/reference/linux-ccp.md §7.4); its value is a page number.
  it('a machine fingerprint changes with VM_HSAVE_PA set or clear on a CPU, not with its address', () => {
    const m = createMachine({ cpu: 'genoa', cores: 2 });
    const fp = () => of((f) => m.fingerprint(f));
    const boot = fp();
    m.wrmsr(3, MSR.VM_HSAVE_PA, 0x10_0000n);
    const set = fp();
    expect(set).not.toEqual(boot);
    m.wrmsr(3, MSR.VM_HSAVE_PA, 0x20_0000n);
    expect(fp()).toEqual(set);
    m.wrmsr(3, MSR.VM_HSAVE_PA, 0n);
    expect(fp()).toEqual(boot);
    const fork = m.fork(new Fork());
    fork.wrmsr(1, MSR.VM_HSAVE_PA, 0x10_0000n);
    expect(of((f) => fork.fingerprint(f))).not.toEqual(boot);
    expect(fp()).toEqual(boot);
  });
});
