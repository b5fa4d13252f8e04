/** SNP_PLATFORM_STATUS, SNP_FEATURE_INFO, SNP_CONFIG, SNP_COMMIT (docs/reference/psp-firmware.md §3.4–§3.8). */
import { describe, expect, it } from 'vitest';
import {
  SevDataSnpAddr,
  SevDataSnpCommit,
  SevDataSnpFeatureInfo,
  SevUserDataSnpConfig,
  SevUserDataSnpStatus,
  SnpFeatureInfo,
  Status,
} from '@sevsim/psp-abi';
import { type Platform, firmwarePage, hostPage, platform, snpGuest, snpInit } from './helpers';

function status(p: Platform, at?: number) {
  const pa = at ?? (p.psp.snapshot().snp === 'INIT' ? firmwarePage(p) : hostPage(p));
  const s = p.run('SNP_PLATFORM_STATUS', SevDataSnpAddr.encode({ address: pa }));
  return { s, st: SevUserDataSnpStatus.decode(p.machine.readPhys(pa, 32)) };
}

function featureInfo(p: Platform, ecxIn = 0) {
  const pa = p.psp.snapshot().snp === 'INIT' ? firmwarePage(p) : hostPage(p);
  const s = p.run(
    'SNP_FEATURE_INFO',
    SevDataSnpFeatureInfo.encode({ length: 16, ecxIn, featureInfoPaddr: pa }),
  );
  return { s, out: SnpFeatureInfo.decode(p.machine.readPhys(pa, 16)) };
}

describe('SNP_PLATFORM_STATUS (docs/reference/psp-firmware.md §3.4)', () => {
  it('UNINIT on Genoa 1.55.25: api 1.55, build 25, feature_info set, no CTH capability', () => {
    const { s, st } = status(platform());
    expect(s).toBe(0);
    expect(st).toMatchObject({
      apiMajor: 1,
      apiMinor: 55,
      state: 0,
      isRmpInitialized: 0,
      buildId: 25,
      featureInfo: 1,
    });
    expect(st.ciphertextHidingCap).toBe(0);
  });

  it('INIT with a guest: state 1, rmp initialised, guest_count 1', () => {
    const p = platform();
    snpInit(p);
    snpGuest(p, 2);
    expect(status(p).st).toMatchObject({ state: 1, isRmpInitialized: 1, guestCount: 1 });
  });

  it('ciphertext_hiding_cap = BIOS option && CPU capability; ciphertext_hiding_en after SNP_INIT_EX', () => {
    expect(status(platform({ cpu: 'turin', bios: { ciphertextHiding: true } })).st.ciphertextHidingCap).toBe(
      1,
    );
    expect(status(platform({ cpu: 'turin', bios: { ciphertextHiding: false } })).st.ciphertextHidingCap).toBe(
      0,
    );
    const p = platform({ cpu: 'turin', bios: { ciphertextHiding: true } });
    snpInit(p, { ciphertextHidingEn: 1, maxSnpAsid: 20 });
    expect(status(p).st).toMatchObject({ ciphertextHidingCap: 1, ciphertextHidingEn: 1 });
  });

  it('buffer crossing a 4 KB boundary → INVALID_PARAM; with SNP INIT a Hypervisor page → INVALID_PAGE_STATE', () => {
    const p = platform();
    expect(status(p, hostPage(p) + 4080).s).toBe(Status.INVALID_PARAM);
    snpInit(p);
    expect(status(p, hostPage(p)).s).toBe(Status.INVALID_PAGE_STATE);
  });

  it('1.54 firmware reports feature_info = 0 and SNP_FEATURE_INFO is INVALID_COMMAND (FEATURE_INFO from 1.55)', () => {
    const p = platform({}, { version: '1.54.2' });
    expect(status(p).st.featureInfo).toBe(0);
    expect(featureInfo(p).s).toBe(Status.INVALID_COMMAND);
  });

  it('TCB layout: Genoa SNP SPL in byte 6, Turin in byte 3 (docs/reference/psp-firmware.md §3.4)', () => {
    expect((status(platform()).st.currentTcb >> 48n) & 0xffn).toBe(0x19n); // defaultSvn(1.55) = 55 - 30
    // Turin 1.58.5: defaultSvn for the Zen 5 layout = 58 - 55
    expect((status(platform({ cpu: 'turin' })).st.currentTcb >> 24n) & 0xffn).toBe(3n);
  });
});

