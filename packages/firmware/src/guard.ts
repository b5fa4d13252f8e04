/**
 * Rules as data: every firmware check is a guard with an id and the fact it models, run in the
 * firmware's own order; a command is its guards plus its effect.
 */
import { COMMAND_BUFFERS, type CmdName, Status } from '@sevsim/psp-abi';
import type { FirmwareVersion } from './firmware-image';
import type { Firmware } from './firmware';

export interface GuardRef {
  /** `COMMAND.rule`, e.g. `SNP_INIT.sev-uninit`. */
  readonly id: string;
  /** The reference fact it models, e.g. `docs/reference/psp-firmware.md §3.2 step 2`. */
  readonly fact: string;
}

export interface Guard<C> extends GuardRef {
  /** A failing status, or undefined when the check passes. */
  check(ctx: C): number | undefined;
}

export interface Outcome {
  status: number;
  guard?: GuardRef;
}

/** What every handler sees: the firmware and the command buffer (a working copy). */
export interface BaseCtx {
  readonly fw: Firmware;
  /** The command buffer, zero-padded to the command's buffer size; write-back goes here. */
  readonly buf: Uint8Array;
}

export interface CommandSpec {
  readonly id: number;
  readonly name: CmdName;
  /** First firmware version that has the command (older: INVALID_COMMAND). */
  readonly since?: FirmwareVersion;
  /** Writes its results into the command buffer (docs/reference/psp-firmware.md §2.2). */
  readonly writesBack: boolean;
  /** Also writes back on INVALID_LENGTH, so the host learns the needed length (docs/reference/psp-firmware.md §2.2). */
  readonly writeBackOnInvalidLen: boolean;
  /** Bytes the firmware reads from the command buffer. */
  readonly bufferSize: number;
  readonly guards: readonly GuardRef[];
  handle(base: BaseCtx): Outcome;
}

export interface CommandDef<C extends BaseCtx> {
  id: number;
  name: CmdName;
  since?: FirmwareVersion;
  writesBack?: boolean;
  writeBackOnInvalidLen?: boolean;
  /**
   * The command's own fields, read from the buffer (and what they name); `command()` adds the
   * base to this object. Left out when the command has none.
   */
  prepare?(base: BaseCtx): Omit<C, keyof BaseCtx>;
  guards: Guard<C>[];
  /** Effects after all guards passed; may still fail (e.g. per-item checks inside a loop). */
  effect(ctx: C): Outcome | undefined;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** Every command that passes its guards and whose effect reports nothing: one frozen outcome. */
const SUCCEEDED: Outcome = Object.freeze({ status: Status.SUCCESS });

export function command<C extends BaseCtx>(def: CommandDef<C>): CommandSpec {
  // Each guard's reference (id and fact, without its check), built once: a refusal reports it.
  const refs: readonly GuardRef[] = def.guards.map((g) => Object.freeze({ id: g.id, fact: g.fact }));
  return {
    id: def.id,
    name: def.name,
    ...(def.since ? { since: def.since } : {}),
    writesBack: def.writesBack ?? false,
    writeBackOnInvalidLen: def.writeBackOnInvalidLen ?? false,
    // The firmware reads the psp-sev.h struct of the command (none: zero bytes).
    bufferSize: COMMAND_BUFFERS.get(def.id)?.size ?? 0,
    guards: def.guards,
    handle(base) {
      // The base added by two stores, not `{ ...base, ...fields }` (Node 20 takes a slow path for
      // a spread followed by more properties, microseconds per call) nor Object.assign (a call
      // into the runtime, a fifth of this function).
      const ctx = (def.prepare ? def.prepare(base) : {}) as Writable<C>;
      ctx.fw = base.fw;
      ctx.buf = base.buf;
      const guards = def.guards;
      for (let i = 0; i < guards.length; i++) {
        const s = guards[i]!.check(ctx);
        if (s !== undefined) return { status: s, guard: refs[i]! };
      }
      return def.effect(ctx) ?? SUCCEEDED;
    },
  };
}

/** A failure found during the effect phase, reported with the rule that caused it. */
export function fail(status: number, id: string, fact: string): Outcome {
  return { status, guard: { id, fact } };
}
