import { defaultCatalog, parseScenario, run } from '@sevsim/scenario';
import { describe, expect, it } from 'vitest';
import { compare, formatCompare } from '../src/compare';
import { smallSpace } from './spaces';

describe('compare (capability matrix across kernels)', () => {
  it('kvm_amd built in: only 7.2 + sev-fw-upload hot-loads without reboot (docs/reference/linux-ccp.md §5.1 vs §5.2)', async () => {
    const base = smallSpace();
    const space = {
      ...base,
      kernel: { ...base.kernel, builtin: [['ccp', 'kvm_amd'] as const].map((b) => [...b]) },
      depth: 3,
    };
    const r = await compare(
      [
        { version: '6.18', patches: [] },
        { version: '7.2', patches: ['sev-fw-upload'] },
      ],
      { space, workers: 1 },
    );
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]!.cells).toEqual({
      '6.18': ['sev-vm-running', 'snp-vm-running'],
      '7.2+sev-fw-upload': ['sev-vm-running', 'snp-vm-running', 'fw-hotloaded'],
    });
    expect(r.differences.map((d) => [d.capability, d.has, d.lacks, d.path.map((a) => a.label)])).toEqual([
      ['fw-hotloaded', '7.2+sev-fw-upload', '6.18', ['fw.update 1.58.30']],
    ]);
    // Both scenarios run: the expect holds under 7.2 + sev-fw-upload and fails under 6.18.
    const d = r.differences[0]!;
    const outcome = (file: string) => {
      const p = parseScenario(r.scenarios[file]!, file, defaultCatalog());
      if (!p.ok) throw new Error(JSON.stringify(p.errors));
      return run(p.scenario).result.passed;
    };
    expect(outcome(d.files.has)).toBe(true);
    expect(outcome(d.files.lacks)).toBe(false);
    expect(formatCompare(r, 'md', 'out').split('\n').slice(0, 3)).toEqual([
      '| # | configuration | 6.18 | 7.2+sev-fw-upload |',
      '| --- | --- | --- | --- |',
      '| 1 | `genoa snp=on iommu=translated fw=default builtin=ccp,kvm_amd probe=1 sev=1 sev_es=1 sev_snp=1` | SEV SNP | SEV SNP HL |',
    ]);
  });
});
