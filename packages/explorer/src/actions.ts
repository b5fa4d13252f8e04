/**
 * The operator's alphabet: what an administrator or a VMM can do next, as scenario v1 steps, so
 * a path of actions is a scenario. Steps the scenario engine answers without touching any layer
 * leave the state as it is and are not offered: the engine says which (`Session.canApply`).
 */
import type { Session, Step } from '@sevsim/scenario';
import type { Space } from './space';

export interface Action {
  /** Stable text, e.g. `modprobe kvm_amd`, `vm.start snp vm3`; also the interning key. */
  readonly label: string;
  readonly steps: readonly Step[];
}

/**
 * Every action ever offered, by label: a label names its steps exactly, so each is built once and
 * shared by every state and every search (steps are never changed once built). Building steps as
 * `{ ...at, op, id }` per state cost more than the rest of `actionsAt`: Node 20 takes a slow path
 * (≈ 0.8 µs) for an object spread followed by keys the spread object lacks.
 */
const ACTIONS = new Map<string, Action>();

function action(label: string, steps: () => Step[]): Action {
  let a = ACTIONS.get(label);
  if (a === undefined) {
    a = Object.freeze({ label, steps: Object.freeze(steps()) });
    ACTIONS.set(label, a);
  }
  return a;
}

/** The VM ids a path has used: a scenario may not reuse an id, so new VMs get the next number. */
function nextVmId(session: Session): string {
  return `vm${session.world.vms.size + 1}`;
}

/** Ids of the VMs whose file descriptor is open (created and not destroyed), in creation order. */
export function openVms(session: Session): string[] {
  const out: string[] = [];
  for (const [id, rec] of session.world.vms) if (rec.vm && !rec.destroyed) out.push(id);
  return out;
}

/** The module steps, in the order they are offered. */
const MODULE_ACTIONS: readonly Action[] = [
  action('modprobe ccp', () => [{ line: 0, op: 'modprobe', module: 'ccp', params: {} }]),
  action('modprobe kvm_amd', () => [{ line: 0, op: 'modprobe', module: 'kvm_amd', params: {} }]),
  action('rmmod kvm_amd', () => [{ line: 0, op: 'rmmod', module: 'kvm_amd' }]),
  action('rmmod ccp', () => [{ line: 0, op: 'rmmod', module: 'ccp' }]),
];

const FW_COMMIT = action('fw.commit', () => [{ line: 0, op: 'fw.commit' }]);

/**
 * The running firmware version as text, by the version object the PSP holds: a firmware update
 * replaces that object whole and never changes it in place, so its text is read once (a
 * `Psp.snapshot()` per expanded state, only for this, cost more than the rest of `actionsAt`).
 */
const versionTexts = new WeakMap<object, string>();

function runningVersionText(session: Session): string {
  const psp = session.world.psp;
  const v = psp.runningVersion();
  let text = versionTexts.get(v);
  if (text === undefined) {
    text = psp.snapshot().version;
    versionTexts.set(v, text);
  }
  return text;
}

export function actionsAt(session: Session, space: Space): Action[] {
  const w = session.world;
  const out: Action[] = [];
  const a = space.actions;
  const open = openVms(session);
  if (a.modules) {
    for (const m of MODULE_ACTIONS) if (session.canApply(m.steps[0]!)) out.push(m);
  }
  if (open.length < a.maxVms) {
    const id = nextVmId(session);
    for (const type of a.vmTypes) {
      const start = action(`vm.start ${type} ${id}`, () => [
        { line: 0, op: 'vm.create', id, type },
        { line: 0, op: 'vm.init', id },
      ]);
      if (session.canApply(start.steps[0]!)) out.push(start);
    }
  }
  for (const id of open) {
    const vm = w.vms.get(id)!.vm!;
    if (vm.state === 'created') out.push(action(`vm.init ${id}`, () => [{ line: 0, op: 'vm.init', id }]));
    if (vm.state === 'initialized')
      out.push(action(`vm.launch ${id}`, () => [{ line: 0, op: 'vm.launch', id }]));
    if (vm.state === 'running' && a.hostRead)
      out.push(action(`host.read ${id}`, () => [{ line: 0, op: 'host.read', id, page: 0 }]));
    out.push(action(`vm.destroy ${id}`, () => [{ line: 0, op: 'vm.destroy', id }]));
  }
  const running = runningVersionText(session);
  for (const version of a.fwUpdate) {
    if (version !== running)
      out.push(action(`fw.update ${version}`, () => [{ line: 0, op: 'fw.update', version }]));
  }
  if (a.fwCommit && session.canApply(FW_COMMIT.steps[0]!)) out.push(FW_COMMIT);
  return out;
}
