/**
 * What an operator can reach in a configuration: the questions of the seed thread ("will hotload
 * work with kvm-amd built in?", "can SEV guests run with SNPEn set and sev_snp=0?"), answered per
 * configuration by reachability, each with the shortest path that shows it.
 */
import type { Session, State } from '@sevsim/scenario';

export type CapabilityId =
  | 'sev-vm-running'
  | 'sev-es-vm-running'
  | 'snp-vm-running'
  | 'fw-hotloaded'
  | 'fw-hotloaded-with-legacy-guest';

export const CAPABILITIES: readonly { readonly id: CapabilityId; readonly description: string }[] = [
  { id: 'sev-vm-running', description: 'a SEV guest reaches RUNNING' },
  { id: 'sev-es-vm-running', description: 'a SEV-ES guest reaches RUNNING' },
  { id: 'snp-vm-running', description: 'an SNP guest reaches RUNNING' },
  { id: 'fw-hotloaded', description: 'the running firmware version changes without a reboot' },
  {
    id: 'fw-hotloaded-with-legacy-guest',
    description: 'a firmware update changes the running version while a SEV or SEV-ES guest keeps running',
  },
];

const TYPE_CAP = { sev: 'sev-vm-running', 'sev-es': 'sev-es-vm-running', snp: 'snp-vm-running' } as const;

/** Capabilities a single state shows. `bootFirmware` is the version the machine powered on with. */
export function stateCapabilities(state: State, bootFirmware: string): CapabilityId[] {
  const out = new Set<CapabilityId>();
  for (const vm of Object.values(state.vms)) {
    if (vm.state === 'running' && vm.type !== 'default') out.add(TYPE_CAP[vm.type]);
  }
  if (state.firmware.version !== bootFirmware) out.add('fw-hotloaded');
  return [...out];
}

/** Capabilities a transition shows (before → after). */
export function transitionCapabilities(before: State, after: State): CapabilityId[] {
  if (before.firmware.version === after.firmware.version) return [];
  const legacy = Object.entries(before.vms).some(
    ([id, vm]) =>
      (vm.type === 'sev' || vm.type === 'sev-es') &&
      vm.state === 'running' &&
      after.vms[id]?.state === 'running',
  );
  return legacy ? ['fw-hotloaded-with-legacy-guest'] : [];
}

/**
 * Whether a SEV or SEV-ES guest runs in `session` (its contract State lists one as `running`):
 * without one, `transitionCapabilities` from this state finds nothing, so the explorer reads the
 * State before a transition only when this holds.
 */
export function legacyGuestRunning(session: Session): boolean {
  for (const rec of session.world.vms.values())
    if ((rec.type === 'sev' || rec.type === 'sev-es') && !rec.destroyed && rec.vm?.state === 'running')
      return true;
  return false;
}
