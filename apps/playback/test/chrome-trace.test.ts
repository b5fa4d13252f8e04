import { describe, expect, it } from 'vitest';
import { LAYER_PIDS, toChromeTrace } from '../src/chrome-trace.js';
import { assertStrictlyNested } from './fixtures/nesting.js';
import { ciphertextHidingTrace } from './fixtures/ciphertext-hiding.js';
import { seedThreadTrace } from './fixtures/seed-thread.js';

describe('Chrome Trace for Perfetto (the CLI export layout: pid 1 scenario, 2 kvm_amd, 3 ccp, 4 firmware)', () => {
  it('names one process per layer', () => {
    const names = toChromeTrace(seedThreadTrace)
      .traceEvents.filter((e) => e.name === 'process_name')
      .map((e) => [e.pid, e.args?.name]);
    expect(names).toEqual([
      [1, 'scenario'],
      [2, 'kvm_amd'],
      [3, 'ccp'],
      [4, 'firmware'],
    ]);
  });

  it('has strictly nested slices on every track, on both fixtures', () => {
    assertStrictlyNested(toChromeTrace(seedThreadTrace).traceEvents);
    assertStrictlyNested(toChromeTrace(ciphertextHidingTrace).traceEvents);
  });

  it('puts every firmware command on the firmware process with cmd, status, statusName and guard', () => {
    const fw = toChromeTrace(seedThreadTrace).traceEvents.filter(
      (e) => e.pid === LAYER_PIDS.firmware && e.ph === 'X',
    );
    expect(fw.map((e) => e.name)).toEqual([
      'SNP_PLATFORM_STATUS',
      'PLATFORM_STATUS',
      'SNP_INIT_EX',
      'INIT',
      'SNP_INIT_EX',
      'INIT',
    ]);
    // psp-firmware.md §3.2 step 6: SNP_INIT_EX refused with INVALID_CONFIG (0x3)
    expect(fw[2]!.args).toEqual({
      cmd: 'SNP_INIT_EX',
      status: 3,
      statusName: 'INVALID_CONFIG',
      guard: 'SNP_INIT.msr-security (psp-firmware.md §3.2 step 6)',
    });
  });

  it('uses a logical clock: step slices follow one another without gaps, starting at 0', () => {
    const steps = toChromeTrace(ciphertextHidingTrace).traceEvents.filter(
      (e) => e.cat === 'step' && e.pid === 1,
    );
    expect(steps[0]!.ts).toBe(0);
    for (let i = 1; i < steps.length; i++) expect(steps[i]!.ts).toBe(steps[i - 1]!.ts! + steps[i - 1]!.dur!);
    expect(steps).toHaveLength(1 + ciphertextHidingTrace.steps.length);
  });

  it('routes kvm-amd commands through ccp: both layers show the command', () => {
    const ev = toChromeTrace(ciphertextHidingTrace).traceEvents;
    const at = (pid: number) => ev.filter((e) => e.pid === pid && e.cat === 'issue').map((e) => e.name);
    expect(at(LAYER_PIDS.kvm_amd)).toContain('SNP_DECOMMISSION');
    expect(at(LAYER_PIDS.ccp)).toContain('SNP_DECOMMISSION');
    expect(at(LAYER_PIDS.kvm_amd)).not.toContain('SNP_FEATURE_INFO');
  });
});
