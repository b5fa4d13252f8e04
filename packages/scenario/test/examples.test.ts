import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  defaultCatalog,
  formatError,
  loadScenario,
  run,
  runLog,
  type Scenario,
  type Trace,
} from '../src/index';

const DIR = join(import.meta.dirname, '../../../examples');
const files = readdirSync(DIR)
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .sort();

function load(f: string): Scenario {
  const r = loadScenario(join(DIR, f), defaultCatalog());
  if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
  return r.scenario;
}

function runFile(f: string): Trace {
  return run(load(f));
}

describe('examples/: every expectation holds (each file names the reference facts it reproduces)', () => {
  it('has the seed thread and user-report cases', () => {
    expect(files.length).toBeGreaterThanOrEqual(9);
  });
  for (const f of files) {
    it(f, () => {
      const trace = runFile(f);
      const failures = trace.steps.flatMap((s) => s.outcome.failures ?? []);
      expect(failures).toEqual([]);
      expect(trace.result.passed).toBe(true);
    });
  }
});

describe('determinism (docs/architecture.md "Determinism")', () => {
  it('the same scenario gives a byte-identical trace', () => {
    for (const f of files) expect(JSON.stringify(runFile(f))).toBe(JSON.stringify(runFile(f)));
  });
});

describe('runLog: the run without per-step snapshots (what `sevsim run` without --trace uses)', () => {
  it('gives the byte-identical --json result (docs/contracts/scenario-v1.md "`sevsim run`") and the same step records', () => {
    for (const f of files) {
      const full = runFile(f);
      const log = runLog(load(f));
      expect(JSON.stringify(log.result)).toBe(JSON.stringify(full.result));
      const record = ({ state: _s, changed: _c, layers: _l, ...rest }: Trace['steps'][number]) => rest;
      expect(JSON.stringify(log.steps)).toBe(JSON.stringify(full.steps.map(record)));
      expect(log.steps.every((s) => !('state' in s))).toBe(true);
    }
  });
});

describe('seed thread outcomes in the trace', () => {
  it('SNPEn + kvm_amd.sev_snp=0: SNP_INIT_EX before INIT at load, SNP VM refused with EINVAL (docs/reference/linux-ccp.md §3.11)', () => {
    const t = runFile('snpen-with-sev-snp-off.yaml');
    const load = t.steps[0]!;
    const names = load.psp.map((c) => c.cmd);
    expect(names.indexOf('SNP_INIT_EX')).toBeGreaterThanOrEqual(0);
    expect(names.indexOf('SNP_INIT_EX')).toBeLessThan(names.indexOf('INIT'));
    expect(
      load.psp.filter((c) => c.cmd === 'SNP_INIT_EX' || c.cmd === 'INIT').every((c) => c.by === 'kvm_amd'),
    ).toBe(true);
    expect(load.dmesg).toContain('kvm_amd: SEV-SNP disabled (ASIDs 1 - 99)');
    expect(t.steps[2]!.outcome).toMatchObject({ op: 'vm.create', ok: false, errno: 'EINVAL', fwError: null });
  });

  it('SEV INIT first: SNP_INIT_EX refused with 0x1 and the guard that refused it is recorded', () => {
    const t = runFile('sev-init-then-snp-init-fails.yaml');
    const snp = t.steps[3]!.psp.find((c) => c.cmd === 'SNP_INIT_EX')!;
    expect(snp).toMatchObject({ status: 1, statusName: 'INVALID_PLATFORM_STATE', by: 'kvm_amd' });
    expect(snp.guard?.id).toMatch(/^SNP_INIT_EX\./);
    expect(t.steps[1]!.psp).toEqual([expect.objectContaining({ cmd: 'INIT', status: 0, by: 'raw' })]);
  });

  it('records changed state paths per step', () => {
    const t = runFile('dlfw-ex-refused-after-sev-init.yaml');
    expect(t.steps[0]!.changed).toEqual(
      expect.arrayContaining(['firmware.sev', 'firmware.snp', 'modules.kvm_amd.loaded']),
    );
    expect(t.steps[2]!.changed).not.toContain('firmware.version');
  });
});

describe('machines of public reports that no preset names directly', () => {
  const log = (t: Trace) => [t.boot, ...t.steps].flatMap((s) => s.dmesg);

  it('virtee/sevctl#203 (15 ASIDs, SEV from 9): kvm_amd splits at CPUID EDX, SEV-ES takes 1 - 8 (arch/x86/kvm/svm/sev.c sev_hardware_setup)', () => {
    const t = runFile('small-part-15-asids-sev-from-9.yaml');
    const kvm = log(t).filter((l) => l.startsWith('kvm_amd: SEV'));
    expect(kvm).toEqual(['kvm_amd: SEV enabled (ASIDs 9 - 15)', 'kvm_amd: SEV-ES enabled (ASIDs 1 - 8)']);
  });

  it('AMDSEV#197 (family 0x19 model 0x1, no BIOS RMP): host SNP off at boot, so kvm_amd prints no SEV-SNP line (docs/reference/linux-ccp.md §7.1 step 2)', () => {
    const t = runFile('family-19h-model-01h-epyc-7313-no-bios-snp.yaml');
    expect(t.boot.dmesg).toContain('SEV-SNP: Memory for the RMP table has not been reserved by BIOS');
    const kvm = log(t).filter((l) => l.startsWith('kvm_amd: SEV'));
    expect(kvm).toEqual(['kvm_amd: SEV enabled (ASIDs 15 - 253)', 'kvm_amd: SEV-ES enabled (ASIDs 1 - 14)']);
  });
});

describe('explain: one sentence with the rule, the state and the fix', () => {
  it('SNP_INIT_EX after SEV INIT names the guard, the state and psp_init_on_probe=0', () => {
    const t = runFile('sev-init-then-snp-init-fails.yaml');
    const e = t.steps[3]!.explanation!;
    expect(e).toMatch(
      /^SNP_INIT_EX returned INVALID_PLATFORM_STATE \(0x1\) \[SNP_INIT_EX\.[a-z-]+: docs\/reference\/psp-firmware\.md §3\.2/,
    );
    expect(e).toContain('legacy SEV is INIT');
    expect(e).toContain('ccp.psp_init_on_probe=0');
  });

  it('DLFW_EX after SEV INIT says SEV must be UNINIT', () => {
    const e = runFile('dlfw-ex-refused-after-sev-init.yaml').steps[2]!.explanation!;
    expect(e).toMatch(/^SNP_DOWNLOAD_FIRMWARE_EX returned INVALID_PLATFORM_STATE \(0x1\)/);
    expect(e).toContain('legacy SEV is INIT and DOWNLOAD_FIRMWARE_EX needs it UNINIT');
  });

  it('a VM type KVM does not advertise lists KVM_CAP_VM_TYPES', () => {
    const e = runFile('iommu-passthrough.yaml').steps[3]!.explanation!;
    expect(e).toBe(
      'KVM_CREATE_VM returned EINVAL: the VM type is not in KVM_CAP_VM_TYPES [0, 2, 3] (SEV enabled, SEV-ES enabled, SNP disabled) — enable the type with its kvm_amd parameter on a host that supports it.',
    );
  });

  it('steps that succeed have no explanation', () => {
    const t = runFile('ciphertext-hiding-asid-split.yaml');
    expect(t.steps.filter((s) => s.explanation !== undefined)).toEqual([]);
  });
});
