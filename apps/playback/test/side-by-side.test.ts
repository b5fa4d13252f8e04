/** The logic behind the side-by-side and diagnosis views and the keys, on engine traces. */
import type { TraceStep } from '@sevsim/scenario/trace';
import { describe, expect, it } from 'vitest';
import { alignSteps, callText, comparePair, groupCalls, lcsPairs } from '../src/app/align.js';
import { rowFrames, rowKind, rowsByFrame } from '../src/app/diagnosis-rows.js';
import { keyTarget, stepFromHash } from '../src/app/position.js';
import { stepKinds } from '../src/app/step-kind.js';
import { diagnosisTrace, pairTraces, REAL_ONLY_LINE } from './fixtures/pair.js';
import { seedThreadTrace } from './fixtures/seed-thread.js';

const frames = (t: { boot: TraceStep; steps: readonly TraceStep[] }) => [t.boot, ...t.steps];

describe('aligning two runs', () => {
  it('the same scenario under 6.14 and 6.16: step for step, and what kvm-amd unload does differently', () => {
    const [a, b] = pairTraces();
    const rows = comparePair(frames(a), frames(b));
    expect(rows.map((r) => [r.a, r.b])).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => [i, i]));
    // Step 3, rmmod kvm_amd: since 6.16 kvm-amd shuts the platform down at unload
    // (docs/reference/linux-kvm-amd.md §3): SHUTDOWN, the TMR pages reclaimed, SNP_SHUTDOWN_EX; 6.14 issues nothing.
    const rmmod = rows[3]!;
    const fw = rmmod.differences.find((d) => d.category === 'firmware')!;
    expect(fw.a).toBe('—');
    expect(fw.b.split('\n')).toEqual([
      'SHUTDOWN → SUCCESS (0) by kvm_amd',
      'SNP_PAGE_RECLAIM → SUCCESS (0) by kvm_amd ×512',
      'SNP_SHUTDOWN_EX → SUCCESS (0) by kvm_amd',
    ]);
    const state = Object.fromEntries(rmmod.differences.map((d) => [d.what, [d.a, d.b, d.fresh]]));
    expect(state['firmware.sev']).toEqual(['INIT', 'UNINIT', true]);
    expect(state['firmware.snp']).toEqual(['INIT', 'UNINIT', true]);
    expect(rmmod.differs).toBe(true);
    // Step 4, the expect: under 6.16 it fails (it asks for INIT); the firmware states still differ
    // the same way, which is not new.
    const expectRow = rows[4]!;
    expect(expectRow.differences.find((d) => d.what === 'firmware.sev')?.fresh).toBe(false);
    expect(expectRow.differences.find((d) => d.category === 'outcome')).toMatchObject({
      a: 'ok',
      b: 'failed',
    });
    // rmmod ccp (step 5): both end with the platform UNINIT, so those differences are gone.
    expect(rows[5]!.differences.some((d) => d.what === 'firmware.sev')).toBe(false);
  });

  it('pairs leftover steps in order between matches and keeps steps only one run has', () => {
    const step = (op: string, args: unknown = null) => ({ op, args }) as unknown as TraceStep;
    const a = [step('boot'), step('modprobe', 'kvm_amd sev_snp=1'), step('vm.create'), step('rmmod')];
    const b = [step('boot'), step('modprobe', 'kvm_amd sev_snp=0'), step('rmmod'), step('rmmod', 'ccp')];
    expect(alignSteps(a, b)).toEqual([
      { a: 0, b: 0 },
      { a: 1, b: 1 },
      { a: 2, b: null },
      { a: 3, b: 2 },
      { a: null, b: 3 },
    ]);
    expect(lcsPairs(['x', 'y', 'x'], ['y', 'x'])).toEqual([
      [1, 0],
      [2, 1],
    ]);
  });

  it('identical commands in a row are one line ×N, as `sevsim run` prints them', () => {
    const [, b] = pairTraces();
    expect(groupCalls(b.steps[2]!.psp).map(callText)).toHaveLength(3);
  });
});

describe('expected failures and the keys', () => {
  it('a failing step the next expect requires to fail is "expected"; a failing expect is "failed"', () => {
    // seed thread: step 4 vm.init fails EIO and the expect after it says {ok: false, errno: EIO}.
    expect(stepKinds(frames(seedThreadTrace))).toEqual(['ok', 'ok', 'ok', 'ok', 'expected', 'ok', 'ok']);
    const [, b] = pairTraces();
    // 6.16: the expect after rmmod kvm_amd asks for the platform still INIT, and fails.
    expect(stepKinds(frames(b))).toEqual(['ok', 'ok', 'ok', 'ok', 'failed', 'ok', 'ok']);
  });

  it('f / F go to the next / previous failure, n / N to the next / previous difference', () => {
    const jumps = {
      failures: [false, false, true, false, true],
      differences: [true, false, false, true, false],
    };
    expect(keyTarget('f', 4, jumps)).toBeTypeOf('function');
    const go = (key: string, from: number) => (keyTarget(key, 4, jumps) as (p: number) => number)(from);
    expect([go('f', 0), go('f', 2), go('f', 4), go('F', 4), go('F', 1)]).toEqual([2, 4, 4, 2, 1]);
    expect([go('n', 0), go('n', 3), go('N', 3), go('N', 0)]).toEqual([3, 3, 0, 0]);
    expect(keyTarget('n', 4, { failures: jumps.failures })).toBeUndefined();
    expect([go('ArrowRight', 4), go('ArrowLeft', 0), go('End', 1), go('Home', 3)]).toEqual([4, 0, 4, 0]);
  });

  it('#step=N deep links', () => {
    expect(stepFromHash('#step=3')).toBe(3);
    expect(stepFromHash('#step=0')).toBe(0);
    for (const h of ['', '#', '#step=', '#step=-1', '#step=2x', '#steps=2'])
      expect(stepFromHash(h)).toBeUndefined();
  });
});

