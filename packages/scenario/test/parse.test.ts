import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultCatalog, formatError, loadScenario, parseScenario, type ScenarioError } from '../src/index';

const catalog = defaultCatalog();
const parse = (text: string, file = 'x.yaml') => parseScenario(text, file, catalog);
const errors = (text: string, file = 'x.yaml'): string[] => {
  const r = parse(text, file);
  if (r.ok) throw new Error('expected errors');
  return r.errors.map(formatError);
};

describe('docs/contracts/scenario-v1.md "File": a valid scenario', () => {
  it('parses steps with their lines, bare words and one-key maps', () => {
    const r = parse(
      [
        'version: 1',
        'name: t',
        'kernel:',
        '  version: "6.18"',
        '  params: {kvm_amd.sev_snp: 0, ccp.psp_init_on_probe: 1}',
        'steps:',
        '  - modprobe: kvm_amd',
        '  - vm.create: {id: a, type: snp}',
        '  - expect: {ok: false, errno: EINVAL, fwError: INVALID_PLATFORM_STATE, state: {vms.a.asid: null}}',
        '  - reboot',
        '  - {modprobe: ccp, params: {psp_init_on_probe: 0}}',
      ].join('\n'),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.scenario.steps.map((s) => [s.op, s.line])).toEqual([
      ['modprobe', 7],
      ['vm.create', 8],
      ['expect', 9],
      ['reboot', 10],
      ['modprobe', 11],
    ]);
    // fwError by name becomes the sev_ret_code number (INVALID_PLATFORM_STATE = 0x01, docs/reference/psp-firmware.md §7.1).
    expect(r.scenario.steps[2]).toMatchObject({ expect: { fwError: 1, errno: 'EINVAL' } });
    expect(r.scenario.steps[4]).toMatchObject({ module: 'ccp', params: { psp_init_on_probe: 0 } });
  });

  it('reads JSON with the same positions', () => {
    const r = parse(
      '{"version": 1, "name": "j",\n "steps": ["reboot", {"vm.create": {"id": "a"}}]}',
      'x.json',
    );
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.scenario.steps.map((s) => s.line)).toEqual([2, 2]);
  });
});

describe('machine.sockets (issue 9: two-socket machines)', () => {
  it('accepts 1 or 2 and refuses 3 with the key and range', () => {
    const text = (n: number) => `version: 1\nname: t\nmachine:\n  sockets: ${n}\n  cores: 4\nsteps: []\n`;
    const ok = parse(text(2));
    expect(ok.ok && ok.scenario.machine?.sockets).toBe(2);
    expect(errors(text(3))).toEqual(['x.yaml:4:12: machine.sockets: number 3 is out of range: must be ≤ 2']);
  });
});

