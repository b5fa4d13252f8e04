import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type ChromeTraceEvent,
  defaultCatalog,
  LAYER_PIDS,
  loadScenario,
  run,
  toChromeTrace,
} from '../src/index';

const DIR = join(import.meta.dirname, '../../../examples');

function trace(f: string) {
  const r = loadScenario(join(DIR, f), defaultCatalog());
  if (!r.ok) throw new Error('invalid example');
  return run(r.scenario);
}

/** Perfetto accepts only perfectly nested slices per track (https://perfetto.dev/docs/faq). */
function assertStrictNesting(events: readonly ChromeTraceEvent[]): void {
  const tracks = new Map<string, ChromeTraceEvent[]>();
  for (const e of events) {
    if (e.ph !== 'X') continue;
    const k = `${e.pid}/${e.tid}`;
    tracks.set(k, [...(tracks.get(k) ?? []), e]);
  }
  for (const slices of tracks.values()) {
    for (const a of slices) {
      for (const b of slices) {
        if (a === b) continue;
        const aEnd = a.ts + a.dur!;
        const bEnd = b.ts + b.dur!;
        const disjoint = aEnd <= b.ts || bEnd <= a.ts;
        const aInB = a.ts >= b.ts && aEnd <= bEnd;
        const bInA = b.ts >= a.ts && bEnd <= aEnd;
        expect(disjoint || aInB || bInA).toBe(true);
      }
    }
  }
}

describe('Chrome Trace Event export', () => {
  for (const f of readdirSync(DIR).filter((x) => x.endsWith('.yaml'))) {
    it(`${f}: slices strictly nest on every track`, () => {
      assertStrictNesting(toChromeTrace(trace(f)).traceEvents);
    });
  }

  it('nesting check fails on overlapping slices', () => {
    const bad: ChromeTraceEvent[] = [
      { name: 'a', ph: 'X', ts: 0, dur: 3, pid: 1, tid: 1 },
      { name: 'b', ph: 'X', ts: 2, dur: 3, pid: 1, tid: 1 },
    ];
    expect(() => assertStrictNesting(bad)).toThrow();
  });

  it('one process per layer, named by metadata events; pids 1 scenario, 2 kvm_amd, 3 ccp, 4 firmware', () => {
    const ev = toChromeTrace(trace('sev-init-then-snp-init-fails.yaml')).traceEvents;
    expect(LAYER_PIDS).toEqual({ scenario: 1, kvm_amd: 2, ccp: 3, firmware: 4 });
    const names = ev.filter((e) => e.name === 'process_name').map((e) => [e.pid, e.args!.name]);
    expect(names).toEqual([
      [1, 'scenario'],
      [2, 'kvm_amd (arch/x86/kvm/svm/sev.c)'],
      [3, 'ccp (drivers/crypto/ccp/sev-dev.c)'],
      [4, 'PSP firmware'],
    ]);
  });

  it('each PSP command is a slice with cmd, status, statusName and guard; the clock is logical', () => {
    const ev = toChromeTrace(trace('sev-init-then-snp-init-fails.yaml')).traceEvents;
    const snp = ev.find((e) => e.pid === 4 && e.name === 'SNP_INIT_EX')!;
    expect(snp.args).toMatchObject({
      cmd: 'SNP_INIT_EX',
      status: 1,
      statusName: 'INVALID_PLATFORM_STATE',
      by: 'kvm_amd',
    });
    expect(String(snp.args!.guard)).toMatch(
      /^SNP_INIT_EX\.[a-z-]+ \(docs\/reference\/psp-firmware\.md §3\.2/,
    );
    expect(ev.every((e) => Number.isInteger(e.ts))).toBe(true);
    // The kvm_amd slice covers the commands kvm_amd issued through ccp.
    const kvm = ev.find((e) => e.pid === 2 && e.ph === 'X')!;
    expect(kvm.ts).toBeLessThanOrEqual(snp.ts);
    expect(kvm.ts + kvm.dur!).toBeGreaterThanOrEqual(snp.ts + snp.dur!);
  });
});
