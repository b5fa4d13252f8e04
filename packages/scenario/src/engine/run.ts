/**
 * The engine: `run(scenario) → Trace`. Boots the machine, plays each step through the layers,
 * records per step the outcome, the firmware commands, the kernel log lines, the state after
 * and what changed, and checks `expect` steps (docs/contracts/scenario-v1.md "`sevsim run`"). Deterministic:
 * the same scenario gives byte-identical traces.
 */
import { resolveRelease } from '@sevsim/kvm-amd';
import { resolveKernel, resolveMachine } from '../resolve';
import type { Scenario, Step } from '../scenario';
import type { Json, RunLog, RunResult, State, StepOutcome, StepRecord, Trace, TraceStep } from '../trace';
import { bootWorld, kdumpBoot, powerOn } from './boot';
import { explainStep } from './explain';
import { checkExpectation } from './expect';
import { fwCommit, fwUpdate, rawPsp, sevIoctlStep } from './firmware-steps';
import { loadModule, moduleLoaded, unloadModule, unloadRefusal } from './modules';
import { OK, type Outcome } from './outcome';
import { changedPaths } from './state-paths-runtime';
import { type PlatformState, readLayers, readPlatform, readState } from './state';
import { hostRead, vmCreate, vmDestroy, vmInit, vmLaunch } from './vm-steps';
import type { World } from './world';

export function perform(world: World, step: Step): Outcome {
  switch (step.op) {
    case 'reboot': {
      const fw = world.psp.snapshot();
      powerOn(world, { running: fw.committedVersion, committed: fw.committedVersion });
      return OK;
    }
    case 'kdump':
      kdumpBoot(world);
      return OK;
    case 'modprobe':
      return loadModule(world, step.module, step.params);
    case 'rmmod':
      return unloadModule(world, step.module);
    case 'vm.create':
      return vmCreate(world, step);
    case 'vm.init':
      return vmInit(world, step);
    case 'vm.launch':
      return vmLaunch(world, step);
    case 'vm.destroy':
      return vmDestroy(world, step);
    case 'fw.update':
      return fwUpdate(world, step);
    case 'fw.commit':
      return fwCommit(world);
    case 'sev.ioctl':
      return sevIoctlStep(world, step);
    case 'psp':
      return rawPsp(world, step);
    case 'host.read':
      return hostRead(world, step);
    case 'expect':
      return OK;
  }
}

/**
 * Whether `step` would reach a layer. False for the steps the engine answers by itself, leaving
 * every layer as it was: modprobe of a loaded module, an rmmod the module loader refuses, a VM
 * created without /dev/kvm, fw.commit without /dev/sev. The explorer offers only steps that can
 * apply.
 */
export function canApply(world: World, step: Step): boolean {
  switch (step.op) {
    case 'modprobe':
      return !moduleLoaded(world, step.module);
    case 'rmmod':
      return unloadRefusal(world, step.module) === undefined;
    case 'vm.create':
      // /dev/kvm exists while kvm_amd is loaded (vmCreate's ENOENT).
      return moduleLoaded(world, 'kvm_amd');
    case 'fw.commit':
    case 'sev.ioctl':
      // /dev/sev exists while ccp is loaded (fwCommit's and sevIoctlStep's ENOENT).
      return moduleLoaded(world, 'ccp');
    default:
      return true;
  }
}

/** The step as written, without its line, for the trace's `args`. */
function stepArgs(step: Step): Json {
  const { line: _line, op: _op, ...rest } = step as Step & Record<string, unknown>;
  return JSON.parse(JSON.stringify(rest)) as Json;
}

/**
 * The contract's fwError: the firmware status the layer reported for a failed step; for a step
 * that succeeded although a firmware command in it failed (e.g. modprobe with SNP_INIT refused),
 * the first refused command's status, the root cause. null when every command succeeded.
 */
