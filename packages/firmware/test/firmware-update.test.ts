/** DOWNLOAD_FIRMWARE and SNP_DOWNLOAD_FIRMWARE_EX (docs/reference/psp-firmware.md §2.3, §3.6, §4 item 5). */
import { describe, expect, it } from 'vitest';
import {
  SevDataDownloadFirmware,
  SevDataDownloadFirmwareEx,
  SevDataSnpCommit,
  Status,
} from '@sevsim/psp-abi';
import { type FirmwareImageSpec, encodeFirmwareImage } from '../src/index';
import { type Platform, lastGuard, platform, sevInit, snpGuest, snpInit } from './helpers';

function place(p: Platform, spec: FirmwareImageSpec, offset = 0): { pa: number; len: number } {
  const image = encodeFirmwareImage(spec);
  const pa = p.machine.allocPages(1) * 4096 + offset;
  p.machine.writePhys(pa, image);
  return { pa, len: image.length };
}

function dlfwEx(p: Platform, spec: FirmwareImageSpec, commit = false): number {
  const { pa, len } = place(p, spec);
  return p.run(
    'SNP_DOWNLOAD_FIRMWARE_EX',
    SevDataDownloadFirmwareEx.encode({ length: 24, fwPaddr: pa, fwLen: len, commit: commit ? 1 : 0 }),
  );
}

function dlfw(p: Platform, spec: FirmwareImageSpec, offset = 0): number {
  const { pa, len } = place(p, spec, offset);
  return p.run('DOWNLOAD_FIRMWARE', SevDataDownloadFirmware.encode({ address: pa, len }));
}

describe('DOWNLOAD_FIRMWARE (0x0B): SEV and SNP UNINIT, load + commit (docs/reference/psp-firmware.md §2.3)', () => {
  it('loads and commits', () => {
    const p = platform();
    expect(dlfw(p, { version: '1.55.29' })).toBe(0);
    expect(p.psp.snapshot()).toMatchObject({ version: '1.55.29', committedVersion: '1.55.29' });
  });

  it('SNP INIT → INVALID_PLATFORM_STATE; SEV INIT → INVALID_PLATFORM_STATE', () => {
    const p = platform();
    snpInit(p);
    expect(dlfw(p, { version: '1.55.29' })).toBe(Status.INVALID_PLATFORM_STATE);
    const q = platform({}, { snpEnAtBoot: false });
    sevInit(q);
    expect(dlfw(q, { version: '1.55.29' })).toBe(Status.INVALID_PLATFORM_STATE);
  });

  it('image not 32-byte aligned → INVALID_ADDRESS; unsigned → BAD_SIGNATURE; garbage → BAD_SIGNATURE', () => {
    const p = platform();
    expect(dlfw(p, { version: '1.55.29' }, 16)).toBe(Status.INVALID_ADDRESS);
    expect(dlfw(p, { version: '1.55.29', signed: false })).toBe(Status.BAD_SIGNATURE);
    const pa = p.machine.allocPages(1) * 4096;
    expect(p.run('DOWNLOAD_FIRMWARE', SevDataDownloadFirmware.encode({ address: pa, len: 64 }))).toBe(
      Status.BAD_SIGNATURE,
    );
    expect(p.run('DOWNLOAD_FIRMWARE', SevDataDownloadFirmware.encode({ address: pa, len: 8 }))).toBe(
      Status.INVALID_LEN,
    );
  });
});

