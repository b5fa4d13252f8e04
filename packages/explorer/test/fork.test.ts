import { type KernelInput, type MachineInput, openSession, type Session } from '@sevsim/scenario';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actionsAt } from '../src/actions';
import { defaultSpace, parseKernelChoice } from '../src/default-space';
import { LAYER_FACTS } from '../src/facts';
import { configsOf, type Space } from '../src/space';
import { smallSpace } from './spaces';

const space = {
  ...smallSpace(),
  actions: { ...smallSpace().actions, maxVms: 2, vmTypes: ['sev', 'sev-es', 'snp'] as const, fwCommit: true },
};
const config = { machine: {}, kernel: { version: '7.2', patches: ['sev-fw-upload'] } };

/** Play `choices` (indices into the offered actions), forking after `cut` of them. */
function play(choices: readonly number[], cut: number | null) {
  let s = openSession(config);
  const outs: string[] = [];
  choices.forEach((c, i) => {
    if (i === cut) {
      const original = s;
      s = s.fork();
      // Touch the original afterwards: the fork must not see it.
      original.apply({ line: 0, op: 'rmmod', module: 'kvm_amd' });
      original.apply({ line: 0, op: 'modprobe', module: 'kvm_amd', params: {} });
    }
    const acts = actionsAt(s, space);
    const a = acts[c % acts.length]!;
    for (const st of a.steps) outs.push(JSON.stringify(s.apply(st)));
  });
  return {
    outs,
    fingerprint: s.fingerprint(),
    layers: JSON.stringify(s.layers()),
    state: JSON.stringify(s.state()),
  };
}

describe('Session.fork (scenario engine/session.ts)', () => {
  it('a fork behaves exactly like replaying the path from power-on (random paths, fork anywhere)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(20), { minLength: 1, maxLength: 8 }), fc.nat(8), (choices, at) => {
        const cut = at % choices.length;
        expect(play(choices, cut)).toEqual(play(choices, null));
      }),
      { numRuns: 40, seed: 7 },
    );
  });
});

/**
 * Everything `v` holds, as text: own fields (private ones too), Map and Set entries, typed-array
 * contents. Only a test reads a world this way; it sees a field a layer's `fork()` forgot.
 */
function dump(v: unknown, seen = new Map<object, number>()): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? String(v);
  const id = seen.get(v);
  if (id !== undefined) return `#${id}`;
  seen.set(v, seen.size);
  if (ArrayBuffer.isView(v)) return `[${new Uint8Array(v.buffer, v.byteOffset, v.byteLength).join(',')}]`;
  if (v instanceof Map)
    return `Map{${[...v].map(([k, x]) => `${dump(k, seen)}=>${dump(x, seen)}`).join(',')}}`;
  if (v instanceof Set) return `Set{${[...v].map((x) => dump(x, seen)).join(',')}}`;
  return `{${Object.keys(v)
    .map((k) => `${k}:${dump((v as Record<string, unknown>)[k], seen)}`)
    .join(',')}}`;
}

/**
 * Where a fork's copy differs from the original, walking both worlds side by side: every object
 * of a class (or a plain record) must have the same own fields (in any order: transpilers order
 * parameter properties differently) with the same values, the same Map and Set entries and the
 * same typed-array contents. A field a layer's `fork()` forgot (each class lists its fields) is
 * reported with its path and class.
 */
