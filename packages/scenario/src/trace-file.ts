/**
 * Reading a trace file back: JSON text → a `Trace` the converters and panels can rely on, or one
 * clear message naming the first member that is wrong. `sevsim export` and the playback app (the
 * browser page and its Node side) read traces with this one check, so a file one accepts the other
 * can play, and a wrong or truncated file is one line instead of a crash deep in a converter.
 *
 * Every member a reader uses is checked; extra members are allowed, so a newer engine that extends
 * the trace still plays.
 */
import type { Trace } from './trace';

export type TraceParse =
  | { readonly ok: true; readonly trace: Trace }
  | { readonly ok: false; readonly error: string };

class Mismatch extends Error {}

type Check = (value: unknown, path: string) => void;

function fail(path: string, expected: string, value: unknown): never {
  if (value === undefined) throw new Mismatch(`${path}: missing (expected ${expected})`);
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  throw new Mismatch(`${path}: expected ${expected}, got ${got}`);
}

const str: Check = (v, p) => {
  if (typeof v !== 'string') fail(p, 'a string', v);
};
const num: Check = (v, p) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(p, 'a number', v);
};
const bool: Check = (v, p) => {
  if (typeof v !== 'boolean') fail(p, 'true or false', v);
};
const any: Check = () => {};

function oneOf(...allowed: readonly (string | number)[]): Check {
  return (v, p) => {
    if (!allowed.includes(v as string)) fail(p, `one of ${allowed.join(', ')}`, v);
  };
}
function nullable(inner: Check): Check {
  return (v, p) => {
    if (v !== null) inner(v, p);
  };
}
function optional(inner: Check): Check {
  return (v, p) => {
    if (v !== undefined) inner(v, p);
  };
}
function list(item: Check): Check {
  return (v, p) => {
    if (!Array.isArray(v)) fail(p, 'a list', v);
    for (let i = 0; i < v.length; i++) item(v[i], `${p}[${i}]`);
  };
}
function record(value: Check): Check {
  return (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(p, 'an object', v);
    for (const [k, x] of Object.entries(v)) value(x, `${p}.${k}`);
  };
}
function obj(shape: Record<string, Check>): Check {
  return (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(p, 'an object', v);
    const o = v as Record<string, unknown>;
    for (const [k, check] of Object.entries(shape)) check(o[k], `${p}.${k}`);
  };
}

const asidRange = obj({ status: oneOf('enabled', 'unusable', 'disabled'), min: num, max: num });

const state = obj({
  host: obj({ snp: bool, snpEn: bool, iommu: oneOf('off', 'passthrough', 'translated') }),
  firmware: obj({
    version: str,
    sev: oneOf('UNINIT', 'INIT', 'WORKING'),
    snp: oneOf('UNINIT', 'INIT'),
    ciphertextHiding: bool,
    maxSnpAsid: num,
  }),
  modules: obj({
    ccp: obj({ loaded: bool, builtin: bool, params: record(any) }),
    kvm_amd: obj({ loaded: bool, builtin: bool, params: record(any) }),
  }),
  kvm: obj({ sev: asidRange, sevEs: asidRange, snp: asidRange, vmTypes: list(num) }),
  vms: record(
    obj({
      type: oneOf('default', 'sev', 'sev-es', 'snp'),
      state: oneOf('created', 'initialized', 'running', 'destroyed'),
      asid: nullable(num),
    }),
  ),
});

const layers = obj({
  hardware: obj({
    cpu: str,
    snpEnPerCore: list(bool),
    onlinePerCore: list(bool),
    iommu: obj({ mode: str, snpEnforced: bool }),
    rmpCounts: record(num),
    ciphertextHiding: bool,
  }),
  firmware: obj({
    sev: str,
    snp: str,
    version: str,
    guests: list(obj({ kind: oneOf('sev', 'snp'), handle: num, state: str, asid: num })),
    asids: obj({ dirty: list(num), inUse: list(num) }),
  }),
  ccp: record(any),
  kvm: obj({
    params: record(any),
    asidsInUse: list(num),
    asidsReclaim: list(num),
    minSevAsid: num,
    maxSevAsid: num,
  }),
});

const pspCall = obj({
  cmd: str,
  id: num,
  status: num,
  statusName: str,
  by: oneOf('ccp', 'kvm_amd', 'raw'),
  guard: optional(obj({ id: str, fact: str })),
});

const step = obj({
  index: num,
  op: str,
  line: num,
  outcome: obj({ op: str, ok: bool, errno: optional(nullable(str)), fwError: optional(nullable(num)) }),
  psp: list(pspCall),
  dmesg: list(str),
  state,
  changed: list(str),
  layers,
  explanation: optional(str),
});

const diagnosis = obj({
  sources: list(str),
  rows: list(
    obj({ step: nullable(num), real: nullable(obj({ line: num, text: str })), simulated: nullable(str) }),
  ),
});

const trace = obj({
  format: oneOf('sevsim-trace'),
  version: oneOf(1),
  file: str,
  source: str,
  boot: step,
  steps: list(step),
  result: obj({ scenario: str, passed: bool, dmesg: list(str) }),
  diagnosis: optional(diagnosis),
});

/** Parse and check the text of a trace file. Never throws. */
export function parseTrace(text: string): TraceParse {
  if (text.trim() === '') return { ok: false, error: 'The trace file is empty.' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return {
      ok: false,
      error: `The trace is not valid JSON (is the file truncated?): ${(e as Error).message}`,
    };
  }
  try {
    trace(value, 'trace');
  } catch (e) {
    if (e instanceof Mismatch) return { ok: false, error: `This is not a sevsim trace: ${e.message}` };
    throw e;
  }
  return { ok: true, trace: value as Trace };
}
