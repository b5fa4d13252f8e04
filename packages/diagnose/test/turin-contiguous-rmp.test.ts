/**
 * A Turin whose BIOS left RMP_CFG's segmented-RMP enable bit clear prints the contiguous
 * "SEV-SNP: RMP table physical range" line on every release: snp_probe_rmptable_info() takes the
 * segmented path only with that bit set (Linux v6.14 arch/x86/virt/svm/sev.c), and before 6.14 a
 * set bit left RMP_END 0 and "not reserved" (docs/reference/linux-ccp.md §7.1 step 2). No public
 * Turin log with the line could be cited (the MZ33-AR1 demo's location is unknown), so the logs
 * here are the model's own boot of such a machine, which the real line's wording matches.
 */
import { describe, expect, it } from 'vitest';
import { defaultCatalog, formatError, parseScenario, run } from '@sevsim/scenario';
import { diagnose, readLog } from '../src/index';

/** The dmesg of a Turin with the contiguous RMP booted on `version`, kvm_amd loaded. */
function hostLog(version: string): string {
  const text = [
    'version: 1',
    'name: turin-contiguous',
    'machine: {cpu: turin, memoryGiB: 64, bios: {rmpSegmented: false}}',
    `kernel: {version: "${version}"}`,
    'steps:',
    '  - modprobe: kvm_amd',
  ].join('\n');
  const r = parseScenario(text, 't.yaml', defaultCatalog());
  if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
  const t = run(r.scenario);
  return [`Linux version ${version}.0 (test)`, ...t.boot.dmesg, ...(t.steps[0]?.dmesg ?? [])].join('\n');
}

describe('a contiguous RMP on a Turin', () => {
  for (const version of ['6.13', '6.14']) {
    it(`${version}: read as machine.bios.rmpSegmented false; the replay prints every line`, () => {
      const log = hostLog(version);
      expect(log).toMatch(/^SEV-SNP: RMP table physical range \[/m);
      const d = diagnose(readLog(log), { cpu: 'turin' }).json;
      expect(d.inferred.find((x) => x.path === 'machine.bios.rmpSegmented')).toMatchObject({
        value: false,
        from: { line: 2 },
        note: "a contiguous RMP on turin: the BIOS left RMP_CFG's segmented-RMP enable bit clear",
      });
      expect(d.replay.onlyInLog).toEqual([]);
      expect(d.replay.onlyInSimulation).toEqual([]);
    });
  }

  it('not on a CPU whose RMP is contiguous anyway, nor from a segmented log', () => {
    const genoa = diagnose(readLog(hostLog('6.14')), { cpu: 'genoa' }).json;
    expect(genoa.inferred.some((x) => x.path === 'machine.bios.rmpSegmented')).toBe(false);
    const seg = [
      'Linux version 6.14.0 (test)',
      'SEV-SNP: Segmented RMP base table physical range [0x0000000fee00000 - 0x0000000fee05000]',
    ].join('\n');
    expect(diagnose(readLog(seg)).json.inferred.some((x) => x.path === 'machine.bios.rmpSegmented')).toBe(
      false,
    );
  });
});
