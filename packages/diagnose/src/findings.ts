/**
 * Explain: every firmware command the replay saw refused (its guard and the engine's `explain`
 * sentence) and every kernel decision that left a guest type off (the kernel rule and the line
 * that shows it), each tied to the real log line that reports it.
 */
import { explainStep, type Trace, type TraceStep } from '@sevsim/scenario';
import type { LogLine } from './reader';
import {
  FLUSH_ONLY_STATUS,
  type FailureCmd,
  failedCommand,
  normalise,
  SNP_INIT_PLATFORM_STATUS,
  wordingOf,
} from './wording';

export interface Finding {
  readonly cmd: string | null;
  readonly status: number | null;
  readonly statusName: string | null;
  readonly guard: string | null;
  /** The real log line reporting it (1-based), null when the log does not show it. */
  readonly line: number | null;
  readonly why: string;
}

/**
 * The real line that reports a refused command: same command family and status. A flush's status
 * may also stand in its init's line (FLUSH_ONLY_STATUS: the kernel reported it as the init's).
 */
function reportingLine(real: readonly LogLine[], cmd: string, status: number): number | null {
  const family: FailureCmd | undefined = cmd.startsWith('SNP_INIT')
    ? 'SNP_INIT'
    : cmd === 'INIT' || cmd === 'INIT_EX'
      ? 'INIT'
      : cmd === 'DF_FLUSH' || cmd === 'SNP_DF_FLUSH'
        ? cmd
        : undefined;
  if (!family) return null;
  for (const l of real) {
    const hit = wordingOf(normalise(l.text));
    const f = hit?.w.failure?.(hit.m);
    if (f && failedCommand(f).cmd === family && f.status === status) return l.line;
  }
  return null;
}

/**
 * WBINVD_REQUIRED from a flush the kernel sent right after WBINVD on every CPU
 * (docs/reference/psp-firmware.md §2.7): the firmware's check, and why no setting changes it.
 */
function flushWhy(cmd: string, status: number, line: number | null, real: readonly LogLine[]): string {
  const shown = line === null ? undefined : real.find((l) => l.line === line);
  const viaInit =
    shown && !normalise(shown.text).includes(cmd)
      ? ` The log reports it as the init's error (line ${line}): the kernel ran ${cmd} right after the init succeeded and handed its status back through the same error, which INIT and SNP_INIT themselves never return.`
      : '';
  return `${cmd} returned ${FLUSH_ONLY_STATUS[status]} (0x${status.toString(16)}): the firmware flushes the data fabric only when every enabled core (both threads with SMT on) has its WBINVD_DONE flag set, and some core's was not. The kernel had just run WBINVD on every online CPU (wbinvd_on_all_cpus() before each DF_FLUSH and SNP_DF_FLUSH), so no kernel order or setting leaves the flag unset: a platform (CPU, BIOS or firmware) fault, outside any setting sevsim can change. While it lasts no ASID becomes clean on every CCX, so ACTIVATE refuses every guest.${viaInit}`;
}

/** SNP_INIT's answer for the platform itself (SNP_INIT_PLATFORM_STATUS): what it means, and why no setting changes it. */
function platformWhy(cmd: string, status: number): string {
  return `${cmd} returned ${SNP_INIT_PLATFORM_STATUS[status]} (0x${status.toString(16)}): the firmware's answer for the platform itself, before it checks any setting (docs/reference/psp-firmware.md §3.2 step 3): in AMD-ASPFW 1.55.25 a debug-unlocked SoC, or a PSP boot-loader service SNP_INIT relies on failing. No BIOS option, boot mode, kernel or module setting causes it, so none is proposed; SNP stays UNINIT, and with SNPEn set legacy INIT is refused after it.`;
}

function firstLine(real: readonly LogLine[], re: RegExp): number | null {
  return real.find((l) => re.test(normalise(l.text)))?.line ?? null;
}

