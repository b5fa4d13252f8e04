/**
 * The PSP as ccp's mailbox sees it on a machine whose PSP answers some commands late or never
 * (`machine.pspResponseSeconds`; AMDESE/AMDSEV#184: "sev command 0x85 timed out, disabling PSP").
 * Time is model time, a number of seconds per command, never the wall clock: ccp compares it with
 * its psp_timeout. A late answer completes the command (the firmware's state changes although the
 * driver gave up); a command never answered never completes, so it leaves no firmware record.
 *
 * `machine.pspMailboxStatus` is a PSP that answers a command with a status of its own instead of
 * handing it to the SEV firmware (AMDESE/AMDSEV#246, an EPYC 8024P: "SEV: failed to get status.
 * Error: 0x8003" at probe). 0x8003 is no SEV API status (the SEV and SNP ABI specifications'
 * status tables end far below it), and the SEV firmware's published source has no path that answers the mailbox
 * with it (AMD-ASPFW sev_uapp; its only 0x8003 is the crypto library's internal
 * KCERR_INVALID_PARAMETER). It comes from the PSP code that owns the mailbox before the SEV app.
 * The thread does not establish why that PSP refused, so sevsim models the answer, not a cause.
 * The command never reaches the firmware, so no firmware state changes; the mailbox still reports
 * it to the step's command list with the status the driver got, since the step caused it.
 */
import type { CommandListener, Psp } from '@sevsim/firmware';
import type { Fork } from '@sevsim/hardware';
import {
  type CmdName,
  cmdName,
  type Mailbox,
  type MailboxOptions,
  type MailboxResult,
  statusName,
} from '@sevsim/psp-abi';

/** The machine's PSP faults, by command name. */
export interface PspFaults {
  readonly pspResponseSeconds?: Readonly<Record<string, number | 'never'>>;
  readonly pspMailboxStatus?: Readonly<Record<string, number>>;
}

export class FaultyMailbox implements Mailbox {
  /** Listeners of the commands this mailbox answers itself (the PSP reports the rest). */
  private readonly listeners: CommandListener[] = [];

  constructor(
    readonly psp: Psp,
    readonly faults: PspFaults,
  ) {}

  /** A copy over the PSP's copy in fork `f` (the faults, frozen configuration, shared). */
  fork(f: Fork): FaultyMailbox {
    return f.once(this, () => new FaultyMailbox(this.psp.fork(f), this.faults));
  }

  /** Every command's outcome: the PSP's own events, and the answers this mailbox gives itself. */
  onCommand(listener: CommandListener): () => void {
    const off = this.psp.onCommand(listener);
    this.listeners.push(listener);
    return () => {
      off();
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  command(id: number, buffer: Uint8Array, options?: MailboxOptions): MailboxResult {
    const name = cmdName(id) ?? '';
    const s = this.faults.pspResponseSeconds?.[name];
    if (s === 'never') return { status: 0, buffer, seconds: Number.POSITIVE_INFINITY };
    const refused = this.faults.pspMailboxStatus?.[name];
    const r =
      refused === undefined ? this.psp.command(id, buffer, options) : this.answer(id, name, refused, buffer);
    return s === undefined ? r : { ...r, seconds: s };
  }

  /** The PSP answers `id` itself with `status`, and says so to the step's listeners. */
  private answer(id: number, name: string, status: number, buffer: Uint8Array): MailboxResult {
    const event = { id, name: name as CmdName, status, statusName: statusName(status) };
    for (const l of this.listeners) l(event);
    return { status, buffer };
  }
}

/** What ccp is handed as its mailbox: the PSP itself unless the machine has PSP faults. */
export function pspMailbox(psp: Psp, faults: PspFaults): Psp | FaultyMailbox {
  return faults.pspResponseSeconds === undefined && faults.pspMailboxStatus === undefined
    ? psp
    : new FaultyMailbox(psp, faults);
}
