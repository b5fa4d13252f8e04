import { describe, expect, test } from 'vitest';
import { CPU_PRESETS, CPUID_8000_001F_EAX as B, createMachine } from '@sevsim/hardware';

describe('CPUID Fn8000_001F (docs/reference/psp-firmware.md §8.2)', () => {
  test('milan: SME|SEV|SEV-ES|SNP|VMPL, C-bit 51, 509 ASIDs, EDX = BIOS minSevAsid 100', () => {
    const r = createMachine({ cpu: 'milan' }).cpuid(0x8000001f);
    expect(r.eax).toBe(B.SME | B.SEV | B.SEV_ES | B.SNP | B.VMPL);
    expect(r.eax).toBe(0b11_1011);
    expect(r.ebx & 0x3f).toBe(51);
    expect((r.ebx >> 12) & 0xf).toBe(4);
    expect(r.ecx).toBe(509);
    expect(r.edx).toBe(100);
  });

  test("milan's address reduction follows the BIOS's SEV ASID Count: AMDSEV#197 (EPYC 7313, 253 ASIDs, SEV from 15) reads EBX 0x4133, ECX 0xfd, EDX 0xf; 509 ASIDs lose 5 bits (AMDSEV#271 sevctl ok), EBX 0x4173", () => {
    const r197 = createMachine({ family: 0x19, model: 0x01, asids: 253, bios: { minSevAsid: 15 } }).cpuid(
      0x8000001f,
    );
    expect({ ebx: r197.ebx, ecx: r197.ecx, edx: r197.edx }).toEqual({ ebx: 0x4133, ecx: 0xfd, edx: 0xf });
    expect(createMachine({ cpu: 'milan', asids: 509 }).cpuid(0x8000001f).ebx).toBe(0x4173);
    // An ASID count the option does not offer keeps the preset's 5.
    expect(
      (createMachine({ cpu: 'milan', asids: 16, bios: { minSevAsid: 9 } }).cpuid(0x8000001f).ebx >> 6) & 0x3f,
    ).toBe(5);
  });

  test('genoa adds Secure TSC (bit 8) and DebugSwap (bit 14); ECX 1006', () => {
    const r = createMachine({ cpu: 'genoa' }).cpuid(0x8000001f);
    expect(r.eax).toBe(0x3b | (1 << 8) | (1 << 14));
    expect(r.ecx).toBe(1006);
  });

  test('turin adds RMPREAD (bit 21) and segmented RMP (bit 23)', () => {
    const r = createMachine({ cpu: 'turin' }).cpuid(0x8000001f);
    expect(r.eax & (1 << 21)).not.toBe(0);
    expect(r.eax & (1 << 23)).not.toBe(0);
    expect(r.eax).toBe(0x3b | (1 << 8) | (1 << 14) | (1 << 21) | (1 << 23));
  });

  test('ECX/EDX follow the config: asids override and an EDX above ECX (SEV unusable, docs/reference/linux-kvm-amd.md §2.5)', () => {
    const r = createMachine({ cpu: 'genoa', asids: 16, bios: { minSevAsid: 17 } }).cpuid(0x8000001f);
    expect(r.ecx).toBe(16);
    expect(r.edx).toBe(17);
  });

  test('SMEE off: the kernel sees no SME, SEV, SEV-ES, SNP (docs/reference/linux-ccp.md §7.1 step 1)', () => {
    const r = createMachine({ cpu: 'genoa', bios: { smee: false } }).cpuid(0x8000001f);
    expect(r.eax & (B.SME | B.SEV | B.SEV_ES | B.SNP)).toBe(0);
    expect(r.eax & B.VMPL).toBe(B.VMPL);
  });

  test('SMMLock clear: SEV, SEV-ES and SNP hidden, SME kept (docs/reference/linux-ccp.md §7.1 step 1)', () => {
    const r = createMachine({ cpu: 'genoa', bios: { smmLock: false } }).cpuid(0x8000001f);
    expect(r.eax & B.SME).toBe(B.SME);
    expect(r.eax & (B.SEV | B.SEV_ES | B.SNP)).toBe(0);
  });

  test('0x80000025 segmented-RMP limits only on turin; 0x80000024 reads zero', () => {
    const t = createMachine({ cpu: 'turin' }).cpuid(0x80000025);
    expect(t.eax & 0x3f).toBe(30);
    expect((t.eax >> 6) & 0x3f).toBe(52);
    expect(createMachine({ cpu: 'genoa' }).cpuid(0x80000025)).toEqual({ eax: 0, ebx: 0, ecx: 0, edx: 0 });
    expect(createMachine({ cpu: 'turin' }).cpuid(0x80000024)).toEqual({ eax: 0, ebx: 0, ecx: 0, edx: 0 });
  });

  test('leaf 1 encodes family/model: genoa 19h/11h = 0x00A10F11, turin 1Ah/02h = 0x00B00F21', () => {
    expect(createMachine({ cpu: 'genoa' }).cpuid(1).eax).toBe(0x00a10f11);
    expect(createMachine({ cpu: 'turin' }).cpuid(1).eax).toBe(0x00b00f21);
    expect(createMachine({ cpu: 'milan' }).cpuid(1).eax).toBe(0x00a00f11);
  });

  test('presets: TCB layout and ciphertext hiding capability (docs/reference/psp-firmware.md §3.4, §6)', () => {
    expect(CPU_PRESETS.milan.tcbLayout).toBe('zen3-4');
    expect(CPU_PRESETS.genoa.tcbLayout).toBe('zen3-4');
    expect(CPU_PRESETS.turin.tcbLayout).toBe('zen5');
    expect(CPU_PRESETS.turin.ciphertextHidingCapable).toBe(true);
    expect(CPU_PRESETS.genoa.ciphertextHidingCapable).toBe(false);
    expect(CPU_PRESETS.genoa.defaultFirmware).toBe('1.55.25');
  });
});

describe("CPUID results are the caller's own", () => {
  test('a leaf without data answers zeros, and changing one answer does not change the next', () => {
    const m = createMachine({ cpu: 'milan' });
    const r = m.cpuid(0x80000024);
    expect(r).toEqual({ eax: 0, ebx: 0, ecx: 0, edx: 0 });
    r.eax = 0x1234;
    expect(m.cpuid(0x80000024)).toEqual({ eax: 0, ebx: 0, ecx: 0, edx: 0 });
    // Milan has no segmented RMP: its 0x80000025 is all zeros too, and a different object.
    expect(m.cpuid(0x80000025)).toEqual({ eax: 0, ebx: 0, ecx: 0, edx: 0 });
    expect(m.cpuid(0x80000025)).not.toBe(m.cpuid(0x80000025));
  });
});
