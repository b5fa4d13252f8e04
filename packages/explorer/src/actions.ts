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

const at = { line: 0 } as const;

function action(label: string, steps: Step[]): Action {
  return { label, steps };
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
const MODULE_STEPS: readonly (readonly [string, Step])[] = [
  ['modprobe ccp', { ...at, op: 'modprobe', module: 'ccp', params: {} }],
  ['modprobe kvm_amd', { ...at, op: 'modprobe', module: 'kvm_amd', params: {} }],
  ['rmmod kvm_amd', { ...at, op: 'rmmod', module: 'kvm_amd' }],
  ['rmmod ccp', { ...at, op: 'rmmod', module: 'ccp' }],
];

export function actionsAt(session: Session, space: Space): Action[] {
  const w = session.world;
  const out: Action[] = [];
  const a = space.actions;
  const open = openVms(session);
  if (a.modules) {
    for (const [label, step] of MODULE_STEPS) if (session.canApply(step)) out.push(action(label, [step]));
  }
  if (open.length < a.maxVms) {
    const id = nextVmId(session);
    for (const type of a.vmTypes) {
      const create: Step = { ...at, op: 'vm.create', id, type };
      if (session.canApply(create))
        out.push(action(`vm.start ${type} ${id}`, [create, { ...at, op: 'vm.init', id }]));
    }
  }
  for (const id of open) {
    const vm = w.vms.get(id)!.vm!;
    if (vm.state === 'created') out.push(action(`vm.init ${id}`, [{ ...at, op: 'vm.init', id }]));
    if (vm.state === 'initialized') out.push(action(`vm.launch ${id}`, [{ ...at, op: 'vm.launch', id }]));
    if (vm.state === 'running' && a.hostRead)
      out.push(action(`host.read ${id}`, [{ ...at, op: 'host.read', id, page: 0 }]));
    out.push(action(`vm.destroy ${id}`, [{ ...at, op: 'vm.destroy', id }]));
  }
  const running = w.psp.snapshot().version;
  for (const version of a.fwUpdate) {
    if (version !== running) out.push(action(`fw.update ${version}`, [{ ...at, op: 'fw.update', version }]));
  }
  const commit: Step = { ...at, op: 'fw.commit' };
  if (a.fwCommit && session.canApply(commit)) out.push(action('fw.commit', [commit]));
  return out;
}
