// The README example, run as a test so it is proven to work.
import { expect, test } from 'vitest';
import { createMachine, hostSnpBoot, RmpResult } from '@sevsim/hardware';

test('README example: ≤7.0 boot enables SNPEn; a PRE_GUEST page is immutable and faults host writes', () => {
  const machine = createMachine({ cpu: 'genoa', memoryGiB: 16 });
  const boot = hostSnpBoot(machine, { snpEnAtBoot: true }); // a ≤7.0 kernel
  expect(boot.log).toEqual([
    'SEV-SNP: RMP table physical range [0x00000003fbe00000 - 0x00000003ffffffff]',
    'AMD-Vi: IOMMU SNP support enabled.',
  ]);
  expect(machine.snpEnAllCores()).toBe(true);

  const pfn = machine.allocPages(1);
  expect(machine.rmp.rmpupdate(pfn, { assigned: true, immutable: true, asid: 1, gpa: 0 })).toBe(
    RmpResult.SUCCESS,
  );
  expect(machine.rmp.state(pfn)).toBe('PRE_GUEST');
  expect(machine.rmp.rmpupdate(pfn, { assigned: false, immutable: false })).toBe(RmpResult.FAIL_PERMISSION);
  expect(machine.hostWrite(pfn * 4096)).toBe('rmp-fault');
});
