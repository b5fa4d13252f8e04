/**
 * The only boundary between the host driver and the PSP firmware: a command id and a command
 * buffer go in, a status and the (possibly written-back) buffer come out. Addresses inside a
 * buffer are host physical addresses; the firmware reaches that memory through the hardware model.
 */
export interface MailboxResult {
  /** Low 16 bits of CMDRESP (see `Status`). */
  readonly status: number;
  /** The command buffer after the command: written back where the firmware writes back. */
  readonly buffer: Uint8Array;
}

export interface Mailbox {
  command(id: number, buffer: Uint8Array): MailboxResult;
}
