/**
 * WBINVD_REQUIRED (0xe) from DF_FLUSH and SNP_DF_FLUSH (docs/reference/psp-firmware.md §2.7). In
 * AMD-ASPFW 1.55.25 only the two flushes return 0xe (sev_mcmd.c mcmd_df_flush_common, shared by
 * both), never INIT or SNP_INIT. The kernel sends each flush right after a successful init and
 * wbinvd_on_all_cpus(), and up to 6.16 (legacy) / 6.15 (SNP) reports its status as the init's error
 * (docs/reference/linux-ccp.md §3.3 step 7, §3.4 step 8). So "SEV: failed to INIT error 0xe"
 * (https://github.com/AMDESE/AMDSEV/issues/202, two EPYC 9224, Ubuntu 22.04) is DF_FLUSH's answer:
 * diagnose infers machine.pspMailboxStatus from the line, marked assumed, and proposes no fix (the
 * thread settled none, and no setting changes what the PSP answers).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnose, formatDiagnosis, readLog } from '../src/index';
import { FIXTURES } from './corpus';

const AMDSEV_202 = readFileSync(`${FIXTURES}amdsev-202-genoa-sev-init-0xe.log`, 'utf8');

describe('AMDSEV#202: "SEV: failed to INIT error 0xe" is DF_FLUSH answering WBINVD_REQUIRED', () => {
  const d = diagnose(readLog(AMDSEV_202), { cpu: 'genoa' }).json;

  it('infers the PSP answering both flushes with 0xe from line 2, as an assumption with its reasoning', () => {
    const x = d.inferred.find((i) => i.path === 'machine.pspMailboxStatus');
    expect(x?.value).toEqual({ DF_FLUSH: 0x0e, SNP_DF_FLUSH: 0x0e });
    expect(x?.from).toEqual({ line: 2, text: 'ccp 0000:09:00.5: SEV: failed to INIT error 0xe' });
    expect(x?.assumed).toBe(true);
    expect(x?.note).toContain("which the firmware's INIT and SNP_INIT never return");
    expect(x?.note).toContain('SNP_DF_FLUSH makes the same check');
  });

  it('replays it on 6.11, whose probe prints the same INIT line with its rc', () => {
    expect(d.replay.release).toBe('6.11');
    const g = d.replay.onlyInLog.find((x) => x.line === 2);
    // The Ubuntu 5.15 wording lacks ", rc -5" (added Nov 2021): the same fact, paired, at the
    // board's PSP address (machine.pspPci from the log).
    expect(g?.kind).toBe('wording');
    expect(d.replay.onlyInSimulation[g?.pairedWith ?? -1]).toBe(
      'ccp 0000:09:00.5: SEV: failed to INIT error 0xe, rc -5',
    );
    expect(d.replay.onlyInLog.filter((x) => x.kind === 'fidelity')).toEqual([]);
    // INIT marks every ASID dirty on every CCX; with the flush refused none becomes clean, so
    // ACTIVATE refuses every guest (AMD-ASPFW sev_mcmd.c).
    expect(d.capabilities).toEqual({ sev: false, sevEs: false, snp: false });
  });

  it("explains DF_FLUSH's WBINVD_REQUIRED, tied to line 2: the kernel had run WBINVD on every CPU", () => {
    const f = d.findings.find((x) => x.cmd === 'DF_FLUSH');
    expect(f).toMatchObject({
      status: 0x0e,
      statusName: 'WBINVD_REQUIRED',
      guard: 'DF_FLUSH.wbinvd-required',
    });
    expect(f?.line).toBe(2);
    expect(f?.why).toContain('wbinvd_on_all_cpus() before each DF_FLUSH and SNP_DF_FLUSH');
    expect(f?.why).toContain("The log reports it as the init's error (line 2)");
    expect(f?.why).not.toContain('run WBINVD on all CPUs first');
  });

  it('replayed on 6.16 (--kernel), line 2 stands beside "SEV: DF_FLUSH failed 0xe, rc -5": the same failed command', () => {
    const on616 = diagnose(readLog(AMDSEV_202), { cpu: 'genoa', kernel: '6.16' }).json;
    const g = on616.replay.onlyInLog.find((x) => x.line === 2);
    expect(g?.kind).toBe('wording');
    expect(on616.replay.onlyInSimulation[g?.pairedWith ?? -1]).toBe(
      'ccp 0000:09:00.5: SEV: DF_FLUSH failed 0xe, rc -5',
    );
    expect(on616.findings.find((x) => x.cmd === 'DF_FLUSH')?.line).toBe(2);
  });

  it('proposes no fix, and says the PSP answer is no setting (the thread settled none)', () => {
    expect(d.fixes).toEqual([]);
    expect(formatDiagnosis(d)).toContain(
      'the PSP\'s answers read from the log (machine.pspMailboxStatus = {"DF_FLUSH":14,"SNP_DF_FLUSH":14}) are not a setting a user can change',
    );
    // No RMP line is also what the reporter's pre-SNP kernel prints with SNP enabled in the BIOS.
    expect(d.findings.find((x) => x.guard === 'host.snp-off')?.why).toContain(
      'a kernel without SNP host support prints none either',
    );
  });
});

// The newer wordings, as the modelled releases print them (no public host log shows them yet).
describe('the flush failures in 6.13, 6.16 and 6.17 wording', () => {
  it('6.17 "SEV: DF_FLUSH failed 0xe, rc -5": the line names DF_FLUSH; replayed word for word', () => {
    const log = [
      '[    0.000000] Linux version 6.17.4 (builder@host) #1 SMP',
      '[    5.100000] ccp 0000:03:00.5: sev enabled',
      '[    5.300000] ccp 0000:03:00.5: SEV: DF_FLUSH failed 0xe, rc -5',
      '[    5.400000] kvm_amd: SEV disabled (ASIDs 100 - 1006)',
      '[    5.400001] kvm_amd: SEV-ES disabled (ASIDs 1 - 99)',
    ].join('\n');
    const d = diagnose(readLog(log), { cpu: 'genoa' }).json;
    const x = d.inferred.find((i) => i.path === 'machine.pspMailboxStatus');
    expect(x?.value).toEqual({ DF_FLUSH: 0x0e, SNP_DF_FLUSH: 0x0e });
    expect(x?.from?.line).toBe(3);
    expect(x?.note).toMatch(/^line 3: the PSP answered DF_FLUSH with 0xe \(WBINVD_REQUIRED\)/);
    // SNP_DF_FLUSH's answer is the extension, so the value as a whole stays an assumption.
    expect(x?.assumed).toBe(true);
    expect(d.replay.release).toBe('6.17');
    expect({ matched: d.replay.matched, aligned: d.replay.aligned }).toEqual({ matched: 4, aligned: 4 });
    expect(d.findings.find((f) => f.cmd === 'DF_FLUSH')).toMatchObject({ status: 0x0e, line: 3 });
    expect(d.fixes).toEqual([]);
  });

  it('6.16 with SNP: "SEV-SNP: SNP_DF_FLUSH failed rc -5, error 0xe" aborts legacy init', () => {
    const log = [
      'Linux version 6.16.2 (builder@host) #1 SMP',
      'SEV-SNP: RMP table physical range [0x0000000fefe00000 - 0x0000000fffffffff]',
      'AMD-Vi: IOMMU SNP support enabled.',
      'ccp 0000:03:00.5: sev enabled',
      'ccp 0000:03:00.5: SEV-SNP: SNP_DF_FLUSH failed rc -5, error 0xe',
      'kvm_amd: SEV disabled (ASIDs 100 - 1006)',
      'kvm_amd: SEV-ES disabled (ASIDs 1 - 99)',
      'kvm_amd: SEV-SNP disabled (ASIDs 1 - 99)',
    ].join('\n');
    const d = diagnose(readLog(log), { cpu: 'genoa' }).json;
    const x = d.inferred.find((i) => i.path === 'machine.pspMailboxStatus');
    expect(x?.value).toEqual({ SNP_DF_FLUSH: 0x0e, DF_FLUSH: 0x0e });
    expect(x?.from?.line).toBe(5);
    expect(d.replay.matched).toBe(d.replay.aligned);
    expect(d.findings.find((f) => f.cmd === 'SNP_DF_FLUSH')).toMatchObject({ status: 0x0e, line: 5 });
    expect(d.capabilities).toEqual({ sev: false, sevEs: false, snp: false });
  });

  it('6.13 with SNP initialised: only DF_FLUSH is inferred, since SNP_DF_FLUSH succeeded', () => {
    const log = [
      'Linux version 6.13.0 (builder@host) #1 SMP',
      'SEV-SNP: RMP table physical range [0x0000000fefe00000 - 0x0000000fffffffff]',
      'AMD-Vi: IOMMU SNP support enabled.',
      'ccp 0000:03:00.5: sev enabled',
      'ccp 0000:09:00.5: SEV: failed to INIT error 0xe, rc -5',
      'ccp 0000:03:00.5: SEV-SNP API:1.55 build:25',
      'kvm_amd: SEV enabled (ASIDs 100 - 1006)',
      'kvm_amd: SEV-ES enabled (ASIDs 1 - 99)',
      'kvm_amd: SEV-SNP enabled (ASIDs 1 - 99)',
    ].join('\n');
    const d = diagnose(readLog(log), { cpu: 'genoa' }).json;
    const x = d.inferred.find((i) => i.path === 'machine.pspMailboxStatus');
    expect(x?.value).toEqual({ DF_FLUSH: 0x0e });
    expect(x?.assumed).toBe(true);
    expect(x?.note).not.toContain('SNP_DF_FLUSH makes the same check');
    expect(d.replay.release).toBe('6.13');
    expect(d.replay.matched).toBe(d.replay.aligned);
    expect(d.findings.find((f) => f.cmd === 'DF_FLUSH')).toMatchObject({ status: 0x0e, line: 5 });
  });
});
