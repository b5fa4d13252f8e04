/**
 * Breadth-first search of one configuration over the real layers. Each distinct state (by the
 * session's 64-bit `fingerprint()`, which every layer feeds with its own fields) is expanded
 * once; BFS order makes every recorded path a shortest one.
 *
 * Each new state keeps the world that reached it until it is expanded, so nothing is replayed;
 * a world is a fork that shares every frozen value with its parent (the RMP table,
 * configuration) and every large table until one of them writes it, so the frontier's memory is
 * the worlds' changed parts. Sessions are quiet (no
 * dmesg, no firmware-command records), and the contract State is read once per expanded state
 * and at each new state (invariants, capabilities), not per transition: after a transition
 * that reaches a known state only when the running firmware changed and
 * `fw-hotloaded-with-legacy-guest` is not yet reached.
 */
import { openSession, type ReadResult, type Session, type State } from '@sevsim/scenario';
import { type Action, actionsAt } from './actions';
import {
  type CapabilityId,
  legacyGuestRunning,
  stateCapabilities,
  transitionCapabilities,
} from './capabilities';
import { type Finding, INVARIANTS, type InvariantId } from './invariants';
import { type ProfileOverride, sessionOptions } from './mutations';
import type { Config, Space } from './space';
import { StateTable } from './state-table';

export interface PathAction {
  readonly label: string;
  readonly steps: Action['steps'];
}

export interface Violation {
  readonly invariant: InvariantId;
  readonly fact: string;
  readonly message: string;
  readonly config: number;
  /** Shortest action path from boot to the violation. */
  readonly path: readonly PathAction[];
  readonly expect?: Finding['expect'];
  readonly read?: ReadResult;
}

export interface ConfigResult {
  readonly config: Config;
  readonly states: number;
  readonly transitions: number;
  /** Every state within the depth bound was expanded and no new state appeared at the bound. */
  readonly exhausted: boolean;
  readonly depth: number;
  readonly violations: readonly Violation[];
  /** Each reachable capability with its shortest path. */
  readonly capabilities: Partial<Record<CapabilityId, readonly PathAction[]>>;
  readonly tableBytes: number;
}

/**
 * A space's totals over its configurations' results, in the order its result lists them: one rule
 * for `explore` and for `explore merge`, whose merged shards must equal the unsharded run.
 */
export function spaceTotals(
  rs: readonly Pick<ConfigResult, 'states' | 'transitions' | 'tableBytes'>[],
  seconds: number,
) {
  let states = 0;
  let transitions = 0;
  let bytes = 0;
  for (const r of rs) {
    states += r.states;
    transitions += r.transitions;
    bytes += r.tableBytes;
  }
  return {
    states,
    transitions,
    seconds,
    statesPerSecond: seconds > 0 ? states / seconds : 0,
    bytesPerState: states > 0 ? bytes / states : 0,
  };
}

export interface Progress {
  readonly states: number;
  readonly transitions: number;
  readonly queue: number;
}

export interface ExploreConfigOptions {
  readonly mutation?: ProfileOverride;
  /** Called every `progressEvery` transitions. */
  readonly onProgress?: (p: Progress) => void;
  readonly progressEvery?: number;
}

/** Only a host read returns a read (`StepOutcome.read`), which its check compares with the State before it. */
const readsHost = (a: Action): boolean => a.steps.some((step) => step.op === 'host.read');

function bootVersion(s: Session): string {
  return s.state().firmware.version;
}

