/**
 * kernel/params.c: module parameters as the kernel parses them, whether they come from the kernel
 * command line (`kvm_amd.sev_snp=0`) or from modprobe. Every value is text; the parameter's type
 * picks the kernel's own parser (param_set_bool → kstrtobool, param_set_int/uint → kstrtoint/
 * kstrtouint with base 0, param_set_charp). A value the parser refuses makes parse_args() print
 * its line and return the parser's error; load_module() then fails with that error.
 * The wording below is parse_args()'s, unchanged from v6.11 to v7.x.
 */
import { Errno } from './errno';
import { kstrtobool, kstrtoint, kstrtouint, type Parsed } from './kstrtox';
import type { KernelProfile } from './profile';

/** The kernel_param_ops a parameter uses (module_param(name, TYPE, perm)). */
export type ParamType = 'bool' | 'int' | 'uint' | 'charp';

/** A parsed value: bool → boolean, int/uint → number, charp → string (null: never set). */
export type ParamValue = boolean | number | string | null;

export interface KernelParam {
  readonly name: string;
  readonly type: ParamType;
  /** The variable's initial value (what sysfs reads when nothing sets it). */
  readonly default: ParamValue;
}

/** One `name=value` argument; value null for a bare `name` (no '='). */
export type ParamArg = readonly [name: string, value: string | null];

/** param_set_charp(): strings longer than 1024 bytes are refused with -ENOSPC. */
const CHARP_MAX = 1024;

/**
 * The `set` op of each type, as parse_one() calls it. Only bool carries KERNEL_PARAM_OPS_FL_NOARG:
 * a bare `name` sets a bool (param_set_bool treats a NULL value as "1") and is -EINVAL for the
 * others. `log` holds what the setter itself prints.
 */
export function paramSet(
  param: KernelParam,
  val: string | null,
  profile: KernelProfile,
): Parsed<ParamValue> & { readonly log?: string } {
  if (val === null && param.type !== 'bool') return { ok: false, rc: -Errno.EINVAL };
  switch (param.type) {
    case 'bool':
      return kstrtobool(val ?? '1', profile);
    case 'int':
      return kstrtoint(val!, 0);
    case 'uint':
      return kstrtouint(val!, 0);
    case 'charp':
      if (new TextEncoder().encode(val!).length > CHARP_MAX)
        return { ok: false, rc: -Errno.ENOSPC, log: `${param.name}: string parameter too long` };
      return { ok: true, value: val! };
  }
}

/** parameq(): parameter names compare with '-' and '_' as the same character. */
export function parameq(a: string, b: string): boolean {
  return a.replaceAll('-', '_') === b.replaceAll('-', '_');
}

/**
 * A `handle_unknown` callback: returns 0 (handled) or a negative errno; `print` adds a kernel log
 * line at the point the callback runs.
 */
export type UnknownParamHandler = (
  param: string,
  val: string | null,
  print: (line: string) => void,
) => number;

export interface ParseArgsResult {
  /** 0, or the error of the last argument that failed (parse_args keeps going after one). */
  readonly rc: number;
  /** Every parameter's value after parsing: its default unless an argument set it. */
  readonly values: Readonly<Record<string, ParamValue>>;
  /** The kernel log lines parsing printed, in order. */
  readonly log: readonly string[];
}

/**
 * parse_args(doing, args, params, …, unknown): each argument in order through parse_one(); a
 * failure prints one line naming `doing` (the module name for a module, "Booting kernel" for the
 * command line), the value and the parameter, and parsing goes on with the next argument.
 */
export function parseArgs(
  doing: string,
  args: readonly ParamArg[],
  params: readonly KernelParam[],
  profile: KernelProfile,
  unknown?: UnknownParamHandler,
): ParseArgsResult {
  const values: Record<string, ParamValue> = {};
  for (const p of params) values[p.name] = p.default;
  const log: string[] = [];
  let rc = 0;
  for (const [name, val] of args) {
    const ret = parseOne(name, val, params, profile, values, log, unknown);
    if (ret === 0) continue;
    if (ret === -Errno.ENOENT) log.push(`${doing}: Unknown parameter \`${name}'`);
    else if (ret === -Errno.ENOSPC) log.push(`${doing}: \`${val ?? ''}' too large for parameter \`${name}'`);
    else log.push(`${doing}: \`${val ?? ''}' invalid for parameter \`${name}'`);
    rc = ret;
  }
  return { rc, values, log };
}

/** parse_one(): the first parameter whose name matches takes the value; otherwise `unknown`. */
function parseOne(
  name: string,
  val: string | null,
  params: readonly KernelParam[],
  profile: KernelProfile,
  values: Record<string, ParamValue>,
  log: string[],
  unknown: UnknownParamHandler | undefined,
): number {
  const param = params.find((p) => parameq(name, p.name));
  if (!param) return unknown ? unknown(name, val, (line) => log.push(line)) : -Errno.ENOENT;
  const r = paramSet(param, val, profile);
  if (r.log !== undefined) log.push(r.log);
  if (!r.ok) return r.rc;
  values[param.name] = r.value;
  return 0;
}

/** param_get_*(): how /sys/module/MOD/parameters/NAME reads (bool Y/N, integers in decimal). */
export function paramGet(value: ParamValue): string {
  if (value === null) return '(null)';
  if (typeof value === 'boolean') return value ? 'Y' : 'N';
  return String(value);
}

/**
 * A typed value written as command-line text: numbers in decimal, booleans as `true`/`false`,
 * null as a bare name. (A scenario file's scalars arrive typed; the kernel only ever sees text.)
 */
export function paramText(value: boolean | number | string | null): string | null {
  if (value === null) return null;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value).toString();
  return String(value);
}
