/**
 * `sev.ioctl`: SEV_ISSUE_CMD on /dev/sev as a scenario step (what `sevctl export` and `snphost ok`
 * issue), with each release's implicit init and shutdown (docs/reference/linux-ccp.md §3.8).
 */
import { describe, expect, it } from 'vitest';
import { defaultCatalog, formatError, parseScenario } from '../src/index';
import { runScenario } from './run-scenario';

const PDH = 'sev.ioctl: {cmd: SEV_PDH_CERT_EXPORT, pdhCertLen: 4096, certChainLen: 8192}';
const firmwareCalls = (psp: readonly { cmd: string; status: number }[] = []) =>
  psp.filter((c) => c.cmd !== 'SNP_PAGE_RECLAIM').map((c) => `${c.cmd}:${c.status}`);

/**
 * docs/reference/linux-ccp.md §9.5: with ccp.psp_init_on_probe=0 kvm_amd's load initialises SNP
 * only; a PEK/PDH ioctl then initialises legacy SEV, runs, and __sev_firmware_shutdown() shuts
 * down both. The next one initialises again, on 6.16–7.1 SNP too (docs/reference/linux-ccp.md §3.8),
 * and on 7.1 that SNP init runs snp_prepare() with KVM's VM_HSAVE_PA set, which on a Genoa meets the
 * SNPEn erratum (docs/reference/linux-ccp.md §7.5).
 */
describe('PDH_CERT_EXPORT after kvm_amd load with psp_init_on_probe=0, three times', () => {
  const play = (version: string) =>
    runScenario({
      machine: '{cpu: genoa}',
      kernel: `{version: "${version}", params: {ccp.psp_init_on_probe: 0}}`,
      steps: ['modprobe: kvm_amd', PDH, PDH, PDH],
    }).steps;

  it('every release: the first ioctl inits legacy SEV and shuts down legacy SEV and SNP', () => {
    for (const v of ['6.16', '7.1', '7.2']) {
      const [load, first] = play(v);
      expect(load!.state.firmware, v).toMatchObject({ sev: 'UNINIT', snp: 'INIT' });
      expect(first!.outcome, v).toMatchObject({ ok: true, errno: null, fwError: null });
      expect(firmwareCalls(first!.outcome.psp), v).toEqual([
        'INIT:0',
        'DF_FLUSH:0',
        'PDH_CERT_EXPORT:0',
        'SHUTDOWN:0',
        'SNP_SHUTDOWN_EX:0',
      ]);
      expect(first!.dmesg, v).toEqual(['ccp 0000:03:00.5: SEV API:1.55 build:25']);
      expect(first!.state.firmware, v).toMatchObject({ sev: 'UNINIT', snp: 'UNINIT' });
    }
  });

  it('6.16: the next ioctls bring SNP up again (SNPEn stays set from boot) and shut both down', () => {
    for (const step of play('6.16').slice(2)) {
      expect(step.outcome).toMatchObject({ ok: true, errno: null, fwError: null });
      expect(firmwareCalls(step.outcome.psp)).toEqual([
        'SNP_INIT_EX:0',
        'SNP_DF_FLUSH:0',
        'INIT:0',
        'DF_FLUSH:0',
        'PDH_CERT_EXPORT:0',
        'SHUTDOWN:0',
        'SNP_SHUTDOWN_EX:0',
      ]);
      expect(step.dmesg).toEqual([
        'ccp 0000:03:00.5: SEV-SNP API:1.55 build:25',
        'ccp 0000:03:00.5: SEV API:1.55 build:25',
      ]);
      expect(step.state.host.snpEn).toBe(true);
    }
  });

  it('7.1: the second ioctl meets the Genoa erratum, EIO with 0x1; the third succeeds', () => {
    const [, first, second, third] = play('7.1');
    // 7.1's SNP shutdown clears SNPEn (x86 snp_shutdown), so the next SNP init sets it again.
    expect(first!.state.host.snpEn).toBe(false);
    expect(second!.outcome).toMatchObject({ ok: false, errno: 'EIO', fwError: 0x1 });
    expect(firmwareCalls(second!.outcome.psp)).toEqual(['SNP_INIT_EX:3']);
    expect(second!.dmesg).toEqual([
      'unchecked MSR access error: WRMSR to 0xc0010010 (tried to write 0x0000000003fc0000) at rIP: 0xffffffffaf5d5c28 (native_write_msr+0x8/0x30)',
      'ccp 0000:03:00.5: SEV-SNP: SNP_INIT_EX failed rc -5, error 0x3',
    ]);
    expect(second!.state.firmware).toMatchObject({ sev: 'UNINIT', snp: 'UNINIT' });
    // clear_hsave_pa() ran after the faulting snp_enable(): VM_HSAVE_PA is 0 now, SNPEn takes.
    expect(third!.outcome).toMatchObject({ ok: true, errno: null, fwError: null });
    expect(firmwareCalls(third!.outcome.psp).slice(0, 2)).toEqual(['SNP_INIT_EX:0', 'SNP_DF_FLUSH:0']);
    expect(third!.dmesg).toEqual([
      'ccp 0000:03:00.5: SEV-SNP API:1.55 build:25',
      'ccp 0000:03:00.5: SEV API:1.55 build:25',
    ]);
  });

  it('7.2: the implicit init is legacy only, so the next ioctls never touch SNP; the SNP guest meets the erratum instead', () => {
    const t = runScenario({
      machine: '{cpu: genoa}',
      kernel: '{version: "7.2", params: {ccp.psp_init_on_probe: 0}}',
      steps: [
        'modprobe: kvm_amd',
        PDH,
        PDH,
        'vm.create: {id: g, type: snp}',
        'vm.init: {id: g}',
        'vm.init: {id: g}',
      ],
    }).steps;
    const [, , second, , init, again] = t;
    expect(second!.outcome).toMatchObject({ ok: true, errno: null, fwError: null });
    expect(firmwareCalls(second!.outcome.psp)).toEqual([
      'INIT:0',
      'DF_FLUSH:0',
      'PDH_CERT_EXPORT:0',
      'SHUTDOWN:0',
    ]);
    expect(second!.dmesg).toEqual(['ccp 0000:03:00.5: SEV API:1.55 build:25']);
    // KVM_SEV_INIT2 of the SNP guest initialises SNP under a loaded KVM (docs/reference/linux-ccp.md §7.5).
    expect(init!.outcome).toMatchObject({ ok: false, errno: 'EIO', fwError: 0x3 });
    expect(init!.dmesg).toEqual([
      'unchecked MSR access error: WRMSR to 0xc0010010 (tried to write 0x0000000003fc0000) at rIP: 0xffffffffaf5d5c28 (native_write_msr+0x8/0x30)',
      'ccp 0000:03:00.5: SEV-SNP: SNP_INIT_EX failed rc -5, error 0x3',
    ]);
    expect(again!.outcome).toMatchObject({ ok: true, errno: null });
  });
});

