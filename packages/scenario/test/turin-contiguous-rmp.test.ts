/**
 * A Turin whose BIOS leaves RMP_CFG's segmented-RMP enable bit clear and places one contiguous
 * RMP (`machine.bios.rmpSegmented: false`), as the coreboot/openSIL BIOS of a Gigabyte MZ33-AR1
 * does. snp_probe_rmptable_info() reads RMP_CFG only on a CPU with the feature and takes the
 * segmented path only with its enable bit set (Linux v6.14 arch/x86/virt/svm/sev.c); before v6.14
 * it read RMP_BASE/RMP_END alone (docs/reference/linux-ccp.md §7.1 step 2). So the contiguous form
 * is read the same way by every release, and 6.11–6.13, which refuse Turin's segmented RMP, work.
 */
import { describe, expect, test } from 'vitest';
import { defaultCatalog } from '../src/index';
import { runScenario } from './run-scenario';

const boot = (version: string, bios: string) =>
  runScenario({
    machine: `{cpu: turin, cores: 4, memoryGiB: 8, bios: {${bios}}}`,
    kernel: `{version: "${version}"}`,
    steps: ['modprobe: kvm_amd'],
  });

const sevLines = (t: ReturnType<typeof boot>) =>
  [...t.boot.dmesg, ...(t.steps[0]?.dmesg ?? [])].filter((l) => /^(?:SEV-SNP|kvm_amd): /.test(l));

describe('turin with bios.rmpSegmented: false', () => {
  for (const version of defaultCatalog().releases) {
    test(`${version}: the contiguous RMP line, SNP_INIT_EX succeeds, kvm_amd enables SEV-SNP`, () => {
      const t = boot(version, 'rmpSegmented: false');
      const lines = sevLines(t);
      expect(lines[0]).toMatch(/^SEV-SNP: RMP table physical range \[0x[0-9a-f]{16} - 0x[0-9a-f]{16}\]$/);
      expect(lines.some((l) => l.startsWith('SEV-SNP: Segmented'))).toBe(false);
      expect(lines).toContain('kvm_amd: SEV-SNP enabled (ASIDs 1 - 99)');
      expect(t.steps[0]?.outcome.psp).toContainEqual({ cmd: 'SNP_INIT_EX', status: 0 });
    });
  }

  test('the same Turin with the segmented default: 6.13 cannot read it (RMP_END 0), 6.14 reads the segments', () => {
    expect(sevLines(boot('6.13', ''))).toContain(
      'SEV-SNP: Memory for the RMP table has not been reserved by BIOS',
    );
    expect(sevLines(boot('6.13', '')).some((l) => l.startsWith('kvm_amd: SEV-SNP'))).toBe(false);
    expect(sevLines(boot('6.14', ''))[0]).toMatch(/^SEV-SNP: Segmented RMP base table physical range /);
    expect(sevLines(boot('6.14', 'rmpSegmented: true'))).toEqual(sevLines(boot('6.14', '')));
  });
});
