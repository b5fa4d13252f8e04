/** docs/reference/linux-kvm-amd.md §2.5 worked examples and the §2.6 summary lines, on a Turin with ciphertext hiding. */
import { describe, expect, it } from 'vitest';
import { bootStack } from './stack';

function load(edx: number, params: Record<string, string | number> = {}, release = '7.2') {
  const s = bootStack({
    release,
    machine: { cpu: 'turin', asids: 509, bios: { minSevAsid: edx, ciphertextHiding: true } },
  });
  const mark = s.ctx.log.mark();
  const kvm = s.loadKvm(params);
  const kvmLines = s.ctx.log.since(mark).filter((l) => l.startsWith('kvm_amd: '));
  return { s, kvm, kvmLines };
}

describe('ASID partition worked examples (docs/reference/linux-kvm-amd.md §2.5)', () => {
  it('ECX=509, EDX=254, P=0 → SEV 254–509, ES 1–253, SNP 1–253 (shared pool)', () => {
    const { kvm, kvmLines } = load(254);
    expect(kvmLines).toEqual([
      'kvm_amd: SEV enabled (ASIDs 254 - 509)',
      'kvm_amd: SEV-ES enabled (ASIDs 1 - 253)',
      'kvm_amd: SEV-SNP enabled (ASIDs 1 - 253)',
    ]);
    expect(kvm.view().sev).toEqual({ status: 'enabled', min: 254, max: 509 });
    expect(kvm.view().params.ciphertext_hiding_asids).toBe(0);
  });

  it('P=100 with CTH supported → "ciphertext hiding enabled", SNP 1–100, ES 101–253, firmware MAX_SNP_ASID 100', () => {
    const { s, kvm, kvmLines } = load(254, { ciphertext_hiding_asids: 100 });
    expect(kvmLines).toEqual([
      'kvm_amd: SEV-SNP ciphertext hiding enabled',
      'kvm_amd: SEV enabled (ASIDs 254 - 509)',
      'kvm_amd: SEV-ES enabled (ASIDs 101 - 253)',
      'kvm_amd: SEV-SNP enabled (ASIDs 1 - 100)',
    ]);
    expect(kvm.view().snp).toEqual({ status: 'enabled', min: 1, max: 100 });
    expect(kvm.view().sevEs).toEqual({ status: 'enabled', min: 101, max: 253 });
    expect(s.psp.snapshot()).toMatchObject({ ciphertextHiding: true, maxSnpAsid: 100 });
  });

  it('P=4294967295 (-1u) → SNP 1–253, "SEV-ES unusable (ASIDs 254 - 253)", param reads back 253', () => {
    const { kvm, kvmLines } = load(254, { ciphertext_hiding_asids: '4294967295' });
    expect(kvmLines).toEqual([
      'kvm_amd: SEV-SNP ciphertext hiding enabled',
      'kvm_amd: SEV enabled (ASIDs 254 - 509)',
      'kvm_amd: SEV-ES unusable (ASIDs 254 - 253)',
      'kvm_amd: SEV-SNP enabled (ASIDs 1 - 253)',
    ]);
    expect(kvm.view().params.ciphertext_hiding_asids).toBe(253);
    // 7.2: the unusable SEV-ES type is not advertised (docs/reference/linux-kvm-amd.md §7.1), so KVM_CREATE_VM fails (docs/reference/linux-kvm-amd.md §7.2 Q6).
    expect(kvm.view().vmTypes).toEqual([0, 2, 4]);
    expect(kvm.createVm(3)).toEqual({ errno: -22 });
  });

  it('P=-1u on 7.0: SEV-ES still advertised, INIT2 fails -ENOTTY from sev_asid_new (docs/reference/linux-kvm-amd.md §7.2 Q6)', () => {
    const { kvm } = load(254, { ciphertext_hiding_asids: '4294967295' }, '7.0');
    expect(kvm.view().vmTypes).toEqual([0, 2, 3, 4]);
    const vm = kvm.createVm(3);
    if ('errno' in vm) throw new Error('create failed');
    expect(kvm.memEncryptOp(vm, { id: 'KVM_SEV_INIT2', data: {} })).toEqual({
      rc: -25,
      error: 0,
      why: 'sev_asid_new() finds the ASID range empty (254 > 253)',
    });
  });

  it('EDX=1 → SEV-ES/SNP "disabled (ASIDs 0 - 0)", SEV 1–509', () => {
    const { kvm, kvmLines } = load(1);
    expect(kvmLines).toEqual([
      'kvm_amd: SEV enabled (ASIDs 1 - 509)',
      'kvm_amd: SEV-ES disabled (ASIDs 0 - 0)',
      'kvm_amd: SEV-SNP disabled (ASIDs 0 - 0)',
    ]);
    expect(kvm.view().vmTypes).toEqual([0, 2]);
  });

  it('EDX=510 > ECX=509 → "SEV unusable (ASIDs 510 - 509)", ES/SNP 1–509; SEV VM INIT2 → -ENOTTY', () => {
    const { kvm, kvmLines } = load(510, {}, '7.0');
    expect(kvmLines).toEqual([
      'kvm_amd: SEV unusable (ASIDs 510 - 509)',
      'kvm_amd: SEV-ES enabled (ASIDs 1 - 509)',
      'kvm_amd: SEV-SNP enabled (ASIDs 1 - 509)',
    ]);
    // Before 7.2 the type is advertised and INIT fails with -ENOTTY (AMDSEV#258: ret=-25).
    const vm = kvm.createVm(2);
    if ('errno' in vm) throw new Error('create failed');
    expect(kvm.memEncryptOp(vm, { id: 'KVM_SEV_INIT2', data: {} }).rc).toBe(-25);
    expect(kvm.view().miscCgroup.capacity).toEqual({ sev: 0, sev_es: 509 });
  });

  it('before 6.18 both ES and SNP lines print "min_sev_asid > 1 ? 1 : 0, min_sev_asid - 1" (docs/reference/linux-kvm-amd.md §2.6)', () => {
    const { kvmLines } = load(1, {}, '6.16');
    expect(kvmLines).toEqual([
      'kvm_amd: SEV enabled (ASIDs 1 - 509)',
      'kvm_amd: SEV-ES disabled (ASIDs 0 - 0)',
      'kvm_amd: SEV-SNP disabled (ASIDs 0 - 0)',
    ]);
    const snpOff = load(254, { sev_snp: 0 }, '6.16').kvmLines;
    expect(snpOff[2]).toBe('kvm_amd: SEV-SNP disabled (ASIDs 1 - 253)');
  });
});

