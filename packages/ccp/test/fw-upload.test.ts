import { Status } from '@sevsim/psp-abi';
import { encodeFirmwareImage } from '@sevsim/firmware';
import { describe, expect, it } from 'vitest';
import { Errno } from '../src/index';
import { DEV, boot, logOf } from './helpers';

const withPatch = { fwUpload: true } as const;
const img = (version: string, extra: { svn?: number; signed?: boolean; failContinue?: boolean } = {}) =>
  encodeFirmwareImage({ version, ...extra });

describe('[PENDING] sev-fw-upload: SNP_DOWNLOAD_FIRMWARE_EX live update (docs/reference/linux-ccp.md §5.2)', () => {
  it('without the patch there is no fw_upload device', () => {
    const rig = boot({ release: '7.2' });
    expect(rig.ccp.profile.fwUpload).toBe(false);
    expect(rig.ccp.fwUpload(img('1.55.29'))).toEqual({ result: 'NO_INTERFACE', rc: -Errno.ENOENT, error: 0 });
  });

  it('SEV INIT: SHUTDOWN, DLFW_EX (provisional), refresh, "SEV firmware updated to", re-init', () => {
    const rig = boot({ release: '7.2', profile: withPatch });
    rig.ccp.platformInit({ probe: true, maxSnpAsid: 0 });
    const m = rig.tap.mark();
    const log = logOf(rig, () =>
      expect(rig.ccp.fwUpload(img('1.55.29'))).toEqual({ result: 'ok', rc: 0, error: 0 }),
    );
    expect(rig.tap.names(m)).toEqual([
      // PLATFORM_STATUS writes its buffer back: Firmware-owned command page, then reclaimed (docs/reference/linux-ccp.md §3.12).
      'PLATFORM_STATUS',
      'SNP_PAGE_RECLAIM',
      'SHUTDOWN',
      'SNP_DOWNLOAD_FIRMWARE_EX',
      'SNP_PLATFORM_STATUS',
      'SNP_PAGE_RECLAIM',
      'SNP_FEATURE_INFO',
      'SNP_PAGE_RECLAIM',
      'PLATFORM_STATUS',
      'SNP_PAGE_RECLAIM',
      'INIT',
      'DF_FLUSH',
    ]);
    expect(log).toEqual([`${DEV}: SEV firmware updated to 1.55 build 29`, `${DEV}: SEV API:1.55 build:29`]);
    expect(rig.psp.snapshot()).toMatchObject({
      version: '1.55.29',
      committedVersion: '1.55.25',
      sev: 'INIT',
      snp: 'INIT',
    });
  });

  it('SEV WORKING (a legacy guest exists) → BUSY, nothing downloaded', () => {
    const rig = boot({ release: '7.2', profile: withPatch, machine: { iommu: 'passthrough' } });
    rig.ccp.platformInit({ probe: true, maxSnpAsid: 0 });
    expect(rig.ccp.issueCmd(0x30, new Uint8Array(36)).rc).toBe(0);
    const m = rig.tap.mark();
    expect(rig.ccp.fwUpload(img('1.55.29'))).toMatchObject({ result: 'BUSY', rc: -Errno.EBUSY });
    expect(rig.tap.names(m)).toEqual(['PLATFORM_STATUS']);
  });

  it('maps firmware refusals as the RFC does (BAD_SIGNATURE → FW_INVALID; BAD_SVN is not in its table → HW_ERROR)', () => {
    const rig = boot({ release: '7.2', profile: withPatch });
    let log = logOf(rig, () =>
      expect(rig.ccp.fwUpload(img('1.55.29', { signed: false })).result).toBe('FW_INVALID'),
    );
    expect(log).toEqual([`${DEV}: SEV firmware upgrade bad signature`]);
    log = logOf(rig, () =>
      expect(rig.ccp.fwUpload(img('1.55.29', { svn: 1 }))).toEqual({
        result: 'HW_ERROR',
        rc: Status.BAD_SVN,
        error: Status.BAD_SVN,
      }),
    );
    expect(log).toEqual([`${DEV}: Unknown SEV firmware err 33`]);
  });

  it.each([
    [Status.INVALID_PLATFORM_STATE, 'BUSY', false],
    [Status.INVALID_LEN, 'INVALID_SIZE', false],
    [Status.INVALID_PARAM, 'FW_INVALID', false],
    [Status.BAD_VERSION, 'FW_INVALID', false],
    [Status.UPDATE_FAILED, 'HW_ERROR', false],
    [Status.HWSEV_RET_UNSAFE, 'HW_ERROR', true],
    [Status.RESTORE_REQUIRED, 'HW_ERROR', true],
  ] as const)('status %#x → %s (psp_dead %s)', (status, result, dead) => {
    const rig = boot({ release: '7.2', profile: withPatch });
    rig.tap.inject('SNP_DOWNLOAD_FIRMWARE_EX', status);
    expect(rig.ccp.fwUpload(img('1.55.29')).result).toBe(result);
    expect(rig.ccp.view().pspDead).toBe(dead);
  });

  it('RESTORE_REQUIRED: the PSP is dead except for the next upload, which clears it', () => {
    const rig = boot({ release: '7.2', profile: withPatch });
    rig.tap.inject('SNP_DOWNLOAD_FIRMWARE_EX', Status.RESTORE_REQUIRED);
    rig.ccp.fwUpload(img('1.55.29'));
    expect(rig.ccp.platformInit({ probe: false, maxSnpAsid: 0 }).rc).toBe(-Errno.EBUSY);
    const m = rig.tap.mark();
    expect(rig.ccp.fwUpload(img('1.55.25')).result).toBe('ok');
    expect(rig.tap.names(m)[0]).toBe('SNP_DOWNLOAD_FIRMWARE_EX');
    expect(rig.ccp.view().pspDead).toBe(false);
  });
});
