import { defaultCatalog, openSession, parseScenario, run } from '@sevsim/scenario';
import { describe, expect, it } from 'vitest';
import { counterexampleYaml } from '../src/counterexample';
import { explore, exploreSpaces } from '../src/explore';
import { exploreConfig } from '../src/explore-config';
import { LAYER_FACTS } from '../src/facts';
import { INVARIANTS } from '../src/invariants';
import { MUTATIONS } from '../src/mutations';
import { configsOf } from '../src/space';
import { smallSpace } from './spaces';

const labels = (p: readonly { label: string }[] | undefined) => p?.map((a) => a.label);

describe('mainline 7.2 + sev-fw-upload, small space', () => {
  it('violates no invariant and reaches SEV, SNP and hot-load by their shortest paths', async () => {
    const r = await explore(smallSpace(), { workers: 1 });
    expect(r.violations).toEqual([]);
    const caps = r.results[0]!.capabilities;
    // docs/reference/linux-kvm-amd.md §2.3: kvm_amd load initialises the platform; the first VM launches at once.
    expect(labels(caps['snp-vm-running'])).toEqual(['modprobe kvm_amd', 'vm.start snp vm1', 'vm.launch vm1']);
    expect(labels(caps['sev-vm-running'])).toEqual(['modprobe kvm_amd', 'vm.start sev vm1', 'vm.launch vm1']);
    // docs/reference/linux-ccp.md §5.2: fw_upload with ccp alone (SEV UNINIT) hot-loads.
    expect(labels(caps['fw-hotloaded'])).toEqual(['modprobe ccp', 'fw.update 1.58.30']);
    // docs/reference/psp-firmware.md §3.6 (Ashish Kalra in the seed thread): DLFW_EX needs SEV UNINIT, so never under a running SEV guest.
    expect(caps['fw-hotloaded-with-legacy-guest']).toBeUndefined();
  });
});

describe('exploreSpaces (explore.ts): several spaces over one set of workers', () => {
  it('gives each space the result explore gives it alone (scheduling changes no state, path or finding)', async () => {
    const spaces = [
      smallSpace(),
      smallSpace({ 'ccp.psp_init_on_probe': [false], 'kvm_amd.sev_snp': [false, true] }),
      smallSpace({}, { version: '6.14', patches: [] }),
    ];
    const timeless = ({ seconds: _s, statesPerSecond: _p, ...rest }: Awaited<ReturnType<typeof explore>>) =>
      rest;
    const together = await exploreSpaces(spaces, { workers: 1 });
    const alone = await Promise.all(spaces.map((s) => explore(s, { workers: 1 })));
    expect(together.map(timeless)).toEqual(alone.map(timeless));
    expect(together.map((r) => r.configs)).toEqual([1, 2, 1]);
  });
});

describe('mutations (given as profile data) are found', () => {
  it('legacy INIT before SNP_INIT: SEV and SNP guests are lost and the platform outlives kvm_amd', async () => {
    const r = await explore(smallSpace(), { workers: 1, mutation: MUTATIONS['legacy-init-first'] });
    const caps = r.results[0]!.capabilities;
    expect(caps['sev-vm-running']).toBeUndefined();
    expect(caps['snp-vm-running']).toBeUndefined();
    expect(r.violations.map((v) => [v.invariant, labels(v.path)])).toEqual([
      ['platform-released-without-owner', ['modprobe kvm_amd', 'rmmod kvm_amd']],
    ]);
  });

  it('no platform shutdown on kvm_amd unload (docs/reference/linux-kvm-amd.md §3 step 4 dropped)', async () => {
    const r = await explore(smallSpace(), { workers: 1, mutation: MUTATIONS['no-shutdown-on-unload'] });
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]!.invariant).toBe('platform-released-without-owner');
    expect(r.violations[0]!.message).toBe('kvm_amd is not loaded but the firmware is SEV INIT, SNP INIT');
    expect(labels(r.violations[0]!.path)).toEqual(['modprobe kvm_amd', 'rmmod kvm_amd']);
  });

  it('SEV range off by one (docs/reference/linux-kvm-amd.md §2.5): caught at kvm_amd load, SEV guests lost', async () => {
    const r = await explore(smallSpace(), { workers: 1, mutation: MUTATIONS['asid-range-off-by-one'] });
    expect(r.violations.map((v) => [v.invariant, v.message, labels(v.path)])).toEqual([
      [
        'asid-in-range',
        "KVM's sev range 99-1006 leaves the firmware's valid ASIDs [100, 1006]",
        ['modprobe kvm_amd'],
      ],
    ]);
    expect(r.results[0]!.capabilities['sev-vm-running']).toBeUndefined();
    expect(r.results[0]!.capabilities['snp-vm-running']).toBeDefined();
  });
});

describe('finding: docs/reference/linux-kvm-amd.md §7.2 Q1 (ciphertext_hiding_asids with SNP unsupported)', () => {
  const space = smallSpace(
    { 'kvm_amd.sev_snp': [false], 'kvm_amd.ciphertext_hiding_asids': ['all'] },
    { version: '7.2', patches: [] },
  );
  const config = configsOf(space, LAYER_FACTS)[0]!;

  it('gives KVM an SEV-ES range starting at ASID 0, in one step', () => {
    const r = exploreConfig(space, config);
    const v = r.violations.find((x) => x.invariant === 'asid-in-range')!;
    expect(v.message).toBe("KVM's sevEs range 0-99 leaves the firmware's valid ASIDs [1, 99]");
    expect(labels(v.path)).toEqual(['modprobe kvm_amd']);
  });

  it('writes a counterexample that sevsim run reproduces (its expect holds, the invariant fails again)', () => {
    const r = exploreConfig(space, config);
    const v = r.violations.find((x) => x.invariant === 'asid-in-range')!;
    const text = counterexampleYaml(v, config, 'test');
    const parsed = parseScenario(text, 'cx.yaml', defaultCatalog());
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const trace = run(parsed.scenario);
    expect(trace.result.passed).toBe(true);
    expect(trace.result.state.kvm.sevEs).toEqual({ status: 'enabled', min: 0, max: 99 });
    // Replay the steps and check the invariant itself.
    const s = openSession(parsed.scenario);
    for (const st of parsed.scenario.steps) if (st.op !== 'expect') s.apply(st);
    const asidInRange = INVARIANTS.find((i) => i.id === 'asid-in-range')!;
    expect(
      asidInRange.check!({ session: s, state: s.state(), firmware: s.world.psp.snapshot() })?.message,
    ).toBe(v.message);
  });
});