describe('SNP_FEATURE_INFO (docs/reference/psp-firmware.md §3.8)', () => {
  it('Genoa 1.55.25: EAX 1, EBX bit 0, ECX = VLEK | X86_SNP_SHUTDOWN (no CTH, no RAPL_DIS)', () => {
    expect(featureInfo(platform()).out).toEqual({ eax: 1, ebx: 1, ecx: 0b11, edx: 0 });
  });

  it('Turin 1.58: ECX adds RAPL_DIS (bit 2) and CIPHERTEXT_HIDING (bit 3)', () => {
    expect(featureInfo(platform({ cpu: 'turin' })).out.ecx).toBe(0b1111);
  });

  it('Turin at 1.55.36 has no CTH; 1.55.37 has it (sevsim decision)', () => {
    expect(featureInfo(platform({ cpu: 'turin' }, { version: '1.55.36' })).out.ecx & 8).toBe(0);
    expect(featureInfo(platform({ cpu: 'turin' }, { version: '1.55.37' })).out.ecx & 8).toBe(8);
  });

  it('length ≠ 0x10 → INVALID_PARAM; unaligned output → INVALID_ADDRESS; ecx_in 2 → INVALID_PARAM', () => {
    const p = platform();
    const pa = hostPage(p);
    expect(p.run('SNP_FEATURE_INFO', SevDataSnpFeatureInfo.encode({ length: 8, featureInfoPaddr: pa }))).toBe(
      Status.INVALID_PARAM,
    );
    expect(
      p.run('SNP_FEATURE_INFO', SevDataSnpFeatureInfo.encode({ length: 16, featureInfoPaddr: pa + 2 })),
    ).toBe(Status.INVALID_ADDRESS);
    expect(featureInfo(p, 2).s).toBe(Status.INVALID_PARAM);
    expect(featureInfo(p, 1).out.eax).toBe(0x1ff);
  });
});

describe('SNP_CONFIG and SNP_COMMIT (docs/reference/psp-firmware.md §3.6, docs/reference/psp-firmware.md §3.7)', () => {
  it('reported_tcb above current → INVALID_PARAM; lower is reported until SNP_COMMIT', () => {
    const p = platform();
    snpInit(p);
    const cur = status(p).st.currentTcb;
    expect(p.run('SNP_CONFIG', SevUserDataSnpConfig.encode({ reportedTcb: cur + (1n << 48n) }))).toBe(
      Status.INVALID_PARAM,
    );
    const lower = cur - (1n << 48n);
    expect(p.run('SNP_CONFIG', SevUserDataSnpConfig.encode({ reportedTcb: lower, maskChipId: 1 }))).toBe(0);
    expect(status(p).st).toMatchObject({ reportedTcb: lower, maskChipId: 1 });
    expect(p.run('SNP_COMMIT', SevDataSnpCommit.encode({ len: 4 }))).toBe(0);
    expect(status(p).st.reportedTcb).toBe(cur);
  });

  it('SNP_CONFIG reserved bytes → INVALID_PARAM; SNP_COMMIT len ≠ 4 → INVALID_PARAM (not INVALID_LENGTH)', () => {
    const p = platform();
    const b = SevUserDataSnpConfig.encode({});
    b[40] = 1;
    expect(p.run('SNP_CONFIG', b)).toBe(Status.INVALID_PARAM);
    expect(p.run('SNP_COMMIT', SevDataSnpCommit.encode({ len: 8 }))).toBe(Status.INVALID_PARAM);
    expect(p.run('SNP_COMMIT', SevDataSnpCommit.encode({ len: 4 }))).toBe(0); // any SNP state
  });
});
