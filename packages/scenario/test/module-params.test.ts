/**
 * Module parameters reach the kernel as text and are parsed by the kernel's own parsers at load
 * (kernel/params.c parse_args, lib/kstrtox.c, per release, through @sevsim/kernel). A value the
 * kernel refuses is a runtime outcome, as on a real machine: modprobe fails with the parser's
 * errno and the kernel prints "MODULE: `VALUE' invalid for parameter `NAME'" (issue 9 item 2).
 */
import { describe, expect, it } from 'vitest';
import { defaultCatalog, formatError, parseScenario, run, type Trace } from '../src/index';

function runText(lines: string[]): Trace {
  const r = parseScenario(['version: 1', 'name: t', ...lines].join('\n'), 't.yaml', defaultCatalog());
  if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
  return run(r.scenario);
}

describe('modprobe with a value the kernel refuses', () => {
  it("kvm_amd.ciphertext_hiding_asids=max: EINVAL and params.c's line (the v5–v7 postings' keyword, not in v6.18)", () => {
    const t = runText([
      'kernel: {version: "6.18", params: {kvm_amd.ciphertext_hiding_asids: max}}',
      'steps: [{modprobe: kvm_amd}]',
    ]);
    expect(t.steps[0]!.outcome).toMatchObject({ op: 'modprobe', ok: false, errno: 'EINVAL', fwError: null });
    expect(t.result.dmesg).toContain("kvm_amd: `max' invalid for parameter `ciphertext_hiding_asids'");
    expect(t.result.state.modules.kvm_amd.loaded).toBe(false);
    // ccp, loaded first as kvm_amd's dependency, stays loaded.
    expect(t.result.state.modules.ccp.loaded).toBe(true);
    expect(t.steps[0]!.explanation).toBe(
      "modprobe returned EINVAL: the kernel's parameter parser refused a value (kvm_amd: `max' invalid for parameter `ciphertext_hiding_asids'; kernel/params.c parse_args, load_module fails with the parser's error) — a bool takes y/n/t/f/1/0/on/off, an int or uint a number in decimal, 0x hex or 0-prefixed octal (a uint without a minus sign, below 2^32).",
    );
  });

  it('-1 is refused by kstrtouint (EINVAL), a value beyond 32 bits with ERANGE', () => {
    const neg = runText([
      'kernel: {params: {kvm_amd.ciphertext_hiding_asids: -1}}',
      'steps: [{modprobe: kvm_amd}]',
    ]);
    expect(neg.steps[0]!.outcome).toMatchObject({ ok: false, errno: 'EINVAL' });
    expect(neg.result.dmesg).toContain("kvm_amd: `-1' invalid for parameter `ciphertext_hiding_asids'");
    const big = runText(['steps: [{modprobe: kvm_amd, params: {ciphertext_hiding_asids: 4294967296}}]']);
    expect(big.steps[0]!.outcome).toMatchObject({ ok: false, errno: 'ERANGE' });
    expect(big.result.dmesg).toContain(
      "kvm_amd: `4294967296' invalid for parameter `ciphertext_hiding_asids'",
    );
  });

  it('ccp.psp_init_on_probe=maybe fails ccp, and with it modprobe kvm_amd', () => {
    const t = runText(['kernel: {params: {ccp.psp_init_on_probe: maybe}}', 'steps: [{modprobe: kvm_amd}]']);
    expect(t.steps[0]!.outcome).toMatchObject({ ok: false, errno: 'EINVAL' });
    expect(t.result.dmesg).toContain("ccp: `maybe' invalid for parameter `psp_init_on_probe'");
    expect(t.result.dmesg.filter((l) => l.startsWith('ccp'))).toHaveLength(1);
    expect(t.result.state.modules.ccp.loaded).toBe(false);
  });
});

describe('values the kernel accepts that the old validator refused (issue 9 item 2)', () => {
  it('kvm_amd.sev_snp=disable on 6.17+ (kstrtobool d/D), refused on 6.16', () => {
    const on17 = runText([
      'kernel: {version: "6.17", params: {kvm_amd.sev_snp: disable}}',
      'steps: [{modprobe: kvm_amd}]',
    ]);
    expect(on17.steps[0]!.outcome.ok).toBe(true);
    expect(on17.result.state.modules.kvm_amd.params.sev_snp).toBe('N');
    const on16 = runText([
      'kernel: {version: "6.16", params: {kvm_amd.sev_snp: disable}}',
      'steps: [{modprobe: kvm_amd}]',
    ]);
    expect(on16.steps[0]!.outcome).toMatchObject({ ok: false, errno: 'EINVAL' });
    expect(on16.result.dmesg).toContain("kvm_amd: `disable' invalid for parameter `sev_snp'");
  });

  it('ccp.psp_init_on_probe=f: false (first character), so 6.14 leaves the platform UNINIT at probe', () => {
    const t = runText([
      'kernel: {version: "6.14", params: {ccp.psp_init_on_probe: f}}',
      'steps: [{modprobe: ccp}]',
    ]);
    expect(t.steps[0]!.outcome.ok).toBe(true);
    expect(t.result.state.firmware.sev).toBe('UNINIT');
  });

  it('ciphertext_hiding_asids: "0x32" and unquoted 062 are both 50 (base 0)', () => {
    for (const v of ['"0x32"', '062']) {
      const t = runText([
        'machine: {cpu: turin}',
        `kernel: {version: "6.18", params: {kvm_amd.ciphertext_hiding_asids: ${v}}}`,
        'steps: [{modprobe: kvm_amd}]',
      ]);
      expect(t.steps[0]!.outcome.ok).toBe(true);
      expect(t.result.state.modules.kvm_amd.params.ciphertext_hiding_asids).toBe('50');
    }
  });

  it('a refused command-line value fails every modprobe, even one that passes a good value (kmod puts the command line first)', () => {
    const t = runText([
      'kernel: {params: {kvm_amd.ciphertext_hiding_asids: max}}',
      'steps: [{modprobe: kvm_amd}, {modprobe: kvm_amd, params: {ciphertext_hiding_asids: 8}}]',
    ]);
    expect(t.steps[1]!.outcome).toMatchObject({ ok: false, errno: 'EINVAL' });
  });

  it("the command line value comes first, the step's modprobe value overrides it", () => {
    const t = runText([
      'kernel: {params: {kvm_amd.sev_snp: 1}}',
      'steps: [{modprobe: kvm_amd, params: {sev_snp: "off"}}]',
    ]);
    expect(t.result.state.modules.kvm_amd.params.sev_snp).toBe('N');
  });
});

describe('built-in modules: the command line is parsed at boot ("Booting kernel")', () => {
  it('a refused value is logged and the default kept; the kernel boots on and kvm_amd initialises', () => {
    const t = runText(['kernel: {builtin: [ccp, kvm_amd], params: {kvm_amd.sev_snp: maybe}}', 'steps: []']);
    expect(t.result.dmesg[0]).toBe("Booting kernel: `maybe' invalid for parameter `kvm_amd.sev_snp'");
    expect(t.result.state.modules.kvm_amd.loaded).toBe(true);
    expect(t.result.state.modules.kvm_amd.params.sev_snp).toBe('Y');
  });
});
