import { describe, expect, test } from 'vitest';
import { createMachine, HardwareConfigError } from '@sevsim/hardware';

describe('two-socket machines (machine.sockets)', () => {
  test('default is one socket', () => {
    const m = createMachine({ cpu: 'milan', cores: 4 });
    expect(m.sockets).toBe(1);
    expect(m.config.sockets).toBe(1);
    expect(m.cores).toHaveLength(8);
  });

  test('CPUs: first threads socket by socket, then the second threads (Linux numbering on AMD)', () => {
    // AMDSEV#107: a two-socket Milan (7453) host; Linux numbers CPU k's sibling k + all physical cores.
    const m = createMachine({ cpu: 'milan', sockets: 2, cores: 16, memoryGiB: 4 });
    expect(m.sockets).toBe(2);
    expect(m.cores).toHaveLength(64);
    const pick = (id: number) => {
      const c = m.cores[id]!;
      return [c.socket, c.core, c.thread, c.ccx];
    };
    expect(pick(0)).toEqual([0, 0, 0, 0]);
    expect(pick(15)).toEqual([0, 15, 0, 1]);
    expect(pick(16)).toEqual([1, 16, 0, 2]);
    expect(pick(31)).toEqual([1, 31, 0, 3]);
    expect(pick(32)).toEqual([0, 0, 1, 0]);
    expect(pick(48)).toEqual([1, 16, 1, 2]);
  });

  test('a CCX never spans sockets, also when cores per socket is not a multiple of 8', () => {
    const m = createMachine({ cpu: 'genoa', sockets: 2, cores: 12, memoryGiB: 4 });
    expect(new Set(m.cores.filter((c) => c.socket === 0).map((c) => c.ccx))).toEqual(new Set([0, 1]));
    expect(new Set(m.cores.filter((c) => c.socket === 1).map((c) => c.ccx))).toEqual(new Set([2, 3]));
  });

  test.each([0, 3, '2'])('sockets %j is refused', (sockets) => {
    expect(() => createMachine({ cpu: 'genoa', sockets: sockets as never })).toThrow(HardwareConfigError);
    expect(() => createMachine({ cpu: 'genoa', sockets: sockets as never })).toThrow(
      /sockets must be 1 or 2/,
    );
  });

  test('offline CPU ids run over both sockets', () => {
    expect(() => createMachine({ cpu: 'genoa', sockets: 2, cores: 2, offlineCores: [8] })).toThrow(
      /offline core 8 does not exist \(cores are 0\.\.7\)/,
    );
    expect(createMachine({ cpu: 'genoa', sockets: 2, cores: 2, offlineCores: [7] }).cores[7]!.online).toBe(
      false,
    );
  });
});
