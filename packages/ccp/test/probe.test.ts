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

describe('PSP PCI functions per part and socket (drivers/crypto/ccp/sp-pci.c sp_pci_table, psp-dev.c psp_init)', () => {
  it('one-socket Milan: the PSP shares 0000:47:00.1 with a queue-less CCP engine (AMDESE/AMDSEV#140)', () => {
    const rig = boot({ release: '6.15', machine: { cpu: 'milan' } });
    // The real log (kernel 5.19 SNP host, EPYC 7713, firmware 1.49) prints these three probe lines
    // in this order; the INIT lines that follow depend on that machine's firmware.
    expect(rig.probeLog.slice(0, 3)).toEqual([
      'ccp 0000:47:00.1: no command queues available',
      'ccp 0000:47:00.1: sev enabled',
      'ccp 0000:47:00.1: psp enabled',
    ]);
  });

  it('two-socket Milan with dyndbg: each socket has its own PSP; only the master supports SEV (AMDESE/AMDSEV#107)', () => {
    const rig = boot({ release: '6.15', machine: { cpu: 'milan', sockets: 2 }, dyndbg: ['ccp'] });
    expect(rig.probeLog.slice(0, 9)).toEqual([
      'ccp 0000:22:00.1: no command queues available',
      'ccp 0000:22:00.1: registered SEV device',
      'ccp 0000:22:00.1: sev enabled',
      'ccp 0000:22:00.1: psp does not support TEE',
      'ccp 0000:22:00.1: psp enabled',
      'ccp 0000:a2:00.1: no command queues available',
      'ccp 0000:a2:00.1: psp does not support SEV',
      'ccp 0000:a2:00.1: psp does not support TEE',
      'ccp 0000:a2:00.1: psp enabled',
    ]);
    // The master alone talks to the firmware: every later line is 0000:22:00.1's.
    expect(rig.probeLog.slice(9).every((l) => l.startsWith('ccp 0000:22:00.1: '))).toBe(true);
  });

  it('two-socket Milan without dyndbg: the dev_dbg lines stay out of dmesg, both "psp enabled" lines remain', () => {
    const rig = boot({ release: '6.15', machine: { cpu: 'milan', sockets: 2 } });
    expect(rig.probeLog.slice(0, 6)).toEqual([
      'ccp 0000:22:00.1: no command queues available',
      'ccp 0000:22:00.1: sev enabled',
      'ccp 0000:22:00.1: psp enabled',
      'ccp 0000:a2:00.1: no command queues available',
      'ccp 0000:a2:00.1: psp enabled',
      'ccp 0000:22:00.1: SEV API:1.55 build:21',
    ]);
  });

  it('Genoa: PCI function 5, PSP only (device 0x14CA, no CCP engine): coconut-svsm/svsm#409; two sockets: AMDESE/AMDSEV#184', () => {
    expect(boot({ release: '7.2' }).probeLog).toEqual([
      'ccp 0000:03:00.5: sev enabled',
      'ccp 0000:03:00.5: psp enabled',
    ]);
    // #184 after `rmmod ccp; modprobe ccp`: the three probe lines in this order and words.
    expect(boot({ release: '7.2', machine: { sockets: 2 } }).probeLog).toEqual([
      'ccp 0000:01:00.5: sev enabled',
      'ccp 0000:01:00.5: psp enabled',
      'ccp 0000:83:00.5: psp enabled',
    ]);
  });
});