function copyDifferences(a: unknown, b: unknown, path = 'world', seen = new Set<object>()): string[] {
  if (typeof a === 'function' && typeof b === 'function')
    return String(a) === String(b) ? [] : [`${path}: function`];
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object')
    return Object.is(a, b) ? [] : [`${path}: ${dump(a)} became ${dump(b)}`];
  if (seen.has(a)) return [];
  seen.add(a);
  const cls = (a as object).constructor?.name ?? 'null-prototype';
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return [`${path} (${cls}): prototype differs`];
  if (ArrayBuffer.isView(a)) return dump(a) === dump(b) ? [] : [`${path} (${cls}): contents differ`];
  if (a instanceof Map || a instanceof Set) {
    const x = [...(a as Map<unknown, unknown>)];
    const y = [...(b as Map<unknown, unknown>)];
    if (x.length !== y.length) return [`${path} (${cls}): ${x.length} entries became ${y.length}`];
    return x.flatMap((e, i) => copyDifferences(e, y[i], `${path}[${i}]`, seen));
  }
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.join() !== kb.join()) return [`${path} (${cls}): fields ${ka.join(',')} became ${kb.join(',')}`];
  return ka.flatMap((k) =>
    copyDifferences(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      `${path}.${k}`,
      seen,
    ),
  );
}

function snapshotOf(s: Session): string {
  return `${s.fingerprint()} ${JSON.stringify(s.state())} ${dump(s.world)}`;
}

/** Where two snapshots first differ, with some context (a whole world is too long to print). */
function firstDifference(a: string, b: string): string | undefined {
  if (a === b) return undefined;
  let i = 0;
  while (a[i] === b[i]) i++;
  return `at ${i}: …${a.slice(Math.max(0, i - 200), i + 80)}… became …${b.slice(Math.max(0, i - 200), i + 80)}…`;
}

/** Play every action offered, in turn, twice over: a long path that changes every layer. */
function mutate(s: Session, sp: Space): void {
  for (let round = 0; round < 2; round++)
    for (const a of actionsAt(s, sp)) for (const st of a.steps) s.apply(st);
}

describe('Session.fork() is an independent copy (each layer forks its own fields)', () => {
  // 7.2 configurations with SNP on and off, built-in and modules, ciphertext hiding, plus a
  // machine whose PSP answers one command late (the engine's FaultyMailbox between ccp and PSP).
  const space72 = defaultSpace(parseKernelChoice('7.2'));
  const configs = configsOf(space72, LAYER_FACTS);
  const cases: { label: string; config: { machine: MachineInput; kernel: KernelInput } }[] = [
    ...[0, 37, 101, 150, 191].map((i) => ({ label: configs[i]!.label, config: configs[i]! })),
    {
      label: 'genoa, PSP answers SNP_DF_FLUSH after 2 s',
      config: { machine: { cpu: 'genoa', pspResponseSeconds: { SNP_DF_FLUSH: 2 } }, kernel: config.kernel },
    },
  ];
  it.each(cases)(
    '$label: after every path, changing the fork or the original leaves the other as it was',
    ({ config: c }) => {
      const sp = { ...space72, actions: { ...space72.actions, maxVms: 2 } };
      // Breadth-first over the first states, so forks are taken after many different paths.
      const queue = [openSession(c, { quiet: true })];
      const seen = new Set<string>();
      let checked = 0;
      while (queue.length > 0 && checked < 40) {
        const s = queue.shift()!;
        // The fork changes: the original (this state's own world) stays as it was.
        const copy = s.fork();
        const before = snapshotOf(s);
        expect(copy.fingerprint()).toEqual(s.fingerprint());
        // The copy read as the original was (a layer's caches fill on the first read).
        expect(JSON.stringify(copy.state())).toBe(JSON.stringify(s.state()));
        // Every class's copy lists every field, with the original's values.
        expect(copyDifferences(s.world, copy.world)).toEqual([]);
        mutate(copy, sp);
        expect(firstDifference(before, snapshotOf(s))).toBeUndefined();
        // The original changes: a fork taken before stays as it was.
        const original = s.fork();
        const kept = original.fork();
        const forked = snapshotOf(kept);
        mutate(original, sp);
        expect(firstDifference(forked, snapshotOf(kept))).toBeUndefined();
        checked++;
        for (const a of actionsAt(s, sp)) {
          const next = s.fork();
          for (const st of a.steps) next.apply(st);
          const key = next.fingerprint().join();
          if (!seen.has(key)) {
            seen.add(key);
            queue.push(next);
          }
        }
      }
      expect(checked).toBeGreaterThan(5);
    },
  );
});
