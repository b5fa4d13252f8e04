/**
 * Known findings as a baseline: violations that are real kernel behaviour (the invariants flag
 * them on purpose, README "Findings") are accepted, so `sevsim explore --baseline FILE` fails
 * only on new ones and can gate a script. A finding is one behaviour: an invariant, the message
 * it printed and the configurations (by label, which does not change when a space grows; indices
 * do) where it was found, with why it is accepted.
 */
import { type InputPath, readYamlMap, type ScenarioError } from '@sevsim/scenario';
import type { ExploreResult } from './explore';
import type { Violation } from './explore-config';
import { INVARIANTS, type InvariantId } from './invariants';

export interface BaselineFinding {
  readonly invariant: InvariantId;
  readonly message: string;
  /** Labels of the configurations where it was found. */
  readonly configs?: readonly string[];
  /** Or: every configuration whose label has all these words (e.g. `sev_snp=0`). */
  readonly match?: readonly string[];
  /** Why it is accepted: the kernel source that behaves so (file, function, release). */
  readonly why?: string;
}

export interface Baseline {
  readonly version: 1;
  /** The space it was written for (informational). */
  readonly space: string;
  readonly findings: readonly BaselineFinding[];
}

/** The result's violations grouped into findings, in first-seen order (what --write-baseline writes). */
export function baselineOf(
  r: ExploreResult,
  why: (v: Violation) => string | undefined = () => undefined,
): Baseline {
  const label = new Map(r.results.map((x) => [x.config.index, x.config.label]));
  const groups = new Map<string, { v: Violation; configs: string[] }>();
  for (const v of r.violations) {
    const key = `${v.invariant}\u0000${v.message}`;
    const g = groups.get(key) ?? { v, configs: [] };
    groups.set(key, g);
    g.configs.push(label.get(v.config)!);
  }
  return {
    version: 1,
    space: r.space,
    findings: [...groups.values()].map(({ v, configs }) => {
      const w = why(v);
      return { invariant: v.invariant, message: v.message, configs, ...(w ? { why: w } : {}) };
    }),
  };
}

/** Whether the baseline accepts this violation (same invariant and message, listed configuration). */
export function isKnown(b: Baseline, v: Violation, configLabel: string): boolean {
  const words = configLabel.split(' ');
  return b.findings.some(
    (f) =>
      f.invariant === v.invariant &&
      f.message === v.message &&
      (f.configs?.includes(configLabel) || f.match?.every((w) => words.includes(w)) === true),
  );
}

/**
 * The shipped baseline of the default spaces (`--baseline default`): the findings that are real
 * kernel behaviour, each with the source that behaves so.
 */
export const DEFAULT_BASELINE: Baseline = {
  version: 1,
  space: 'mainline-*',
  findings: [
    {
      invariant: 'asid-in-range',
      message: "KVM's sevEs range 0-2 leaves the firmware's valid ASIDs [1, 2]",
      match: ['sev_snp=0', 'cth_asids=all'],
      why: 'Linux v6.18+ arch/x86/kvm/svm/sev.c sev_hardware_setup(): ciphertext_hiding_asids is replaced by the applied value only when SNP is supported; with sev_snp=0 the raw -1u stays and min_sev_es_asid = u32(P + 1) = 0, so the SEV-ES range starts at the host ASID 0 (docs/reference/linux-kvm-amd.md §2.5, §7.2 Q1)',
    },
  ],
};

export type BaselineParse =
  | { readonly ok: true; readonly baseline: Baseline }
  | { readonly ok: false; readonly errors: ScenarioError[] };

/** A baseline file (JSON); each problem as `file:line:col: key: message`, like every input error. */
export function parseBaseline(text: string, file: string): BaselineParse {
  const input = readYamlMap(text, file, 'a baseline is a map with version and findings');
  if (!input.ok) return { ok: false, errors: [...input.errors] };
  const { value: o, problems } = input;
  const fail = (path: InputPath, message: string, allowed?: readonly string[]): BaselineParse => {
    problems.add(path, message, allowed ? { allowed } : {});
    return { ok: false, errors: problems.list };
  };
  if (o.version !== 1) return fail(['version'], `${JSON.stringify(o.version)} is not 1`);
  if (!Array.isArray(o.findings)) return fail(['findings'], 'must be a list');
  const ids = INVARIANTS.map((i) => i.id);
  const findings: BaselineFinding[] = [];
  for (const [i, f] of (o.findings as unknown[]).entries()) {
    const at = ['findings', i] as const;
    if (typeof f !== 'object' || f === null) return fail(at, 'must be an object');
    const x = f as Record<string, unknown>;
    if (!ids.includes(x.invariant as InvariantId))
      return fail([...at, 'invariant'], `${JSON.stringify(x.invariant)} is not an invariant`, ids);
    if (typeof x.message !== 'string') return fail([...at, 'message'], 'must be a string');
    const strings = (v: unknown) => Array.isArray(v) && v.every((c) => typeof c === 'string');
    if (x.configs !== undefined && !strings(x.configs))
      return fail([...at, 'configs'], 'must be a list of configuration labels');
    if (x.match !== undefined && !strings(x.match))
      return fail([...at, 'match'], 'must be a list of label words, e.g. ["sev_snp=0"]');
    if (x.configs === undefined && x.match === undefined)
      return fail(at, 'needs configs (labels) or match (label words)');
    if (x.why !== undefined && typeof x.why !== 'string') return fail([...at, 'why'], 'must be a string');
    findings.push({
      invariant: x.invariant as InvariantId,
      message: x.message,
      ...(x.configs !== undefined ? { configs: x.configs as string[] } : {}),
      ...(x.match !== undefined ? { match: x.match as string[] } : {}),
      ...(typeof x.why === 'string' ? { why: x.why } : {}),
    });
  }
  return { ok: true, baseline: { version: 1, space: typeof o.space === 'string' ? o.space : '', findings } };
}
