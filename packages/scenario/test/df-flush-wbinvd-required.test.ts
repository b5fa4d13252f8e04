/**
 * WBINVD_REQUIRED (0xe) after a successful legacy INIT (docs/reference/psp-firmware.md §2.7;
 * docs/reference/linux-ccp.md §3.4 step 8). In AMD-ASPFW 1.55.25 only DF_FLUSH and SNP_DF_FLUSH
 * return it (sev_mcmd.c mcmd_df_flush_common), never INIT; the kernel sends DF_FLUSH right after
 * INIT and wbinvd_on_all_cpus(). https://github.com/AMDESE/AMDSEV/issues/202 (two EPYC 9224, all
 * CPUs online) logged it as "SEV: failed to INIT error 0xe". Which thread missed its WBINVD there is
 * not known, so a scenario replays it as a PSP that answers DF_FLUSH with 0xe
 * (`machine.pspMailboxStatus`). What the kernel reports differs by release: ≤6.15 the caller's
 * INIT line carries DF_FLUSH's status; 6.16 prints "SEV: DF_FLUSH failed" and still returns the
 * status through `error`; 6.17+ (0fa766726c09) keeps INIT's status in `error`.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from './run-scenario';

// The report's board puts the master PSP at 0000:09:00.5 ("ccp 0000:09:00.5: sev enabled").
const MACHINE = '{cpu: genoa, sockets: 2, pspPci: ["0000:09:00.5"], pspMailboxStatus: {DF_FLUSH: 0x0e}}';

function deferredInit(version: string) {
  return runScenario({
    machine: MACHINE,
    kernel: `{version: "${version}", params: {ccp.psp_init_on_probe: 0}}`,
    steps: ['modprobe: kvm_amd', 'vm.create: {id: a, type: sev}', 'vm.init: {id: a}'],
  });
}

describe('DF_FLUSH answers WBINVD_REQUIRED after INIT (AMDSEV#202)', () => {
  it("6.11 probe: the INIT line carries DF_FLUSH's 0xe, as on the AMDSEV#202 host", () => {
    const t = runScenario({ machine: MACHINE, kernel: '{version: "6.11"}', steps: ['modprobe: kvm_amd'] });
    // The report's line, word for word, with the ", rc -5" 6.11 adds.
    expect(t.result.dmesg).toContain('ccp 0000:09:00.5: sev enabled');
    expect(t.result.dmesg).toContain('ccp 0000:09:00.5: SEV: failed to INIT error 0xe, rc -5');
    // The second socket's PSP, which the report does not show, keeps the preset's address.
    expect(t.result.dmesg).toContain('ccp 0000:83:00.5: psp enabled');
    expect(t.result.dmesg.filter((l) => l.includes('DF_FLUSH'))).toEqual([]);
  });

  it('6.16: "SEV: DF_FLUSH failed 0xe, rc -5", and KVM_SEV_INIT2 fails EIO with error 0xe', () => {
    const t = deferredInit('6.16');
    expect(t.result.steps[2]).toMatchObject({ op: 'vm.init', ok: false, errno: 'EIO', fwError: 0x0e });
    expect(t.steps[2]!.dmesg).toEqual(['ccp 0000:09:00.5: SEV: DF_FLUSH failed 0xe, rc -5']);
  });

  it("6.17: the same line, but error keeps INIT's status 0, so KVM_SEV_INIT2 fails EIO with no firmware error", () => {
    const t = deferredInit('6.17');
    expect(t.result.steps[2]).toMatchObject({ op: 'vm.init', ok: false, errno: 'EIO', fwError: null });
    expect(t.steps[2]!.dmesg).toEqual(['ccp 0000:09:00.5: SEV: DF_FLUSH failed 0xe, rc -5']);
    expect(deferredInit('7.2').result.steps[2]).toMatchObject({ errno: 'EIO', fwError: null });
  });
});
