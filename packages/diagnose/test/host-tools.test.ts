/**
 * `sevctl ok` / `snphost ok` output pasted beside (or instead of) the kernel log. Their check lines
 * are no kernel lines: a paste of only them has no SEV kernel line (exit 2, diagnose v1), and
 * `[ FAIL ] - Secure Nested Paging (SEV-SNP)` (CPUID 0x8000001F EAX bit 4 clear) is no SNP activity.
 * Two checks print CPUID 0x8000001F ECX and EDX (virtee/snphost src/ok.rs), which are read as
 * machine.asids and machine.bios.minSevAsid. Real outputs, verbatim:
 * https://github.com/AMDESE/AMDSEV/issues/271 (HPE DL325 Gen10 v2, SNP disabled in the BIOS) and
 * https://github.com/AMDESE/AMDSEV/issues/226 (EPYC 7313, 6.11.0-rc3-snp-host, SNP Memory (RMP
 * Table) Coverage set to Custom; its dmesg is only an attachment).
 */
import { defaultCatalog } from '@sevsim/scenario';
import { describe, expect, it } from 'vitest';
import { DiagnoseInputError, diagnose, readLog } from '../src/index';
import { infer } from '../src/infer';
import { isToolLine } from '../src/host-tools';

const SEVCTL_271 = `$ sudo sevctl ok
[ PASS ] - AMD CPU
[ PASS ]   - Microcode support
[ PASS ]   - Secure Memory Encryption (SME)
[ PASS ]   - Secure Encrypted Virtualization (SEV)
[ PASS ]     - Encrypted State (SEV-ES)
[ FAIL ]     - Secure Nested Paging (SEV-SNP)
[ SKIP ]       - VM Permission Levels
[ SKIP ]         - Number of VMPLs
[ PASS ]     - Physical address bit reduction: 5
[ PASS ]     - C-bit location: 51`;

const SNPHOST_226 = `# snphost ok
[ PASS ] - AMD CPU
[ PASS ]   - Microcode support
[ PASS ]   - Secure Memory Encryption (SME)
[ PASS ]     - SME: Enabled in MSR
[ PASS ]   - Secure Encrypted Virtualization (SEV)
[ PASS ]     - Encrypted State (SEV-ES)
[ PASS ]       - SEV-ES INIT: Enabled
[ PASS ]     - SEV INIT: SEV is INIT, but not currently running a guest
[ PASS ]     - Secure Nested Paging (SEV-SNP)
[ PASS ]       - VM Permission Levels
[ PASS ]         - Number of VMPLs: 4
[ FAIL ]       - SNP: Disabled in MSR
[ PASS ]       - SEV Firmware Version: Sev firmware version: 1.55
[ FAIL ]       - SNP INIT: Failed to get SNP Platform status unable to retrieve SNP platform status
[ PASS ]     - Physical address bit reduction: 5
[ PASS ]     - C-bit location: 51
[ PASS ]     - Number of encrypted guests supported simultaneously: 509
[ PASS ]     - Minimum ASID value for SEV-enabled, SEV-ES disabled guest: 233
[ PASS ]     - Reading /dev/sev: /dev/sev readable
[ PASS ]     - Writing /dev/sev: /dev/sev writable
[ PASS ]   - Page flush MSR: ENABLED
[ PASS ] - KVM supported: API version: 12
[ PASS ]   - SEV enabled in KVM: enabled
[ PASS ]   - SEV-ES enabled in KVM: enabled`;

describe('sevctl ok / snphost ok output', () => {
  it('alone has no SEV kernel line: exit 2 with the message saying what is needed (AMDSEV#271, #226)', () => {
    for (const text of [SEVCTL_271, SNPHOST_226]) {
      expect(() => diagnose(readLog(text))).toThrow(DiagnoseInputError);
      expect(() => diagnose(readLog(text))).toThrow(/`sevctl ok` or `snphost ok` output alone is not enough/);
    }
  });

  it('reads CPUID 0x8000001F ECX and EDX into the ASID count and minimum, each with its line (AMDSEV#226)', () => {
    const inf = infer(readLog(SNPHOST_226), { catalog: defaultCatalog() });
    expect(inf.inferred.find((x) => x.path === 'machine.asids')).toMatchObject({
      value: 509,
      from: { line: 18 },
    });
    expect(inf.inferred.find((x) => x.path === 'machine.bios.minSevAsid')).toMatchObject({
      value: 233,
      from: { line: 19 },
    });
  });

  it('never reads a check line as SNP activity (AMDSEV#271: SNP off in the BIOS, the SNP check FAILs)', () => {
    for (const text of [SEVCTL_271, SNPHOST_226]) {
      const snp = infer(readLog(text), { catalog: defaultCatalog() }).inferred.find(
        (x) => x.path === 'machine.bios.snp',
      );
      expect(snp).toMatchObject({ value: false, assumed: true });
    }
  });

  it('tells tool output and prompts from kernel lines', () => {
    expect(isToolLine('[ FAIL ]     - Secure Nested Paging (SEV-SNP)')).toBe(true);
    expect(isToolLine('weijie@antgroupamdsev:~$ dmesg | grep -i -e rmp -e sev')).toBe(true);
    expect(isToolLine('$ sudo sevctl ok')).toBe(true);
    expect(isToolLine('ccp 0000:42:00.1: SEV-SNP: failed to INIT rc -5, error 0x3')).toBe(false);
    expect(isToolLine('SEV-SNP: RMP table physical range [0x0000000011500000 - 0x0000000051dfffff]')).toBe(
      false,
    );
  });
});
