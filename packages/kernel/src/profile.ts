/**
 * What differs between kernel releases in the core code this package models. One field per
 * difference; the release table (`@sevsim/kvm-amd` RELEASES) fills it per release.
 */
export interface KernelProfile {
  /**
   * kstrtobool() also takes 'e'/'E' (enabled) and 'd'/'D' (disabled): lib/kstrtox.c, commit
   * ae5b3500856f "kstrtox: add support for enabled and disabled in kstrtobool()" (Mario
   * Limonciello), merged for v6.17 through the mm-nonmm tree; its docstring was only updated by
   * 1921044eebf1 ("lib/kstrtox: fix kstrtobool() docstring to mention enabled/disabled", 6.19).
   */
  readonly kstrtoboolEnableDisable: boolean;
}
