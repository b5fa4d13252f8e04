// The README example, run as a test so it is proven to work.
import { expect, test } from 'vitest';
import { createMachine, MSR, RmpResult, SYSCFG } from '@sevsim/hardware';

test('README example: SNPEn set as the kernel sets it; a PRE_GUEST page is immutable and faults host writes', () => {
  const machine = createMachine({ cpu: 'genoa', memoryGiB: 16 });
  // What a ≤7.0 kernel does at boot (hostSnpBoot of @sevsim/kernel): clear the RMP, then MFDM,
  // SNPEn and VMPLEn on every CPU.
  machine.rmp.clear();
  for (const { id } of machine.cores) {
    expect(machine.wrmsr(id, MSR.SYSCFG, machine.rdmsr(id, MSR.SYSCFG) | SYSCFG.MFDM)).toBe('ok');
    expect(
      machine.wrmsr(id, MSR.SYSCFG, machine.rdmsr(id, MSR.SYSCFG) | SYSCFG.SNP_EN | SYSCFG.VMPL_EN),
    ).toBe('ok');
  }
  expect(machine.snpEnAllCores()).toBe(true);

  const pfn = machine.allocPages(1);
  expect(machine.rmp.rmpupdate(pfn, { assigned: true, immutable: true, asid: 1, gpa: 0 })).toBe(
    RmpResult.SUCCESS,
  );
  expect(machine.rmp.state(pfn)).toBe('PRE_GUEST');
  expect(machine.rmp.rmpupdate(pfn, { assigned: false, immutable: false })).toBe(RmpResult.FAIL_PERMISSION);
  expect(machine.hostWrite(pfn * 4096)).toBe('rmp-fault');
});
