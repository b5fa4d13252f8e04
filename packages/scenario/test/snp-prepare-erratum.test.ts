/**
 * 7.1+ snp_prepare() and the Genoa SNPEn erratum (docs/reference/linux-ccp.md §3.3 step 4, §7.4, §7.5).
 * From 7.1 SNPEn is set at SNP init, not at boot: snp_prepare() runs snp_enable() on every CPU and
 * only after it clear_hsave_pa() (Linux v7.1 and v7.2 arch/x86/virt/svm/sev.c snp_prepare()). An
 * SNP init while KVM has virtualization enabled (6.12+ enables it at load,
 * docs/reference/linux-kvm-amd.md §2.7) therefore writes SNPEn with VM_HSAVE_PA set on every
 * thread. On Family 19h models 10h–1Fh that WRMSR faults (AMD revision guide 57095): the fixup
 * prints the unchecked MSR line once per boot, SNPEn stays clear, VM_HSAVE_PA is cleared anyway,
 * and SNP_INIT_EX fails INVALID_CONFIG. A scenario reaches it with kvm_amd loaded with `sev=0` (no
 * SNP init at load) and SNP_COMMIT from /dev/sev, which on 6.16–7.1 initialises SNP for the
 * command and shuts it down after it (docs/reference/linux-ccp.md §3.8).
 */
import { describe, expect, it } from 'vitest';
import { openSession } from '../src/index';
import { runScenario } from './run-scenario';

const GP =
  'unchecked MSR access error: WRMSR to 0xc0010010 (tried to write 0x0000000003fc0000) at rIP: 0xffffffffaf5d5c28 (native_write_msr+0x8/0x30)';

function commitTwice(version: string, cpu: string) {
  return runScenario({
    machine: `{cpu: ${cpu}}`,
    kernel: `{version: "${version}", params: {kvm_amd.sev: 0}}`,
    steps: ['modprobe: kvm_amd', 'fw.commit: {}', 'fw.commit: {}'],
  });
}

const cmds = (psp: readonly { cmd: string; status: number }[] | undefined) =>
  (psp ?? []).map((c) => `${c.cmd}:${c.status}`);

describe('7.1 SNP init with KVM loaded on Genoa (docs/reference/linux-ccp.md §7.4)', () => {
  it('SNP_COMMIT: snp_enable faults on every CPU, one unchecked MSR line, SNP_INIT_EX fails 0x3, the ioctl EIO with 0x1', () => {
    const t = commitTwice('7.1', 'genoa');
    const [, first] = t.result.steps;
    expect(first).toMatchObject({ op: 'fw.commit', ok: false, errno: 'EIO', fwError: 1 });
    expect(cmds(first!.psp)).toEqual(['SNP_INIT_EX:3']);
    expect(t.steps[1]!.psp[0]!.guard!.id).toBe('SNP_INIT_EX.cores-snp-enabled');
    expect(t.steps[1]!.dmesg).toEqual([GP, 'ccp 0000:03:00.5: SEV-SNP: SNP_INIT_EX failed rc -5, error 0x3']);
    expect(t.steps[1]!.state).toMatchObject({ host: { snpEn: false }, firmware: { snp: 'UNINIT' } });
    expect(t.steps[1]!.explanation).toContain(
      'or the WRMSR faulted: on Family 19h models 10h–1Fh it does while a thread of the core has VM_HSAVE_PA set by KVM',
    );
  });

  it('the failed prepare cleared VM_HSAVE_PA under KVM, so the next SNP init sets SNPEn and succeeds, without a second line', () => {
    const t = commitTwice('7.1', 'genoa');
    const second = t.result.steps[2]!;
    expect(second).toMatchObject({ ok: true, errno: null, fwError: null });
    expect(cmds(second.psp)).toEqual([
      'SNP_INIT_EX:0',
      'SNP_DF_FLUSH:0',
      'SNP_COMMIT:0',
      'SNP_SHUTDOWN_EX:0',
    ]);
    expect(t.result.dmesg.filter((l) => l === GP)).toHaveLength(1);
  });

  it('Milan (model 01h) has no such erratum: the first SNP_COMMIT succeeds, no unchecked MSR line', () => {
    const t = commitTwice('7.1', 'milan');
    expect(t.result.steps[1]).toMatchObject({ ok: true, fwError: null });
    expect(t.result.dmesg).not.toContain(GP);
  });

  it('7.0 set SNPEn at boot before KVM loaded: the same steps never write SNPEn under KVM', () => {
    const t = commitTwice('7.0', 'genoa');
    expect(t.result.steps[1]).toMatchObject({ ok: true, fwError: null });
    expect(t.result.dmesg).not.toContain(GP);
  });

  it('kvm_amd not loaded: VM_HSAVE_PA is 0 everywhere and the 7.1 SNP_COMMIT succeeds on Genoa', () => {
    const t = runScenario({
      machine: '{cpu: genoa}',
      kernel: '{version: "7.1"}',
      steps: ['modprobe: ccp', 'fw.commit: {}'],
    });
    expect(t.result.steps[1]).toMatchObject({ ok: true, fwError: null });
    expect(t.result.dmesg).not.toContain(GP);
  });
});

describe('a quiet session (the explorer) keeps no line, the once-only report included', () => {
  it('7.1 Genoa SNP_COMMIT under KVM: same outcome, empty log', () => {
    const s = openSession(
      { machine: { cpu: 'genoa' }, kernel: { version: '7.1', params: { 'kvm_amd.sev': 0 } } },
      { quiet: true },
    );
    s.apply({ op: 'modprobe', module: 'kvm_amd', params: {}, line: 1 });
    expect(s.apply({ op: 'fw.commit', line: 2 })).toMatchObject({ ok: false, errno: 'EIO', fwError: 1 });
    expect(s.world.ctx.log.lines).toEqual([]);
  });

  it('dev_dbg lines turned on by ccp.dyndbg=+p (docs/reference/linux-ccp.md §9.18) are kept out too', () => {
    const config = {
      machine: { cpu: 'genoa' as const },
      kernel: { version: '7.1', params: { 'ccp.dyndbg': '+p' } },
    };
    const loud = openSession(config);
    loud.apply({ op: 'modprobe', module: 'ccp', params: {}, line: 1 });
    expect(loud.world.ctx.log.lines).toContain('ccp 0000:03:00.5: registered SEV device');
    const quiet = openSession(config, { quiet: true });
    quiet.apply({ op: 'modprobe', module: 'ccp', params: {}, line: 1 });
    expect(quiet.world.ctx.log.lines).toEqual([]);
  });
});
