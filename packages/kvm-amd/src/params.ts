/**
 * kvm_amd module parameters that SEV setup reads (docs/reference/linux-kvm-amd.md §2.1), with the kernel's own
 * parsing rules, so the scenario layer can reject unknown parameters, ones the release lacks, and
 * values the kernel would refuse.
 */
import type { KvmAmdProfile } from './releases';

export type KvmAmdParamType = 'bool' | 'uint' | 'int';

export interface KvmAmdParamSpec {
  readonly name: KvmAmdParamName;
  readonly type: KvmAmdParamType;
  readonly default: boolean | number;
  /** Source file of the module_param() (sev.c or svm.c). */
  readonly file: 'sev.c' | 'svm.c';
  /** The profile field that gates its existence; absent = in every modelled release. */
  readonly requires?: 'ciphertextHidingParam' | 'debugSwapParam';
  /** Releases where it exists, for messages (since inclusive, until exclusive). */
  readonly since?: string;
  readonly until?: string;
  readonly fact: string;
}

export type KvmAmdParamName =
  | 'sev'
  | 'sev_es'
  | 'sev_snp'
  | 'ciphertext_hiding_asids'
  | 'debug_swap'
  | 'npt'
  | 'nrips'
  | 'lbrv';

/** All 0444: read-only after load (docs/reference/linux-kvm-amd.md §2.1). */
export const KVM_AMD_PARAMS: readonly KvmAmdParamSpec[] = [
  {
    name: 'sev',
    type: 'bool',
    default: true,
    file: 'sev.c',
    fact: 'docs/reference/linux-kvm-amd.md §2.1 (sev_enabled)',
  },
  {
    name: 'sev_es',
    type: 'bool',
    default: true,
    file: 'sev.c',
    fact: 'docs/reference/linux-kvm-amd.md §2.1 (sev_es_enabled)',
  },
  {
    name: 'sev_snp',
    type: 'bool',
    default: true,
    file: 'sev.c',
    fact: 'docs/reference/linux-kvm-amd.md §2.1 (sev_snp_enabled)',
  },
  {
    name: 'ciphertext_hiding_asids',
    type: 'uint',
    default: 0,
    file: 'sev.c',
    requires: 'ciphertextHidingParam',
    since: '6.18',
    fact: 'docs/reference/linux-kvm-amd.md §2.1, §6.1 (nr_ciphertext_hiding_asids, added v6.18)',
  },
  {
    name: 'debug_swap',
    type: 'bool',
    default: true,
    file: 'sev.c',
    requires: 'debugSwapParam',
    until: '7.0',
    fact: 'docs/reference/linux-kvm-amd.md §2.1 (sev_es_debug_swap_enabled, removed in the 7.0 cycle by 9587dd7a7ebd)',
  },
  {
    name: 'npt',
    type: 'bool',
    default: true,
    file: 'svm.c',
    fact: 'docs/reference/linux-kvm-amd.md §2.1 (npt_enabled)',
  },
  {
    name: 'nrips',
    type: 'int',
    default: 1,
    file: 'svm.c',
    fact: 'docs/reference/linux-kvm-amd.md §2.1 (nrips)',
  },
  {
    name: 'lbrv',
    type: 'int',
    default: 1,
    file: 'svm.c',
    fact: 'docs/reference/linux-kvm-amd.md §2.1 (lbrv)',
  },
];

export interface KvmAmdParams {
  sev: boolean;
  sev_es: boolean;
  sev_snp: boolean;
  /** 0..4294967295; only in releases with `ciphertextHidingParam`. */
  ciphertext_hiding_asids: number;
  /** Only in releases with `debugSwapParam`. */
  debug_swap: boolean;
  npt: boolean;
  nrips: number;
  lbrv: number;
}

export class KvmAmdParamError extends Error {
  override readonly name = 'KvmAmdParamError';
}

/** The parameters this release's kvm_amd has (the others do not exist: modprobe rejects them). */
export function paramsForRelease(profile: KvmAmdProfile): KvmAmdParamSpec[] {
  return KVM_AMD_PARAMS.filter((p) => p.requires === undefined || profile[p.requires]);
}

/**
 * kstrtobool() as param_set_bool uses it: a missing value means "set"; the first character
 * decides (y/Y/t/T/1 true, n/N/f/F/0 false), "on"/"off" by the second one.
 */
