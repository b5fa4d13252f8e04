/**
 * The PSP as the rest of sevsim sees it: the mailbox (`command`), plus what only the simulator
 * may look at (snapshot, command listener, reboot).
 */
import type { Fingerprint, Fork, Machine, TcbLayout } from '@sevsim/hardware';
import {
  type CmdName,
  cmdName,
  type Mailbox,
  type MailboxOptions,
  type MailboxResult,
  statusName,
} from '@sevsim/psp-abi';
import { defaultSvn, type FirmwareVersion, formatVersion, parseVersion } from './firmware-image';
import { type AsidRange, type GuestKind, activationRange } from './asid-activation';
import { dispatch } from './dispatch';
import { Firmware } from './firmware';
import type { GuardRef } from './guard';
import { type FirmwareSnapshot, type ImageSlot, SEV_STATE_NAMES, SNP_STATE_NAMES, freshState } from './state';

export interface PspOptions {
  /** Running firmware, 'major.minor.build' (e.g. the preset's defaultFirmware). */
  version: string;
  /** Committed image (what a reboot runs); default: `version`. */
  committedVersion?: string;
  /** SVN of the committed image; default: `defaultSvn` for the machine's TCB layout. */
  svn?: number;
}

export interface CommandEvent {
  id: number;
  name: CmdName | `UNKNOWN_0x${string}`;
  status: number;
  statusName: string;
  /** The rule that produced a non-success status (or a no-op success), for traces and `explain`. */
  guard?: GuardRef;
}

export type CommandListener = (event: CommandEvent) => void;

function slot(version: string, svn: number | undefined, layout: TcbLayout, what: string): ImageSlot {
  const v: FirmwareVersion | undefined = parseVersion(version);
  if (!v) throw new RangeError(`${what} must be 'major.minor.build', got '${version}'`);
  return { ...v, svn: svn ?? defaultSvn(v, layout) };
}

export class Psp implements Mailbox {
  private fw: Firmware;
  private listeners: CommandListener[] = [];

  constructor(machine: Machine, opts: PspOptions) {
    const layout = machine.preset.tcbLayout;
    const committed = slot(opts.committedVersion ?? opts.version, opts.svn, layout, 'committedVersion');
    const running = opts.committedVersion ? slot(opts.version, undefined, layout, 'version') : committed;
    this.fw = new Firmware(machine, freshState(running, committed));
  }

  get machine(): Machine {
    return this.fw.machine;
  }

  /**
   * An independent copy of the PSP and the machine under it (once per fork), without command
   * listeners: whoever subscribed to this PSP subscribes to the copy if it wants to.
   */
  fork(f: Fork): Psp {
    return f.once(this, () => {
      const c = Object.create(Psp.prototype) as Psp;
      c.fw = this.fw.fork(f);
      c.listeners = [];
      return c;
    });
  }

  /**
   * The running image's version (what `snapshot().version` formats), without building a
   * snapshot: the explorer asks after every transition whether a firmware update changed it.
   */
  runningVersion(): Readonly<FirmwareVersion> {
    return this.fw.state.running;
  }

  /** The mailbox: never throws for any id or buffer; every outcome is a status. */
  command(id: number, buffer: Uint8Array, options?: MailboxOptions): MailboxResult {
    const r = dispatch(this.fw, id, buffer, options);
    // The event is built only for someone to hear it (a quiet scenario session has no listener).
    if (this.listeners.length > 0) {
      const event: CommandEvent = {
        id,
        name: cmdName(id) ?? `UNKNOWN_0x${id.toString(16)}`,
        status: r.status,
        statusName: statusName(r.status),
        ...(r.guard ? { guard: r.guard } : {}),
      };
      for (const l of this.listeners) l(event);
    }
    // Without a guard the dispatcher's result is the mailbox's answer already; the guard is the
    // simulator's, never the driver's.
    return r.guard === undefined ? r : { status: r.status, buffer: r.buffer };
  }

  /** Subscribe to every command; returns the unsubscribe function. */
  onCommand(listener: CommandListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /**
   * Reboot: the committed image runs again (a provisional DLFW_EX image is dropped) and all
   * volatile state is lost. Pass the machine when the platform was power-cycled into a new one.
   */
  reset(machine: Machine = this.fw.machine): void {
    const committed = this.fw.state.committed;
    this.fw = new Firmware(machine, freshState({ ...committed }, { ...committed }));
  }

  /**
   * What decides the firmware's next answers, for the explorer: running and committed versions,
   * platform states and settings, the ASID bookkeeping as counts, and the guests as a bag of
   * (state, ASID, activation, policy). Handles and guest-context pages are names: left out.
   */
  fingerprint(f: Fingerprint): void {
    const s = this.fw.state;
    for (const v of [s.running, s.committed]) f.int(v.major).int(v.minor).int(v.build);
    f.int(s.sev.state).int(s.snp.state).bool(s.snp.ciphertextHiding).int(s.snp.maxSnpAsid);
    f.bool(s.sev.esConfigured).int(s.snp.guestCount);
    const a = s.asids.summary();
    f.int(a.dirty).int(a.clean).int(a.allocated).int(a.inUse);
    f.bag(s.sev.guests, (h, g) => h.int(g.state).int(g.asid).str(g.activation).num(g.policy));
    f.bag(s.snp.guests, (h, g) => h.int(g.state).int(g.asid).str(g.activation).u64(g.policy));
  }

  snapshot(): FirmwareSnapshot {
    const s = this.fw.state;
    return {
      version: formatVersion(s.running),
      committedVersion: formatVersion(s.committed),
      sev: SEV_STATE_NAMES[s.sev.state]!,
      snp: SNP_STATE_NAMES[s.snp.state]!,
      rmpInitialised: this.fw.machine.rmp.initialised,
      ciphertextHiding: s.snp.ciphertextHiding,
      maxSnpAsid: s.snp.maxSnpAsid,
      esConfigured: s.sev.esConfigured,
      legacyGuests: [...s.sev.guests.values()]
        .sort((a, b) => a.handle - b.handle)
        .map((g) => ({
          handle: g.handle,
          state: g.state,
          asid: g.asid,
          policy: g.policy,
          activation: g.activation,
        })),
      snpGuests: [...s.snp.guests.values()]
        .sort((a, b) => a.gctx - b.gctx)
        .map((g) => ({
          gctx: g.gctx,
          state: g.state,
          asid: g.asid,
          policy: `0x${g.policy.toString(16)}`,
          activation: g.activation,
        })),
      snpGuestCount: s.snp.guestCount,
      asids: s.asids.summary(),
    };
  }

  /**
   * The ASIDs ACTIVATE (SNP_ACTIVATE for `snp`) accepts for a guest of `kind` in the current
   * state: the rule of its `asid-range` and `cth-split` guards, for checks that compare KVM's
   * ranges with the firmware's (docs/reference/psp-firmware.md §2.5 step 7, §4 item 6).
   */
  activationRange(kind: GuestKind): AsidRange {
    return activationRange(this.fw, kind);
  }

  /** FEATURE_INFO sub-function 0 of the running image (what CPUID 0x80000024 mirrors). */
  featureInfo(): { eax: number; ebx: number; ecx: number; edx: number } {
    return { ...this.fw.features.featureInfo0 };
  }
}

export function createPsp(machine: Machine, opts: PspOptions): Psp {
  return new Psp(machine, opts);
}