describe('finding: docs/reference/linux-kvm-amd.md §7.2 Q1 — ciphertext_hiding_asids with SNP unsupported (faithful to merged code)', () => {
  it('sev_snp=0, P=100: the raw value stays, ES range shrinks to 101–253 and the CTH line is printed', () => {
    const { s, kvm, kvmLines } = load(254, { sev_snp: 0, ciphertext_hiding_asids: 100 });
    expect(kvmLines).toEqual([
      'kvm_amd: SEV-SNP ciphertext hiding enabled',
      'kvm_amd: SEV enabled (ASIDs 254 - 509)',
      'kvm_amd: SEV-ES enabled (ASIDs 101 - 253)',
      'kvm_amd: SEV-SNP disabled (ASIDs 1 - 100)',
    ]);
    expect(kvm.view().params).toMatchObject({ sev_snp: false, ciphertext_hiding_asids: 100 });
    // The firmware got MAX_SNP_ASID anyway: SNP_INIT_EX runs regardless of kvm_amd.sev_snp (docs/reference/linux-ccp.md §3.11).
    expect(s.psp.snapshot()).toMatchObject({ ciphertextHiding: true, maxSnpAsid: 100 });
  });

  it('sev_snp=0, P=-1u: max_snp_asid = 4294967295, min_sev_es_asid wraps to 0 and an ES VM gets ASID 0', () => {
    const { kvm, kvmLines } = load(254, { sev_snp: 0, ciphertext_hiding_asids: '4294967295' });
    expect(kvmLines.slice(2)).toEqual([
      'kvm_amd: SEV-ES enabled (ASIDs 0 - 253)',
      'kvm_amd: SEV-SNP disabled (ASIDs 1 - 4294967295)',
    ]);
    expect(kvm.view().params.ciphertext_hiding_asids).toBe(4294967295);
    const vm = kvm.createVm(3);
    if ('errno' in vm) throw new Error('create failed');
    expect(kvm.memEncryptOp(vm, { id: 'KVM_SEV_INIT2', data: {} })).toEqual({ rc: 0, error: 0 });
    expect(kvm.view().vms[0]?.asid).toBe(0);
  });
});
