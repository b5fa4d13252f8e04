/** The README example, verbatim between the markers, so it is proven to run. */
import { expect, it } from 'vitest';
// --- README example start
import { createPsp } from '@sevsim/firmware';
import { createMachine } from '@sevsim/hardware';
import { hostSnpBoot } from '@sevsim/kernel';
import { type CcpProfile, createKernelContext, loadCcp } from '../src/index'; // '@sevsim/ccp'

// One field per behavioural difference; this is how sevsim reads v7.2.
const v7_2: CcpProfile = {
  initOnProbe: false,
  snpFailureAbortsLegacy: true,
  snpPrepare: 'snp-init-checked',
  x86SnpShutdown: true,
  ciphertextHiding: true,
  ioctlImplicitInit: 'legacy-only',
  snpStatusImplicitInit: false,
  firmwareVmTypes: true,
  snpIoctlsNeedInit: true,
  kdumpSkip: true,
  fwUpload: false,
  legacyLogFormat: false,
  dfFlushErrorToCaller: false,
};

function example() {
  const machine = createMachine({ cpu: 'genoa' });
  const { hostSnp } = hostSnpBoot(machine, { snpEnAtBoot: false }); // 7.1+: SNPEn stays off at boot
  const ctx = createKernelContext(machine, { hostSnp });
  const psp = createPsp(machine, { version: '1.55.25' });

  const ccp = loadCcp(ctx, psp, v7_2, { psp_init_on_probe: true }); // modprobe ccp
  const init = ccp.platformInit({ probe: true, maxSnpAsid: 0 }); // what kvm_amd does at load
  // init: { rc: 0, error: 0 }; ccp.view().sevState: 'INIT'; ctx.log.lines:
  //   ccp 0000:03:00.5: sev enabled
  //   ccp 0000:03:00.5: psp enabled
  //   ccp 0000:03:00.5: SEV-SNP API:1.55 build:25
  //   ccp 0000:03:00.5: SEV API:1.55 build:25
  const view = ccp.view();
  ccp.platformShutdown(); // rmmod kvm_amd
  return { init, view, dmesg: ctx.log.lines, firmware: psp.snapshot() };
}
// --- README example end

it('README example: modprobe ccp, platform init and shutdown on Genoa (docs/reference/linux-ccp.md §3.1–§3.4, §4.2)', () => {
  const { init, view, dmesg, firmware } = example();
  expect(init).toEqual({ rc: 0, error: 0 });
  expect(view).toMatchObject({ sevState: 'INIT', snpInitialized: true });
  expect(dmesg).toEqual([
    'ccp 0000:03:00.5: sev enabled',
    'ccp 0000:03:00.5: psp enabled',
    'ccp 0000:03:00.5: SEV-SNP API:1.55 build:25',
    'ccp 0000:03:00.5: SEV API:1.55 build:25',
  ]);
  expect(firmware).toMatchObject({ sev: 'UNINIT', snp: 'UNINIT' });
});
