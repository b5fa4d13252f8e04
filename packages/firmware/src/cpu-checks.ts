/**
 * How the firmware reads the CPUs' configuration (AMD-ASPFW sev_hal_interface.c, sev_hal.c). Three
 * different walks, and which one a check uses decides what an offline SMT thread does to it:
 *
 * - per core: the CPU TMR holds one byte per physical core for SME_EN, SNP_EN and VMPL_EN, read on
 *   thread 0 of every enabled core of every socket (AMD-ASPFW sev_hal_interface.c
 *   is_enabled_all_cores);
 * - every thread, same value: the SMU's CheckMSR compares one MSR over every thread of every die
 *   (AMD-ASPFW sev_hal.c sev_hal_check_msrs, for SYSCFG, HWCR, the MTRRs, IORRs, TOM/TOM2, TSEG);
 * - every thread, each one: VM_HSAVE_PA is a per-thread register of the CPU TMR (AMD-ASPFW
 *   sev_hal_interface.c vm_hsave_pa_cleared_all_cores → get_reg_all_threads(per_thread)).
 *
 * The firmware walks the cores the BIOS enabled; whether Linux has a CPU online does not matter.
 */
import { MSR, SYSCFG } from '@sevsim/hardware';
import type { Firmware } from './firmware';

/** AMD-ASPFW sev_hal_interface.c is_enabled_all_cores: `bit` of SYSCFG on every physical core. */
export function enabledAllCores(fw: Firmware, bit: bigint): boolean {
  const m = fw.machine;
  return m.cores.every((c) => c.thread !== 0 || !c.present || (m.rdmsr(c.id, MSR.SYSCFG) & bit) !== 0n);
}

/**
 * AMD-ASPFW sev_hal.c snp_is_enabled_all_cores: SNPEn on every core. The published 1.55.25 source
 * asks the SMU (CheckMSR of SYSCFG: same everywhere and SNPEn set), and the SMU's walk is not
 * published. A Milan on 1.51.3 with its nosmt=force siblings lacking the per-thread MFDM answers
 * legacy INIT with INVALID_PLATFORM_STATE (https://github.com/AMDESE/AMDSEV/issues/154), so SNPEn
 * is read per core, like the CPU TMR's SNP_EN byte the source still defines (README "Decisions").
 */
export function snpEnabledAllCores(fw: Firmware): boolean {
  return enabledAllCores(fw, SYSCFG.SNP_EN);
}

/** AMD-ASPFW sev_hal.c sev_hal_check_msrs: the value `msr` has on every thread, or undefined when they differ. */
export function msrSameAllThreads(fw: Firmware, msr: number): bigint | undefined {
  let value: bigint | undefined;
  for (const c of fw.machine.cores) {
    if (!c.present) continue;
    const v = fw.machine.rdmsr(c.id, msr);
    if (value === undefined) value = v;
    else if (v !== value) return undefined;
  }
  return value;
}

/** AMD-ASPFW sev_hal_interface.c vm_hsave_pa_cleared_all_cores: VM_HSAVE_PA = 0 on every thread. */
export function hsavePaClearedAllThreads(fw: Firmware): boolean {
  return fw.machine.cores.every((c) => !c.present || fw.machine.rdmsr(c.id, MSR.VM_HSAVE_PA) === 0n);
}
