/** What the space product needs to know about presets and releases, from the validator's catalog. */
import { defaultCatalog, resolveMachine } from '@sevsim/scenario';
import type { PresetFacts } from './space';

export const LAYER_FACTS: PresetFacts = {
  // An unspecified BIOS option defaults to the preset's capability (scenario "resolve").
  ciphertextHidingCapable: (cpu) => resolveMachine({ cpu }).bios.ciphertextHiding,
  hasCthParam: (version, patches) =>
    defaultCatalog()
      .params(version, patches)
      .some((p) => p.module === 'kvm_amd' && p.name === 'ciphertext_hiding_asids'),
  minSevAsid: (cpu) => resolveMachine({ cpu }).bios.minSevAsid,
};
