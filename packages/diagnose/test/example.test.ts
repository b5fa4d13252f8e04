// The README example, run as written (AMDSEV#189's log).
import { expect, it } from 'vitest';
import { diagnose, formatDiagnosis } from '../src/index';

it('README example: AMDSEV#189 reads as SNP_INIT memory-map refusal, fixed by a UEFI boot', () => {
  const log = `[    0.492094] SEV-SNP: RMP table physical address [0x000000004de00000 - 0x00000000566fffff]
[   11.652294] ccp 0000:42:00.1: sev enabled
[   11.702131] ccp 0000:42:00.1: SEV-SNP: failed to INIT rc -5, error 0x3
[   11.717361] ccp 0000:42:00.1: SEV: failed to INIT error 0x1, rc -5
[   11.717785] ccp 0000:42:00.1: SEV API:1.55 build:7
[   11.782062] kvm_amd: SEV-ES and SEV-SNP supported: 99 ASIDs
[   11.782063] kvm_amd: SEV enabled (ASIDs 100 - 509)
[   11.782063] kvm_amd: SEV-ES enabled (ASIDs 1 - 99)`;
  const d = diagnose(log, { cpu: 'milan' });
  expect(d.json.findings.map((f) => `${f.cmd} ${f.statusName} [${f.guard}]`)).toEqual([
    'SNP_INIT_EX INVALID_CONFIG [SNP_INIT_EX.memory-map]',
    'INIT INVALID_PLATFORM_STATE [INIT.snpen-needs-rmp]',
  ]);
  expect(d.json.fixes[0]?.changes).toEqual([{ path: 'machine.bios.bootMode', value: 'uefi' }]);
  expect(formatDiagnosis(d.json)).toContain('Fixes that reach SNP');
});