/** The kernel rule that left a type off, from the state and the simulated log of the replay. */
function kernelDecisions(trace: Trace, real: readonly LogLine[], assumed: ReadonlySet<string>): Finding[] {
  const out: Finding[] = [];
  const s = trace.result.state;
  const sim = trace.result.dmesg.map(normalise);
  const has = (re: RegExp): boolean => sim.some((t) => re.test(t));
  const m = trace.result.config.machine as { bios?: { minSevAsid?: number; smee?: boolean } };
  if (m.bios?.smee === false) {
    out.push({
      cmd: null,
      status: null,
      statusName: null,
      guard: 'ccp.sev-needs-smee',
      line: firstLine(real, /memory encryption not enabled by BIOS|failed to INIT error 0x13/),
      why: 'SYSCFG.MemEncryptionModEn is clear (SMEE off in the BIOS): the driver does not set SEV up and kvm_amd has no SEV — enable SMEE in the BIOS',
    });
  }
  const timeout = sim.find((t) => /^ccp <psp>: sev command 0x[0-9a-f]+ timed out, disabling PSP/.test(t));
  if (timeout) {
    // __sev_do_cmd_locked(): no answer within psp_timeout sets psp_dead, and every later command
    // fails with -EBUSY before reaching the PSP (the "rc -16" of SEV INIT after it).
    out.push({
      cmd: null,
      status: null,
      statusName: null,
      guard: 'ccp.psp-timeout',
      line: firstLine(real, /^ccp <psp>: sev command 0x[0-9a-f]+ timed out, disabling PSP/),
      why: `the PSP did not answer within ccp's timeout ("${timeout.replace(/^ccp <psp>: /, '')}"), so the driver stopped using it and every later command fails with -EBUSY before reaching it; a PSP that does not answer is a platform (BIOS or firmware) fault, which a longer ccp.psp_cmd_timeout does not cure when it never answers`,
    });
  }
  if (!s.modules.kvm_amd.loaded) return out;
  if (
    s.kvm.sevEs.status === 'disabled' &&
    (m.bios?.minSevAsid ?? 0) <= 1 &&
    s.kvm.sev.status !== 'disabled'
  ) {
    out.push({
      cmd: null,
      status: null,
      statusName: null,
      guard: 'kvm_amd.sev-es-asid-range',
      line: firstLine(real, /SEV(?: enabled| supported)/),
      why: 'the minimum SEV ASID (CPUID 0x8000001F EDX) is 1, so the SEV-ES/SNP ASID range 1..min-1 is empty and kvm_amd turns SEV-ES and SNP off — set the BIOS "SEV-ES ASID space limit" (minimum SEV non-ES ASID) above 1',
    });
  }
  if (s.kvm.snp.status !== 'enabled' && !out.some((f) => f.guard === 'kvm_amd.sev-es-asid-range')) {
    const why = !s.host.snp
      ? has(/IOMMU disabled or configured in passthrough/)
        ? 'the IOMMU is off or in passthrough, so the kernel does not enable SNP on the host — boot without iommu=pt (IOMMU translated)'
        : has(/RMP table has not been reserved|not cover full system RAM/)
          ? 'the BIOS reserved no RMP table or one that does not cover all memory, so the kernel does not enable SNP — enable SEV-SNP with full SNP memory coverage in the BIOS'
          : has(/RMP initialization failed/)
            ? 'the IOMMU could not be set up for SNP, so the kernel does not enable SNP'
            : 'the kernel did not enable SNP on the host (CC_ATTR_HOST_SEV_SNP off)'
      : s.firmware.snp !== 'INIT'
        ? 'SNP_INIT did not succeed, so kvm_amd cannot run SNP guests'
        : `kvm_amd reports SEV-SNP ${s.kvm.snp.status}`;
    const line = firstLine(
      real,
      /IOMMU (?:is )?(?:either )?disabled or configured in passthrough|RMP table has not been reserved|not cover full system RAM|SEV-SNP (?:disabled|unusable)/,
    );
    // No RMP line at all is also what a kernel without SNP host support prints (AMDSEV#202).
    const unseen =
      !s.host.snp && line === null && assumed.has('machine.bios.snp')
        ? '; the log shows no RMP line either way, so SNP off in the BIOS is only assumed: a kernel without SNP host support prints none either, and then the BIOS setting is not the cause'
        : '';
    out.push({
      cmd: null,
      status: null,
      statusName: null,
      guard: !s.host.snp ? 'host.snp-off' : 'kvm_amd.sev-snp',
      line,
      why: `${why}${unseen}`,
    });
  }
  return out;
}

/** `assumed`: the scenario paths the inference only assumed (a finding resting on one says so). */
export function findingsOf(
  trace: Trace,
  real: readonly LogLine[],
  assumed: ReadonlySet<string> = new Set(),
): Finding[] {
  const out: Finding[] = [];
  const steps: readonly TraceStep[] = [trace.boot, ...trace.steps];
  let before = trace.boot.state;
  for (const s of steps) {
    for (const call of s.psp) {
      if (call.status === 0) continue;
      const line = reportingLine(real, call.cmd, call.status);
      const flush =
        (call.cmd === 'DF_FLUSH' || call.cmd === 'SNP_DF_FLUSH') && FLUSH_ONLY_STATUS[call.status];
      const platform = call.cmd.startsWith('SNP_INIT') && SNP_INIT_PLATFORM_STATUS[call.status];
      const why = flush
        ? flushWhy(call.cmd, call.status, line, real)
        : platform
          ? platformWhy(call.cmd, call.status)
          : (explainStep(s.op, { ...s.outcome, ok: false }, [call], before, undefined) ?? '');
      out.push({
        cmd: call.cmd,
        status: call.status,
        statusName: call.statusName,
        // The PSP's own answer (machine.pspMailboxStatus) has no guard; name the firmware's check.
        guard:
          call.guard?.id ??
          (flush ? `${call.cmd}.wbinvd-required` : platform ? `${call.cmd}.platform` : null),
        line,
        why,
      });
    }
    before = s.state;
  }
  return [...out, ...kernelDecisions(trace, real, assumed)];
}
