import { openSession } from '@sevsim/scenario';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actionsAt } from '../src/actions';
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
