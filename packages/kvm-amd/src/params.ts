/**
 * kvm_amd module parameters that SEV setup reads (docs/reference/linux-kvm-amd.md §2.1). Values are parsed by
 * the module loader with the kernel's own parsers (@sevsim/kernel parseModuleArgs, per release);
 * the scenario layer checks names against `paramsForRelease`.
 */
import {
  type DynamicDebug,
  type KernelParam,
  type ParamArg,
  paramText,
  parseModuleArgs,
} from '@sevsim/kernel';
import type { KvmAmdProfile, ReleaseProfile } from './releases';

export type KvmAmdParamType = 'bool' | 'uint' | 'int';

export interface KvmAmdParamSpec extends KernelParam {
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

/** The parameters this release's kvm_amd has (the others do not exist: modprobe rejects them). */
export function paramsForRelease(profile: KvmAmdProfile): KvmAmdParamSpec[] {
  return KVM_AMD_PARAMS.filter((p) => p.requires === undefined || profile[p.requires]);
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

export interface ParsedKvmAmdParams {
  /** 0, or the negative errno load_module() fails with (the last refused value's). */
  readonly rc: number;
  readonly params: KvmAmdParams;
  /** What parsing printed: "kvm_amd: `max' invalid for parameter `ciphertext_hiding_asids'". */
  readonly log: readonly string[];
}

/**
 * `modprobe kvm_amd NAME=value ...` as load_module() parses it for this release: `given` in
 * order (a list keeps repeats, e.g. the kernel command line's value and then modprobe's), typed
 * values written as command-line text. Names this release lacks are ignored with the loader's
 * warning, as the kernel does.
 */
export function parseKvmAmdParams(
  release: ReleaseProfile,
  given: readonly ParamArg[] | Readonly<Record<string, string | number | boolean | null>>,
  dd?: DynamicDebug,
): ParsedKvmAmdParams {
  const args: readonly ParamArg[] = Array.isArray(given)
    ? given
    : Object.entries(given).map(([k, v]) => [k, paramText(v)] as const);
  const r = parseModuleArgs('kvm_amd', args, paramsForRelease(release.kvm), release.kernel, dd);
  return { rc: r.rc, params: { ...defaultKvmAmdParams(), ...r.values } as KvmAmdParams, log: r.log };
}
