/**
 * jepio/AMDSEV's README (fixtures/jepio-amdsev-azure-nested-6.7.log): an Azure VM used as a nested
 * SNP host on a 6.7 snp-host kernel. Its PSP is a platform device named "psp" (no PCI address;
 * sp_platform_probe() in drivers/crypto/ccp/sp-platform.c prints "enabled") whose API version the
 * hypervisor fixes at 1.42, and its kvm_amd prints an empty SEV range as "enabled" (a tree without
 * 0aa6b90ef9d7, docs/reference/linux-kvm-amd.md §2.6). Before, the reader dropped the four
 * "ccp psp:" lines and called the SEV line a fidelity gap.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnose, readLog } from '../src/index';
import { FIXTURES } from './corpus';

const LOG = readFileSync(`${FIXTURES}jepio-amdsev-azure-nested-6.7.log`, 'utf8');

describe('a PSP that is a platform device (Azure nested SNP host)', () => {
  const d = diagnose(readLog(LOG), { cpu: 'milan' }).json;

  it('reads the "ccp psp:" lines: aligned, "enabled" as the platform probe\'s unmodelled line', () => {
    expect(d.replay.aligned).toBe(15);
    expect(d.replay.onlyInLog.find((g) => g.line === 4)).toMatchObject({
      text: 'ccp psp: enabled',
      kind: 'unmodelled',
    });
  });

  it("does not take the virtual PSP's API 1.42 as machine.firmware, and says why", () => {
    expect(d.inferred.find((x) => x.path === 'machine.firmware')).toMatchObject({ assumed: true });
    expect(d.notes).toContain(
      "the PSP is a platform device (line 2: \"ccp psp:\", no PCI address), not a bare-metal EPYC's PCI function: a virtual PSP such as a nested SNP host's (https://github.com/jepio/AMDSEV). The model's PSP is the bare-metal one, so the API version it reports (line 5) is not read as machine.firmware and what the virtual PSP allows or refuses on its own is outside the replay",
    );
    // No firmware update proposed to a VM that cannot take one.
    expect(d.fixes).toEqual([]);
    // The same line from a PCI PSP is the firmware, as before.
    const pci = diagnose(readLog(LOG.replaceAll('ccp psp: ', 'ccp 0000:47:00.1: ')), { cpu: 'milan' }).json;
    expect(pci.inferred.find((x) => x.path === 'machine.firmware')).toMatchObject({ value: '1.42.42' });
    expect(pci.notes.some((n) => n.startsWith('the PSP is a platform device'))).toBe(false);
  });

  it('an empty SEV range printed "enabled" is the older wording of "unusable"; a non-empty one is not', () => {
    expect(d.replay.onlyInLog.find((g) => g.line === 9)).toMatchObject({
      text: 'kvm_amd: SEV enabled (ASIDs 17 - 16)',
      kind: 'wording',
    });
    expect(d.inferred.find((x) => x.path === 'machine.bios.minSevAsid')).toMatchObject({
      value: 17,
      from: { line: 9 },
    });
    expect(d.inferred.find((x) => x.path === 'machine.asids')).toMatchObject({
      value: 16,
      from: { line: 9 },
    });
    const full = diagnose(
      readLog('kvm_amd: SEV enabled (ASIDs 100 - 1006)\nkvm_amd: SEV-ES enabled (ASIDs 1 - 99)'),
    ).json;
    expect(full.replay.onlyInLog.some((g) => g.kind === 'wording')).toBe(false);
  });
});
