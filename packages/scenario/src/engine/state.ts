/**
 * The contract's `state` (docs/contracts/scenario-v1.md "State") and the playback app's per-layer views
 * (trace.ts `LayerViews`), read from the layers after each step.
 */
import type { KvmAmdPlatformView } from '@sevsim/kvm-amd';
import type { AsidRange, Json, LayerViews, State } from '../trace';
import type { World } from './world';

const NONE: AsidRange = { status: 'disabled', min: 0, max: 0 };

/** How /sys/module/NAME/parameters/X reads: bool Y/N, integers in decimal, a NULL charp "(null)". */
export function sysfs(v: unknown): Json {
  if (typeof v === 'boolean') return v ? 'Y' : 'N';
  if (typeof v === 'number') return String(v);
  if (v === null || v === undefined) return '(null)';
  return String(v);
}

function sysfsParams(params: Readonly<Record<string, unknown>> | undefined): Record<string, Json> {
  const out: Record<string, Json> = {};
  if (!params) return out;
  for (const k of sortedKeys(params)) out[k] = sysfs(params[k]);
  return out;
}

/**
 * The keys in code-unit order, as `sort()` puts them, by insertion: a module has a handful of
 * parameters, and `Array.prototype.sort` allocated a work array at every call (the explorer reads
 * the State at every new state).
 */
function sortedKeys(o: object): string[] {
  const keys = Object.keys(o);
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    for (; j >= 0 && keys[j]! > k; j--) keys[j + 1] = keys[j]!;
    keys[j + 1] = k;
  }
  return keys;
}

function range(r: { status: AsidRange['status']; min: number; max: number }): AsidRange {
  return { status: r.status, min: r.min, max: r.max };
}

/** The contract State without its `vms`: what the explanation of a failing step reads. */
export type PlatformState = Omit<State, 'vms'>;

export function readPlatform(world: World): PlatformState {
  const fw = world.psp.snapshot();
  const kv: KvmAmdPlatformView | null = world.kvm ? world.kvm.platformView() : null;
  const ccpView = world.ccp ? world.ccp.view() : null;
  return {
    host: { snp: world.ctx.hostSnp, snpEn: world.machine.snpEnAllCores(), iommu: world.machine.iommu.mode },
    firmware: {
      version: fw.version,
      committedVersion: fw.committedVersion,
      sev: fw.sev,
      snp: fw.snp,
      ciphertextHiding: fw.ciphertextHiding,
      maxSnpAsid: fw.maxSnpAsid,
      rmpInitialised: fw.rmpInitialised,
    },
    modules: {
      ccp: {
        loaded: world.ccp !== null,
        builtin: world.builtin.has('ccp'),
        params: sysfsParams(ccpView?.params as never),
      },
      kvm_amd: {
        loaded: kv !== null,
        builtin: world.builtin.has('kvm_amd'),
        params: sysfsParams(kv?.params),
      },
    },
    kvm: {
      sev: kv ? range(kv.sev) : NONE,
      sevEs: kv ? range(kv.sevEs) : NONE,
      snp: kv ? range(kv.snp) : NONE,
      vmTypes: kv ? [...kv.vmTypes] : [],
    },
  };
}

/** Every VM the scenario created, destroyed ones included (the contract keeps them). */
function readVms(world: World): State['vms'] {
  const vms: Record<string, State['vms'][string]> = {};
  for (const [id, rec] of world.vms) {
    const v = rec.vm;
    vms[id] = {
      type: rec.type,
      state: rec.destroyed || !v ? 'destroyed' : v.state,
      asid: v?.asidAssigned && !rec.destroyed ? v.asid : null,
    };
  }
  return vms;
}

export function readState(world: World): State {
  // Not `{ ...platform, vms }`: Node 20 takes a slow path for a spread followed by a new key.
  const p = readPlatform(world);
  return { host: p.host, firmware: p.firmware, modules: p.modules, kvm: p.kvm, vms: readVms(world) };
}

export function readLayers(world: World): LayerViews {
  const hw = world.machine.snapshot();
  const fw = world.psp.snapshot();
  const kv = world.kvm ? world.kvm.view() : null;
  const ccp = world.ccp ? world.ccp.view() : null;
  const counts: Record<string, number> = {};
  for (const [k, n] of Object.entries(hw.rmp.counts)) if (n > 0) counts[k] = n;
  return {
    hardware: {
      cpu: hw.cpu,
      snpEnPerCore: [...hw.snpEn],
      onlinePerCore: world.machine.cores.map((c) => c.online),
      iommu: { mode: hw.iommu.mode, snpEnforced: hw.iommu.snpEnforced },
      rmpCounts: counts,
      ciphertextHiding: hw.ciphertextHiding.enabled,
    },
    firmware: {
      sev: fw.sev,
      snp: fw.snp,
      version: fw.version,
      guests: [
        ...fw.legacyGuests.map((g) => ({
          kind: 'sev' as const,
          handle: g.handle,
          state: String(g.state),
          asid: g.asid,
        })),
        ...fw.snpGuests.map((g) => ({
          kind: 'snp' as const,
          handle: g.gctx,
          state: String(g.state),
          asid: g.asid,
        })),
      ],
      // The firmware snapshot lists the guests but only counts dirty ASIDs (AsidSummary), so
      // in-use ASIDs come from the guests and the dirty list stays empty (see README).
      asids: {
        dirty: [],
        inUse: [...fw.legacyGuests, ...fw.snpGuests]
          .map((g) => g.asid)
          .filter((a) => a > 0)
          .sort((a, b) => a - b),
      },
    },
    ccp: ccp ? (JSON.parse(JSON.stringify(ccp)) as Record<string, Json>) : { loaded: false },
    kvm: {
      params: sysfsParams(kv?.params),
      asidsInUse: kv ? [...kv.asids.inUse] : [],
      asidsReclaim: kv ? [...kv.asids.reclaim] : [],
      minSevAsid: kv ? kv.sev.min : 0,
      maxSevAsid: kv ? kv.sev.max : 0,
    },
  };
}
