/**
 * 6.16 moved platform init to kvm_amd load and reworded its failures; 7.2 refuses SNP init when a
 * present CPU is offline. No public host log of these releases shows a failure yet, so these logs
 * are the lines those kernels print (format strings filled as the layers fill them): the wording
 * must still read them, tie the failure to its line and find the cause.
 * - "SEV-SNP: SNP_INIT_EX failed rc %d, error %#x" (v6.16+ sev-dev.c __sev_snp_init_locked,
 *   docs/reference/linux-ccp.md §3.3 step 6); before 6.16 "SEV-SNP: failed to INIT rc %d, error %#x".
 * - "SEV: INIT failed %#x, rc %d" (v6.16+ __sev_platform_init_locked,
 *   docs/reference/linux-ccp.md §3.4 step 6).
 * - "SEV-SNP: SNP init failed: not all CPUs online. (%*pbl online <-> %*pbl present masks)."
 *   (v7.2 arch/x86/virt/svm/sev.c snp_prepare(), docs/reference/linux-ccp.md §3.3 step 4).
 */
import { describe, expect, it } from 'vitest';
import { diagnose, readLog } from '../src/index';

const BOOT = [
  '[    0.000000] SEV-SNP: RMP table physical range [0x0000000fefe00000 - 0x0000000fffffffff]',
  '[    2.101010] AMD-Vi: IOMMU SNP support enabled.',
  '[    5.201010] ccp 0000:47:00.1: sev enabled',
  '[    5.201020] ccp 0000:47:00.1: psp enabled',
];
const KVM_OFF = [
  '[    9.400010] kvm_amd: SEV disabled (ASIDs 100 - 509)',
  '[    9.400020] kvm_amd: SEV-ES disabled (ASIDs 1 - 99)',
  '[    9.400030] kvm_amd: SEV-SNP disabled (ASIDs 1 - 99)',
];

describe('6.16+: SNP_INIT_EX refused with INVALID_CONFIG at kvm_amd load', () => {
  const log = [
    ...BOOT,
    '[    9.300000] ccp 0000:47:00.1: SEV-SNP: SNP_INIT_EX failed rc -5, error 0x3',
    ...KVM_OFF,
  ];
  const d = diagnose(readLog(log.join('\n')), { kernel: '6.16', cpu: 'milan' }).json;

  it('ties the refused SNP_INIT_EX to the 6.16 wording of its line', () => {
    const f = d.findings.find((x) => x.cmd === 'SNP_INIT_EX' && x.status === 3);
    expect(f?.line).toBe(5);
  });

  it('replays every line on 6.16 and proposes the UEFI boot among the verified fixes', () => {
    expect(d.replay.matched).toBe(8);
    expect(d.replay.onlyInLog).toEqual([]);
    expect(d.capabilities).toEqual({ sev: false, sevEs: false, snp: false });
    expect(d.fixes.map((f) => f.changes)).toContainEqual([{ path: 'machine.bios.bootMode', value: 'uefi' }]);
  });
});

it('6.16+: "SEV: INIT failed 0x1, rc -5" reads as a refused INIT', () => {
  const log = [...BOOT, '[    9.300000] ccp 0000:47:00.1: SEV: INIT failed 0x1, rc -5', ...KVM_OFF];
  const d = diagnose(readLog(log.join('\n')), { kernel: '6.16', cpu: 'milan' }).json;
  expect(d.replay.onlyInLog.find((g) => g.line === 5)?.kind).toBe('fidelity');
});

describe('7.2: SNP init refused because a present CPU is offline', () => {
  const log = [
    ...BOOT,
    '[    9.300000] SEV-SNP: SNP init failed: not all CPUs online. (0-39,41-127 online <-> 0-127 present masks).',
    ...KVM_OFF,
  ];
  const d = diagnose(readLog(log.join('\n')), { kernel: '7.2', cpu: 'milan' }).json;

  it('reads the offline CPUs from the two masks', () => {
    const x = d.inferred.find((i) => i.path === 'machine.offlineCores');
    expect(x?.value).toEqual([40]);
    expect(x?.from?.line).toBe(5);
  });

  it('replays the refusal word for word and proposes bringing the CPU online', () => {
    expect(d.replay.matched).toBe(8);
    expect(d.replay.onlyInLog).toEqual([]);
    expect(d.fixes[0]?.changes).toEqual([{ path: 'machine.offlineCores', value: [] }]);
  });
});

/**
 * A log without `Linux version` (most pasted excerpts) is at least as new as the newest wording it
 * holds: "SNP_INIT_EX failed rc" is 6.16+, "not all CPUs online" 7.2. The replay then runs on the
 * oldest modelled release that prints those lines, not on the oldest modelled release (6.11),
 * whose probe-time wording would leave them unmatched.
 */
describe('a wording only newer kernels print sets the release the log is at least', () => {
  it('6.16 wording without a Linux version line: kernel.version 6.16, assumed, naming the line', () => {
    const log = [
      ...BOOT,
      '[    9.300000] ccp 0000:47:00.1: SEV-SNP: SNP_INIT_EX failed rc -5, error 0x3',
      ...KVM_OFF,
    ];
    const d = diagnose(readLog(log.join('\n')), { cpu: 'milan' }).json;
    const v = d.inferred.find((x) => x.path === 'kernel.version');
    expect(v).toEqual({
      path: 'kernel.version',
      value: '6.16',
      assumed: true,
      note: 'the log does not name the release; line 5 is worded as 6.16 and later kernels print it: the oldest modelled release from 6.16',
    });
    expect(d.replay.release).toBe('6.16');
  });

  it('7.2 wording: kernel.version 7.2', () => {
    const log = [
      ...BOOT,
      '[    9.300000] SEV-SNP: SNP init failed: not all CPUs online. (0-39,41-127 online <-> 0-127 present masks).',
      ...KVM_OFF,
    ];
    const d = diagnose(readLog(log.join('\n')), { cpu: 'milan' }).json;
    expect(d.inferred.find((x) => x.path === 'kernel.version')?.value).toBe('7.2');
    expect(d.replay.onlyInLog).toEqual([]);
  });
});

it("6.16+: an init failure quoted without kvm_amd's lines still replays at kvm_amd load (docs/reference/linux-ccp.md §3.1)", () => {
  // From 6.16 ccp's probe initialises nothing; kvm_amd's load runs SNP_INIT_EX (constructed line).
  const log = '[    9.300000] ccp 0000:47:00.1: SEV-SNP: SNP_INIT_EX failed rc -5, error 0x3';
  const d = diagnose(readLog(log), { kernel: '6.16', cpu: 'milan' }).json;
  expect(d.scenario).toMatchObject({ steps: [{ modprobe: 'ccp' }, { modprobe: 'kvm_amd' }] });
  expect(d.findings.find((x) => x.cmd === 'SNP_INIT_EX' && x.status === 3)?.line).toBe(1);
  expect([d.replay.matched, d.replay.aligned]).toEqual([1, 1]);
});
