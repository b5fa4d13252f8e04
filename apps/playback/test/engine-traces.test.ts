/**
 * Real traces: the ones stored from the engine, and a fresh run of every example scenario, are
 * all readable by the page's check and export to strictly ordered Chrome traces.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCatalog, loadScenario, run } from '@sevsim/scenario';
import { toChromeTrace } from '@sevsim/scenario/trace';
import { describe, expect, it } from 'vitest';
import { readTrace } from '../src/index.js';
import { generatedTraceFiles, generatedTraceText } from './fixtures/generated.js';
import { assertStrictlyNested } from './fixtures/nesting.js';

const EXAMPLES = new URL('../../../examples/', import.meta.url).pathname;

describe('traces written by the engine', () => {
  it.each(Object.entries(generatedTraceFiles))('stored %s trace is readable', (_name, path) => {
    const reading = readTrace(generatedTraceText(path));
    expect(reading.ok && reading.trace.format).toBe('sevsim-trace');
  });

  it('the offline-CPU trace holds the refusal the app shows (docs/reference/psp-firmware.md §3.2 step 5)', () => {
    const reading = readTrace(generatedTraceText(generatedTraceFiles.offlineCpu));
    if (!reading.ok) throw new Error(reading.error);
    const snpInit = reading.trace.steps[0]!.psp.find((c) => c.cmd === 'SNP_INIT_EX')!;
    expect([snpInit.status, snpInit.statusName, snpInit.guard?.id]).toEqual([
      3,
      'INVALID_CONFIG',
      'SNP_INIT_EX.cores-snp-enabled',
    ]);
  });

  const examples = readdirSync(EXAMPLES).filter((f) => /\.ya?ml$/.test(f));

  it('there are examples to run', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  it.each(examples)('a fresh run of examples/%s gives a trace the app reads', (file) => {
    const loaded = loadScenario(join(EXAMPLES, file), defaultCatalog());
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const text = JSON.stringify(run(loaded.scenario));
    const reading = readTrace(text);
    expect(reading.ok ? 'readable' : reading.error).toBe('readable');
    if (reading.ok) {
      const events = toChromeTrace(reading.trace).traceEvents;
      assertStrictlyNested(events);
      const steps = events.filter((e) => e.cat === 'step' && e.pid === 1);
      expect(steps).toHaveLength(1 + reading.trace.steps.length);
    }
  });
});
