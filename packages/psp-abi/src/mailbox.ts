/**
 * The only boundary between the host driver and the PSP firmware. The real mailbox is three
 * registers: the driver writes the command buffer's physical address to CMDBUFF_ADDR_LO/HI and
 * the command id to CMDRESP, and reads the status back from CMDRESP. Here the buffer's bytes
 * travel with the call (the firmware would read the same bytes at that address), and the address
 * travels beside them, because the firmware checks the page it sits on. Addresses inside a buffer
 * are host physical addresses; the firmware reaches that memory through the hardware model.
 */
export interface MailboxResult {
  /** Low 16 bits of CMDRESP (see `Status`). */
  readonly status: number;
  /** The command buffer after the command: written back where the firmware writes back. */
  readonly buffer: Uint8Array;
  /**
   * Seconds until the PSP set CMDRESP's ready bit (model time, never the wall clock); absent:
   * at once; Infinity: never. The driver gives up after its timeout (sev_wait_cmd_ioc).
   */
  readonly seconds?: number;
}

export interface MailboxOptions {
  /**
   * CMDBUFF_ADDR: the physical address of the command buffer. With SNP initialised the firmware
   * requires a buffer it writes back to be on a Firmware page (AMD SEV-SNP ABI 56860, the
   * command buffer rules). Linux always sends it; a caller that leaves it out is not checked.
   */
  readonly bufferPaddr?: number;
}

export interface Mailbox {
  command(id: number, buffer: Uint8Array, options?: MailboxOptions): MailboxResult;
}
