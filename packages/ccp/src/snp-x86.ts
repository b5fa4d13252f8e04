/**
 * The arch side of SNP that the ccp driver calls (arch/x86/virt/svm/sev.c, docs/reference/linux-ccp.md §3.3
 * step 4, docs/reference/linux-ccp.md §4.3 step 5): snp_prepare(), clear_rmp(), snp_shutdown(), and the ≤7.0 in-ccp
 * HSAVE_PA clearing (snp_set_hsave_pa). pr_fmt there is "SEV-SNP: ".
 */
import { MSR, type Machine, SYSCFG } from '@sevsim/hardware';
import { Errno, uncheckedWrmsrLine } from '@sevsim/kernel';
import type { KernelLog } from './kernel';

function onlineCores(m: Machine): number[] {
  const ids: number[] = [];
  for (const c of m.cores) if (c.present && c.online) ids.push(c.id);
  return ids;
}

/** %*pbl: a cpumask as a range list, e.g. "0-3,5". */
export function cpulist(ids: readonly number[]): string {
  const sorted = [...ids].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function setSyscfgBits(m: Machine, core: number, bits: bigint): void {
  m.wrmsr(core, MSR.SYSCFG, m.rdmsr(core, MSR.SYSCFG) | bits);
}

function clearSyscfgBits(m: Machine, core: number, bits: bigint): void {
  m.wrmsr(core, MSR.SYSCFG, m.rdmsr(core, MSR.SYSCFG) & ~bits);
}

/** on_each_cpu(clear_hsave_pa) / snp_set_hsave_pa: HSAVE_PA = 0 on every online CPU. */
export function clearHsavePa(m: Machine): void {
  for (const c of onlineCores(m)) m.wrmsr(c, MSR.VM_HSAVE_PA, 0n);
}

/** clear_rmp(): bails (WARN) when SNP_EN is set, since zeroing the RMP then would fault. */
export function clearRmp(m: Machine, hostSnp: boolean): void {
  if (!hostSnp) return;
  if ((m.rdmsr(0, MSR.SYSCFG) & SYSCFG.SNP_EN) !== 0n) return;
  m.rmp.clear();
}

/**
 * snp_prepare() (7.1+). `checked` is the 7.2 form: refuse when a present CPU is offline
 * ("x86/sev: Do not initialize SNP if missing CPUs") and return the error to the ccp.
 */
export function snpPrepare(m: Machine, log: KernelLog, hostSnp: boolean, checked: boolean): number {
  // SNP_EN already set on this CPU (kexec): nothing to prepare (docs/reference/linux-ccp.md §9.10).
  if ((m.rdmsr(0, MSR.SYSCFG) & SYSCFG.SNP_EN) !== 0n) return 0;
  clearRmp(m, hostSnp);
  const online = onlineCores(m);
  const present = m.cores.filter((c) => c.present).map((c) => c.id);
  if (checked && online.length !== present.length) {
    log.print(
      `SEV-SNP: SNP init failed: not all CPUs online. (${cpulist(online)} online <-> ${cpulist(present)} present masks).`,
    );
    return -Errno.EOPNOTSUPP;
  }
  // MtrrFixDramModEn is per thread, so it is set everywhere before any CPU enables SNP.
  for (const c of online) setSyscfgBits(m, c, SYSCFG.MFDM);
  // snp_enable() on each CPU, and only then clear_hsave_pa() on each: 7.1 and 7.2 set SNPEn while
  // VM_HSAVE_PA still holds KVM's host save area if KVM has virtualization enabled. On Fam19h
  // models 10h–1Fh that faults; snp_enable() uses the unchecked wrmsr, so the fixup reports it once
  // and SNPEn stays clear (docs/reference/linux-ccp.md §7.5).
  for (const c of online) {
    const value = m.rdmsr(c, MSR.SYSCFG) | SYSCFG.SNP_EN | SYSCFG.VMPL_EN;
    if (m.wrmsr(c, MSR.SYSCFG, value) === '#GP')
      log.printOnce('ex_handler_msr:wrmsr', uncheckedWrmsrLine(MSR.SYSCFG, value));
  }
  clearHsavePa(m);
  return 0;
}

/** snp_shutdown() (7.1+): only after the firmware cleared SNP_EN — clear the RMP and MFDM. */
export function snpShutdown(m: Machine, hostSnp: boolean): void {
  if ((m.rdmsr(0, MSR.SYSCFG) & SYSCFG.SNP_EN) !== 0n) return;
  clearRmp(m, hostSnp);
  for (const c of onlineCores(m)) clearSyscfgBits(m, c, SYSCFG.MFDM);
}
