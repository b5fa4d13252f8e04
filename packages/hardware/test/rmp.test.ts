import { describe, expect, test } from 'vitest';
import { createMachine, MSR, type PageState, type RmpEntry, RmpResult, SYSCFG } from '@sevsim/hardware';

const machine = () => createMachine({ cpu: 'genoa', cores: 1, memoryGiB: 1 });
const base: RmpEntry = {
  assigned: false,
  pageSize: '4K',
  immutable: false,
  gpa: 0,
  asid: 0,
  vmsa: false,
  validated: false,
};
const P = 0x1000; // a PFN well inside the covered range

describe('RMP page states (docs/reference/psp-firmware.md §5.3)', () => {
  test('every state is derived from the entry fields as in the table', () => {
    const m = machine();
    const rows: [Partial<RmpEntry>, PageState][] = [
      [{}, 'HYPERVISOR'],
      [{ immutable: true }, 'HV_FIXED'],
      [{ assigned: true, immutable: true }, 'FIRMWARE'],
      [{ assigned: true, immutable: true, iommu: true }, 'FIRMWARE_IOMMU'],
      [{ assigned: true }, 'RECLAIM'],
      [{ assigned: true, immutable: true, vmsa: true }, 'CONTEXT'],
      [{ assigned: true, immutable: true, gpa: 0x5000 }, 'METADATA'],
      [{ assigned: true, immutable: true, asid: 5 }, 'PRE_GUEST'],
      [{ assigned: true, immutable: true, asid: 5, validated: true }, 'PRE_SWAP'],
      [{ assigned: true, asid: 5 }, 'GUEST_INVALID'],
      [{ assigned: true, asid: 5, validated: true }, 'GUEST_VALID'],
    ];
    rows.forEach(([fields, state], i) => {
      m.rmp.fwSetEntry(P + i, { ...base, ...fields });
      expect(m.rmp.state(P + i), state).toBe(state);
    });
  });

  test('DEFAULT beyond the RMP coverage: no entry, host writes unrestricted (docs/reference/psp-firmware.md §5.1)', () => {
    const m = createMachine({ cpu: 'genoa', cores: 1, memoryGiB: 2, bios: { snpMemoryCoverage: 'partial' } });
    const beyond = m.rmp.coveredPages + 10;
    expect(m.rmp.entry(beyond)).toBeUndefined();
    expect(m.rmp.state(beyond)).toBe('DEFAULT');
    expect(m.rmp.rmpupdate(beyond, { assigned: true, immutable: true })).toBe(RmpResult.FAIL_INPUT);
    expect(m.rmp.counts().DEFAULT).toBe(2 * 262144 - m.rmp.coveredPages);
  });

  test('no RMP reserved (BIOS snp off): every page DEFAULT, RMPUPDATE FAIL_INPUT', () => {
    const m = createMachine({ cpu: 'genoa', cores: 1, memoryGiB: 1, bios: { snp: false } });
    expect(m.rmp.reserved).toBe(false);
    expect(m.rmp.state(P)).toBe('DEFAULT');
    expect(m.rmp.rmpupdate(P, { assigned: false, immutable: false })).toBe(RmpResult.FAIL_INPUT);
  });
});

