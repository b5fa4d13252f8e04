import { describe, expect, it } from 'vitest';
import { KVM_X86_VM, SNP_POLICY_MASK_BASE } from '../src/index';
import { boot } from './helpers';

const ALL = (1 << KVM_X86_VM.SEV) | (1 << KVM_X86_VM.SEV_ES) | (1 << KVM_X86_VM.SNP);

describe('features reported to KVM (docs/reference/linux-ccp.md §3.5, §6)', () => {
  it('ciphertext hiding needs FEATURE_INFO ECX bit 3 and the BIOS capability (docs/reference/linux-ccp.md §6 Detection)', () => {
    expect(boot({ release: '7.2' }).ccp.isSnpCiphertextHidingSupported()).toBe(false);
    const turin = { cpu: 'turin' as const, bios: { ciphertextHiding: true } };
    expect(
      boot({ release: '7.2', machine: turin, version: '1.55.37' }).ccp.isSnpCiphertextHidingSupported(),
    ).toBe(true);
    const noCap = { cpu: 'turin' as const, bios: { ciphertextHiding: false } };
    expect(
      boot({ release: '7.2', machine: noCap, version: '1.55.37' }).ccp.isSnpCiphertextHidingSupported(),
    ).toBe(false);
    expect(
      boot({ release: '6.16', machine: turin, version: '1.55.37' }).ccp.isSnpCiphertextHidingSupported(),
    ).toBe(false);
  });

  it('policy bits: base mask bits 0–20, plus RAPL_DIS (23) and CTH_DRAM (24) where ECX says so', () => {
    expect(boot({ release: '7.2' }).ccp.snpPolicyBits()).toBe(SNP_POLICY_MASK_BASE);
    const turin = boot({ release: '7.2', machine: { cpu: 'turin' }, version: '1.55.37' });
    expect(turin.ccp.snpPolicyBits()).toBe(SNP_POLICY_MASK_BASE | (1n << 23n) | (1n << 24n));
    expect(boot({ release: '7.2', machine: { iommu: 'passthrough' } }).ccp.snpPolicyBits()).toBe(0n);
  });

  it('VM types: SEV|SEV_ES without SNP init; SNP added after; SEV-ES dropped at the AMD-SB-3023 SVN (docs/reference/linux-ccp.md §3.5)', () => {
    const below = boot({ release: '7.2', svn: 0x1a });
    expect(below.ccp.firmwareSupportedVmTypes()).toBe(ALL & ~(1 << KVM_X86_VM.SNP));
    below.ccp.platformInit({ probe: true, maxSnpAsid: 0 });
    expect(below.ccp.firmwareSupportedVmTypes()).toBe(ALL);
    const at = boot({ release: '7.2', svn: 0x1b });
    at.ccp.platformInit({ probe: true, maxSnpAsid: 0 });
    expect(at.ccp.firmwareSupportedVmTypes()).toBe(ALL & ~(1 << KVM_X86_VM.SEV_ES));
    // Zen 5 reads the SNP SVN from byte 3 and cuts off at 0x04.
    const turin = (svn: number) => {
      const r = boot({ release: '7.2', machine: { cpu: 'turin' }, version: '1.55.37', svn });
      r.ccp.platformInit({ probe: true, maxSnpAsid: 0 });
      return r.ccp.firmwareSupportedVmTypes();
    };
    expect([turin(3), turin(4)]).toEqual([ALL, ALL & ~(1 << KVM_X86_VM.SEV_ES)]);
  });

  it('snp_alloc_firmware_page / snp_free_firmware_page: Firmware while SNP is up, reclaimed on free', () => {
    const rig = boot({ release: '7.2' });
    rig.ccp.platformInit({ probe: true, maxSnpAsid: 0 });
    const pfn = rig.ccp.snpAllocFirmwarePage();
    expect(pfn).not.toBeNull();
    expect(rig.machine.rmp.state(pfn ?? 0)).toBe('FIRMWARE');
    const m = rig.tap.mark();
    rig.ccp.snpFreeFirmwarePage(pfn ?? 0);
    expect(rig.tap.names(m)).toEqual(['SNP_PAGE_RECLAIM']);
    expect(rig.machine.rmp.state(pfn ?? 0)).toBe('HYPERVISOR');
  });

  it('snp_reclaim_pages leaks what it cannot reclaim ("SEV-SNP: Leaking PFN range")', () => {
    const rig = boot({ release: '7.2' });
    rig.ccp.platformInit({ probe: true, maxSnpAsid: 0 });
    const pfn = rig.ccp.snpAllocFirmwarePage() ?? 0;
    rig.tap.inject('SNP_PAGE_RECLAIM', 0x1a);
    const m = rig.ctx.log.mark();
    expect(rig.ccp.snpReclaimPages(pfn, 1)).toBe(-5);
    expect(rig.ctx.log.since(m)).toEqual([
      `SEV-SNP: Leaking PFN range 0x${pfn.toString(16)}-0x${(pfn + 1).toString(16)}`,
    ]);
    expect(rig.ccp.view().leakedPages).toBe(1);
  });
});
