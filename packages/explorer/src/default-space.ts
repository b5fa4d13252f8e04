/**
 * The built-in spaces: per kernel release, the configurations the seed thread argues about
 * (BIOS SNP on/off, kvm-amd built in or a module, ccp.psp_init_on_probe, kvm_amd.sev_snp,
 * ciphertext hiding none/some/all where the release has it) on Genoa, and Turin for ciphertext
 * hiding, with firmware older than the SNP minimum (1.50) and current (the preset's), on a small-ASID
 * machine so that every configuration is explored to its fixpoint.
 */
import { defaultCatalog } from '@sevsim/scenario';
import type { KernelChoice, Space } from './space';

/** `7.2+sev-fw-upload` → {version: '7.2', patches: ['sev-fw-upload']}. */
export function parseKernelChoice(text: string): KernelChoice {
  const [version, ...patches] = text.split('+');
  return { version: version!, patches };
}

export function kernelLabel(k: KernelChoice): string {
  return [k.version, ...k.patches].join('+');
}

/** The default spaces' machine: 4 ASIDs, SEV from 3 (2 SEV + 2 SEV-ES/SNP). */
export const SMALL_ASIDS = 4;
export const SMALL_MIN_SEV_ASID = 3;

/** Newer than every preset's default firmware, so `fw.update` always offers it. */
export const UPDATE_IMAGE = '1.58.30';

export function defaultSpace(kernel: KernelChoice): Space {
  const cth = defaultCatalog()
    .params(kernel.version, kernel.patches)
    .some((p) => p.name === 'ciphertext_hiding_asids');
  return {
    name: `mainline-${kernelLabel(kernel)}`,
    machine: {
      cpu: cth ? ['genoa', 'turin'] : ['genoa'],
      snp: [true, false],
      iommu: ['translated'],
      ciphertextHiding: [true],
      // Small machines: SEV 3–4, SEV-ES/SNP 1–2. Every state is reachable within a few VM
      // starts, so the search runs to its fixpoint (depth unbounded) and says "exhausted".
      minSevAsid: [SMALL_MIN_SEV_ASID],
      asids: [SMALL_ASIDS],
      firmware: ['1.50.0', 'default'],
    },
    kernel: { releases: [kernel], builtin: [[], ['ccp', 'kvm_amd']] },
    params: {
      'ccp.psp_init_on_probe': [false, true],
      'kvm_amd.sev': [true],
      'kvm_amd.sev_es': [true],
      'kvm_amd.sev_snp': [false, true],
      // 1 = SNP 1, SEV-ES 2 on the small machine (a split); all = -1u (docs/reference/linux-kvm-amd.md §7.2 Q1 with sev_snp=0).
      'kvm_amd.ciphertext_hiding_asids': cth ? ['none', 1, 'all'] : ['none'],
    },
    actions: {
      maxVms: 2,
      vmTypes: ['sev', 'sev-es', 'snp'],
      fwUpdate: [UPDATE_IMAGE],
      fwCommit: true,
      hostRead: true,
      modules: true,
    },
    depth: Number.POSITIVE_INFINITY,
  };
}
