/**
 * Invariants checked at every reached state (and, for `no-plaintext-snp-read`, at every host
 * read). Each has an id and the fact it models. A check returns what is wrong and the contract
 * State values that show it (they become the counterexample's `expect`), or undefined.
 */
import type { Json, ReadResult, Session, State, VmType } from '@sevsim/scenario';

type GuestKind = Exclude<VmType, 'default'>;

export type InvariantId =
  | 'no-throw'
  | 'driver-view-matches-firmware'
  | 'asid-unique'
  | 'asid-in-range'
  | 'working-iff-legacy-guest'
  | 'no-plaintext-snp-read'
  | 'platform-released-without-owner';

export interface Finding {
  readonly message: string;
  /** Contract State paths and the values that show the violation (for `expect: {state}`). */
  readonly expect?: Readonly<Record<string, Json>>;
  /** For a host read: what it returned (for `expect: {read}`). */
  readonly read?: ReadResult;
}

/** The firmware's own view of its guests and settings (`Psp.snapshot()`), read once per state for every check. */
export type FirmwareSnapshot = ReturnType<Session['world']['psp']['snapshot']>;

export interface Observation {
  readonly session: Session;
  readonly state: State;
  readonly firmware: FirmwareSnapshot;
}

/** A host read: `state` is the contract State before it, `session` the system after it. */
export interface HostReadObservation {
  readonly session: Session;
  readonly state: State;
  readonly vmId: string;
  readonly read: ReadResult;
}

export interface Invariant {
  readonly id: InvariantId;
  readonly fact: string;
  readonly check?: (o: Observation) => Finding | undefined;
  readonly checkRead?: (o: HostReadObservation) => Finding | undefined;
}

/** SEV guest policy bit 2: ES (docs/reference/psp-firmware.md §2.4, the LAUNCH_START policy). */
const POLICY_ES = 0x4;

