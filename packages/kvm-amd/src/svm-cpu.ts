/**
 * What KVM's per-CPU SVM enabling does that the SEV platform sees: MSR_VM_HSAVE_PA holds the CPU's
 * host save area while virtualization is enabled, and is 0 again once it is disabled
 * (arch/x86/kvm/svm/svm.c svm_cpu_init(), svm_enable_virtualization_cpu(), cpu_svm_disable()).
 * SNP_INIT needs it 0 on every CPU, and on Fam19h models 10h–1Fh a non-zero value makes the CPU
 * refuse SNPEn (docs/reference/linux-ccp.md §7.4; docs/reference/linux-kvm-amd.md §2.7). When KVM enables it is release data
 * (`KvmAmdProfile.enableVirtAtLoad`).
 */
import { type Machine, MSR, PAGE_SIZE } from '@sevsim/hardware';

/** svm_cpu_init() for each possible CPU at hardware setup: one save-area page each. Returns the first page. */
export function svmAllocSaveAreas(m: Machine): number {
  return m.allocPages(m.cores.length);
}

/** kvm_enable_virtualization(): svm_enable_virtualization_cpu() on every online CPU. */
export function svmEnableVirtualization(m: Machine, saveAreaPfn: number): void {
  for (const c of m.cores) {
    if (c.present && c.online) m.wrmsr(c.id, MSR.VM_HSAVE_PA, BigInt((saveAreaPfn + c.id) * PAGE_SIZE));
  }
}

/** kvm_disable_virtualization(): svm_disable_virtualization_cpu() → cpu_svm_disable() on every online CPU. */
export function svmDisableVirtualization(m: Machine): void {
  for (const c of m.cores) if (c.present && c.online) m.wrmsr(c.id, MSR.VM_HSAVE_PA, 0n);
}
