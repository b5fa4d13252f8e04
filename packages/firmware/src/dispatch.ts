/**
 * The command dispatcher (docs/reference/psp-firmware.md §2.2, Appendix A steps 1–2): command-id lookup and
 * version gate, the write-back command-buffer page check with SNP INIT, running the handler, and
 * the write-back rule.
 */
import { CMD_BUF_PAGE_STATE_OFFSET, Cmd, type MailboxOptions, Status } from '@sevsim/psp-abi';
import { SNP_MIN_VERSION, atLeast } from './features';
import { type Firmware, RmpEntries } from './firmware';
import { firmwareUpdateCommands } from './firmware-update';
import type { CommandSpec, GuardRef, Outcome } from './guard';
import { sevGuestCommands } from './sev-guest';
import { sevPlatformCommands } from './sev-platform';
import { snpGuestCommands } from './snp-guest';
import { snpInitCommands } from './snp-init';
import { snpPlatformCommands } from './snp-platform';
import { snpShutdownCommands } from './snp-shutdown';

/** Every command sevsim's firmware implements, keyed by id. */
export const COMMANDS: ReadonlyMap<number, CommandSpec> = new Map(
  [
    ...sevPlatformCommands,
    ...sevGuestCommands,
    ...firmwareUpdateCommands,
    ...snpInitCommands,
    ...snpShutdownCommands,
    ...snpPlatformCommands,
    ...snpGuestCommands,
  ].map((c) => [c.id, c]),
);

export interface DispatchResult extends Outcome {
  buffer: Uint8Array;
}

const UNKNOWN: GuardRef = {
  id: 'dispatch.unknown-command',
  fact: 'docs/reference/psp-firmware.md §2.2: an unknown or unimplemented command id → INVALID_COMMAND',
};
const TOO_OLD: GuardRef = {
  id: 'dispatch.command-version',
  fact: 'docs/reference/psp-firmware.md §7.3: a command newer than the running firmware → INVALID_COMMAND',
};
const UNKNOWN_COMMAND: Outcome = Object.freeze({ status: Status.INVALID_COMMAND, guard: UNKNOWN });
const TOO_OLD_COMMAND: Outcome = Object.freeze({ status: Status.INVALID_COMMAND, guard: TOO_OLD });
const CMD_BUF_STATE: GuardRef = {
  id: 'dispatch.cmd-buffer-page-state',
  fact: 'docs/reference/psp-firmware.md §2.2: with SNP INIT a write-back command buffer must be Firmware/Default → INVALID_PAGE_STATE+0x40',
};

/** The command's spec, or the INVALID_COMMAND outcome (unknown id, or newer than the running image). */
function lookup(fw: Firmware, id: number): CommandSpec | Outcome {
  const spec = COMMANDS.get(id);
  if (!spec) return UNKNOWN_COMMAND;
  const since = spec.since ?? (id >= Cmd.SNP_INIT ? SNP_MIN_VERSION : undefined);
  if (since && !atLeast(fw.state.running, since)) return TOO_OLD_COMMAND;
  return spec;
}

const NO_OPTIONS: MailboxOptions = {};

export function dispatch(
  fw: Firmware,
  id: number,
  input: Uint8Array,
  opts: MailboxOptions = NO_OPTIONS,
): DispatchResult {
  const found = lookup(fw, id);
  // A command the firmware refuses before reading its buffer leaves the caller's bytes as they
  // were: the result is the caller's own array.
  if (!('handle' in found)) return { status: found.status, guard: found.guard!, buffer: input };
  const spec = found;

  // docs/reference/psp-firmware.md §2.2: only while SNP is INIT and the RMP is initialised, for commands that write back.
  const pagePa = opts.bufferPaddr;
  const checkPage = spec.writesBack && pagePa !== undefined && fw.snpInit() && fw.machine.rmp.initialised;
  if (checkPage && (!fw.inDram(pagePa, 1) || !fw.firmwareWritable(pagePa, 1))) {
    return {
      status: Status.INVALID_PAGE_STATE + CMD_BUF_PAGE_STATE_OFFSET,
      guard: CMD_BUF_STATE,
      buffer: input,
    };
  }

  // A command that writes back works on its own copy (by construction: Uint8Array.prototype.slice()
  // costs Node 20 twice as much), which the write-back hands to the caller; any other command only
  // reads its buffer (test/model-based.ts checks every command leaves the caller's bytes as they
  // were), so a buffer of full size is read where it is. A short one is zero-padded.
  let buf = input;
  if (spec.writesBack || input.length < spec.bufferSize) {
    buf = input.length >= spec.bufferSize ? new Uint8Array(input) : new Uint8Array(spec.bufferSize);
    if (buf.length > input.length) buf.set(input);
  }
  const outcome = spec.handle({ fw, buf });

  // After a write-back command the dispatcher clears Immutable on the buffer page: Firmware → Reclaim.
  if (checkPage && fw.pageState(pagePa) === 'FIRMWARE') {
    fw.setEntry(pagePa - (pagePa % 4096), RmpEntries.reclaim());
  }

  const writeBack =
    spec.writesBack &&
    (outcome.status === Status.SUCCESS ||
      (spec.writeBackOnInvalidLen && outcome.status === Status.INVALID_LEN));
  // Without write-back the caller's bytes come back unchanged (its own array); the working copy
  // is not theirs.
  const buffer = !writeBack ? input : buf.length === input.length ? buf : buf.slice(0, input.length);
  return outcome.guard
    ? { status: outcome.status, guard: outcome.guard, buffer }
    : { status: outcome.status, buffer };
}
