/**
 * ACTIVATE logic shared by legacy ACTIVATE and SNP_ACTIVATE, in the firmware's order
 * (docs/reference/psp-firmware.md §2.5 steps 1–8; FW mcmd_activate_common → activate_common →
 * sev_guest_activate → sev_es_validate_asid), plus the ciphertext-hiding split (docs/reference/psp-firmware.md §4 item 6).
 */
import { type CmdName, Status } from '@sevsim/psp-abi';
import { CCX_PRESENT } from './asid-table';
import type { Firmware } from './firmware';
import type { BaseCtx, Guard } from './guard';
import type { Activation } from './state';

export interface ActivationTarget {
  asid: number;
  activation: Activation;
}

export interface ActivateCtx extends BaseCtx {
  asid: number;
  /** The guest being activated (set by an earlier guard). */
  target: Readonly<ActivationTarget> | undefined;
  /** ES guest (every SNP guest is ES). */
  es: boolean;
  snp: boolean;
  /** Legacy guest in SENT (activation refused, step 4). */
  sent: boolean;
  /** Guest already RUNNING (legacy: also SUPDATE): activation is immediate. */
  running: boolean;
}

export function activateGuards<C extends ActivateCtx>(name: CmdName): Guard<C>[] {
  return [
    {
      id: `${name}.asid-valid`,
      fact: 'docs/reference/psp-firmware.md §2.5 ACTIVATE step 1: ASID 0 or above the maximum → INVALID_ASID',
      check: ({ fw, asid }) => (asid === 0 || asid > fw.maxSevAsid() ? Status.INVALID_ASID : undefined),
    },
    {
      id: `${name}.asid-owned`,
      fact: 'docs/reference/psp-firmware.md §2.5 ACTIVATE step 2: ASID allocated or in use by a guest → ASID_OWNED',
      check: ({ fw, asid }) => (fw.state.asids.owned(asid) ? Status.ASID_OWNED : undefined),
    },
    {
      id: `${name}.already-active`,
      fact: 'docs/reference/psp-firmware.md §2.5 ACTIVATE step 3: the guest already has an ASID → ACTIVE',
      check: ({ target }) => (target && target.activation !== 'none' ? Status.ACTIVE : undefined),
    },
    {
      id: `${name}.sent`,
      fact: 'docs/reference/psp-firmware.md §2.5 ACTIVATE step 4: a guest in SENT → INVALID_GUEST_STATE',
      check: ({ sent }) => (sent ? Status.INVALID_GUEST_STATE : undefined),
    },
    {
      id: `${name}.asid-dirty`,
      fact: 'docs/reference/psp-firmware.md §2.5 ACTIVATE step 5: ASID dirty on any CCX → DFFLUSH_REQUIRED',
      check: ({ fw, asid }) => (fw.state.asids.isDirty(asid) ? Status.DFFLUSH_REQUIRED : undefined),
    },
    {
      id: `${name}.asid-not-clean`,
      fact: 'docs/reference/psp-firmware.md §2.5 ACTIVATE step 6: ASID not clean on every CCX → ASID_OWNED',
      check: ({ fw, asid }) => (fw.state.asids.isCleanEverywhere(asid) ? undefined : Status.ASID_OWNED),
    },
    {
      id: `${name}.asid-range`,
      fact: 'docs/reference/psp-firmware.md §2.5 ACTIVATE step 7: ES/SNP need 1 ≤ ASID < MIN_SEV_ASID, SEV needs MIN_SEV_ASID ≤ ASID ≤ max',
      check: ({ fw, asid, es }) => (within(typeRange(fw, es), asid) ? undefined : Status.INVALID_ASID),
    },
    {
      id: `${name}.cth-split`,
      fact: 'docs/reference/psp-firmware.md §4 item 6: with ciphertext hiding SNP ASIDs ≤ MAX_SNP_ASID, SEV-ES ASIDs > MAX_SNP_ASID',
      check: ({ fw, asid, es, snp }) => {
        const split = es ? cthRange(fw, snp) : undefined;
        return !split || within(split, asid) ? undefined : Status.INVALID_ASID;
      },
    },
  ];
}

export type GuestKind = 'sev' | 'sev-es' | 'snp';

export interface AsidRange {
  readonly min: number;
  readonly max: number;
}

const within = (r: AsidRange, asid: number): boolean => asid >= r.min && asid <= r.max;

/** Step 7: SEV-ES and SNP guests take 1 … MIN_SEV_ASID−1, SEV guests MIN_SEV_ASID … max. */
function typeRange(fw: Firmware, es: boolean): AsidRange {
  const min = fw.minSevAsid();
  return es ? { min: 1, max: min - 1 } : { min, max: fw.maxSevAsid() };
}

/** Ciphertext hiding splits the ES range at MAX_SNP_ASID: SNP below and at it, SEV-ES above. */
function cthRange(fw: Firmware, snp: boolean): AsidRange | undefined {
  const { ciphertextHiding, maxSnpAsid } = fw.state.snp;
  if (!ciphertextHiding) return undefined;
  return snp ? { min: 1, max: maxSnpAsid } : { min: maxSnpAsid + 1, max: fw.maxSevAsid() };
}

/** The ASIDs ACTIVATE / SNP_ACTIVATE accept for a guest of `kind` now: steps 7 and the CTH split together. */
export function activationRange(fw: Firmware, kind: GuestKind): AsidRange {
  const base = typeRange(fw, kind !== 'sev');
  const split = kind === 'sev' ? undefined : cthRange(fw, kind === 'snp');
  return split ? { min: Math.max(base.min, split.min), max: Math.min(base.max, split.max) } : base;
}

/** Step 8: install the key; a running guest goes active (in_use), others pending (allocated). */
export function activate(fw: Firmware, target: ActivationTarget, asid: number, running: boolean): void {
  fw.machine.fwInstallKey(asid);
  target.asid = asid;
  if (running) {
    target.activation = 'active';
    fw.state.asids.use(asid, CCX_PRESENT);
  } else {
    target.activation = 'pending';
    fw.state.asids.allocate(asid, CCX_PRESENT);
  }
}

/** LAUNCH_FINISH / SNP_LAUNCH_FINISH: a pending activation becomes active (docs/reference/psp-firmware.md §2.4, docs/reference/psp-firmware.md §3.12). */
export function completeActivation(fw: Firmware, target: ActivationTarget): void {
  if (target.activation !== 'pending') return;
  target.activation = 'active';
  fw.state.asids.use(target.asid, CCX_PRESENT);
}

/**
 * DEACTIVATE (and the implicit one of SNP_DECOMMISSION): allocated CCXs → clean, in-use CCXs →
 * dirty, and WBINVD_DONE cleared on the in-use CCXs (FW sev_guest_deactivate).
 */
export function deactivate(fw: Firmware, target: ActivationTarget): void {
  if (target.asid !== 0 && fw.state.asids.release(target.asid, CCX_PRESENT) !== 0) fw.machine.fwClearWbinvd();
  target.asid = 0;
  target.activation = 'none';
}
