import { encodeFirmwareImage } from '@sevsim/firmware';
import { describe, expect, it } from 'vitest';
import { Errno } from '../src/index';
import { DEV, boot } from './helpers';

describe('module load / PSP probe (docs/reference/linux-ccp.md §3.1)', () => {
  it('6.18+ with host SNP: SNP_PLATFORM_STATUS, SNP_FEATURE_INFO, then PLATFORM_STATUS; no INIT (docs/reference/linux-ccp.md §3.1 step 2, 4)', () => {
    const rig = boot({ release: '7.2' });
    expect(rig.ctx.hostSnp).toBe(true);
    expect(rig.tap.names()).toEqual(['SNP_PLATFORM_STATUS', 'SNP_FEATURE_INFO', 'PLATFORM_STATUS']);
    expect(rig.probeLog).toEqual([`${DEV}: sev enabled`, `${DEV}: psp enabled`]);
    expect(rig.ccp.view()).toMatchObject({
      present: true,
      sevState: 'UNINIT',
      snpInitialized: false,
      api: '1.55.25',
    });
    expect(rig.psp.snapshot()).toMatchObject({ sev: 'UNINIT', snp: 'UNINIT' });
  });

  it('6.16 (before the 6.18 platform-data cache) reads only PLATFORM_STATUS', () => {
    const rig = boot({ release: '6.16' });
    expect(rig.tap.names()).toEqual(['PLATFORM_STATUS']);
  });

  it('host SNP off: no SNP status queries (docs/reference/linux-ccp.md §3.9)', () => {
    const rig = boot({ release: '7.2', machine: { iommu: 'passthrough' } });
    expect(rig.ctx.hostSnp).toBe(false);
    expect(rig.tap.names()).toEqual(['PLATFORM_STATUS']);
  });

  it('no SEV from the BIOS: "SEV: memory encryption not enabled by BIOS", no device, -ENODEV (docs/reference/linux-ccp.md §3.1 step 1, docs/reference/linux-ccp.md §3.2 step 1)', () => {
    const rig = boot({ release: '7.2', machine: { bios: { smee: false } } });
    expect(rig.probeLog).toEqual([
      `${DEV}: SEV: memory encryption not enabled by BIOS`,
      `${DEV}: psp enabled`,
    ]);
    expect(rig.ccp.present).toBe(false);
    expect(rig.tap.sent).toEqual([]);
    expect(rig.ccp.platformInit({ probe: true, maxSnpAsid: 0 })).toEqual({ rc: -Errno.ENODEV, error: -1 });
  });

  it('≤6.15 initialises at probe and ends with "SEV-SNP API:1.55 build:25" (docs/reference/linux-ccp.md §3.1 step 4 [HISTORIC])', () => {
    const rig = boot({ release: '6.15' });
    expect(rig.tap.names()).toEqual(['PLATFORM_STATUS', 'SNP_INIT_EX', 'SNP_DF_FLUSH', 'INIT', 'DF_FLUSH']);
    expect(rig.probeLog).toEqual([
      `${DEV}: sev enabled`,
      `${DEV}: psp enabled`,
      `${DEV}: SEV API:1.55 build:25`,
      `${DEV}: SEV-SNP API:1.55 build:25`,
    ]);
    expect(rig.psp.snapshot()).toMatchObject({ sev: 'INIT', snp: 'INIT' });
  });

  it('legacy DOWNLOAD_FIRMWARE at probe and "SEV firmware updated from a.b.c to x.y.z" (docs/reference/linux-ccp.md §5.1)', () => {
    const image = encodeFirmwareImage({ version: '1.55.29' });
    const rig = boot({ release: '7.2', files: { '/lib/firmware/amd/amd_sev_fam19h_model1xh.sbin': image } });
    expect(rig.tap.names()).toEqual([
      'SNP_PLATFORM_STATUS',
      'SNP_FEATURE_INFO',
      'PLATFORM_STATUS',
      'DOWNLOAD_FIRMWARE',
      'SNP_PLATFORM_STATUS',
      'SNP_FEATURE_INFO',
      'PLATFORM_STATUS',
    ]);
    expect(rig.probeLog).toContain(`${DEV}: SEV firmware updated from 1.55.25 to 1.55.29`);
    expect(rig.ccp.view().api).toBe('1.55.29');
  });

  it('downloads twice when the running API is below 1.50 (committed-TCB quirk, docs/reference/linux-ccp.md §5.1)', () => {
    const image = encodeFirmwareImage({ version: '1.55.25' });
    const rig = boot({ release: '6.16', version: '1.49.3', files: { '/lib/firmware/amd/sev.fw': image } });
    expect(rig.tap.names()).toEqual([
      'PLATFORM_STATUS',
      'DOWNLOAD_FIRMWARE',
      'DOWNLOAD_FIRMWARE',
      'PLATFORM_STATUS',
    ]);
    expect(rig.probeLog).toContain(`${DEV}: SEV firmware updated from 1.49.3 to 1.55.25`);
  });

  it('a failed DOWNLOAD_FIRMWARE is only dev_dbg (boot goes on with the old firmware)', () => {
    const image = encodeFirmwareImage({ version: '1.55.29', signed: false });
    const rig = boot({ release: '7.2', files: { '/lib/firmware/amd/sev.fw': image } });
    expect(rig.tap.names().at(-1)).toBe('DOWNLOAD_FIRMWARE:BAD_SIGNATURE');
    expect(rig.probeLog).toEqual([`${DEV}: sev enabled`, `${DEV}: psp enabled`]);
    expect(rig.ccp.view().api).toBe('1.55.25');
  });
});
