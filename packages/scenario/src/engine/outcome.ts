/** A step's outcome as the contract reports it (docs/contracts/scenario-v1.md `steps[i]`). */
import { errnoName } from '@sevsim/ccp';
import { NO_FW_CALL } from '@sevsim/psp-abi';
import type { ReadResult } from '../scenario';

export interface Outcome {
  readonly ok: boolean;
  readonly errno: string | null;
  /** Firmware status the layer reported for the failure (null when none). */
  readonly fwError: number | null;
  readonly read?: ReadResult;
  /** Why, when the reason is not a firmware guard (e.g. "kvm_amd is built in"); used by explain. */
  readonly cause?: string;
}

export const OK: Outcome = { ok: true, errno: null, fwError: null };

export function failed(errno: string, cause?: string, fwError: number | null = null): Outcome {
  return { ok: false, errno, fwError, ...(cause ? { cause } : {}) };
}

/** From a kernel return code (0 / -errno) and the firmware error it copied out. */
export function fromRc(rc: number, error: number): Outcome {
  const fwError = error !== NO_FW_CALL && error !== 0 ? error : null;
  if (rc === 0) return { ok: true, errno: null, fwError: null };
  return { ok: false, errno: errnoName(rc), fwError };
}

/**
 * `o` with a cause (none: `o` itself), built field by field: Node 20 copies `{ ...o, cause }`
 * through a slow path, about a microsecond per step.
 */
export function withCause(o: Outcome, cause: string | undefined): Outcome {
  if (!cause) return o;
  const out: { -readonly [K in keyof Outcome]: Outcome[K] } = {
    ok: o.ok,
    errno: o.errno,
    fwError: o.fwError,
  };
  if (o.read !== undefined) out.read = o.read;
  out.cause = cause;
  return out;
}
