import { describe, expect, it } from 'vitest';
import {
  SevDataActivate,
  SevDataDownloadFirmwareEx,
  SevDataGuestStatus,
  SevDataInit,
  SevDataInitEx,
  SevDataLaunchStart,
  SevDataSnpActivate,
  SevDataSnpInitEx,
  SevDataSnpLaunchFinish,
  SevDataSnpLaunchStart,
  SevDataSnpLaunchUpdate,
  SevDataSnpShutdownEx,
  SevUserDataSnpConfig,
  SevUserDataSnpStatus,
  SevUserDataStatus,
  decodeRangeList,
  encodeRangeList,
} from '@sevsim/psp-abi';
import { decodeFirmwareImage, encodeFirmwareImage } from '../src/index';

describe('struct sizes match include/linux/psp-sev.h (__packed)', () => {
  it.each([
    [SevDataInit, 20],
    [SevDataInitEx, 36],
    [SevUserDataStatus, 12],
    [SevDataLaunchStart, 36],
    [SevDataActivate, 8],
    [SevDataGuestStatus, 13],
    [SevDataSnpInitEx, 64],
    [SevDataSnpShutdownEx, 8],
    [SevUserDataSnpStatus, 32],
    [SevDataSnpLaunchStart, 48],
    [SevDataSnpLaunchUpdate, 32],
    [SevDataSnpLaunchFinish, 64],
    [SevDataSnpActivate, 12],
    [SevUserDataSnpConfig, 64],
    [SevDataDownloadFirmwareEx, 24],
  ] as const)('%s', (codec, size) => {
    expect(codec.size).toBe(size);
    expect(codec.encode().length).toBe(size);
  });
});

describe('field offsets', () => {
  it('sev_data_snp_init_ex: flag bits in u32 @0, list_paddr @8, max_snp_asid u16 @0x10 (docs/reference/psp-firmware.md §3.2)', () => {
    const b = SevDataSnpInitEx.encode({
      initRmp: 1,
      ciphertextHidingEn: 1,
      listPaddr: 0x12345000,
      maxSnpAsid: 99,
    });
    expect(b[0]).toBe(0b1001);
    expect(new DataView(b.buffer).getUint32(8, true)).toBe(0x12345000);
    expect(new DataView(b.buffer).getUint16(0x10, true)).toBe(99);
    expect(SevDataSnpInitEx.decode(b)).toMatchObject({
      initRmp: 1,
      listPaddrEn: 0,
      ciphertextHidingEn: 1,
      maxSnpAsid: 99,
    });
    expect(SevDataSnpInitEx.reservedNonZero(b)).toBe(false);
    b[0] = b[0]! | 0x20; // bit 5 is reserved
    expect(SevDataSnpInitEx.reservedNonZero(b)).toBe(true);
  });

  it('sev_user_data_status is packed: flags u32 @3, build u8 @7, guest_count @8', () => {
    const b = SevUserDataStatus.encode({
      apiMajor: 1,
      apiMinor: 55,
      state: 2,
      flags: 0x100,
      build: 25,
      guestCount: 3,
    });
    expect([...b]).toEqual([1, 55, 2, 0, 1, 0, 0, 25, 3, 0, 0, 0]);
  });

  it('u64 addresses above 4 GiB round-trip; bigint policy keeps 64 bits', () => {
    const b = SevDataSnpLaunchStart.encode({ gctxPaddr: 0x1_2345_6000, policy: 0x30000n | (1n << 63n) });
    expect(SevDataSnpLaunchStart.decode(b)).toMatchObject({
      gctxPaddr: 0x1_2345_6000,
      policy: 0x30000n | (1n << 63n),
    });
  });

  it('decode of a short buffer reads zeros and never throws', () => {
    expect(SevDataInitEx.decode(new Uint8Array([0x24]))).toMatchObject({ length: 0x24, nvLen: 0 });
  });

  it('snp_launch_update bitfields: page_type bits 1-3 of u32 @8, vmpl perms in u32 @24', () => {
    const b = SevDataSnpLaunchUpdate.encode({ pageSize: 1, pageType: 6, vmpl3Perms: 0xff });
    expect(b[8]).toBe(0b1101);
    expect(b[27]).toBe(0xff);
    expect(SevDataSnpLaunchUpdate.reservedNonZero(b)).toBe(false);
    b[24] = 1; // rsvd3:8
    expect(SevDataSnpLaunchUpdate.reservedNonZero(b)).toBe(true);
  });

  it('range list round-trip', () => {
    const b = encodeRangeList([{ base: 0x100000, pageCount: 4 }]);
    expect(b.length).toBe(24);
    expect(decodeRangeList(b).ranges).toEqual([{ base: 0x100000, pageCount: 4, reservedNonZero: false }]);
  });

  it('firmware image round-trip; garbage decodes to undefined', () => {
    const img = encodeFirmwareImage({ version: '1.55.37', signed: false });
    expect(decodeFirmwareImage(img)).toEqual({
      major: 1,
      minor: 55,
      build: 37,
      svn: 25, // defaultSvn: minor − 30
      signed: false,
      failContinue: false,
    });
    expect(decodeFirmwareImage(new Uint8Array(32))).toBeUndefined();
    expect(decodeFirmwareImage(img.subarray(0, 8))).toBeUndefined();
  });
});
