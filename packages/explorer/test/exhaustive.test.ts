/**
 * Exhaustive exploration of small-ASID machines, known findings as a baseline, and shards that
 * merge into the unsharded result.
 */
import { describe, expect, it } from 'vitest';
import { baselineOf, DEFAULT_BASELINE, isKnown, parseBaseline } from '../src/baseline';
import { explore } from '../src/explore';
import { exploreConfig } from '../src/explore-config';
import { LAYER_FACTS } from '../src/facts';
import { explorationJson } from '../src/report';
import { type ExplorationJson, mergeExplorations, parseShard, shardIndices } from '../src/shard';
import { configsOf, type Space } from '../src/space';
import { smallSpace } from './spaces';

/** 4 ASIDs, SEV from 3: SEV 3–4, SEV-ES/SNP 1–2 (CPUID 0x8000001F ECX/EDX). */
function tiny(over: Partial<Space['params']> = {}): Space {
  const s = smallSpace(over, { version: '7.2', patches: [] });
  return {
    ...s,
    machine: { ...s.machine, asids: [4], minSevAsid: [3] },
    actions: { ...s.actions, fwUpdate: [], hostRead: false },
    depth: Number.POSITIVE_INFINITY,
  };
}

describe('exhaustive exploration (depth unbounded) of a small-ASID machine', () => {
  it('reaches a fixpoint: every reachable state expanded; a tighter depth bound is not exhausted', () => {
    const space = tiny();
    const [config] = configsOf(space, LAYER_FACTS);
    expect(config!.label).toContain('asids=4 minSevAsid=3');
    expect(config!.machine).toMatchObject({ asids: 4, bios: { minSevAsid: 3 } });
    const r = exploreConfig(space, config!);
    expect(r.exhausted).toBe(true);
    expect(r.violations).toEqual([]);
    const cut = exploreConfig({ ...space, depth: r.depth - 2 }, config!);
    expect(cut.exhausted).toBe(false);
    expect(cut.states).toBeLessThan(r.states);
  });

  it('drops configurations whose minSevAsid exceeds asids + 1 (CPUID 0x8000001F EDX ≤ ECX + 1)', () => {
    const s = tiny();
    expect(configsOf({ ...s, machine: { ...s.machine, minSevAsid: [3, 6] } }, LAYER_FACTS)).toHaveLength(1);
  });
});

describe('baseline (--baseline / --write-baseline)', () => {
  it('accepts the docs/reference/linux-kvm-amd.md §7.2 Q1 finding (sev_snp=0, ciphertext_hiding_asids=-1u: SEV-ES from ASID 0) and nothing else', async () => {
    const space: Space = {
      ...tiny({ 'kvm_amd.sev_snp': [false], 'kvm_amd.ciphertext_hiding_asids': ['all'] }),
      depth: 1,
    };
    const r = await explore(space, { workers: 1 });
    const v = r.violations[0]!;
    expect(v.message).toBe("KVM's sevEs range 0-2 leaves the firmware's valid ASIDs [1, 2]");
    const label = r.results[0]!.config.label;
    expect(isKnown(DEFAULT_BASELINE, v, label)).toBe(true);
    expect(isKnown(DEFAULT_BASELINE, { ...v, invariant: 'asid-unique' }, label)).toBe(false);
    const written = baselineOf(r);
    expect(written.findings).toEqual([{ invariant: 'asid-in-range', message: v.message, configs: [label] }]);
    const back = parseBaseline(JSON.stringify(written), 'b.json');
    expect(back.ok && isKnown(back.baseline, v, label)).toBe(true);
    expect(isKnown(written, v, label.replace('sev_snp=0', 'sev_snp=1'))).toBe(false);
  });

  it('reports a bad baseline file with the key and the allowed invariants', () => {
    const r = parseBaseline(
      '{"version":1,"findings":[{"invariant":"nope","message":"x","configs":[]}]}',
      'b.json',
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ file: 'b.json', key: 'findings[0].invariant' });
  });
});

describe('shards (--shard i/n, explore merge)', () => {
  it('the merged shard results equal the unsharded result (timing aside)', async () => {
    const space: Space = {
      ...tiny({ 'ccp.psp_init_on_probe': [false, true], 'kvm_amd.sev_snp': [false, true] }),
      depth: 3,
    };
    const n = configsOf(space, LAYER_FACTS).length;
    expect(n).toBe(4);
    const whole = explorationJson(await explore(space, { workers: 1 }), []);
    const parts: ExplorationJson[] = [];
    for (const i of [1, 0]) {
      const shard = parseShard(`${i}/2`);
      if (typeof shard === 'string') throw new Error(shard);
      expect(shardIndices(n, shard)).toEqual(i === 0 ? [0, 2] : [1, 3]);
      parts.push(
        explorationJson(await explore(space, { workers: 1, only: shardIndices(n, shard) }), [], shard),
      );
    }
    const merged = mergeExplorations(parts);
    const timeless = ({ seconds: _s, statesPerSecond: _p, workers: _w, ...rest }: typeof whole) => rest;
    expect(timeless(merged)).toEqual(timeless(whole));
    expect(() => mergeExplorations([parts[0]!])).toThrow(/missing/);
    expect(parseShard('2/2')).toMatch(/0\.\.n-1/);
  });
});