describe('RMPUPDATE (docs/reference/psp-firmware.md §5.4)', () => {
  test('host transitions: HYPERVISOR → FIRMWARE / PRE_GUEST / GUEST_INVALID, and back to HYPERVISOR', () => {
    const m = machine();
    expect(m.rmp.rmpupdate(P, { assigned: true, immutable: true })).toBe(0);
    expect(m.rmp.state(P)).toBe('FIRMWARE');
    expect(m.rmp.rmpupdate(P + 1, { assigned: true, immutable: true, asid: 3, gpa: 0x7000 })).toBe(0);
    expect(m.rmp.state(P + 1)).toBe('PRE_GUEST');
    expect(m.rmp.entry(P + 1)?.gpa).toBe(0x7000);
    expect(m.rmp.rmpupdate(P + 2, { assigned: true, immutable: false, asid: 3, gpa: 0x8000 })).toBe(0);
    expect(m.rmp.state(P + 2)).toBe('GUEST_INVALID');
    expect(m.rmp.rmpupdate(P + 2, { assigned: false, immutable: false })).toBe(0);
    expect(m.rmp.state(P + 2)).toBe('HYPERVISOR');
  });

  test('immutable entry → FAIL_PERMISSION (2) and the entry is unchanged', () => {
    const m = machine();
    const immutables: Partial<RmpEntry>[] = [
      { immutable: true },
      { assigned: true, immutable: true },
      { assigned: true, immutable: true, iommu: true },
      { assigned: true, immutable: true, vmsa: true },
      { assigned: true, immutable: true, asid: 4 },
    ];
    immutables.forEach((f, i) => {
      m.rmp.fwSetEntry(P + i, { ...base, ...f });
      const before = m.rmp.entry(P + i);
      expect(m.rmp.rmpupdate(P + i, { assigned: false, immutable: false })).toBe(RmpResult.FAIL_PERMISSION);
      expect(m.rmp.rmpupdate(P + i, { assigned: true, immutable: false, asid: 4 })).toBe(2);
      expect(m.rmp.entry(P + i)).toEqual(before);
    });
  });

  test('RECLAIM → HYPERVISOR: the host may take a reclaimed page back', () => {
    const m = machine();
    m.rmp.fwSetEntry(P, { ...base, assigned: true });
    expect(m.rmp.state(P)).toBe('RECLAIM');
    expect(m.rmp.rmpupdate(P, { assigned: false, immutable: false })).toBe(RmpResult.SUCCESS);
    expect(m.rmp.state(P)).toBe('HYPERVISOR');
  });

  test('Validated is always cleared by RMPUPDATE', () => {
    const m = machine();
    m.rmp.rmpupdate(P, { assigned: true, immutable: false, asid: 2, gpa: 0 });
    expect(m.rmp.pvalidate(2, P, true)).toBe(0);
    expect(m.rmp.state(P)).toBe('GUEST_VALID');
    expect(m.rmp.rmpupdate(P, { assigned: true, immutable: false, asid: 2, gpa: 0 })).toBe(0);
    expect(m.rmp.state(P)).toBe('GUEST_INVALID');
  });

  test('FAIL_INPUT: unaligned 2M, bad ASID, unaligned GPA, states the host cannot create', () => {
    const m = machine();
    const r = (pfn: number, f: Parameters<typeof m.rmp.rmpupdate>[1]) => m.rmp.rmpupdate(pfn, f);
    expect(r(P + 1, { assigned: true, immutable: false, asid: 1, pageSize: '2M' })).toBe(1);
    expect(r(P, { assigned: true, immutable: false, asid: 1007 })).toBe(1);
    expect(r(P, { assigned: true, immutable: false, asid: 1, gpa: 0x123 })).toBe(1);
    expect(r(P, { assigned: false, immutable: true })).toBe(1); // HV_FIXED is firmware-only
    expect(r(P, { assigned: true, immutable: false })).toBe(1); // RECLAIM is firmware-only
    expect(r(-1, { assigned: false, immutable: false })).toBe(1);
    expect(r(1.5, { assigned: false, immutable: false })).toBe(1);
    expect(m.rmp.state(P)).toBe('HYPERVISOR');
  });

  test('FAIL_OVERLAP: 4K inside an assigned 2M entry, 2M over an assigned 4K page', () => {
    const m = machine();
    const head = 0x2000; // 2 MB aligned (multiple of 512)
    expect(
      m.rmp.rmpupdate(head, { assigned: true, immutable: false, asid: 1, gpa: 0x20_0000, pageSize: '2M' }),
    ).toBe(0);
    expect(m.rmp.state(head + 7)).toBe('GUEST_INVALID');
    expect(m.rmp.entry(head + 7)?.gpa).toBe(0x20_0000 + 7 * 4096);
    expect(m.rmp.rmpupdate(head + 7, { assigned: false, immutable: false })).toBe(RmpResult.FAIL_OVERLAP);
    const other = 0x2400;
    expect(m.rmp.rmpupdate(other + 3, { assigned: true, immutable: false, asid: 1, gpa: 0 })).toBe(0);
    expect(m.rmp.rmpupdate(other, { assigned: true, immutable: false, asid: 1, pageSize: '2M' })).toBe(4);
  });
});

describe('PSMASH and PVALIDATE (docs/reference/psp-firmware.md §5.4)', () => {
  test('PSMASH splits a 2M entry into 512 4K entries, GPAs +4K, Validated kept', () => {
    const m = machine();
    const head = 0x2000;
    m.rmp.rmpupdate(head, { assigned: true, immutable: false, asid: 9, gpa: 0x40_0000, pageSize: '2M' });
    expect(m.rmp.pvalidate(9, head, true, '2M')).toBe(0);
    expect(m.rmp.psmash(head)).toBe(RmpResult.SUCCESS);
    expect(m.rmp.entry(head + 511)).toEqual({
      assigned: true,
      pageSize: '4K',
      immutable: false,
      gpa: 0x40_0000 + 511 * 4096,
      asid: 9,
      vmsa: false,
      validated: true,
    });
    expect(m.rmp.counts().GUEST_VALID).toBe(512);
    expect(m.rmp.assignedCount(9)).toBe(512);
    // Now 4K ops inside work without overlap.
    expect(m.rmp.rmpupdate(head + 5, { assigned: false, immutable: false })).toBe(0);
    expect(m.rmp.assignedCount(9)).toBe(511);
  });

  test('PSMASH: unaligned → FAIL_INPUT (1); a 4K entry → FAIL_UNSUPPORTED (7)', () => {
    const m = machine();
    expect(m.rmp.psmash(0x2001)).toBe(RmpResult.FAIL_INPUT);
    m.rmp.rmpupdate(0x2000, { assigned: true, immutable: false, asid: 1 });
    expect(m.rmp.psmash(0x2000)).toBe(RmpResult.FAIL_UNSUPPORTED);
  });

  test('PVALIDATE 2M on a 4K entry → FAIL_SIZEMISMATCH (6)', () => {
    const m = machine();
    m.rmp.rmpupdate(0x2000, { assigned: true, immutable: false, asid: 1 });
    expect(m.rmp.pvalidate(1, 0x2000, true, '2M')).toBe(RmpResult.FAIL_SIZEMISMATCH);
    expect(m.rmp.pvalidate(1, 0x2000, true, '2M')).toBe(6);
    expect(m.rmp.state(0x2000)).toBe('GUEST_INVALID');
    expect(m.rmp.pvalidate(1, 0x2000, true)).toBe(0);
    expect(m.rmp.state(0x2000)).toBe('GUEST_VALID');
    expect(m.rmp.pvalidate(1, 0x2000, false)).toBe(0);
    expect(m.rmp.state(0x2000)).toBe('GUEST_INVALID');
  });

  test('PVALIDATE on a page of another ASID or an immutable page is refused', () => {
    const m = machine();
    m.rmp.rmpupdate(P, { assigned: true, immutable: false, asid: 1 });
    m.rmp.rmpupdate(P + 1, { assigned: true, immutable: true, asid: 1 });
    expect(m.rmp.pvalidate(2, P, true)).toBe(RmpResult.FAIL_PERMISSION);
    expect(m.rmp.pvalidate(1, P + 1, true)).toBe(RmpResult.FAIL_PERMISSION);
    expect(m.rmp.pvalidate(0, P, true)).toBe(RmpResult.FAIL_INPUT);
  });
});