export const INVARIANTS: readonly Invariant[] = [
  {
    id: 'no-throw',
    fact: 'every layer reports failures as return codes and firmware statuses, never as exceptions (docs/architecture.md)',
  },
  {
    id: 'driver-view-matches-firmware',
    fact: 'docs/reference/linux-ccp.md §2.2: sev_data->state and snp_initialized mirror the firmware platform states',
    check: ({ session, state }): Finding | undefined => {
      const ccp = session.world.ccp?.view();
      if (!ccp?.present) return undefined;
      const fw = state.firmware;
      const drvSev = ccp.sevState !== 'UNINIT';
      const fwSev = fw.sev !== 'UNINIT';
      if (drvSev !== fwSev)
        return {
          message: `ccp caches SEV ${ccp.sevState} but the firmware is ${fw.sev}`,
          expect: { 'firmware.sev': fw.sev },
        };
      if (ccp.snpInitialized !== (fw.snp === 'INIT'))
        return {
          message: `ccp snp_initialized=${ccp.snpInitialized} but the firmware SNP state is ${fw.snp}`,
          expect: { 'firmware.snp': fw.snp },
        };
      return undefined;
    },
  },
  {
    id: 'asid-unique',
    fact: 'docs/reference/psp-firmware.md §2.5 ACTIVATE step 2 and docs/reference/linux-kvm-amd.md §4.7: an ASID belongs to at most one guest',
    check: ({ firmware: fw, state }) => {
      const seen = new Map<number, string>();
      const guests = [
        ...fw.legacyGuests.map((g) => ({
          who: `legacy guest ${g.handle}`,
          asid: g.asid,
          on: g.activation !== 'none',
        })),
        ...fw.snpGuests.map((g) => ({
          who: `SNP guest ${g.gctx}`,
          asid: g.asid,
          on: g.activation !== 'none',
        })),
      ];
      for (const g of guests) {
        if (!g.on) continue;
        const other = seen.get(g.asid);
        if (other) return { message: `firmware: ${other} and ${g.who} both hold ASID ${g.asid}` };
        seen.set(g.asid, g.who);
      }
      const kvm = new Map<number, string>();
      for (const [id, vm] of Object.entries(state.vms)) {
        if (vm.asid === null || vm.state === 'destroyed') continue;
        const other = kvm.get(vm.asid);
        if (other)
          return {
            message: `KVM: VMs ${other} and ${id} both hold ASID ${vm.asid}`,
            expect: { [`vms.${other}.asid`]: vm.asid, [`vms.${id}.asid`]: vm.asid },
          };
        kvm.set(vm.asid, id);
      }
      return undefined;
    },
  },
  {
    id: 'asid-in-range',
    fact: 'docs/reference/psp-firmware.md §2.5 ACTIVATE step 7 and §4 item 6; docs/reference/linux-kvm-amd.md §2.5: SEV ASIDs in [min_sev_asid, max], SEV-ES/SNP in [1, min_sev_asid-1], split at MAX_SNP_ASID under ciphertext hiding',
    // The firmware's own rule (Psp.activationRange, what its ACTIVATE guards check), not a copy.
    check: ({ session, state, firmware: fw }) => {
      const psp = session.world.psp;
      const ok = (kind: GuestKind, a: number) => {
        const r = psp.activationRange(kind);
        return a >= r.min && a <= r.max;
      };
      for (const g of fw.legacyGuests) {
        if (g.activation === 'none') continue;
        const kind = (g.policy & POLICY_ES) !== 0 ? 'sev-es' : 'sev';
        if (!ok(kind, g.asid))
          return {
            message: `firmware: ${kind === 'sev-es' ? 'SEV-ES' : 'SEV'} guest ${g.handle} runs with ASID ${g.asid}`,
          };
      }
      for (const g of fw.snpGuests) {
        if (g.activation !== 'none' && !ok('snp', g.asid))
          return { message: `firmware: SNP guest ${g.gctx} runs with ASID ${g.asid}` };
      }
      const ranges = [
        ['sev', state.kvm.sev, 'sev'],
        ['sevEs', state.kvm.sevEs, 'sev-es'],
        ['snp', state.kvm.snp, 'snp'],
      ] as const;
      for (const [name, r, kind] of ranges) {
        if (r.status !== 'enabled') continue;
        if (!ok(kind, r.min) || !ok(kind, r.max)) {
          const valid = psp.activationRange(kind);
          return {
            message: `KVM's ${name} range ${r.min}-${r.max} leaves the firmware's valid ASIDs [${valid.min}, ${valid.max}]`,
            expect: { [`kvm.${name}.min`]: r.min, [`kvm.${name}.max`]: r.max },
          };
        }
      }
      return undefined;
    },
  },
  {
    id: 'working-iff-legacy-guest',
    fact: 'docs/reference/psp-firmware.md §2.1: the platform is WORKING exactly while a legacy SEV guest exists',
    check: ({ state, firmware }) => {
      const n = firmware.legacyGuests.length;
      if ((state.firmware.sev === 'WORKING') !== n > 0)
        return {
          message: `firmware SEV state ${state.firmware.sev} with ${n} legacy guest(s)`,
          expect: { 'firmware.sev': state.firmware.sev },
        };
      return undefined;
    },
  },
  {
    id: 'no-plaintext-snp-read',
    fact: "docs/reference/psp-firmware.md §5.5 and §6: the host reads an SNP guest's private memory as ciphertext, and as 0xff under ciphertext hiding",
    checkRead: ({ session, state, vmId, read }) => {
      const vm = state.vms[vmId];
      if (vm?.type !== 'snp' || vm.state !== 'running') return undefined;
      if (read === 'plaintext')
        return { message: `the host read SNP guest ${vmId}'s private page as plaintext`, read };
      const fw = session.world.psp.snapshot();
      if (fw.ciphertextHiding && vm.asid !== null && vm.asid <= fw.maxSnpAsid && read !== 'ff')
        return {
          message: `ciphertext hiding is on (MAX_SNP_ASID ${fw.maxSnpAsid}) but the host read ${read} from SNP guest ${vmId} (ASID ${vm.asid})`,
          read,
        };
      return undefined;
    },
  },
  {
    id: 'platform-released-without-owner',
    fact: 'docs/reference/linux-kvm-amd.md §3 step 4 (6.16+: kvm_amd unload shuts the platform down) and docs/reference/linux-ccp.md §4.1 (≤6.15: ccp removal does): once the module that initialised the platform is gone, SEV and SNP are UNINIT',
    check: ({ session, state }) => {
      const w = session.world;
      const owner = w.release.kvm.platformInitAtLoad ? 'kvm_amd' : 'ccp';
      const loaded = owner === 'kvm_amd' ? w.kvm !== null : w.ccp !== null;
      if (loaded || (state.firmware.sev === 'UNINIT' && state.firmware.snp === 'UNINIT')) return undefined;
      return {
        message: `${owner} is not loaded but the firmware is SEV ${state.firmware.sev}, SNP ${state.firmware.snp}`,
        expect: {
          [`modules.${owner}.loaded`]: false,
          'firmware.sev': state.firmware.sev,
          'firmware.snp': state.firmware.snp,
        },
      };
    },
  },
];

export function invariant(id: InvariantId): Invariant {
  return INVARIANTS.find((i) => i.id === id)!;
}
