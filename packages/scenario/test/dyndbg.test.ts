/**
 * Dynamic debug as a scenario sets it (docs/reference/linux-ccp.md §9.18): `dyndbg=` and
 * `module.dyndbg=` on the command line, `dyndbg` to modprobe, parsed as lib/dynamic_debug.c does.
 * The line users paste from firmware older than 1.51, "SEV-SNP support requires firmware version
 * >= 1:51", is a dev_dbg() in mainline __sev_snp_init_locked() (docs/reference/linux-ccp.md §3.3
 * step 3): it appears when, and only when, ccp's call sites print.
 */
import { describe, expect, it } from 'vitest';
import { defaultCatalog, formatError, parseScenario } from '../src/index';
import { runScenario } from './run-scenario';

const TOO_OLD = 'ccp 0000:03:00.5: SEV-SNP support requires firmware version >= 1:51';

function runWith(kernel: string, steps: readonly string[], version = '6.15') {
  return runScenario({
    machine: '{firmware: "1.49.3"}',
    kernel: `{version: "${version}", ${kernel}}`,
    steps,
  });
}

const dmesg = (t: ReturnType<typeof runWith>) => t.steps.flatMap((s) => s.dmesg);

describe('the firmware-too-old dev_dbg line', () => {
  it('without dynamic debug: not printed; 6.15 skips SNP init silently and legacy INIT meets SNPEn (0x1)', () => {
    const t = runWith('params: {}', ['modprobe: ccp']);
    expect(t.steps[0]!.dmesg).toEqual([
      'ccp 0000:03:00.5: sev enabled',
      'ccp 0000:03:00.5: psp enabled',
      'ccp 0000:03:00.5: SEV: failed to INIT error 0x1, rc -5',
      'ccp 0000:03:00.5: SEV API:1.49 build:3',
    ]);
    expect(t.result.state.firmware).toMatchObject({ snp: 'UNINIT', sev: 'UNINIT' });
  });

  it('ccp.dyndbg=+p on the command line, ccp a module: modprobe passes it on, the line is printed at probe', () => {
    const t = runWith('params: {ccp.dyndbg: "+p"}', ['modprobe: ccp']);
    expect(t.steps[0]!.dmesg).toContain(TOO_OLD);
    // dev_dbg "registered SEV device" of sev_misc_init() too: every ccp call site prints.
    expect(t.steps[0]!.dmesg).toContain('ccp 0000:03:00.5: registered SEV device');
  });

  it('a bare ccp.dyndbg means +p (ddebug_dyndbg_param_cb)', () => {
    expect(dmesg(runWith('params: {ccp.dyndbg: null}', ['modprobe: ccp']))).toContain(TOO_OLD);
  });

  it('modprobe ccp dyndbg=+p, and a later =_ from modprobe overrides the command line', () => {
    expect(dmesg(runWith('params: {}', ['{modprobe: ccp, params: {dyndbg: "+p"}}']))).toContain(TOO_OLD);
    expect(
      dmesg(runWith('params: {ccp.dyndbg: "+p"}', ['{modprobe: ccp, params: {dyndbg: "=_"}}'])),
    ).not.toContain(TOO_OLD);
  });

  it('dyndbg="module ccp +p" is applied at boot only: it reaches a built-in ccp, not a ccp loaded later', () => {
    const builtin = runWith('builtin: [ccp], params: {dyndbg: "module ccp +p"}', ['expect: {ok: true}']);
    expect(builtin.boot.dmesg).toContain(TOO_OLD);
    const module = runWith('params: {dyndbg: "module ccp +p"}', ['modprobe: ccp']);
    expect(dmesg(module)).not.toContain(TOO_OLD);
  });

  it('the flags die with the module: rmmod and modprobe again without dyndbg prints nothing', () => {
    const t = runWith('params: {}', [
      '{modprobe: ccp, params: {dyndbg: "+p"}}',
      'rmmod: ccp',
      'modprobe: ccp',
    ]);
    expect(t.steps[0]!.dmesg).toContain(TOO_OLD);
    expect(t.steps[2]!.dmesg).not.toContain(TOO_OLD);
  });

  it('6.16: kvm_amd runs SNP init at its load; the line comes then, before SNP support is refused', () => {
    const t = runWith('params: {ccp.dyndbg: "+p"}', ['modprobe: kvm_amd'], '6.16');
    expect(t.steps[0]!.dmesg).toContain(TOO_OLD);
  });

  it('a query the kernel refuses prints its dyndbg errors and the module still loads', () => {
    const t = runWith('params: {}', ['{modprobe: ccp, params: {dyndbg: "p"}}']);
    expect(t.steps[0]!.outcome.ok).toBe(true);
    expect(t.steps[0]!.dmesg.slice(0, 2)).toEqual([
      'dyndbg: bad flag-op p, at start of p',
      'dyndbg: flags parse failed',
    ]);
    expect(t.steps[0]!.dmesg).not.toContain(TOO_OLD);
  });
});

describe('what the validator refuses', () => {
  it('a query on single call sites (func/file/format/line), which sevsim does not model', () => {
    const text = [
      'version: 1',
      'name: t',
      'kernel: {params: {ccp.dyndbg: "func sev_pci_init +p"}}',
      'steps: []',
    ].join('\n');
    const r = parseScenario(text, 't.yaml', defaultCatalog());
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors.map(formatError)).toEqual([
        't.yaml:3:31: kernel.params.ccp.dyndbg: the dyndbg match-spec "func" selects single call sites, which sevsim does not model: use "module NAME" or NAME.dyndbg=+p',
      ]);
  });
});
