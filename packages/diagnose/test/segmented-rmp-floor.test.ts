/**
 * The release floor diagnose reads from segmented-RMP lines and the release data that prints them
 * agree: the segmented-RMP series (tip x86/sev, 14 Dec 2024, merged for v6.14) taught
 * snp_probe_rmptable_info() RMP_CFG; before it a Turin BIOS's segmented RMP reads as "not reserved"
 * (Linux v6.13 arch/x86/virt/svm/sev.c; docs/reference/linux-ccp.md §7.1 step 2).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCatalog, formatError, parseScenario, run } from '@sevsim/scenario';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../src/index';

const README_LOG = join(import.meta.dirname, '../fixtures/amdsev-readme-turin-segmented-rmp.log');

function bootLog(version: string): readonly string[] {
  const text = `version: 1\nname: t\nmachine: {cpu: turin}\nkernel: {version: "${version}"}\nsteps: []\n`;
  const r = parseScenario(text, 't.yaml', defaultCatalog());
  if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
  return run(r.scenario).boot.dmesg;
}

describe('segmented RMP lines: the model prints them from the release diagnose infers from them', () => {
  const floor = diagnose(readFileSync(README_LOG, 'utf8')).json.inferred.find(
    (x) => x.path === 'kernel.version',
  )?.value as string;
  const releases = defaultCatalog().releases;

  it("AMD's README log (Turin, segmented RMP) is placed at 6.14", () => {
    expect(floor).toBe('6.14');
  });

  for (const version of releases) {
    it(`${version}: a Turin boot ${releases.indexOf(version) < releases.indexOf(floor) ? 'reads the RMP as not reserved' : 'prints the segmented lines'}`, () => {
      const log = bootLog(version);
      const segmented = log.some((l) => l.startsWith('SEV-SNP: Segmented RMP base table physical range'));
      expect(segmented).toBe(releases.indexOf(version) >= releases.indexOf(floor));
      expect(log.includes('SEV-SNP: Memory for the RMP table has not been reserved by BIOS')).toBe(
        !segmented,
      );
    });
  }
});

describe('"not reserved by BIOS" before 6.14 on a segmented-RMP CPU: either reading (docs/reference/linux-ccp.md §7.1 step 2)', () => {
  const biosSnp = (cpu: string, kernel: string) =>
    diagnose(bootLog('6.13').join('\n'), { cpu, kernel }).json.inferred.find(
      (x) => x.path === 'machine.bios.snp',
    );

  it('a Turin on 6.13: bios.snp false is an assumption naming the segmented RMP 6.13 cannot read', () => {
    const x = biosSnp('turin', '6.13');
    expect(x).toMatchObject({ value: false, assumed: true });
    expect(x?.from?.text).toBe('SEV-SNP: Memory for the RMP table has not been reserved by BIOS');
    expect(x?.note).toMatch(/or a segmented RMP \(RMP_END 0\) that 6\.13 cannot read/);
  });

  it('the same line proves it on a CPU without a segmented RMP, and on 6.14+ (which reads RMP_CFG)', () => {
    for (const [cpu, kernel] of [
      ['genoa', '6.13'],
      ['turin', '6.14'],
    ] as const) {
      const x = biosSnp(cpu, kernel);
      expect(x).toMatchObject({ value: false, note: 'no RMP table reserved by the BIOS' });
      expect(x?.assumed).toBeUndefined();
    }
  });
});
