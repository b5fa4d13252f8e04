/** The README example, proven to run. */
import { expect, it } from 'vitest';

it('README example: Linux init order on a Genoa, then SNP_PLATFORM_STATUS (docs/reference/psp-firmware.md §3.2, §3.4)', async () => {
  // --- README example start
  const { createMachine } = await import('@sevsim/hardware');
  const { hostSnpBoot } = await import('@sevsim/kernel');
  const { Cmd, SevDataInit, SevDataSnpAddr, SevDataSnpInitEx, SevUserDataSnpStatus, statusName } =
    await import('@sevsim/psp-abi');
  const { createPsp } = await import('../src/index');

  const machine = createMachine({ cpu: 'genoa' });
  hostSnpBoot(machine, { snpEnAtBoot: true }); // ≤7.0 kernel: SNPEn set on every core at boot
  const psp = createPsp(machine, { version: '1.55.25' });
  psp.onCommand((e) => console.log(e.name, e.statusName, e.guard?.id ?? ''));

  // Legacy INIT first fails: SNPEn is set and SNP_INIT has not built the RMP.
  const early = psp.command(Cmd.INIT, SevDataInit.encode({}));
  console.log(statusName(early.status)); // INVALID_PLATFORM_STATE

  machine.wbinvdAll();
  psp.command(Cmd.SNP_INIT_EX, SevDataSnpInitEx.encode({ initRmp: 1 }));
  machine.wbinvdAll();
  psp.command(Cmd.SNP_DF_FLUSH, new Uint8Array(0));
  const init = psp.command(Cmd.INIT, SevDataInit.encode({})); // now it works

  // SNP_PLATFORM_STATUS writes 32 bytes at a firmware-owned page.
  const pfn = machine.allocPages(1);
  machine.rmp.rmpupdate(pfn, { assigned: true, immutable: true });
  psp.command(Cmd.SNP_PLATFORM_STATUS, SevDataSnpAddr.encode({ address: pfn * 4096 }));
  const status = SevUserDataSnpStatus.decode(machine.readPhys(pfn * 4096, 32));
  console.log(status.state, status.isRmpInitialized, psp.snapshot().sev); // 1 1 INIT
  // --- README example end

  expect(early.status).toBe(0x01);
  expect(init.status).toBe(0);
  expect(status).toMatchObject({ apiMajor: 1, apiMinor: 55, state: 1, isRmpInitialized: 1, buildId: 25 });
  expect(psp.snapshot().sev).toBe('INIT');
});
