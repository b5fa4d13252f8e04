/**
 * `SEV-SNP firmware initialized` is the dev_dbg line ccp prints once SNP_INIT succeeded, in AMD's
 * 5.19 snp-host trees and mainline alike (__sev_snp_init_locked; seen only under dynamic debug). It
 * shows SNP up as `SEV-SNP API:` does, so INIT's 0x13 after it is not read as SMEE off (SNP_INIT
 * checks memory encryption the same way first, docs/reference/psp-firmware.md §3.2 step 5). Real
 * log: https://github.com/enarx/enarx/issues/2263 (AWS m6a.metal, Milan 7R13, firmware hot-loaded,
 * dynamic debug on), the corpus fixture's lines up to the 0x13, before its `SEV-SNP API:` line.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnose, readLog } from '../src/index';
import { FIXTURES } from './corpus';

const lines = readFileSync(`${FIXTURES}enarx-2263-aws-m6a-init-0x13.log`, 'utf8').split('\n');
const upTo0x13 = lines
  .slice(
    0,
    lines.findIndex((l) => l.includes('SEV-SNP API:')),
  )
  .join('\n');

describe('enarx#2263 up to INIT 0x13: SNP shown up only by the dynamic-debug line', () => {
  const d = diagnose(readLog(upTo0x13), {}).json;

  it('the excerpt has the dev_dbg line and no SEV-SNP API line', () => {
    expect(upTo0x13).toContain('ccp 0000:54:00.1: SEV-SNP firmware initialized');
    expect(upTo0x13).not.toContain('SEV-SNP API:');
  });

  it('does not read the 0x13 as SMEE off, and names line 7 as SNP initialised', () => {
    expect(d.inferred.find((x) => x.path === 'machine.bios.smee')).toMatchObject({
      value: true,
      assumed: true,
    });
    expect(d.notes).toContain(
      'line 14: INIT answered HWSEV_RET_PLATFORM (0x13) although SNP initialised (line 7); SNP_INIT checks memory encryption the same way, so SMEE off is not inferred and the cause is outside the model',
    );
    expect(d.findings.some((f) => f.guard === 'ccp.sev-needs-smee')).toBe(false);
  });

  it('keeps both dynamic-debug lines as unmodelled, each saying what it is', () => {
    expect(d.replay.onlyInLog.find((g) => g.line === 7)).toMatchObject({
      kind: 'unmodelled',
      note: 'dynamic-debug line after SNP_INIT succeeded (the model does not print dev_dbg): read as SNP initialised',
    });
    expect(d.replay.onlyInLog.find((g) => g.line === 11)?.note).toMatch(
      /^dynamic-debug line with the PSP's status/,
    );
    expect(d.replay.onlyInLog.find((g) => g.line === 14)?.note).toContain('after SNP initialised (line 7)');
  });
});
