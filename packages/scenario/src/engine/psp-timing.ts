/**
 * The PSP as ccp's mailbox sees it on a machine whose PSP answers some commands late or never
 * (`machine.pspResponseSeconds`; AMDESE/AMDSEV#184: "sev command 0x85 timed out, disabling PSP").
 * Time is model time, a number of seconds per command, never the wall clock: ccp compares it with
 * its psp_timeout. A late answer completes the command (the firmware's state changes although the
 * driver gave up); a command never answered never completes, so it leaves no firmware record.
 */
import type { Psp } from '@sevsim/firmware';
import { cmdName, type Mailbox, type MailboxOptions, type MailboxResult } from '@sevsim/psp-abi';

export class TimedMailbox implements Mailbox {
  constructor(
    readonly psp: Psp,
    readonly seconds: Readonly<Record<string, number | 'never'>>,
  ) {}

  command(id: number, buffer: Uint8Array, options?: MailboxOptions): MailboxResult {
    const s = this.seconds[cmdName(id) ?? ''];
    if (s === 'never') return { status: 0, buffer, seconds: Number.POSITIVE_INFINITY };
    const r = this.psp.command(id, buffer, options);
    return s === undefined ? r : { ...r, seconds: s };
  }
}

/** What ccp is handed as its mailbox: the PSP itself unless the machine delays some commands. */
export function pspMailbox(
  psp: Psp,
  seconds: Readonly<Record<string, number | 'never'>> | undefined,
): Mailbox {
  return seconds === undefined ? psp : new TimedMailbox(psp, seconds);
}
