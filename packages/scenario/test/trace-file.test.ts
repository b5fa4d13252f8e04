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
      expect(parseTrace(JSON.stringify({ ...trace, diagnosis }))).toEqual({
        ok: false,
        error:
          'malformed diagnosis: expected {sources: [string], rows: [{step, real: {line, text} | null, simulated}]}',
      });
    }
  });
});