describe('docs/contracts/scenario-v1.md "Errors": every problem at once, file:line:col: key: message', () => {
  it('reports unknown keys, wrong types, ranges, presets, releases, params, steps and VMs together', () => {
    const text = [
      'version: 1', // 1
      'name: bad', // 2
      'colour: blue', // 3
      'machine:', // 4
      '  cpu: naples', // 5
      '  asids: 5000', // 6
      '  bios: {smee: "yes"}', // 7
      'kernel:', // 8
      '  version: "5.10"', // 9
      '  patches: [nope]', // 10
      '  params: {kvm_amd.sev_nsp: 1}', // 11
      'steps:', // 12
      '  - modprob: ccp', // 13
      '  - vm.init: {id: ghost}', // 14
      '  - vm.create: {id: a, type: tdx}', // 15
      '  - vm.create: {id: b}', // 16
      '  - vm.create: {id: b}', // 17
      '  - expect: {state: {firmware.sevv: INIT}}', // 18
    ].join('\n');
    const got = errors(text);
    expect(got).toContain(
      'x.yaml:3:1: colour: unknown key (allowed: $schema, version, name, description, machine, kernel, steps)',
    );
    expect(got).toContain(
      'x.yaml:5:8: machine.cpu: the string "naples" is not allowed (allowed: rome, milan, genoa, bergamo, siena, turin)',
    );
    expect(got).toContain('x.yaml:6:10: machine.asids: number 5000 is out of range: must be ≤ 1006');
    expect(got).toContain(
      'x.yaml:7:16: machine.bios.smee: expected true, false or "auto", got the string "yes"',
    );
    expect(
      got.find((e) =>
        e.startsWith('x.yaml:9:12: kernel.version: unknown kernel release "5.10" (allowed: 6.11'),
      ),
    ).toBeDefined();
    expect(
      got.find((e) =>
        e.startsWith('x.yaml:10:13: kernel.patches[0]: unknown patch "nope" (allowed: sev-fw-upload'),
      ),
    ).toBeDefined();
    expect(
      got.find((e) =>
        e.startsWith('x.yaml:11:12: kernel.params.kvm_amd.sev_nsp: any kernel has no parameter'),
      ),
    ).toBeDefined();
    expect(
      got.find((e) =>
        e.startsWith('x.yaml:13:5: steps[0].modprob: unknown step "modprob" (allowed: reboot, modprobe'),
      ),
    ).toBeDefined();
    expect(got).toContain('x.yaml:14:19: steps[1].vm.init.id: no step before this one creates VM "ghost"');
    expect(got).toContain(
      'x.yaml:15:30: steps[2].vm.create.type: the string "tdx" is not allowed (allowed: default, sev, sev-es, snp)',
    );
    expect(got).toContain('x.yaml:17:21: steps[4].vm.create.id: VM "b" is created twice (first on line 16)');
    expect(
      got.find((e) => e.startsWith('x.yaml:18:22: steps[5].expect.state.firmware.sevv: unknown state path')),
    ).toBeDefined();
    expect(got.length).toBe(12);
  });

  it('checks module parameters against the chosen release (ciphertext_hiding_asids is 6.18+, docs/reference/linux-kvm-amd.md §2.1)', () => {
    const got = errors(
      'version: 1\nname: p\nkernel: {version: "6.16", params: {kvm_amd.ciphertext_hiding_asids: 8}}\nsteps: []',
    );
    expect(got[0]).toMatch(
      /^x\.yaml:3:36: kernel\.params\.kvm_amd\.ciphertext_hiding_asids: kernel 6\.16 has no parameter/,
    );
    expect(
      parse(
        'version: 1\nname: p\nkernel: {version: "6.18", params: {kvm_amd.ciphertext_hiding_asids: 8}}\nsteps: []',
      ).ok,
    ).toBe(true);
  });

  it('accepts any scalar value: the kernel parses the text at load (issue 9 item 2)', () => {
    expect(
      parse(
        'version: 1\nname: p\nkernel: {params: {kvm_amd.sev_snp: maybe, kvm_amd.ciphertext_hiding_asids: -1, kvm_amd.sev: }}\nsteps: []',
      ).ok,
    ).toBe(true);
    const got = errors('version: 1\nname: p\nkernel: {params: {kvm_amd.sev_snp: [0]}}\nsteps: []');
    expect(got).toHaveLength(1);
    expect(got[0]).toBe('x.yaml:3:36: kernel.params.kvm_amd.sev_snp: a list is not allowed here');
  });

  it('keeps a number written other than in decimal as the text the kernel will parse (062 is octal there)', () => {
    const r = parse(
      'version: 1\nname: p\nkernel: {params: {kvm_amd.ciphertext_hiding_asids: 062, kvm_amd.nrips: 1}}\nsteps:\n  - {modprobe: kvm_amd, params: {ciphertext_hiding_asids: 0x32}}',
    );
    if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
    expect(r.scenario.kernel.params).toEqual({
      'kvm_amd.ciphertext_hiding_asids': '062',
      'kvm_amd.nrips': 1,
    });
    expect(r.scenario.steps[0]).toMatchObject({ params: { ciphertext_hiding_asids: '0x32' } });
  });

  it('rejects a step-level modprobe parameter of the other module', () => {
    const got = errors('version: 1\nname: p\nsteps:\n  - {modprobe: ccp, params: {sev_snp: 0}}');
    expect(got[0]).toMatch(
      /^x\.yaml:4:30: steps\[0\]\.params\.sev_snp: ccp in kernel 7\.2 has no parameter "sev_snp"/,
    );
  });

  it('asks for quotes when YAML read the release as a number (7.0 would become 7)', () => {
    expect(errors('version: 1\nname: q\nkernel: {version: 7.0}\nsteps: []')[0]).toMatch(
      /^x\.yaml:3:19: kernel\.version: write the release in quotes: YAML reads it as the number 7/,
    );
  });

  it('reports a missing required key at its parent', () => {
    expect(errors('version: 1\nsteps: []')).toEqual(['x.yaml:1:1: name: required key is missing']);
  });

  it('reports version other than 1', () => {
    expect(errors('version: 2\nname: v\nsteps: []')).toEqual([
      'x.yaml:1:10: version: number 2 is not allowed (allowed: 1)',
    ]);
  });

  it('checks `read` only after a host.read step and `es` only with legacy', () => {
    const got = errors(
      'version: 1\nname: r\nsteps:\n  - vm.create: {id: a}\n  - vm.init: {id: a, es: true}\n  - expect: {read: ff}',
    );
    expect(got).toEqual([
      'x.yaml:5:22: steps[1].vm.init.es: es only applies with legacy: true (KVM_SEV_ES_INIT)',
      'x.yaml:6:14: steps[2].expect.read: read checks a host.read step, and the step before is not one',
    ]);
  });

  it('checks raw psp command names and buffer fields against the firmware codecs', () => {
    const got = errors(
      'version: 1\nname: r\nsteps:\n  - psp: {cmd: SNP_INIT_EX, maxSnpAsid: 5, colour: 1}\n  - psp: {cmd: NOPE}',
    );
    expect(got[0]).toMatch(
      /^x\.yaml:4:44: steps\[0\]\.psp\.colour: SNP_INIT_EX has no buffer field "colour" \(allowed: .*maxSnpAsid/,
    );
    expect(got[1]).toMatch(
      /^x\.yaml:5:16: steps\[1\]\.psp\.cmd: the string "NOPE" is not allowed \(allowed: INIT, /,
    );
  });
});

describe('bad files', () => {
  it('YAML syntax errors carry their position', () => {
    expect(errors('version: 1\nname: [unclosed\nsteps: []')[0]).toMatch(/^x\.yaml:\d+:\d+: /);
  });

  it('duplicate keys are an error, not "last one wins"', () => {
    expect(errors('version: 1\nname: a\nname: b\nsteps: []')).toEqual(['x.yaml:3:1: name: duplicate key']);
    expect(errors('{"version": 1, "name": "a", "name": "b", "steps": []}', 'x.json')).toEqual([
      'x.json:1:29: name: duplicate key',
    ]);
  });

  it('a .json file must be JSON (the first JSON syntax error is reported with its position)', () => {
    expect(errors('{"version": 1,\n "name": "a",, "steps": []}', 'x.json')[0]).toMatch(
      /^x\.json:2:14: invalid JSON/,
    );
  });

  it('empty, whitespace-only and non-map documents', () => {
    expect(errors('')).toEqual(['x.yaml: the file is empty']);
    expect(errors('  \n\n')).toEqual(['x.yaml: the file is empty']);
    expect(errors('- a\n- b')).toEqual(['x.yaml:1:1: a scenario is a map with version, name and steps']);
    expect(errors('a: 1\n---\nb: 2')[0]).toMatch(/^x\.yaml:2:1: /);
  });

  it('unreadable, missing, directory and binary files (exit 2 material, no stack)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sevsim-parse-'));
    const bin = join(dir, 'b.yaml');
    writeFileSync(bin, Buffer.from([0x76, 0x00, 0xff, 0x01]));
    const latin1 = join(dir, 'l.yaml');
    writeFileSync(latin1, Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xe9]));
    const locked = join(dir, 'locked.yaml');
    writeFileSync(locked, 'version: 1');
    chmodSync(locked, 0o000);
    const msg = (f: string): string => {
      const r = loadScenario(f, catalog);
      return r.ok ? 'ok' : (r.errors as ScenarioError[]).map(formatError).join('\n');
    };
    expect(msg(join(dir, 'missing.yaml'))).toBe(`${join(dir, 'missing.yaml')}: no such file`);
    expect(msg(dir)).toBe(`${dir}: is a directory, not a scenario file`);
    expect(msg(bin)).toBe(`${bin}: is a binary file, not YAML or JSON text`);
    expect(msg(latin1)).toBe(`${latin1}: is a binary file, not YAML or JSON text`);
    // root can read anything; the check only means something for other users.
    if (process.getuid?.() !== 0) expect(msg(locked)).toBe(`${locked}: cannot be read: permission denied`);
  });
});