export function parseKernelBool(raw: string | null): boolean | undefined {
  const s = raw ?? '1';
  const c0 = s[0];
  if (c0 !== undefined && 'yYtT1'.includes(c0)) return true;
  if (c0 !== undefined && 'nNfF0'.includes(c0)) return false;
  if (c0 === 'o' || c0 === 'O') {
    const c1 = s[1];
    if (c1 === 'n' || c1 === 'N') return true;
    if (c1 === 'f' || c1 === 'F') return false;
  }
  return undefined;
}

/** kstrtoull(s, 0) digits: optional "0x" (hex) or leading "0" (octal) prefix, one trailing newline. */
function parseKernelInteger(body: string): bigint | undefined {
  const s = body.endsWith('\n') ? body.slice(0, -1) : body;
  let digits = s;
  let radix = 10;
  if (/^0[xX]/.test(s)) {
    digits = s.slice(2);
    radix = 16;
  } else if (s.length > 1 && s.startsWith('0')) {
    digits = s.slice(1);
    radix = 8;
  }
  const valid = radix === 16 ? /^[0-9a-fA-F]+$/ : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!valid.test(digits)) return undefined;
  const prefix = radix === 16 ? '0x' : radix === 8 ? '0o' : '';
  return BigInt(prefix + digits);
}

/** kstrtouint(s, 0): a leading '+' is allowed, '-' is not; range 0..4294967295. */
export function parseKernelUint(raw: string | null): number | undefined {
  if (raw === null) return undefined;
  const v = parseKernelInteger(raw.startsWith('+') ? raw.slice(1) : raw);
  return v !== undefined && v <= 0xffff_ffffn ? Number(v) : undefined;
}

/** kstrtoint(s, 0): optional sign; range -2^31..2^31-1. */
export function parseKernelInt(raw: string | null): number | undefined {
  if (raw === null) return undefined;
  const negative = raw.startsWith('-');
  const v = parseKernelInteger(raw.startsWith('-') || raw.startsWith('+') ? raw.slice(1) : raw);
  if (v === undefined) return undefined;
  const signed = negative ? -v : v;
  return signed >= -0x8000_0000n && signed <= 0x7fff_ffffn ? Number(signed) : undefined;
}

export function defaultKvmAmdParams(): KvmAmdParams {
  return {
    sev: true,
    sev_es: true,
    sev_snp: true,
    ciphertext_hiding_asids: 0,
    debug_swap: true,
    npt: true,
    nrips: 1,
    lbrv: 1,
  };
}

/**
 * Parameters as written on the kernel command line / modprobe (`{sev_snp: '0'}` or typed values).
 * Throws KvmAmdParamError for a parameter this release does not have or a value the kernel's
 * parser rejects (kernel/params.c: "'%s' invalid for parameter '%s'", load fails with -EINVAL).
 */
export function parseKvmAmdParams(
  profile: KvmAmdProfile,
  given: Readonly<Record<string, string | number | boolean | null>>,
): KvmAmdParams {
  const params = defaultKvmAmdParams();
  const known = paramsForRelease(profile);
  for (const name of Object.keys(given).sort()) {
    const spec = known.find((p) => p.name === name);
    if (!spec) {
      const list = known.map((p) => p.name).join(', ');
      throw new KvmAmdParamError(`kvm_amd: unknown parameter '${name}' (this release has: ${list})`);
    }
    const raw = given[name];
    const text =
      raw === null || raw === undefined ? null : typeof raw === 'boolean' ? (raw ? 'Y' : 'N') : String(raw);
    const value =
      spec.type === 'bool'
        ? parseKernelBool(text)
        : spec.type === 'uint'
          ? parseKernelUint(text)
          : parseKernelInt(text);
    if (value === undefined) {
      throw new KvmAmdParamError(`kvm_amd: '${text ?? ''}' invalid for parameter '${name}'`);
    }
    (params as unknown as Record<string, boolean | number>)[name] = value;
  }
  return params;
}

/** How /sys/module/kvm_amd/parameters/NAME reads: bool as Y/N, integers in decimal. */
export function sysfsValue(value: boolean | number): string {
  return typeof value === 'boolean' ? (value ? 'Y' : 'N') : String(value);
}
