/**
 * INIT's HWSEV_RET_PLATFORM (0x13) reads as SMEE off (sev-tool#43, a 5.8 kernel without SNP) only
 * when the log does not show SNP initialised. SNP_INIT checks the same things first: memory
 * controllers encrypting, MemEncryptionModEn and SNPEn on every core, SMKE off
 * (docs/reference/psp-firmware.md §3.2 step 5; AMD-ASPFW 1.55.25 sev_mcmd.c, the same
 * umc_encryption_enabled() / sme_is_enabled_all_cores() / smke_enabled test as INIT's). So a log
 * where SNP came up and INIT then answered 0x13 does not show SMEE off. Real log:
 * https://github.com/enarx/enarx/issues/1315 (Milan, an AMD snp-host kernel, firmware hot-loaded to
 * SNP API 1.42; the reporter suspected the BIOS and the thread settled no cause), verbatim.
 */
import { describe, expect, it } from 'vitest';
import { diagnose, readLog } from '../src/index';

const ENARX_1315 = `[    0.547170] SEV-SNP: RMP table physical address 0x0000000033900000 - 0x0000000073efffff
[    7.898691] ccp 0000:49:00.1: sev enabled
[    7.947610] ccp 0000:49:00.1: SEV firmware update successful
[   14.150879] ccp 0000:49:00.1: SEV: failed to INIT error 0x13
[   14.150923] ccp 0000:49:00.1: SEV-SNP API:1.42 build:42
[   14.157112] SEV supported: 410 ASIDs
[   14.157112] SEV-ES and SEV-SNP supported: 99 ASIDs`;

describe('enarx#1315: INIT 0x13 after SNP initialised', () => {
  const d = diagnose(readLog(ENARX_1315), {}).json;

  it('does not infer SMEE off, and says why in a note', () => {
    const smee = d.inferred.find((x) => x.path === 'machine.bios.smee');
    expect(smee).toMatchObject({ value: true, assumed: true });
    expect(d.notes).toContain(
      'line 4: INIT answered HWSEV_RET_PLATFORM (0x13) although SNP initialised (line 5); SNP_INIT checks memory encryption the same way, so SMEE off is not inferred and the cause is outside the model',
    );
    expect(d.findings.some((f) => f.guard === 'ccp.sev-needs-smee')).toBe(false);
  });

  it('keeps the 0x13 line as an unmodelled cause, and still reads the rest', () => {
    const g = d.replay.onlyInLog.find((x) => x.line === 4);
    expect(g?.kind).toBe('unmodelled');
    expect(g?.note).toContain('after SNP initialised (line 5)');
    expect(d.inferred.find((x) => x.path === 'machine.bios.snp')?.value).toBe(true);
    expect(d.inferred.find((x) => x.path === 'machine.asids')?.value).toBe(509);
    // The RMP line and both kvm_amd lines are the snp-host wordings of lines the replay printed.
    for (const line of [1, 6, 7])
      expect(d.replay.onlyInLog.find((g) => g.line === line)?.kind).toBe('wording');
  });
});

it('sev-tool#43 (no SNP in the log): INIT 0x13 still reads as SMEE off', () => {
  const d = diagnose(readLog('[    6.066387] ccp 0000:42:00.1: SEV: failed to INIT error 0x13'), {}).json;
  expect(d.inferred.find((x) => x.path === 'machine.bios.smee')).toMatchObject({
    value: false,
    from: { line: 1 },
  });
});
