/** Small spaces for tests (the full default space runs only in the bench). */
import type { Space } from '../src/space';

export function smallSpace(
  over: Partial<Space['params']> = {},
  kernel = { version: '7.2', patches: ['sev-fw-upload'] },
): Space {
  return {
    name: 'small',
    machine: {
      cpu: ['genoa'],
      snp: [true],
      iommu: ['translated'],
      ciphertextHiding: [false],
      minSevAsid: ['default'],
      firmware: ['default'],
    },
    kernel: { releases: [kernel], builtin: [[]] },
    params: {
      'ccp.psp_init_on_probe': [true],
      'kvm_amd.sev': [true],
      'kvm_amd.sev_es': [true],
      'kvm_amd.sev_snp': [true],
      'kvm_amd.ciphertext_hiding_asids': ['none'],
      ...over,
    },
    actions: {
      maxVms: 1,
      vmTypes: ['sev', 'snp'],
      fwUpdate: ['1.58.30'],
      fwCommit: false,
      hostRead: true,
      modules: true,
    },
    depth: 4,
  };
}
