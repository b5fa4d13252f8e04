/**
 * Built-in kvm_amd and ccp: the device initcalls in link order (docs/reference/linux-ccp.md §7.4).
 * Up to 6.13 a built-in kvm_amd set up SEV before snp_rmptable_init() and before the PSP probed;
 * from 6.12 it also enabled virtualization at load, which set VM_HSAVE_PA, and on Genoa (Fam19h
 * models 10h–1Fh) that makes the WRMSR of SNPEn fault, so SNP_INIT_EX fails with INVALID_CONFIG.
 * The v6.13 log and the erratum: "[PATCH v2 3/4] x86/sev: Fix broken SNP support with KVM module
 * built-in", https://lore.kernel.org/r/8f73fc5a68f6713ba7ae1cbdbb7418145c4bd190.1738274758.git.ashish.kalra@amd.com.
 * 6.14 (409f45387c93, 44e70718df4f) sets the RMP up with the IOMMU and probes the PSP from kvm_amd first.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from './run-scenario';

const SNP_VM = ['vm.create: {id: g, type: snp}', 'vm.init: {id: g}', 'vm.launch: {id: g}'];

function boot(version: string, cpu: string, extra = '') {
  return runScenario({
    machine: `{cpu: ${cpu}${extra}}`,
    kernel: `{version: "${version}", builtin: [ccp, kvm_amd]}`,
    steps: SNP_VM,
  });
}

describe('built-in kvm_amd and ccp: boot order by release (docs/reference/linux-ccp.md §7.4)', () => {
  it('6.13 on Genoa: kvm_amd first, the SNPEn write faults, SNP_INIT_EX fails INVALID_CONFIG, SEV comes up', () => {
    const t = boot('6.13', 'genoa');
    expect(t.boot.dmesg).toEqual([
      'SEV-SNP: RMP table physical range [0x0000000fefe00000 - 0x0000000fffffffff]',
      'AMD-Vi: IOMMU SNP support enabled.',
      'kvm_amd: SEV enabled (ASIDs 100 - 1006)',
      'kvm_amd: SEV-ES enabled (ASIDs 1 - 99)',
      'kvm_amd: SEV-SNP enabled (ASIDs 1 - 99)',
      // The value and function are the report's; KASLR moves rIP every boot.
      'unchecked MSR access error: WRMSR to 0xc0010010 (tried to write 0x0000000003fc0000) at rIP: 0xffffffffaf5d5c28 (native_write_msr+0x8/0x30)',
      'ccp 0000:03:00.5: sev enabled',
      'ccp 0000:03:00.5: psp enabled',
      'ccp 0000:03:00.5: SEV-SNP: failed to INIT rc -5, error 0x3',
      'ccp 0000:03:00.5: SEV API:1.55 build:25',
      'ccp 0000:03:00.5: SEV API:1.55 build:25',
    ]);
    expect(t.boot.outcome.psp!.find((c) => c.cmd === 'SNP_INIT_EX')).toMatchObject({ status: 3 });
    expect(t.boot.psp.find((c) => c.cmd === 'SNP_INIT_EX')!.guard!.id).toBe('SNP_INIT_EX.cores-snp-enabled');
    expect(t.boot.state).toMatchObject({
      host: { snp: true, snpEn: false },
      firmware: { sev: 'INIT', snp: 'UNINIT' },
      kvm: { snp: { status: 'enabled' } },
    });
    expect(t.result.state.vms).not.toMatchObject({ g: { state: 'running' } });
  });

  it('6.14 on Genoa: the RMP set up with the IOMMU, the PSP probed from kvm_amd first; the SNP guest runs', () => {
    const t = boot('6.14', 'genoa');
    expect(t.boot.dmesg).toEqual([
      'SEV-SNP: RMP table physical range [0x0000000fefe00000 - 0x0000000fffffffff]',
      'AMD-Vi: IOMMU SNP support enabled.',
      'ccp 0000:03:00.5: sev enabled',
      'ccp 0000:03:00.5: psp enabled',
      'ccp 0000:03:00.5: SEV API:1.55 build:25',
      'ccp 0000:03:00.5: SEV-SNP API:1.55 build:25',
      'kvm_amd: SEV enabled (ASIDs 100 - 1006)',
      'kvm_amd: SEV-ES enabled (ASIDs 1 - 99)',
      'kvm_amd: SEV-SNP enabled (ASIDs 1 - 99)',
    ]);
    expect(t.boot.state).toMatchObject({ host: { snpEn: true }, firmware: { sev: 'INIT', snp: 'INIT' } });
    expect(t.result.state.vms).toMatchObject({ g: { state: 'running' } });
  });

  it('6.13 with kvm_amd as a module on Genoa: ccp probes at boot, kvm_amd loads after SNP is up', () => {
    const t = runScenario({
      machine: '{cpu: genoa}',
      kernel: '{version: "6.13", builtin: [ccp]}',
      steps: ['modprobe: kvm_amd', ...SNP_VM],
    });
    expect(t.boot.dmesg).toContain('ccp 0000:03:00.5: SEV-SNP API:1.55 build:25');
    expect(t.result.state.vms).toMatchObject({ g: { state: 'running' } });
  });

  it('6.13 on Milan (model 01h, not under the erratum): same order, SNPEn set, SNP comes up', () => {
    const t = boot('6.13', 'milan');
    expect(t.boot.dmesg.slice(2)).toEqual([
      'kvm_amd: SEV enabled (ASIDs 100 - 509)',
      'kvm_amd: SEV-ES enabled (ASIDs 1 - 99)',
      'kvm_amd: SEV-SNP enabled (ASIDs 1 - 99)',
      'ccp 0000:47:00.1: no command queues available',
      'ccp 0000:47:00.1: sev enabled',
      'ccp 0000:47:00.1: psp enabled',
      'ccp 0000:47:00.1: SEV API:1.55 build:21',
      'ccp 0000:47:00.1: SEV-SNP API:1.55 build:21',
    ]);
    expect(t.result.state.vms).toMatchObject({ g: { state: 'running' } });
  });

  it('6.11 on Genoa: no virtualization at load (enable_virt_at_load is 6.12), so SNPEn is set and SNP comes up', () => {
    const t = boot('6.11', 'genoa');
    expect(t.boot.dmesg).not.toContain(expect.stringMatching(/^unchecked MSR access error/));
    expect(t.boot.dmesg.indexOf('kvm_amd: SEV-SNP enabled (ASIDs 1 - 99)')).toBeLessThan(
      t.boot.dmesg.indexOf('ccp 0000:03:00.5: SEV-SNP API:1.55 build:25'),
    );
    expect(t.result.state.vms).toMatchObject({ g: { state: 'running' } });
  });

  it('6.13, RMP not covering RAM: kvm_amd has already said SEV-SNP enabled when snp_rmptable_init() clears host SNP', () => {
    const t = boot('6.13', 'milan', ', bios: {snpMemoryCoverage: partial}');
    const d = t.boot.dmesg;
    const kvmLine = d.indexOf('kvm_amd: SEV-SNP enabled (ASIDs 1 - 99)');
    const rmpLine = d.findIndex((l) =>
      l.startsWith('SEV-SNP: Memory reserved for the RMP table does not cover full system RAM'),
    );
    expect(kvmLine).toBeGreaterThan(-1);
    expect(rmpLine).toBeGreaterThan(kvmLine);
    expect(t.boot.state).toMatchObject({ host: { snp: false }, kvm: { snp: { status: 'enabled' } } });
    expect(t.boot.outcome.psp!.map((c) => c.cmd)).not.toContain('SNP_INIT_EX');
  });
});
