import { describe, expect, it } from 'vitest';
import { PATCHES, RELEASES, resolveRelease, UnknownPatchError, UnknownReleaseError } from '../src/index';

const r = (v: string) => resolveRelease(v, []);

describe('release profiles (docs/reference/linux-ccp.md §1.2, docs/reference/linux-kvm-amd.md §7.1)', () => {
  it('models 6.11 (the first KVM SNP host release) to 7.2, oldest first, 7.2 last', () => {
    expect(Object.keys(RELEASES)).toEqual([
      '6.11',
      '6.12',
      '6.13',
      '6.14',
      '6.15',
      '6.16',
      '6.17',
      '6.18',
      '7.0',
      '7.1',
      '7.2',
    ]);
  });

  it('6.11 reserves an unaligned RMP end in e820 only; 6.12 also memblock_reserve()s it (commit 88a921aa3c6b, docs/reference/linux-ccp.md §7.3)', () => {
    expect(r('6.11').host.rmpFixupE820Only).toBe(true);
    for (const v of ['6.12', '6.13', '6.14', '7.2']) expect(r(v).host.rmpFixupE820Only).toBe(false);
  });

  it('≤6.13 runs snp_rmptable_init() as a device_initcall after the IOMMU; 6.14 from iommu_snp_enable() (commit 409f45387c93, docs/reference/linux-ccp.md §7.1 step 5)', () => {
    for (const v of ['6.11', '6.12', '6.13']) expect(r(v).host.rmpInitAfterIommu).toBe(true);
    for (const v of ['6.14', '6.15', '6.16', '7.2']) expect(r(v).host.rmpInitAfterIommu).toBe(false);
  });

  it('6.11 enables virtualization per VM, 6.12 at KVM load (kvm.enable_virt_at_load, commit b4886fab6fb6, docs/reference/linux-kvm-amd.md §2.7)', () => {
    expect(r('6.11').kvm.enableVirtAtLoad).toBe(false);
    for (const v of ['6.12', '6.13', '6.14', '6.16', '7.2']) expect(r(v).kvm.enableVirtAtLoad).toBe(true);
  });

  it('a built-in kvm_amd probes the PSP itself from 6.14 (sev_module_init(), commit 44e70718df4f, docs/reference/linux-ccp.md §7.4)', () => {
    for (const v of ['6.11', '6.12', '6.13']) expect(r(v).kvm.builtinInitsPsp).toBe(false);
    for (const v of ['6.14', '6.15', '6.16', '7.2']) expect(r(v).kvm.builtinInitsPsp).toBe(true);
  });

  it('6.11–6.13 equal 6.14 in every other field (Linux v6.11–v6.13 sev-dev.c, arch/x86/kvm/svm/sev.c; docs/reference/linux-kvm-amd.md §7.1)', () => {
    for (const v of ['6.11', '6.12', '6.13']) {
      expect(r(v).ccp).toEqual(r('6.14').ccp);
      expect({ ...r(v).kvm, enableVirtAtLoad: true, builtinInitsPsp: true }).toEqual(r('6.14').kvm);
      expect(r(v).kernel).toEqual(r('6.14').kernel);
      expect(r(v).host.snpEnAtBoot).toBe(true);
    }
  });

  it('KVM checks the SNP policy SMT and SINGLE_SOCKET bits up to 6.16 only (kvm-x86-svm-6.17, docs/reference/linux-kvm-amd.md §4.8)', () => {
    for (const v of ['6.11', '6.14', '6.16']) expect(r(v).kvm.snpPolicySmtSingleSocketChecks).toBe(true);
    for (const v of ['6.17', '6.18', '7.2']) expect(r(v).kvm.snpPolicySmtSingleSocketChecks).toBe(false);
  });

  it('platform init and shutdown move into kvm_amd in 6.16 (docs/reference/linux-kvm-amd.md §2.3, §3)', () => {
    expect(r('6.14').kvm.platformInitAtLoad).toBe(false);
    expect(r('6.14').kvm.shutdownAtUnload).toBe(false);
    expect(r('6.14').ccp.initOnProbe).toBe(true);
    expect(r('6.16').kvm.platformInitAtLoad).toBe(true);
    expect(r('6.16').kvm.shutdownAtUnload).toBe(true);
    expect(r('6.16').ccp.initOnProbe).toBe(false);
  });

  it('ccp aborts legacy init on SNP failure from 6.16 (docs/reference/linux-ccp.md §3.2 step 4)', () => {
    expect(r('6.14').ccp.snpFailureAbortsLegacy).toBe(false);
    expect(r('6.16').ccp.snpFailureAbortsLegacy).toBe(true);
  });

  it('ciphertext hiding (param, ccp support, per-type summary) from 6.18 (docs/reference/linux-kvm-amd.md §2.1, §2.6)', () => {
    for (const v of ['6.14', '6.16']) {
      expect(r(v).kvm.ciphertextHidingParam).toBe(false);
      expect(r(v).kvm.perTypeAsidSummary).toBe(false);
      expect(r(v).ccp.ciphertextHiding).toBe(false);
    }
    for (const v of ['6.18', '7.0', '7.2']) {
      expect(r(v).kvm.ciphertextHidingParam).toBe(true);
      expect(r(v).kvm.perTypeAsidSummary).toBe(true);
      expect(r(v).ccp.ciphertextHiding).toBe(true);
    }
  });

  it('6.18 requires GHCB v2 for SNP; 7.0 drops debug_swap, uses firmware policy bits, adds REQ_CERTS (docs/reference/linux-kvm-amd.md §4.6, docs/reference/linux-kvm-amd.md §7.1)', () => {
    expect(r('6.17').kvm).toMatchObject({ snpGhcbMin2: false });
    expect(r('6.18').kvm).toMatchObject({
      debugSwapParam: true,
      snpGhcbMin2: true,
      snpPolicyBitsFromFirmware: false,
      snpEnableReqCerts: false,
    });
    expect(r('7.0').kvm).toMatchObject({
      debugSwapParam: false,
      snpGhcbMin2: true,
      snpPolicyBitsFromFirmware: true,
      snpEnableReqCerts: true,
    });
  });

  it('SNPEn at boot until 7.0; snp_prepare from 7.1, checked from 7.2 (docs/reference/linux-ccp.md §2.3, §3.3 step 4)', () => {
    expect(r('7.0').host.snpEnAtBoot).toBe(true);
    expect(r('7.0').ccp.snpPrepare).toBe('boot');
    expect(r('7.1').host.snpEnAtBoot).toBe(false);
    expect(r('7.1').ccp.snpPrepare).toBe('snp-init');
    expect(r('7.1').ccp.x86SnpShutdown).toBe(true);
    expect(r('7.2').ccp.snpPrepare).toBe('snp-init-checked');
  });

  it('7.2 advertises only usable VM types and asks the firmware (docs/reference/linux-ccp.md §3.5)', () => {
    expect(r('7.1').kvm.advertiseOnlyUsableVmTypes).toBe(false);
    expect(r('7.1').ccp.firmwareVmTypes).toBe(false);
    expect(r('7.2').kvm.advertiseOnlyUsableVmTypes).toBe(true);
    expect(r('7.2').ccp.firmwareVmTypes).toBe(true);
  });

  it('ioctl implicit init: legacy-persistent ≤6.15, full 6.16–7.1, legacy-only 7.2; SNP_PLATFORM_STATUS no longer inits from 7.0 (docs/reference/linux-ccp.md §3.8)', () => {
    expect(r('6.14').ccp.ioctlImplicitInit).toBe('legacy-persistent');
    expect(r('6.16').ccp.ioctlImplicitInit).toBe('full');
    expect(r('7.1').ccp.ioctlImplicitInit).toBe('full');
    expect(r('7.2').ccp.ioctlImplicitInit).toBe('legacy-only');
    expect(r('6.18').ccp.snpStatusImplicitInit).toBe(true);
    expect(r('7.0').ccp.snpStatusImplicitInit).toBe(false);
    expect(r('7.2').ccp.snpIoctlsNeedInit).toBe(true);
  });

  it('patch sev-fw-upload applies on top of 7.2 only and sets ccp.fwUpload (docs/reference/linux-ccp.md §5.2)', () => {
    expect(r('7.2').ccp.fwUpload).toBe(false);
    const p = resolveRelease('7.2', ['sev-fw-upload']);
    expect(p.ccp.fwUpload).toBe(true);
    expect(p.patches).toEqual(['sev-fw-upload']);
    expect(() => resolveRelease('7.1', ['sev-fw-upload'])).toThrow(UnknownPatchError);
    expect(Object.keys(PATCHES)).toEqual(['sev-fw-upload']);
  });

  it('unknown releases and patches throw errors that list the known ones', () => {
    expect(() => resolveRelease('5.10', [])).toThrow(UnknownReleaseError);
    expect(() => resolveRelease('5.10', [])).toThrow(
      /known: 6\.11, 6\.12, 6\.13, 6\.14, 6\.15, 6\.16, 6\.17, 6\.18, 7\.0, 7\.1, 7\.2/,
    );
    expect(() => resolveRelease('7.2', ['rapl'])).toThrow(/unknown patch 'rapl' \(known: sev-fw-upload\)/);
  });
});
