import { describe, expect, test } from 'vitest';
import {
  CPU_PRESETS,
  CPUID_8000_001F_EAX,
  cpuForFamilyModel,
  type CpuPreset,
  createMachine,
  HardwareConfigError,
  pspPciAddresses,
} from '@sevsim/hardware';

const B = CPUID_8000_001F_EAX;

describe('CPU presets beyond Milan/Genoa/Turin (README "Decisions", "Presets")', () => {
  test('Rome (17h/31h, Zen 2): SEV and SEV-ES, no SNP; C-bit 47', () => {
    const m = createMachine({ cpu: 'rome' });
    const leaf = m.cpuid(0x8000001f);
    expect(leaf.eax & (B.SEV | B.SEV_ES)).toBe(B.SEV | B.SEV_ES);
    expect(leaf.eax & (B.SNP | B.VMPL)).toBe(0);
    expect(leaf.ebx).toBe(0x16f); // C-bit 47, 5 address bits lost, no VMPLs
    expect(leaf.ecx).toBe(509);
    expect(m.cpuid(1).eax).toBe(0x00830f11); // family 0xF + 8, model 0x31
  });

  test('Bergamo and Siena: family 19h model A0h, Genoa-family SNP, 1006 ASIDs (Siena: AMDSEV#246, ASIDs 256 - 1006)', () => {
    for (const cpu of ['bergamo', 'siena'] as const) {
      const m = createMachine({ cpu });
      expect(m.cpuid(1).eax).toBe(0x00aa0f01); // extended model A, base model 0
      expect(m.cpuid(0x8000001f).ecx).toBe(1006);
      expect(m.cpuid(0x8000001f).eax & B.SNP).toBe(B.SNP);
    }
    expect(CPU_PRESETS.bergamo.cores).toBe(128);
    expect(CPU_PRESETS.siena.cores).toBe(64);
  });

  test('Siena is single-socket (SP6): it has no second-socket PSP address at all', () => {
    expect(() => createMachine({ cpu: 'siena', sockets: 2 })).toThrow(/single-socket/);
    expect(CPU_PRESETS.siena.pspPci).toEqual({ deviceId: 0x14ca, oneSocket: '0000:02:00.5' });
    expect(pspPciAddresses(CPU_PRESETS.siena, 1)).toEqual(['0000:02:00.5']);
    expect(() => pspPciAddresses(CPU_PRESETS.siena, 2)).toThrow(/one-socket part/);
  });

  test("a board's PSP addresses (pspPci): the bus is the board's, the function the CPU's; a socket not listed keeps the preset's (AMDSEV#202: 0000:09:00.5)", () => {
    expect(createMachine({ cpu: 'genoa', sockets: 2, pspPci: ['0000:09:00.5'] }).pspPci).toEqual([
      '0000:09:00.5',
      '0000:83:00.5',
    ]);
    expect(createMachine({ cpu: 'milan' }).pspPci).toEqual(['0000:47:00.1']);
    expect(() => createMachine({ cpu: 'genoa', pspPci: ['0000:09:00.1'] })).toThrow(
      'pspPci: 0000:09:00.1: the genoa PSP is PCI function 5',
    );
    expect(() => createMachine({ cpu: 'genoa', pspPci: ['0000:01:00.5', '0000:83:00.5'] })).toThrow(
      /pspPci must list 1\.\.1 address/,
    );
    expect(() => createMachine({ cpu: 'genoa', sockets: 2, pspPci: ['0000:83:00.5'] })).toThrow(
      'pspPci: 0000:83:00.5 and 0000:83:00.5 are one address',
    );
    expect(() => createMachine({ cpu: 'genoa', pspPci: ['9:00.5'] })).toThrow(/not a PCI address/);
  });

  test('Turin as AMD\'s reference host in the AMDESE/AMDSEV README prints it: "ccp 0000:a9:00.5: SEV-SNP API:1.58 build:5"', () => {
    expect(createMachine({ cpu: 'turin' }).pspPci).toEqual(['0000:a9:00.5']);
    expect(CPU_PRESETS.turin.defaultFirmware).toBe('1.58.5');
  });

  test('Genoa, Bergamo and Siena report the same Zen 4 fields; only model, cores, sockets and PSP address differ', () => {
    const shared = ({ model, modelId, modelRange, cores, maxSockets, pspPci, ...rest }: CpuPreset) => rest;
    expect(shared(CPU_PRESETS.bergamo)).toEqual(shared(CPU_PRESETS.genoa));
    expect(shared(CPU_PRESETS.siena)).toEqual(shared(CPU_PRESETS.genoa));
    expect(shared(CPU_PRESETS.genoa)).toMatchObject({
      zen: 4,
      family: 0x19,
      asids: 1006,
      defaultFirmware: '1.55.25',
    });
  });

  test('family/model name the CPU: the first preset whose range holds the model', () => {
    expect(cpuForFamilyModel(0x17, 0x31)).toBe('rome');
    expect(cpuForFamilyModel(0x19, 0x01)).toBe('milan');
    expect(cpuForFamilyModel(0x19, 0x10)).toBe('genoa');
    expect(cpuForFamilyModel(0x19, 0xa0)).toBe('bergamo');
    expect(cpuForFamilyModel(0x1a, 0x11)).toBe('turin');
    expect(cpuForFamilyModel(0x17, 0x01)).toBeUndefined(); // Naples: not modelled
    const m = createMachine({ family: 0x19, model: 0x10 });
    expect(m.config.cpu).toBe('genoa');
    expect(m.preset.modelId).toBe(0x10);
    expect(m.cpuid(1).eax).toBe(0x00a10f01);
  });

  test('family/model that contradict the preset, or name no modelled CPU, are refused', () => {
    expect(() => createMachine({ cpu: 'milan', model: 0x11 })).toThrow(HardwareConfigError);
    expect(() => createMachine({ cpu: 'milan', family: 0x1a })).toThrow(/family 0x1a is not milan's/);
    expect(() => createMachine({ family: 0x17, model: 0x01 })).toThrow(/not a modelled CPU/);
    expect(() => createMachine({ family: 0x19 })).toThrow(/cpu is required/);
  });

  test('a small part: 15 ASIDs with the SEV range from 9', () => {
    const m = createMachine({ cpu: 'genoa', asids: 15, bios: { minSevAsid: 9 } });
    expect(m.cpuid(0x8000001f)).toMatchObject({ ecx: 15, edx: 9 });
  });
});
