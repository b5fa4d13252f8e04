import { Status } from '@sevsim/psp-abi';
import { describe, expect, it } from 'vitest';
import { Errno } from '../src/index';
import { boot } from './helpers';

describe('/dev/sev ioctls (docs/reference/linux-ccp.md §3.8)', () => {
  it('SEV_PLATFORM_STATUS returns the firmware status without init', () => {
    const rig = boot({ release: '7.2' });
    const m = rig.tap.mark();
    const r = rig.ccp.ioctl('SEV_PLATFORM_STATUS');
    expect(r).toMatchObject({ rc: 0, error: 0, data: { apiMajor: 1, apiMinor: 55, state: 0, build: 25 } });
    expect(rig.tap.names(m)).toEqual(['PLATFORM_STATUS']);
  });

  it('7.2 SEV_PEK_GEN from UNINIT: legacy-only implicit INIT, command, implicit SHUTDOWN', () => {
    const rig = boot({ release: '7.2' });
    const m = rig.tap.mark();
    expect(rig.ccp.ioctl('SEV_PEK_GEN')).toEqual({ rc: 0, error: 0 });
    expect(rig.tap.names(m)).toEqual(['INIT', 'DF_FLUSH', 'PEK_GEN', 'SHUTDOWN']);
    expect(rig.psp.snapshot()).toMatchObject({ sev: 'UNINIT', snp: 'UNINIT' });
  });

  it('6.16–7.1 SEV_PDH_GEN from UNINIT also initialises and shuts down SNP (docs/reference/linux-ccp.md §3.8 [HISTORIC], docs/reference/linux-ccp.md §9.5)', () => {
    const rig = boot({ release: '6.18' });
    const m = rig.tap.mark();
    expect(rig.ccp.ioctl('SEV_PDH_GEN')).toEqual({ rc: 0, error: 0 });
    expect(rig.tap.names(m)).toEqual([
      'SNP_INIT_EX',
      'SNP_DF_FLUSH',
      'INIT',
      'DF_FLUSH',
      'PDH_GEN',
      'SHUTDOWN',
      'SNP_PAGE_RECLAIMx512',
      'SNP_SHUTDOWN_EX',
    ]);
    expect(rig.ccp.view()).toMatchObject({ sevState: 'UNINIT', snpInitialized: false });
  });

  it('6.16–7.1 replaces an implicit-init error with INVALID_PLATFORM_STATE; 7.2 reports the real one', () => {
    for (const [release, error] of [
      ['6.18', Status.INVALID_PLATFORM_STATE],
      ['7.2', Status.HWSEV_RET_UNSAFE],
    ] as const) {
      const rig = boot({ release, machine: { iommu: 'passthrough' } });
      rig.tap.inject('INIT', Status.HWSEV_RET_UNSAFE);
      expect(rig.ccp.ioctl('SEV_PEK_GEN')).toEqual({ rc: -Errno.EIO, error });
    }
  });

  it('≤6.15: legacy init without shutdown; SNP ioctls need SNP initialised (-EINVAL)', () => {
    const rig = boot({ release: '6.15', params: { psp_init_on_probe: false } });
    const m = rig.tap.mark();
    expect(rig.ccp.ioctl('SEV_PEK_GEN').rc).toBe(0);
    expect(rig.tap.names(m)).toEqual(['INIT', 'DF_FLUSH', 'PEK_GEN']);
    expect(rig.ccp.view().sevState).toBe('INIT');
    // SNP came up at probe (only legacy init was deferred), so SNP_COMMIT goes through.
    expect(rig.ccp.ioctl('SNP_COMMIT').rc).toBe(0);
    const noSnp = boot({ release: '6.15', machine: { iommu: 'passthrough' } });
    expect(noSnp.ccp.ioctl('SNP_COMMIT').rc).toBe(-Errno.EINVAL);
    expect(noSnp.ccp.ioctl('SNP_PLATFORM_STATUS').rc).toBe(-Errno.EINVAL);
  });

  it('write permission: PEK_GEN needs a writable fd (-EPERM)', () => {
    const rig = boot({ release: '7.2' });
    expect(rig.ccp.ioctl('SEV_PEK_GEN', { writable: false })).toEqual({ rc: -Errno.EPERM, error: -1 });
  });

  it('PDH_CERT_EXPORT read-only is fine once INIT, -EPERM when it would need init', () => {
    const rig = boot({ release: '7.2' });
    expect(rig.ccp.ioctl('SEV_PDH_CERT_EXPORT', { writable: false }).rc).toBe(-Errno.EPERM);
    rig.ccp.platformInit({ probe: true, maxSnpAsid: 0 });
    const m = rig.tap.mark();
    const r = rig.ccp.ioctl('SEV_PDH_CERT_EXPORT', { writable: false });
    expect(r.rc).toBe(-Errno.EIO);
    expect(r.error).toBe(Status.INVALID_LEN);
    // With SNP initialised the writable command buffer page is Firmware-owned, then reclaimed (docs/reference/linux-ccp.md §3.12).
    expect(rig.tap.names(m)).toEqual(['PDH_CERT_EXPORT:INVALID_LEN', 'SNP_PAGE_RECLAIM']);
  });

  it('FACTORY_RESET: INIT → SHUTDOWN then FACTORY_RESET; WORKING → -EBUSY', () => {
    const rig = boot({ release: '7.2', machine: { iommu: 'passthrough' } });
    rig.ccp.platformInit({ probe: true, maxSnpAsid: 0 });
    const m = rig.tap.mark();
    expect(rig.ccp.ioctl('SEV_FACTORY_RESET').rc).toBe(0);
    expect(rig.tap.names(m)).toEqual(['PLATFORM_STATUS', 'SHUTDOWN', 'FACTORY_RESET']);
    const rig2 = boot({ release: '7.2', machine: { iommu: 'passthrough' } });
    rig2.ccp.platformInit({ probe: true, maxSnpAsid: 0 });
    const launch = new Uint8Array(36);
    expect(rig2.ccp.issueCmd(0x30, launch).rc).toBe(0);
    expect(rig2.ccp.ioctl('SEV_FACTORY_RESET').rc).toBe(-Errno.EBUSY);
  });

  it('7.2 SNP_SET_CONFIG / SNP_VLEK_LOAD: -ENODEV unless SNP is initialised; SNP_COMMIT needs no init', () => {
    const rig = boot({ release: '7.2' });
    const m = rig.tap.mark();
    expect(rig.ccp.ioctl('SNP_SET_CONFIG').rc).toBe(-Errno.ENODEV);
    expect(rig.ccp.ioctl('SNP_VLEK_LOAD').rc).toBe(-Errno.ENODEV);
    expect(rig.ccp.ioctl('SNP_COMMIT')).toEqual({ rc: 0, error: 0 });
    expect(rig.tap.names(m)).toEqual(['SNP_COMMIT']);
  });

  it('7.2 SNP_VLEK_LOAD without SNP: -ENODEV before the length and version checks; with SNP a bad length is -EINVAL (Linux v7.2 sev-dev.c sev_ioctl_do_snp_vlek_load(), docs/reference/linux-ccp.md §3.8)', () => {
    const rig = boot({ release: '7.2' });
    const m = rig.tap.mark();
    // The check order of the merged commit (f91e9dbb5845): data, write fd, snp_initialized, then the struct.
    expect(rig.ccp.ioctl('SNP_VLEK_LOAD', { vlek: { len: 1 } }).rc).toBe(-Errno.ENODEV);
    expect(rig.ccp.ioctl('SNP_VLEK_LOAD', { hasData: false }).rc).toBe(-Errno.EINVAL);
    expect(rig.ccp.ioctl('SNP_VLEK_LOAD', { writable: false }).rc).toBe(-Errno.EPERM);
    expect(rig.tap.names(m)).toEqual([]);
    rig.ccp.platformInit({ probe: true, maxSnpAsid: 0 });
    const n = rig.tap.mark();
    expect(rig.ccp.ioctl('SNP_VLEK_LOAD', { vlek: { len: 1 } }).rc).toBe(-Errno.EINVAL);
    expect(rig.ccp.ioctl('SNP_VLEK_LOAD', { vlek: { version: 1 } }).rc).toBe(-Errno.EINVAL);
    expect(rig.tap.names(n)).toEqual([]);
  });

  it('7.1 SNP_SET_CONFIG initialises SNP for the command and shuts it down after', () => {
    const rig = boot({ release: '7.1' });
    const m = rig.tap.mark();
    expect(rig.ccp.ioctl('SNP_SET_CONFIG').rc).toBe(0);
    expect(rig.tap.names(m)).toEqual(['SNP_INIT_EX', 'SNP_DF_FLUSH', 'SNP_CONFIG', 'SNP_SHUTDOWN_EX']);
  });

  it('SNP_PLATFORM_STATUS: no implicit init since Jan 2026; a firmware page when SNP is up', () => {
    const rig = boot({ release: '7.2' });
    let m = rig.tap.mark();
    expect(rig.ccp.ioctl('SNP_PLATFORM_STATUS')).toMatchObject({ rc: 0, data: { state: 0 } });
    expect(rig.tap.names(m)).toEqual(['SNP_PLATFORM_STATUS']);
    rig.ccp.platformInit({ probe: true, maxSnpAsid: 0 });
    m = rig.tap.mark();
    expect(rig.ccp.ioctl('SNP_PLATFORM_STATUS')).toMatchObject({
      rc: 0,
      data: { state: 1, isRmpInitialized: 1 },
    });
    expect(rig.tap.names(m)).toEqual(['SNP_PLATFORM_STATUS', 'SNP_PAGE_RECLAIM']);
  });

  it('before the Jan 2026 fix SNP_PLATFORM_STATUS initialised SNP around the query (6.16)', () => {
    const rig = boot({ release: '6.16' });
    const m = rig.tap.mark();
    expect(rig.ccp.ioctl('SNP_PLATFORM_STATUS')).toMatchObject({ rc: 0, data: { state: 1 } });
    expect(rig.tap.names(m)).toEqual([
      'SNP_INIT_EX',
      'SNP_DF_FLUSH',
      'SNP_PLATFORM_STATUS',
      'SNP_PAGE_RECLAIM',
      'SNP_SHUTDOWN_EX',
    ]);
  });

  it('GET_ID needs API ≥ 0.16 and passes 128 bytes (two sockets)', () => {
    const rig = boot({ release: '7.2' });
    expect(rig.ccp.ioctl('SEV_GET_ID')).toMatchObject({ rc: 0, data: { length: 64 } });
  });
});
