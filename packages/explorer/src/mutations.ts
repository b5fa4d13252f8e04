/**
 * Mutations: deliberately wrong driver profiles, given as data (a release profile field set
 * wrong, or a deliberate bug of `CcpMutations` / `KvmAmdMutations`, which no release has), to
 * prove the explorer finds what is wrong. Counterexamples found under a
 * mutation cannot be replayed by `sevsim run`, which always uses the real profiles.
 */
import type { SessionOptions } from '@sevsim/scenario';

/** Fields to override in the resolved release profile. */
export interface ProfileOverride {
  readonly ccp?: Readonly<Record<string, boolean | string>>;
  readonly kvm?: Readonly<Record<string, boolean>>;
}

export const MUTATIONS = {
  /** ccp issues legacy INIT before SNP_INIT (docs/reference/linux-ccp.md §3.2 step 4 reversed). */
  'legacy-init-first': { ccp: { mutationLegacyInitFirst: true } },
  /** kvm_amd unload leaves the platform initialised (docs/reference/linux-kvm-amd.md §3 step 4 dropped). */
  'no-shutdown-on-unload': { kvm: { shutdownAtUnload: false } },
  /** KVM's SEV range starts at min_sev_asid - 1 (docs/reference/linux-kvm-amd.md §2.5 off by one). */
  'asid-range-off-by-one': { kvm: { mutationSevAsidOffByOne: true } },
} as const satisfies Record<string, ProfileOverride>;

export type MutationName = keyof typeof MUTATIONS;

export function sessionOptions(override: ProfileOverride | undefined): SessionOptions {
  if (!override) return {};
  return {
    release: (p) => ({
      ...p,
      ccp: { ...p.ccp, ...override.ccp },
      kvm: { ...p.kvm, ...override.kvm },
    }),
  };
}
