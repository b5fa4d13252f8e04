/**
 * Real traces: the ones stored from the engine, and a fresh run of every example scenario, are
 * all readable by the page's check and export to strictly ordered Chrome traces. A stored trace
 * is what its example gives today, or this test fails.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCatalog, loadScenario, parseScenario, run } from '@sevsim/scenario';
import { toChromeTrace } from '@sevsim/scenario/trace';
import { describe, expect, it } from 'vitest';
import { readTrace } from '../src/index.js';
import { generatedFrom, generatedTraceFiles, generatedTraceText } from './fixtures/generated.js';
import { assertStrictlyNested } from './fixtures/nesting.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const EXAMPLES = join(ROOT, 'examples');

describe('traces written by the engine', () => {
  it.each(Object.entries(generatedTraceFiles))('stored %s trace is readable', (_name, path) => {
    const reading = readTrace(generatedTraceText(path));
    expect(reading.ok && reading.trace.format).toBe('sevsim-trace');
  });

  it.each(Object.entries(generatedFrom))('stored %s trace is what %s gives today', async (name, example) => {
    // Parsed under its repository-relative name, so the stored `file` does not depend on the checkout.
    const parsed = parseScenario(readFileSync(join(ROOT, example), 'utf8'), example, defaultCatalog());
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const fresh = `${JSON.stringify(run(parsed.scenario), null, 2)}\n`;
    await expect(
      fresh,
      `stale: run \`npx vitest run test/engine-traces.test.ts -u\` in apps/playback`,
    ).toMatchFileSnapshot(generatedTraceFiles[name as keyof typeof generatedTraceFiles]);
  });

  it('the offline-CPU trace holds the refusals the app shows (AMDSEV#154: SNP_INIT_EX 0x3, then INIT 0x1)', () => {
    const reading = readTrace(generatedTraceText(generatedTraceFiles.offlineCpu));
    if (!reading.ok) throw new Error(reading.error);
    const calls = reading.trace.steps[0]!.psp;
    expect(calls.map((c) => [c.cmd, c.status, c.guard?.id ?? null])).toEqual([
      ['PLATFORM_STATUS', 0, null],
      ['SNP_INIT_EX', 3, 'SNP_INIT_EX.msrs-identical'],
      ['INIT', 1, 'INIT.snpen-needs-rmp'],
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
