/**
 * A step-at-a-time session over the same engine `run` uses (`powerOn`, `perform`): the explorer
 * applies operator actions one by one and reads the state and the layers between them. A session
 * can start from a release profile changed by the caller (mutation testing: a deliberately wrong
 * driver profile is data, not a code change).
 */
import { forkKernelContext } from '@sevsim/ccp';
import { deepFreeze, Fingerprint, Fork } from '@sevsim/hardware';
import { forkVm, type ReleaseProfile, resolveRelease } from '@sevsim/kvm-amd';
import { resolveKernel, resolveMachine } from '../resolve';
import type { KernelInput, MachineInput, Step } from '../scenario';
import type { LayerViews, State, StepOutcome } from '../trace';
import { bootWorld, watchPsp } from './boot';
import { canApply, contractOutcome, perform } from './run';
import { readLayers, readState } from './state';
import type { VmRecord, World } from './world';

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
   * session untouched, and applying steps to this session leaves the fork untouched. Each layer
   * copies its own state (`fork(f)` of the machine, PSP, ccp, kvm-amd); large tables are shared
   * until one side writes. The explorer forks instead of replaying a path from power-on.
   */
  fork(): Session;
  /**
   * The 64-bit fingerprint of what decides the system's next behaviour: each layer's own
   * `fingerprint()` (hardware, firmware, ccp, kvm-amd with its VMs, the disk) and the kernel's
   * host-SNP decision. Two systems with equal fingerprints answer every step alike; names (VM
   * ids, handles, page numbers) and dmesg are not part of it.
   */
  fingerprint(): [number, number];
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

function sessionOf(world: World): Session {
  return new WorldSession(world);
}

/** A class rather than a record of closures: the explorer makes one per transition. */
class WorldSession implements Session {
  constructor(readonly world: World) {}

  apply(step: Step): StepOutcome {
    const world = this.world;
    world.calls = [];
    const o = perform(world, step);
    return contractOutcome(step.op, o, world.calls);
  }

  canApply(step: Step): boolean {
    return canApply(this.world, step);
  }

  state(): State {
    return readState(this.world);
  }

  layers(): LayerViews {
    return readLayers(this.world);
  }

  fork(): Session {
    return new WorldSession(forkWorld(this.world));
  }

  fingerprint(): [number, number] {
    return fingerprintWorld(this.world);
  }
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
 * A destroyed VM's record, frozen and shared by every copy: nothing changes a destroyed VM (its
 * steps fail with EBADF, KVM no longer lists it, a reboot replaces the record), and a path keeps
 * every VM it destroyed, so copying them made forks grow with the path.
 */
function settled(r: VmRecord): VmRecord {
  if (!Object.isFrozen(r)) deepFreeze(r);
  return r;
}

/**
 * An independent copy of the whole system: each layer copies its own fields (`fork(f)` of the
 * machine, the PSP, ccp, kvm-amd, the kernel context and the VMs), and objects several layers
 * hold are copied once, so the copy has the original's sharing. The PSP is copied before ccp and
 * ccp before kvm-amd: each sees the layer below only through an interface (the mailbox, the
 * driver) and takes the copy its owner made. The engine's firmware-command recorder is attached
 * to the copy anew; configuration (frozen) is shared.
 */
function forkWorld(world: World): World {
  const f = new Fork();
  const psp = world.psp.fork(f);
  const mailbox = world.mailbox.fork(f);
  const ctx = forkKernelContext(world.ctx, f);
  const ccp = world.ccp?.fork(f) ?? null;
  const kvm = world.kvm?.fork(f) ?? null;
  const vms = new Map<string, VmRecord>();
  world.vms.forEach((r, id) => {
    vms.set(id, r.destroyed ? settled(r) : { type: r.type, vm: r.vm && forkVm(r.vm, f), destroyed: false });
  });
  // In bootWorld's field order, so every world has one shape.
  const next: World = {
    machineConfig: world.machineConfig,
    kernel: world.kernel,
    release: world.release,
    quiet: world.quiet,
    builtin: world.builtin,
    vms,
    issuer: world.issuer,
    calls: [],
    ccp,
    kvm,
    machine: world.machine.fork(f),
    ctx,
    psp,
    mailbox,
  };
  watchPsp(next, mailbox);
  return next;
}
