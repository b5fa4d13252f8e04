import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultCatalog, loadScenario, parseTrace, run } from '../src/index';

const EXAMPLE = join(import.meta.dirname, '../../../examples');

function exampleTrace() {
  const r = loadScenario(join(EXAMPLE, 'snp-init-0x3-then-sev-init-0x1-legacy-boot.yaml'), defaultCatalog());
  if (!r.ok) throw new Error('invalid example');
  return run(r.scenario);
}

describe('parseTrace: the optional diagnosis member (what `sevsim diagnose --out` adds)', () => {
  it('reads a trace without one, and one with matched, real-only and simulated-only rows', () => {
    const trace = exampleTrace();
    expect(parseTrace(JSON.stringify(trace)).ok).toBe(true);
    const diagnosis = {
      sources: ['host.log'],
      rows: [
        {
          step: null,
          real: { line: 4, text: 'ccp 0000:01:00.5: SEV API:1.55 build:24' },
          simulated: 'ccp 0000:01:00.5: SEV API:1.55 build:24',
        },
        { step: null, real: { line: 9, text: 'kvm_amd: something we do not model' }, simulated: null },
        { step: 2, real: null, simulated: 'SEV-SNP: failed to INIT rc -5, error 0x3' },
      ],
    };
    const r = parseTrace(JSON.stringify({ ...trace, diagnosis }));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.trace.diagnosis).toEqual(diagnosis);
  });

  it('refuses a diagnosis whose rows are not {step, real, simulated}', () => {
    const trace = exampleTrace();
    for (const diagnosis of [
      { sources: 'host.log', rows: [] },
      { sources: [], rows: [{ step: '1', real: null, simulated: 'x' }] },
      { sources: [], rows: [{ step: null, real: { line: '4', text: 'x' }, simulated: null }] },
      { sources: [], rows: [{ step: null, real: null }] },
    ]) {
      const r = parseTrace(JSON.stringify({ ...trace, diagnosis }));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/^This is not a sevsim trace: trace\.diagnosis\./);
    }
  });
});

describe('parseTrace: the one check `sevsim export` and the playback app apply', () => {
  it('names the first member a converter would trip on, never throws', () => {
    const trace = exampleTrace();
    const broken = (edit: (t: Record<string, unknown> & typeof trace) => void): string => {
      const t = JSON.parse(JSON.stringify(trace));
      edit(t);
      return JSON.stringify(t);
    };
    expect(parseTrace(broken((t) => ((t.steps[0] as { psp: unknown }).psp = [null])))).toEqual({
      ok: false,
      error: 'This is not a sevsim trace: trace.steps[0].psp[0]: expected an object, got null',
    });
    expect(parseTrace(broken((t) => ((t.boot as { dmesg: unknown }).dmesg = 'x')))).toEqual({
      ok: false,
      error: 'This is not a sevsim trace: trace.boot.dmesg: expected a list, got string',
    });
    expect(parseTrace(broken((t) => ((t as { version: unknown }).version = 2)))).toEqual({
      ok: false,
      error: 'This is not a sevsim trace: trace.version: expected one of 1, got number',
    });
    expect(parseTrace('')).toEqual({ ok: false, error: 'The trace file is empty.' });
    const cut = parseTrace(JSON.stringify(trace).slice(0, 200));
    expect(cut.ok).toBe(false);
    if (!cut.ok) expect(cut.error).toMatch(/^The trace is not valid JSON \(is the file truncated\?\): /);
  });
});