export function exploreConfig(
  space: Space,
  config: Config,
  options: ExploreConfigOptions = {},
): ConfigResult {
  const root = openSession(
    { machine: config.machine, kernel: config.kernel },
    { ...sessionOptions(options.mutation), quiet: true },
  );
  const boot = bootVersion(root);
  const table = new StateTable();
  const actions: Action[] = [];
  const actionIndex = new Map<string, number>();
  const violations = new Map<InvariantId, Violation>();
  const capabilities: Partial<Record<CapabilityId, readonly PathAction[]>> = {};
  let transitions = 0;

  const intern = (a: Action): number => {
    let i = actionIndex.get(a.label);
    if (i === undefined) {
      i = actions.length;
      actions.push(a);
      actionIndex.set(a.label, i);
    }
    return i;
  };
  const pathOf = (index: number, extra?: Action): PathAction[] => {
    const p: PathAction[] = table.pathTo(index).map((i) => actions[i]!);
    if (extra) p.push(extra);
    return p;
  };
  const violate = (id: InvariantId, f: Finding, path: () => PathAction[]) => {
    if (violations.has(id)) return;
    const inv = INVARIANTS.find((i) => i.id === id)!;
    violations.set(id, {
      invariant: id,
      fact: inv.fact,
      message: f.message,
      config: config.index,
      path: path(),
      ...(f.expect ? { expect: f.expect } : {}),
      ...(f.read ? { read: f.read } : {}),
    });
  };
  const reached = (caps: CapabilityId[], path: () => PathAction[]) => {
    for (const c of caps) if (!capabilities[c]) capabilities[c] = path();
  };
  const checkState = (s: Session, state: State, path: () => PathAction[]) => {
    const firmware = s.world.psp.snapshot();
    for (const inv of INVARIANTS) {
      if (!inv.check || violations.has(inv.id)) continue;
      const f = inv.check({ session: s, state, firmware });
      if (f) violate(inv.id, f, path);
    }
    reached(stateCapabilities(state, boot), path);
  };

  const [h1, h2] = root.fingerprint();
  table.add(h1, h2, -1, -1);
  checkState(root, root.state(), () => []);

  // The world of each state still to expand, by state index: a new state keeps the world that
  // reached it (no replay from an ancestor) until it is expanded.
  const worlds = new Map<number, Session>([[0, root]]);
  const every = options.progressEvery ?? 2000;
  let levelStart = 0;
  let levelEnd = 1;
  let depth = 0;
  while (depth < space.depth && levelStart < levelEnd) {
    for (let n = levelStart; n < levelEnd; n++) {
      const here = worlds.get(n)!;
      worlds.delete(n);
      // Replaced whole by a firmware update, never changed in place.
      const version = here.world.psp.runningVersion();
      const acts = actionsAt(here, space);
      // The contract State before the actions, read (before the last action changes `here`) only
      // where a check reads it: a host read's, and a firmware update's while a SEV or SEV-ES guest
      // runs (without one `transitionCapabilities` finds nothing).
      const before =
        acts.some(readsHost) || (!capabilities['fw-hotloaded-with-legacy-guest'] && legacyGuestRunning(here))
          ? here.state()
          : undefined;
      for (let k = 0; k < acts.length; k++) {
        const act = acts[k]!;
        // The last action takes this state's own world: nothing reads it afterwards.
        const s = k === acts.length - 1 ? here : here.fork();
        const ai = intern(act);
        transitions++;
        if (options.onProgress && transitions % every === 0)
          options.onProgress({
            states: table.size,
            transitions,
            queue: levelEnd - n + (table.size - levelEnd),
          });
        let read: ReadResult | undefined;
        try {
          for (const step of act.steps) {
            const o = s.apply(step);
            if (o.read) read = o.read;
          }
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          violate('no-throw', { message: `${act.label} threw: ${msg.split('\n')[0]}` }, () => pathOf(n, act));
          continue;
        }
        const [a, b] = s.fingerprint();
        const { index, added } = table.add(a, b, n, ai);
        if (read !== undefined) {
          const vmId = act.steps[0]!.op === 'host.read' ? (act.steps[0] as { id: string }).id : '';
          for (const inv of INVARIANTS) {
            const f = inv.checkRead?.({ session: s, state: before!, vmId, read });
            if (f) violate(inv.id, f, () => pathOf(n, act));
          }
        }
        let state: State | undefined;
        if (
          before !== undefined &&
          !capabilities['fw-hotloaded-with-legacy-guest'] &&
          s.world.psp.runningVersion() !== version
        ) {
          state = s.state();
          reached(transitionCapabilities(before, state), () => pathOf(n, act));
        }
        if (added) {
          checkState(s, state ?? s.state(), () => pathOf(index));
          worlds.set(index, s);
        }
      }
    }
    levelStart = levelEnd;
    levelEnd = table.size;
    depth++;
  }
  return {
    config,
    states: table.size,
    transitions,
    exhausted: levelStart >= levelEnd,
    depth,
    violations: [...violations.values()],
    capabilities,
    tableBytes: table.bytes,
  };
}
