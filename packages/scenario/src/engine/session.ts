/**
 * A step-at-a-time session over the same engine `run` uses (`powerOn`, `perform`): the explorer
 * applies operator actions one by one and reads the state and the layers between them. A session
 * can start from a release profile changed by the caller (mutation testing: a deliberately wrong
 * driver profile is data, not a code change).
 */
import { Fingerprint } from '@sevsim/hardware';
import { type ReleaseProfile, resolveRelease } from '@sevsim/kvm-amd';
import { resolveKernel, resolveMachine } from '../resolve';
import type { KernelInput, MachineInput, Step } from '../scenario';
import type { LayerViews, State, StepOutcome } from '../trace';
import { bootWorld, unwatchPsp, watchPsp } from './boot';
import { canApply, contractOutcome, perform } from './run';
import { readLayers, readState } from './state';
import type { World } from './world';

export interface SessionOptions {
  /** Change the resolved release profile before boot (e.g. flip a ccp or kvm-amd field). */
  readonly release?: (profile: ReleaseProfile) => ReleaseProfile;
  /**
   * Keep no dmesg lines and record no firmware commands (`apply` returns `psp: []`): what a
   * search that reads neither wants, so forks do not copy a log that grows with the path.
   */
  readonly quiet?: boolean;
}

export interface Session {
  /** The live system, for invariants that look below the contract State. Do not mutate. */
  readonly world: Readonly<World>;
  /** Play one step; `expect` steps are not checked here (use `run` for that). */
  apply(step: Step): StepOutcome;
  /**
   * Whether `step` would reach a layer: false for a modprobe of a loaded module, an rmmod the
   * module loader refuses, a VM created without /dev/kvm and fw.commit without /dev/sev, which
   * leave every layer as it was.
   */
  canApply(step: Step): boolean;
  state(): State;
  layers(): LayerViews;
  /**
   * An independent copy of the whole system as it is now: applying steps to the fork leaves this
   * session untouched. The explorer forks instead of replaying a path from power-on.
   */
  fork(): Session;
  /**
   * The 64-bit fingerprint of what decides the system's next behaviour: each layer's own
   * `fingerprint()` (hardware, firmware, ccp, kvm-amd with its VMs, the disk) and the kernel's
   * host-SNP decision. Two systems with equal fingerprints answer every step alike; names (VM
   * ids, handles, page numbers) and dmesg are not part of it.
   */
  fingerprint(): [number, number];
  /**
   * This session will not be used again: the buffers its fork copied go back to a pool the next
   * fork copies into, so a search that drops most forks does not allocate a buffer per fork.
   */
  dispose(): void;
}

export function openSession(
  config: { readonly machine: MachineInput; readonly kernel: KernelInput },
  options: SessionOptions = {},
): Session {
  const machineConfig = resolveMachine(config.machine);
  const kernel = resolveKernel(config.kernel);
  const resolved = resolveRelease(kernel.version, [...kernel.patches]);
  const release = options.release ? options.release(resolved) : resolved;
  const world = bootWorld(machineConfig, kernel, release, { quiet: options.quiet ?? false });
  return sessionOf(world);
}

function sessionOf(world: World, buffers: ArrayBuffer[] = []): Session {
  return {
    world,
    apply(step: Step): StepOutcome {
      world.calls = [];
      const o = perform(world, step);
      return contractOutcome(step.op, o, world.calls);
    },
    canApply: (step) => canApply(world, step),
    state: () => readState(world),
    layers: () => readLayers(world),
    fork: () => {
      const copied: ArrayBuffer[] = [];
      return sessionOf(forkWorld(world, copied), copied);
    },
    fingerprint: () => fingerprintWorld(world),
    dispose: () => {
      for (const b of buffers.splice(0)) recycle(b);
    },
  };
}

/**
 * Buffers of disposed forks by size (the worlds' typed arrays: per-core MSRs, ASID bitmaps,
 * memory pages). Allocating an ArrayBuffer costs more than the rest of a fork's copy together.
 * A fork overwrites a recycled buffer entirely, so reuse cannot leak one world into another.
 */
const POOL = new Map<number, ArrayBuffer[]>();
const POOL_PER_SIZE = 256;

function recycle(b: ArrayBuffer): void {
  const list = POOL.get(b.byteLength);
  if (!list) POOL.set(b.byteLength, [b]);
  else if (list.length < POOL_PER_SIZE) list.push(b);
}

function copyBuffer(v: ArrayBuffer): ArrayBuffer {
  const b = POOL.get(v.byteLength)?.pop();
  if (!b) return v.slice(0);
  new Uint8Array(b).set(new Uint8Array(v));
  return b;
}

function fingerprintWorld(world: World): [number, number] {
  const f = new Fingerprint().bool(world.ctx.hostSnp);
  world.machine.fingerprint(f);
  world.psp.fingerprint(f);
  if (world.ccp) world.ccp.fingerprint(f.int(1));
  else f.int(0);
  if (world.kvm) world.kvm.fingerprint(f.int(1));
  else f.int(0);
  world.ctx.fs?.fingerprint(f);
  return f.digest();
}

/**
 * Deep copy of the object graph, identity and prototypes kept; frozen objects (such as RMP
 * entries, which are values) are shared. The layers keep their state as data, without closures,
 * so a structural copy is an independent system; the only subscription, the engine's own
 * firmware-command recorder, is detached for the copy and attached again to both worlds. A
 * closure anywhere else would tie the copy to the original, so it is refused.
 */
function forkWorld(world: World, copied: ArrayBuffer[]): World {
  const memo = new Map<object, unknown>();
  const copy = <T>(v: T, key: string): T => {
    if (v === null || typeof v !== 'object') {
      if (typeof v === 'function') throw new Error(`fork: cannot copy the closure in property "${key}"`);
      return v;
    }
    if (Object.isFrozen(v)) return v;
    const seen = memo.get(v);
    if (seen !== undefined) return seen as T;
    if (v instanceof ArrayBuffer) {
      const b = copyBuffer(v);
      copied.push(b);
      memo.set(v, b);
      return b as T;
    }
    if (ArrayBuffer.isView(v)) {
      const buf = copy(v.buffer as ArrayBuffer, key);
      const ctor = v.constructor as new (b: ArrayBuffer, o: number, n: number) => ArrayBufferView;
      const n = v instanceof DataView ? v.byteLength : (v as unknown as { length: number }).length;
      const t = new ctor(buf, v.byteOffset, n);
      memo.set(v, t);
      return t as T;
    }
    if (v instanceof Map) {
      const m = new Map();
      memo.set(v, m);
      for (const [k, x] of v) m.set(copy(k, key), copy(x, key));
      return m as T;
    }
    if (v instanceof Set) {
      const s = new Set();
      memo.set(v, s);
      for (const x of v) s.add(copy(x, key));
      return s as T;
    }
    if (Array.isArray(v)) {
      const a: unknown[] = new Array(v.length);
      memo.set(v, a);
      for (let i = 0; i < v.length; i++) a[i] = copy(v[i], key);
      return a as T;
    }
    const proto = Object.getPrototypeOf(v);
    const o = (proto === Object.prototype ? {} : Object.create(proto)) as Record<string, unknown>;
    memo.set(v, o);
    const src = v as Record<string, unknown>;
    for (const k of Object.keys(src)) o[k] = copy(src[k], k);
    return o as T;
  };
  unwatchPsp(world);
  let next: World;
  try {
    next = copy(world, 'world');
  } finally {
    watchPsp(world, world.psp);
  }
  watchPsp(next, next.psp);
  return next;
}
