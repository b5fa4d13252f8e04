import { describe, expect, it } from 'vitest';
import { readTrace } from '../src/index.js';
import { ciphertextHidingTrace } from './fixtures/ciphertext-hiding.js';
import { seedThreadTrace } from './fixtures/seed-thread.js';

const text = JSON.stringify(seedThreadTrace, null, 2);

describe('reading a trace file (what the page shows instead of a blank screen)', () => {
  it('accepts the fixture traces (trace.ts shape)', () => {
    expect(readTrace(text)).toEqual({ ok: true, trace: seedThreadTrace });
    expect(readTrace(JSON.stringify(ciphertextHidingTrace)).ok).toBe(true);
  });

  it('reports a truncated file as invalid JSON, wherever it was cut', () => {
    for (const cut of [1, 100, Math.floor(text.length / 2), text.length - 2]) {
      const r = readTrace(text.slice(0, cut));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/^The trace is not valid JSON \(is the file truncated\?\): /);
    }
  });

  it('reports an empty file', () => {
    expect(readTrace('  \n')).toEqual({ ok: false, error: 'The trace file is empty.' });
  });

  it('names the path of a member that is missing or of the wrong kind', () => {
    const broken = JSON.parse(JSON.stringify(seedThreadTrace)) as unknown as {
      steps: { state: { firmware: { sev: unknown } } }[];
    };
    broken.steps[3]!.state.firmware.sev = 'RUNNING';
    expect(readTrace(JSON.stringify(broken))).toEqual({
      ok: false,
      error:
        'This is not a sevsim trace: trace.steps[3].state.firmware.sev: expected one of UNINIT, INIT, WORKING, got string',
    });
    expect(readTrace('{"format":"chrome"}')).toEqual({
      ok: false,
      error: 'This is not a sevsim trace: trace.format: expected one of sevsim-trace, got string',
    });
    expect(readTrace('{"format":"sevsim-trace","version":1,"file":"x.yaml"}')).toEqual({
      ok: false,
      error: 'This is not a sevsim trace: trace.source: missing (expected a string)',
    });
    expect(readTrace('[1,2]')).toEqual({
      ok: false,
      error: 'This is not a sevsim trace: trace: expected an object, got an array',
    });
  });

  it('allows members a newer engine adds', () => {
    const extended = { ...seedThreadTrace, engine: { version: '0.2.0' } };
    expect(readTrace(JSON.stringify(extended)).ok).toBe(true);
  });

  it('accepts a diagnosis trace and names a malformed diagnosis row', () => {
    const rows = [
      {
        step: null,
        real: { line: 3, text: 'SEV-SNP: failed to INIT rc -5, error 0x3' },
        simulated: 'SEV-SNP: failed to INIT rc -5, error 0x3',
      },
      { step: 1, real: null, simulated: 'ccp 0000:01:00.5: SEV API:1.55 build:24' },
      { step: null, real: { line: 7, text: 'kvm_amd: unmodelled line' }, simulated: null },
    ];
    const diagnosed = { ...seedThreadTrace, diagnosis: { sources: ['host.log'], rows } };
    expect(readTrace(JSON.stringify(diagnosed)).ok).toBe(true);
    const broken = {
      ...seedThreadTrace,
      diagnosis: { sources: ['host.log'], rows: [{ step: null, real: { line: 3 }, simulated: null }] },
    };
    expect(readTrace(JSON.stringify(broken))).toEqual({
      ok: false,
      error: 'This is not a sevsim trace: trace.diagnosis.rows[0].real.text: missing (expected a string)',
    });
  });
});