describe('diagnosis rows', () => {
  it('groups each line with the step that printed it; a real-only line between two lines of one step stays in it', () => {
    const [a] = pairTraces();
    const d = diagnosisTrace(a);
    const rows = d.diagnosis!.rows;
    const f = rowFrames(
      rows,
      frames(d).map((s) => s.index),
    );
    const realOnly = rows.findIndex((r) => r.real?.text === REAL_ONLY_LINE);
    expect(rowKind(rows[realOnly]!)).toBe('only-real');
    expect(f[realOnly]).toBe(1);
    const simOnly = rows.findIndex((r) => r.real === null);
    expect([rowKind(rows[simOnly]!), f[simOnly]]).toEqual(['only-sim', 1]);
    expect(f.slice(0, a.boot.dmesg.length).every((x) => x === 0)).toBe(true);
  });

  it('places a real-only line by its position in the real log: with the nearer matched line', () => {
    const [a] = pairTraces();
    const boot = a.boot.dmesg;
    const modprobe = a.steps[0]!;
    expect(boot.length).toBeGreaterThan(1);
    expect(modprobe.dmesg.length).toBeGreaterThan(1);
    // A dmesg where the host booted (lines 10…), ran for a while and then loaded kvm_amd (line
    // 900 on); kvm_amd's first line there is one the model does not print. Before, it went with
    // the boot, the step before it; it sits right before modprobe's lines, so it belongs there.
    // A real-only line right after the boot's lines stays with the boot, and one right before
    // the boot's first matched line too.
    const rows = [
      { step: null, real: { line: 3, text: 'SEV-SNP: early real-only' }, simulated: null },
      ...boot.map((text, i) => ({ step: null, real: { line: 10 + i, text }, simulated: text })),
      { step: null, real: { line: 10 + boot.length, text: 'boot tail real-only' }, simulated: null },
      { step: null, real: { line: 899, text: REAL_ONLY_LINE }, simulated: null },
      { step: 0, real: null, simulated: 'a simulated-only line of modprobe' },
      ...modprobe.dmesg.map((text, i) => ({ step: 0, real: { line: 900 + i, text }, simulated: text })),
    ];
    const f = rowFrames(
      rows,
      frames(a).map((s) => s.index),
    );
    const at = (text: string) => f[rows.findIndex((r) => r.real?.text === text)];
    expect([at('SEV-SNP: early real-only'), at('boot tail real-only'), at(REAL_ONLY_LINE)]).toEqual([
      0, 0, 1,
    ]);
    // Displayed grouped by step, in the diagnosis's order within a step.
    const shown = rowsByFrame(
      rows,
      frames(a).map((s) => s.index),
    );
    expect(shown.map((r) => r.frame)).toEqual([...f].sort((x, y) => x - y));
    const step1 = shown.filter((r) => r.frame === 1).map((r) => r.row.real?.text ?? r.row.simulated);
    expect(step1.slice(0, 2)).toEqual([REAL_ONLY_LINE, 'a simulated-only line of modprobe']);
  });

  it('a line in another release’s wording stands with the step of its simulated twin and anchors the lines around it', () => {
    // AMDSEV#189 (6.5 snp-host kernel): its boot line "SEV-SNP: RMP table physical address" is
    // mainline's "physical range" in other words; the diagnosis pairs them (wording: true).
    const [a] = pairTraces();
    const rows = [
      {
        step: null,
        real: { line: 1, text: 'SEV-SNP: RMP table physical address [old wording]' },
        simulated: a.boot.dmesg[0]!,
        wording: true as const,
      },
      { step: null, real: { line: 2, text: 'boot real-only' }, simulated: null },
      { step: 0, real: { line: 40, text: a.steps[0]!.dmesg[0]! }, simulated: a.steps[0]!.dmesg[0]! },
    ];
    expect(rows.map(rowKind)).toEqual(['wording', 'only-real', 'matched']);
    // Without the wording row as an anchor, line 2 would go with the modprobe's line 40.
    expect(
      rowFrames(
        rows,
        frames(a).map((s) => s.index),
      ),
    ).toEqual([0, 0, 1]);
  });

  it('a real-only line halfway between two steps goes with the earlier one', () => {
    const [a] = pairTraces();
    const rows = [
      { step: null, real: { line: 1, text: a.boot.dmesg[0]! }, simulated: a.boot.dmesg[0]! },
      { step: null, real: { line: 5, text: REAL_ONLY_LINE }, simulated: null },
      { step: 0, real: { line: 9, text: a.steps[0]!.dmesg[0]! }, simulated: a.steps[0]!.dmesg[0]! },
    ];
    expect(
      rowFrames(
        rows,
        frames(a).map((s) => s.index),
      ),
    ).toEqual([0, 0, 1]);
  });
});
