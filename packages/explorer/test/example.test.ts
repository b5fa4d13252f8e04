// The README example, run as written.
import { describe, expect, it } from 'vitest';
import { explore, MUTATIONS, type Space } from '../src/index';

describe('README example', () => {
  it('kvm-amd built in with ccp.psp_init_on_probe=0 hot-loads (seed thread: Sean / Ashish)', async () => {
    const space: Space = {
      name: 'hotload-question',
      machine: {
        cpu: ['genoa'],
        snp: [true],
        iommu: ['translated'],
        ciphertextHiding: [false],
        minSevAsid: ['default'],
        firmware: ['default'],
      },
      kernel: { releases: [{ version: '7.2', patches: ['sev-fw-upload'] }], builtin: [['ccp', 'kvm_amd']] },
      params: {
        'ccp.psp_init_on_probe': [false],
        'kvm_amd.sev': [true],
        'kvm_amd.sev_es': [true],
        'kvm_amd.sev_snp': [true],
        'kvm_amd.ciphertext_hiding_asids': ['none'],
      },
      actions: {
        maxVms: 1,
        vmTypes: ['sev', 'snp'],
        fwUpdate: ['1.58.30'],
        fwCommit: false,
        hostRead: true,
        modules: true,
      },
      depth: 3,
    };
    const r = await explore(space, { workers: 1 });
    expect(r.violations.length).toBe(0);
    expect(r.results[0]!.capabilities['fw-hotloaded']?.map((a) => a.label)).toEqual(['fw.update 1.58.30']);
    const bad = await explore(space, { workers: 1, mutation: MUTATIONS['asid-range-off-by-one'] });
    expect(bad.violations[0]!.invariant).toBe('asid-in-range');
  });
});
