/**
 * The kernel's SMT control at boot (kernel/cpu.c, unchanged in wording from Linux v4.19 to v7.x):
 * `nosmt` and `nosmt=force` on the command line (early_param "nosmt" → smt_cmdline_disable() →
 * cpu_smt_disable()), and what that does to the second thread of every core. On x86 every logical
 * CPU is booted once, so that it sets CR4.MCE, and cpu_bootable() then sends a secondary thread back
 * offline (bringup_wait_for_ap_online() → -ECANCELED). Linux code that runs later with
 * on_each_cpu() (the ≤7.0 SNP enablement) does not reach those threads.
 */
import type { ResolvedMachineConfig } from './config.js';

/** enum cpuhp_smt_control, as far as the command line sets it. */
export type SmtControl = 'on' | 'off' | 'forceoff';

/**
 * smt_cmdline_disable(): `force` → CPU_SMT_FORCE_DISABLED, any other value (or none) →
 * CPU_SMT_DISABLED. `undefined` means the parameter is absent.
 */
export function smtControlFromCmdline(value: string | null | undefined): SmtControl {
  if (value === undefined) return 'on';
  return value === 'force' ? 'forceoff' : 'off';
}

/** cpu_smt_disable()'s pr_info line (pr_fmt of kernel/cpu.c is empty). */
export function smtControlLog(control: SmtControl): string[] {
  if (control === 'forceoff') return ['SMT: Force disabled'];
  if (control === 'off') return ['SMT: disabled'];
  return [];
}

/**
 * The logical CPUs cpu_bootable() keeps offline: every thread that is not its core's primary
 * thread. Linux numbers the primary threads first (see `Core.id`), so these are the upper half.
 */
export function smtOfflineCpus(
  cfg: Pick<ResolvedMachineConfig, 'sockets' | 'cores' | 'logicalCpus'>,
  control: SmtControl,
): number[] {
  if (control === 'on') return [];
  const physical = cfg.sockets * cfg.cores;
  const out: number[] = [];
  for (let id = physical; id < cfg.logicalCpus; id++) out.push(id);
  return out;
}
