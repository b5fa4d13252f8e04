import { Status } from '@sevsim/psp-abi';
import { describe, expect, it } from 'vitest';
import { DEV, boot, logOf } from './helpers';

const PROBE = { probe: true, maxSnpAsid: 0 } as const;

describe('sev_platform_shutdown / __sev_firmware_shutdown (docs/reference/linux-ccp.md §4.2–§4.3)', () => {
  it('7.1+: SHUTDOWN, TMR reclaimed page by page, SNP_SHUTDOWN_EX with the x86 bit; SNPEn and RMP cleared', () => {
    const rig = boot({ release: '7.2' });
    rig.ccp.platformInit(PROBE);
    const tmr = rig.ccp.dev.tmrPfn ?? 0;
    const m = rig.tap.mark();
    expect(logOf(rig, () => rig.ccp.platformShutdown())).toEqual([]);
    expect(rig.tap.names(m)).toEqual(['SHUTDOWN', 'SNP_PAGE_RECLAIMx512', 'SNP_SHUTDOWN_EX']);
    expect(rig.psp.snapshot()).toMatchObject({ sev: 'UNINIT', snp: 'UNINIT', rmpInitialised: false });
    expect(rig.ccp.view()).toMatchObject({
      sevState: 'UNINIT',
      snpInitialized: false,
      tmrSize: 1024 * 1024,
      tmrAllocated: false,
    });
    expect(rig.machine.rmp.state(tmr)).toBe('HYPERVISOR');
    expect(rig.machine.snpEnAllCores()).toBe(false);
    expect(rig.machine.rmp.counts().FIRMWARE_IOMMU).toBe(0);
  });

  it('7.1+ can initialise SNP again after an x86 shutdown (module reload case)', () => {
    const rig = boot({ release: '7.2' });
    rig.ccp.platformInit(PROBE);
    rig.ccp.platformShutdown();
    const m = rig.tap.mark();
    expect(rig.ccp.platformInit(PROBE).rc).toBe(0);
    expect(rig.tap.names(m)).toEqual(['SNP_INIT_EX', 'SNP_DF_FLUSH', 'INIT', 'DF_FLUSH']);
  });

  it('6.16–7.0: no x86 bit; amd_iommu_snp_disable() makes the IOMMU pages shared and SNPEn stays set (docs/reference/linux-ccp.md §4.3 step 6)', () => {
    const rig = boot({ release: '7.0' });
    rig.ccp.platformInit(PROBE);
    expect(rig.machine.rmp.counts().FIRMWARE_IOMMU).toBeGreaterThan(0);
    const m = rig.tap.mark();
    rig.ccp.platformShutdown();
    expect(rig.tap.names(m)).toEqual(['SHUTDOWN', 'SNP_PAGE_RECLAIMx512', 'SNP_SHUTDOWN_EX']);
    for (const pfn of rig.machine.iommu.logPages) expect(rig.machine.rmp.state(pfn)).toBe('HYPERVISOR');
    expect(rig.machine.snpEnAllCores()).toBe(true);
    expect(rig.ccp.view().snpInitialized).toBe(false);
  });

  it('SNP_SHUTDOWN_EX DFFLUSH_REQUIRED → SNP_DF_FLUSH and one reissue (docs/reference/linux-ccp.md §4.3 step 4)', () => {
    const rig = boot({ release: '7.2', machine: { iommu: 'translated' } });
    rig.ccp.platformInit(PROBE);
    rig.tap.inject('SNP_SHUTDOWN_EX', Status.DFFLUSH_REQUIRED);
    const m = rig.tap.mark();
    rig.ccp.platformShutdown();
    expect(rig.tap.names(m)).toEqual([
      'SHUTDOWN',
      'SNP_PAGE_RECLAIMx512',
      'SNP_SHUTDOWN_EX:DFFLUSH_REQUIRED',
      'SNP_DF_FLUSH',
      'SNP_SHUTDOWN_EX',
    ]);
    expect(rig.ccp.view().snpInitialized).toBe(false);
  });

  it('a failed SHUTDOWN is logged and ignored; SNP shutdown then fails 0x1 and SNP stays initialised (docs/reference/linux-ccp.md §9.7)', () => {
    const rig = boot({ release: '7.2' });
    rig.ccp.platformInit(PROBE);
    rig.tap.inject('SHUTDOWN', Status.HWSEV_RET_UNSAFE);
    const log = logOf(rig, () => rig.ccp.platformShutdown());
    expect(log).toEqual([
      `${DEV}: SEV: failed to SHUTDOWN error 0x14, rc -5`,
      `${DEV}: SEV-SNP firmware shutdown failed, rc -5, error 0x1`,
    ]);
    expect(rig.ccp.view()).toMatchObject({ sevState: 'INIT', snpInitialized: true, tmrAllocated: false });
  });

  it('≤6.15 wording: "SEV-SNP firmware shutdown failed" without codes', () => {
    const rig = boot({ release: '6.15' });
    rig.tap.inject('SHUTDOWN', Status.HWSEV_RET_UNSAFE);
    expect(logOf(rig, () => rig.ccp.unload())).toEqual([`${DEV}: SEV-SNP firmware shutdown failed`]);
  });

  it('unload (sev_pci_exit) shuts everything down and removes the device', () => {
    const rig = boot({ release: '7.2' });
    rig.ccp.platformInit(PROBE);
    rig.ccp.unload();
    expect(rig.ccp.present).toBe(false);
    expect(rig.psp.snapshot()).toMatchObject({ sev: 'UNINIT', snp: 'UNINIT' });
  });
});
