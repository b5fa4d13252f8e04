/**
 * `explain` of a refused KVM_SEV_ES_INIT: arch/x86/kvm/svm/sev.c sev_mem_enc_ioctl() checks
 * sev_es_enabled explicitly before sev_guest_init() (-ENOTTY), which is not the empty-ASID-range
 * -ENOTTY of sev_asid_new() (issue #9 item 6).
 */
import { describe, expect, it } from 'vitest';
import { defaultCatalog, formatError, parseScenario, run } from '../src/index';

function runText(params: string, steps: string[], machine = 'genoa') {
  const text = [
    'version: 1',
    'name: es',
    `machine: {cpu: ${machine}}`,
    `kernel: {version: "6.18", params: {${params}}}`,
    'steps:',
    ...steps,
  ];
  const r = parseScenario(text.join('\n'), 'es.yaml', defaultCatalog());
  if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
  return run(r.scenario);
}

const esInit = [
  '  - modprobe: kvm_amd',
  '  - vm.create: {id: a, type: default}',
  '  - vm.init: {id: a, legacy: true, es: true}',
];

describe('explain KVM_SEV_ES_INIT (sev_mem_enc_ioctl: the sev_es_enabled check)', () => {
  it('kvm_amd.sev_es=0: ENOTTY, blamed on sev_es_enabled, not on the SEV-ES ASID range (which is not empty)', () => {
    const t = runText('kvm_amd.sev_es: 0', esInit);
    expect(t.result.steps[2]).toMatchObject({ op: 'vm.init', ok: false, errno: 'ENOTTY', fwError: null });
    const state = t.result.state as unknown as {
      kvm: { sevEs: { status: string; min: number; max: number } };
    };
    expect(state.kvm.sevEs.status).toBe('disabled');
    expect(t.steps[2]?.explanation).toBe(
      'the SEV init ioctl (KVM_SEV_INIT2, or KVM_SEV_INIT / KVM_SEV_ES_INIT) returned ENOTTY: sev_mem_enc_ioctl() refuses KVM_SEV_ES_INIT while SEV-ES is disabled (sev_es_enabled: kvm_amd.sev_es=0, or SEV-ES unsupported) — load kvm_amd with sev_es=1 on a host with SEV-ES ASIDs, or use KVM_SEV_INIT for a plain SEV guest.',
    );
  });

  it('the same VM with KVM_SEV_INIT (plain SEV) initialises', () => {
    const t = runText('kvm_amd.sev_es: 0', [...esInit.slice(0, 2), '  - vm.init: {id: a, legacy: true}']);
    expect(t.result.steps[2]).toMatchObject({ op: 'vm.init', ok: true });
  });

  it('an empty ASID range is still explained as one (sev_asid_new: min > max)', () => {
    // Every SEV-ES/SNP ASID given to SNP by ciphertext hiding leaves SEV-ES unusable (docs/reference/linux-kvm-amd.md §2.5).
    const t = runText(
      'kvm_amd.ciphertext_hiding_asids: 99',
      ['  - modprobe: kvm_amd', '  - vm.create: {id: a, type: sev-es}', '  - vm.init: {id: a}'],
      'turin',
    );
    expect(t.result.steps[2]).toMatchObject({ op: 'vm.init', ok: false, errno: 'ENOTTY' });
    expect(t.steps[2]?.explanation).toContain('sev_asid_new() finds the ASID range empty');
  });
});