describe('sev.ioctl: the step itself', () => {
  it('without ccp there is no /dev/sev: ENOENT, no firmware command', () => {
    const [step] = runScenario({
      kernel: '{version: "7.2"}',
      steps: ['sev.ioctl: {cmd: SEV_PLATFORM_STATUS}'],
    }).steps;
    expect(step!.outcome).toEqual({ op: 'sev.ioctl', ok: false, errno: 'ENOENT', fwError: null, psp: [] });
  });

  it('a read-only fd: PEK_GEN is EPERM before any firmware command (sev_ioctl_do_pek_pdh_gen)', () => {
    const [, step] = runScenario({
      kernel: '{version: "7.2"}',
      steps: ['modprobe: ccp', 'sev.ioctl: {cmd: SEV_PEK_GEN, writable: false}'],
    }).steps;
    expect(step!.outcome).toEqual({ op: 'sev.ioctl', ok: false, errno: 'EPERM', fwError: null, psp: [] });
  });

  it("PDH_CERT_EXPORT asking for the lengths (both 0): the firmware's INVALID_LENGTH as EIO, as sevctl sees it", () => {
    const [, step] = runScenario({
      kernel: '{version: "7.2"}',
      steps: ['modprobe: kvm_amd', 'sev.ioctl: {cmd: SEV_PDH_CERT_EXPORT}'],
    }).steps;
    expect(step!.outcome).toMatchObject({ ok: false, errno: 'EIO', fwError: 0x4 });
  });

  it('a field of another command is an input error naming the commands it belongs to', () => {
    const text = [
      'version: 1',
      'name: t',
      'steps:',
      '  - modprobe: ccp',
      '  - sev.ioctl: {cmd: SEV_PLATFORM_STATUS, length: 16}',
    ].join('\n');
    const r = parseScenario(text, 't.yaml', defaultCatalog());
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors.map(formatError)).toEqual([
        't.yaml:5:43: steps[1].sev.ioctl.length: length is a field of SEV_PEK_CSR and SEV_GET_ID2, not of SEV_PLATFORM_STATUS',
      ]);
  });
});