describe('2 MB entries (docs/reference/psp-firmware.md §5.2, §5.3)', () => {
  test('every 4 KB page under a 2 MB Firmware entry reads FIRMWARE, not METADATA (ASID-0 GPA stays 0)', () => {
    const m = machine();
    const head = 0x2000; // 2 MB aligned PFN
    m.rmp.fwSetEntry(head, { ...base, assigned: true, immutable: true, pageSize: '2M' });
    for (const i of [0, 1, 255, 511]) expect(m.rmp.state(head + i)).toBe('FIRMWARE');
  });

  test('a guest 2 MB entry advances the GPA page by page', () => {
    const m = machine();
    const head = 0x2000;
    m.rmp.fwSetEntry(head, { ...base, assigned: true, pageSize: '2M', asid: 3, gpa: 0x4000_0000 });
    expect(m.rmp.entry(head + 5)?.gpa).toBe(0x4000_0000 + 5 * 4096);
    expect(m.rmp.state(head + 5)).toBe('GUEST_INVALID');
  });
});

describe('table-wide operations', () => {
  test('clear() faults while SNPEn is set on any core, zeroes the table otherwise (docs/reference/psp-firmware.md §5.1)', () => {
    const m = machine();
    m.rmp.rmpupdate(P, { assigned: true, immutable: true });
    m.rmp.fwMarkInitialised(true);
    m.wrmsr(0, MSR.SYSCFG, m.rdmsr(0, MSR.SYSCFG) | SYSCFG.MFDM);
    m.wrmsr(0, MSR.SYSCFG, m.rdmsr(0, MSR.SYSCFG) | SYSCFG.SNP_EN);
    expect(m.rmp.clear()).toBe('fault');
    expect(m.rmp.state(P)).toBe('FIRMWARE');
    m.fwClearSnpEn();
    expect(m.rmp.clear()).toBe('ok');
    expect(m.rmp.state(P)).toBe('HYPERVISOR');
    expect(m.rmp.initialised).toBe(false);
  });

  test('counts(), assignedCount() and pfnsInState() agree', () => {
    const m = machine();
    for (const pfn of [P + 9, P + 2, P + 5])
      m.rmp.rmpupdate(pfn, { assigned: true, immutable: true, asid: 7 });
    m.rmp.rmpupdate(P + 20, { assigned: true, immutable: true });
    expect(m.rmp.pfnsInState('PRE_GUEST')).toEqual([P + 2, P + 5, P + 9]);
    expect(m.rmp.assignedCount(7)).toBe(3);
    expect(m.rmp.assignedCount(8)).toBe(0);
    const c = m.rmp.counts();
    expect(c.PRE_GUEST).toBe(3);
    expect(c.FIRMWARE).toBe(1);
    expect(c.HYPERVISOR).toBe(m.rmp.coveredPages - 4);
    expect(() => m.rmp.pfnsInState('HYPERVISOR')).toThrow(/use counts/);
  });

  test('fwSetEntry of a 2M entry takes over the region (SNP_PAGE_UNSMASH, docs/reference/psp-firmware.md §3.10)', () => {
    const m = machine();
    for (let i = 0; i < 512; i++) {
      m.rmp.fwSetEntry(0x2000 + i, { ...base, assigned: true, immutable: true, asid: 3, gpa: i * 4096 });
    }
    expect(m.rmp.assignedCount(3)).toBe(512);
    m.rmp.fwSetEntry(0x2000, { ...base, assigned: true, immutable: true, asid: 3, pageSize: '2M' });
    expect(m.rmp.assignedCount(3)).toBe(512);
    expect(m.rmp.entry(0x2000 + 100)?.pageSize).toBe('2M');
    expect(m.rmp.pfnsInState('PRE_GUEST')).toHaveLength(512);
  });
});