export function contractOutcome(op: string, o: Outcome, psp: TraceStep['psp']): StepOutcome {
  const refused = psp.find((c) => c.status !== 0);
  const fwError = o.fwError ?? (o.ok && refused ? refused.status : null);
  return {
    op,
    ok: o.ok,
    errno: o.errno,
    fwError,
    psp: psp.map((c) => ({ cmd: c.cmd, status: c.status })),
    ...(o.read ? { read: o.read } : {}),
  };
}

/** The full trace: per step the state after it, what changed and the layer views (`--trace`). */
export function run(scenario: Scenario): Trace {
  const log = play(scenario, true) as RunLog<TraceStep>;
  return { format: 'sevsim-trace', version: 1, ...log };
}

/**
 * The same run without per-step snapshots: the state is read only where an `expect` checks it
 * and at the end, so time and memory grow with the steps alone (a State lists every VM ever
 * created). Its `result` is the one `run` returns.
 */
export function runLog(scenario: Scenario): RunLog {
  return play(scenario, false);
}

function play(scenario: Scenario, snapshots: boolean): RunLog<StepRecord | TraceStep> {
  const machineConfig = resolveMachine(scenario.machine);
  const kernel = resolveKernel(scenario.kernel);
  const release = resolveRelease(kernel.version, [...kernel.patches]);
  const world = bootWorld(machineConfig, kernel, release);
  const bootOutcome = contractOutcome('boot', OK, world.calls);
  const bootRecord: StepRecord = {
    index: -1,
    op: 'boot',
    line: 0,
    args: null,
    outcome: bootOutcome,
    psp: world.calls,
    dmesg: [...world.ctx.log.lines],
  };
  let last: State | null = snapshots ? readState(world) : null;
  const boot = last ? { ...bootRecord, state: last, changed: [], layers: readLayers(world) } : bootRecord;

  const steps: (StepRecord | TraceStep)[] = [];
  // What a failing step's explanation reads: the system before it.
  let before: PlatformState = last ?? readPlatform(world);
  let lastAction: { op: string; outcome: StepOutcome } = { op: 'boot', outcome: bootOutcome };
  for (const [index, step] of scenario.steps.entries()) {
    world.calls = [];
    const mark = world.ctx.log.mark();
    const o = perform(world, step);
    const psp = world.calls;
    const dmesg = world.ctx.log.since(mark);
    const state = snapshots || step.op === 'expect' ? readState(world) : null;
    let outcome: StepOutcome;
    if (step.op === 'expect') {
      const failures = checkExpectation(step.expect, lastAction, state!, world.ctx.log.lines);
      outcome = { op: 'expect', ok: failures.length === 0, failures };
    } else {
      outcome = contractOutcome(step.op, o, psp);
      lastAction = { op: step.op, outcome };
    }
    const explanation =
      step.op === 'expect' ? undefined : explainStep(step.op, outcome, psp, before, o.cause);
    const record = { index, op: step.op, line: step.line, args: stepArgs(step), outcome, psp, dmesg };
    steps.push(
      snapshots
        ? {
            ...record,
            state: state!,
            changed: changedPaths(last!, state!),
            layers: readLayers(world),
            ...(explanation ? { explanation } : {}),
          }
        : { ...record, ...(explanation ? { explanation } : {}) },
    );
    if (snapshots) last = state;
    before = state ?? readPlatform(world);
  }

  const result: RunResult = {
    version: 1,
    scenario: scenario.name,
    passed: steps.every((s) => s.op !== 'expect' || s.outcome.ok),
    steps: steps.map((s) => s.outcome),
    state: last ?? readState(world),
    dmesg: [...world.ctx.log.lines],
    config: {
      machine: JSON.parse(JSON.stringify(machineConfig)) as Json,
      kernel: {
        version: kernel.version,
        patches: kernel.patches,
        builtin: kernel.builtin,
        params: kernel.params,
      },
    },
  };
  return { file: scenario.file, source: scenario.source, boot, steps, result };
}