describe('SNP_DOWNLOAD_FIRMWARE_EX (0xCA) (docs/reference/psp-firmware.md §3.6)', () => {
  it('provisional until committed; a reboot returns to the committed image', () => {
    const p = platform();
    expect(dlfwEx(p, { version: '1.55.30' })).toBe(0);
    expect(p.psp.snapshot()).toMatchObject({ version: '1.55.30', committedVersion: '1.55.25' });
    p.psp.reset();
    expect(p.psp.snapshot()).toMatchObject({
      version: '1.55.25',
      committedVersion: '1.55.25',
      snp: 'UNINIT',
    });
  });

  it('COMMIT bit or SNP_COMMIT commits; the reboot then keeps the new image', () => {
    const p = platform();
    expect(dlfwEx(p, { version: '1.55.30' }, true)).toBe(0);
    expect(p.psp.snapshot().committedVersion).toBe('1.55.30');
    expect(dlfwEx(p, { version: '1.55.31' })).toBe(0);
    expect(p.run('SNP_COMMIT', SevDataSnpCommit.encode({ len: 4 }))).toBe(0);
    p.psp.reset();
    expect(p.psp.snapshot().version).toBe('1.55.31');
  });

  it('image SVN below the committed SVN → BAD_SVN; older version, same SVN → BAD_VERSION', () => {
    const p = platform();
    expect(dlfwEx(p, { version: '1.55.20', svn: 24 })).toBe(Status.BAD_SVN);
    expect(dlfwEx(p, { version: '1.55.20', svn: 25 })).toBe(Status.BAD_VERSION);
  });

  it('rollback to the committed image is allowed while provisional', () => {
    const p = platform();
    dlfwEx(p, { version: '1.55.30' });
    expect(dlfwEx(p, { version: '1.55.25' })).toBe(0);
    expect(p.psp.snapshot().version).toBe('1.55.25');
  });

  it('DLFW_CONTINUE failure → UPDATE_FAILED, the old image keeps running with its guests', () => {
    const p = platform();
    snpInit(p);
    snpGuest(p, 3);
    expect(dlfwEx(p, { version: '1.55.30', failContinue: true })).toBe(Status.UPDATE_FAILED);
    expect(lastGuard(p)).toBe('SNP_DOWNLOAD_FIRMWARE_EX.dlfw-continue');
    expect(p.psp.snapshot()).toMatchObject({ version: '1.55.25', snp: 'INIT' });
    expect(p.psp.snapshot().snpGuests).toHaveLength(1);
  });

  it('reserved bits → INVALID_PARAM; length field wrong → INVALID_LENGTH; unaligned → INVALID_ADDRESS', () => {
    const p = platform();
    const { pa, len } = place(p, { version: '1.55.30' });
    const b = SevDataDownloadFirmwareEx.encode({ length: 24, fwPaddr: pa, fwLen: len });
    b[20] = 2;
    expect(p.run('SNP_DOWNLOAD_FIRMWARE_EX', b)).toBe(Status.INVALID_PARAM);
    expect(
      p.run(
        'SNP_DOWNLOAD_FIRMWARE_EX',
        SevDataDownloadFirmwareEx.encode({ length: 16, fwPaddr: pa, fwLen: len }),
      ),
    ).toBe(Status.INVALID_LEN);
    expect(
      p.run(
        'SNP_DOWNLOAD_FIRMWARE_EX',
        SevDataDownloadFirmwareEx.encode({ length: 24, fwPaddr: pa + 8, fwLen: len }),
      ),
    ).toBe(Status.INVALID_ADDRESS);
  });

  it('a TCB change since the RMP was built forces INIT_RMP at the next SNP_INIT_EX (docs/reference/psp-firmware.md §3.2 step 4)', () => {
    const p = platform();
    snpInit(p);
    p.run('SNP_SHUTDOWN_EX', new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0]));
    dlfwEx(p, { version: '1.56.1' });
    expect(p.run('SNP_INIT_EX', new Uint8Array(64))).toBe(Status.RMP_INIT_REQUIRED);
  });

  it('the new image changes the feature set: 1.52 → 1.55 gains SNP_FEATURE_INFO', () => {
    const p = platform({}, { version: '1.52.4' });
    expect(p.run('SNP_FEATURE_INFO', new Uint8Array(16))).toBe(Status.INVALID_COMMAND);
    expect(dlfwEx(p, { version: '1.55.25' })).toBe(0);
    expect(p.run('SNP_FEATURE_INFO', new Uint8Array(16))).toBe(Status.INVALID_PARAM); // length 0
  });
});
