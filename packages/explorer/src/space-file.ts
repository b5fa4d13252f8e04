/**
 * `--space FILE`: a space in YAML (or JSON), read and reported as scenarios are (readYamlMap and
 * its Problems of @sevsim/scenario): every problem together as `file:line:col: key: what is wrong
 * (allowed: …)`, never a stack trace. Names of presets, releases and patches come from the
 * layers' catalog.
 *
 * ```yaml
 * name: my-space
 * machine: {cpu: [genoa], snp: [true, false], iommu: [translated], ciphertextHiding: [true],
 *           minSevAsid: [default], firmware: ["1.55.25"]}
 * kernel: {releases: ["7.2+sev-fw-upload"], builtin: [[], [ccp, kvm_amd]]}
 * params: {ccp.psp_init_on_probe: [false, true], kvm_amd.sev: [true], kvm_amd.sev_es: [true],
 *          kvm_amd.sev_snp: [true], kvm_amd.ciphertext_hiding_asids: [none]}
 * actions: {maxVms: 2, vmTypes: [sev, sev-es, snp], fwUpdate: ["1.58.30"], fwCommit: true,
 *           hostRead: true, modules: true}
 * depth: 6            # or `unbounded`: to the fixpoint (small `machine.asids` keep it finite)
 * ```
 * Every key except `name` is optional; missing ones take the default space's value.
 */
import { defaultCatalog, readYamlMap, type ScenarioError } from '@sevsim/scenario';
import { defaultSpace, parseKernelChoice } from './default-space';
import { ALL_CTH_ASIDS, type CthAsids, type KernelChoice, type Space } from './space';

export type SpaceParse =
  | { readonly ok: true; readonly space: Space }
  | { readonly ok: false; readonly errors: readonly ScenarioError[] };

type Path = readonly (string | number)[];

const VERSION = /^\d+\.\d+\.\d+$/;

/** Depth of a space file that names no depth and has a preset's (large) ASID count. */
const BOUNDED_DEPTH = 8;

export function parseSpace(text: string, file: string): SpaceParse {
  const input = readYamlMap(text, file, 'a space is a map');
  if (!input.ok) return input;
  const { value: top, problems } = input;
  const problem = (path: Path, message: string, allowed?: readonly string[]) =>
    problems.add(path, message, allowed ? { allowed } : {});
  const catalog = defaultCatalog();
  const base = defaultSpace(parseKernelChoice(catalog.releases[catalog.releases.length - 1]!));

  const known = (obj: Record<string, unknown>, path: Path, keys: readonly string[]) => {
    for (const k of Object.keys(obj))
      if (!keys.includes(k)) problem([...path, k], `unknown key "${k}"`, keys);
  };
  const section = (key: string): Record<string, unknown> => {
    const v = top[key];
    if (v === undefined) return {};
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      problem([key], 'must be a map');
      return {};
    }
    return v as Record<string, unknown>;
  };
  /** A non-empty list whose items pass `item`; the default when absent. */
  const list = <T>(
    obj: Record<string, unknown>,
    path: Path,
    fallback: readonly T[],
    item: (v: unknown, p: Path) => T | undefined,
  ): T[] => {
    const key = path[path.length - 1] as string;
    const v = obj[key];
    if (v === undefined) return [...fallback];
    if (!Array.isArray(v) || v.length === 0) {
      problem(path, 'must be a non-empty list');
      return [...fallback];
    }
    const out: T[] = [];
    v.forEach((x, i) => {
      const r = item(x, [...path, i]);
      if (r !== undefined) out.push(r);
    });
    return out;
  };
  const oneOf =
    <T extends string>(allowed: readonly T[]) =>
    (v: unknown, p: Path): T | undefined => {
      if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
      problem(p, `${JSON.stringify(v)} is not allowed`, allowed);
      return undefined;
    };
  const bool = (v: unknown, p: Path): boolean | undefined => {
    if (typeof v === 'boolean') return v;
    problem(p, `${JSON.stringify(v)} is not a boolean`);
    return undefined;
  };

  known(top, [], ['name', 'machine', 'kernel', 'params', 'actions', 'depth']);
  if (typeof top.name !== 'string' || top.name === '') problem(['name'], 'required: a non-empty string');

  const m = section('machine');
  known(m, ['machine'], ['cpu', 'snp', 'iommu', 'ciphertextHiding', 'minSevAsid', 'asids', 'firmware']);
  const machine: Space['machine'] = {
    cpu: list(m, ['machine', 'cpu'], base.machine.cpu, oneOf(catalog.cpus)),
    snp: list(m, ['machine', 'snp'], base.machine.snp, bool),
    iommu: list(
      m,
      ['machine', 'iommu'],
      base.machine.iommu,
      oneOf(['off', 'passthrough', 'translated'] as const),
    ),
    ciphertextHiding: list(m, ['machine', 'ciphertextHiding'], base.machine.ciphertextHiding, bool),
    minSevAsid: list(m, ['machine', 'minSevAsid'], base.machine.minSevAsid, (v, p) => {
      if (v === 'default' || (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 1007)) return v;
      problem(p, `${JSON.stringify(v)} is not 'default' or an integer 1..1007`);
      return undefined;
    }),
    // The default space's small machine only with its own minSevAsid; else the preset's ASIDs.
    asids: list(
      m,
      ['machine', 'asids'],
      m.minSevAsid === undefined ? base.machine.asids! : ['default'],
      (v, p) => {
        if (v === 'default' || (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 1006))
          return v;
        problem(p, `${JSON.stringify(v)} is not 'default' or an integer 1..1006`);
        return undefined;
      },
    ),
    firmware: list(m, ['machine', 'firmware'], base.machine.firmware, (v, p) => {
      if (v === 'default' || (typeof v === 'string' && VERSION.test(v))) return v;
      problem(p, `${JSON.stringify(v)} is not 'default' or a version major.minor.build`);
      return undefined;
    }),
  };

  const k = section('kernel');
  known(k, ['kernel'], ['releases', 'builtin']);
  const releases = list<KernelChoice>(k, ['kernel', 'releases'], base.kernel.releases, (v, p) => {
    if (typeof v !== 'string') {
      problem(p, `${JSON.stringify(v)} is not a release like "7.2" or "7.2+sev-fw-upload"`);
      return undefined;
    }
    const choice = parseKernelChoice(v);
    const why = catalog.releaseProblem(choice.version, choice.patches);
    if (why) {
      problem(p, why);
      return undefined;
    }
    return choice;
  });
  const builtin = list(k, ['kernel', 'builtin'], base.kernel.builtin, (v, p) => {
    if (!Array.isArray(v)) {
      problem(p, 'each entry is a list of modules, e.g. [] or [ccp, kvm_amd]');
      return undefined;
    }
    const mods = v.map((x, i) => oneOf(['ccp', 'kvm_amd'] as const)(x, [...p, i]));
    if (mods.includes(undefined)) return undefined;
    if (mods.includes('kvm_amd') && !mods.includes('ccp')) {
      problem(p, 'a built-in kvm_amd needs a built-in ccp (kvm_amd uses its symbols)');
      return undefined;
    }
    return mods as ('ccp' | 'kvm_amd')[];
  });

  const pr = section('params');
  const paramKeys = [
    'ccp.psp_init_on_probe',
    'kvm_amd.sev',
    'kvm_amd.sev_es',
    'kvm_amd.sev_snp',
    'kvm_amd.ciphertext_hiding_asids',
  ] as const;
  known(pr, ['params'], paramKeys);
  const params: Space['params'] = {
    'ccp.psp_init_on_probe': list(
      pr,
      ['params', 'ccp.psp_init_on_probe'],
      base.params['ccp.psp_init_on_probe'],
      bool,
    ),
    'kvm_amd.sev': list(pr, ['params', 'kvm_amd.sev'], base.params['kvm_amd.sev'], bool),
    'kvm_amd.sev_es': list(pr, ['params', 'kvm_amd.sev_es'], base.params['kvm_amd.sev_es'], bool),
    'kvm_amd.sev_snp': list(pr, ['params', 'kvm_amd.sev_snp'], base.params['kvm_amd.sev_snp'], bool),
    'kvm_amd.ciphertext_hiding_asids': list<CthAsids>(
      pr,
      ['params', 'kvm_amd.ciphertext_hiding_asids'],
      ['none', 'some', 'all'],
      (v, p) =>
        typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= ALL_CTH_ASIDS
          ? v
          : oneOf(['none', 'some', 'all'] as const)(v, p),
    ),
  };

  const a = section('actions');
  known(a, ['actions'], ['maxVms', 'vmTypes', 'fwUpdate', 'fwCommit', 'hostRead', 'modules']);
  const int = (
    obj: Record<string, unknown>,
    path: Path,
    fallback: number,
    lo: number,
    hi: number,
  ): number => {
    const v = obj[path[path.length - 1] as string];
    if (v === undefined) return fallback;
    if (typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi) return v;
    problem(path, `${JSON.stringify(v)} is not an integer ${lo}..${hi}`);
    return fallback;
  };
  const flag = (key: string, fallback: boolean): boolean => {
    const v = a[key];
    if (v === undefined) return fallback;
    return bool(v, ['actions', key]) ?? fallback;
  };
  const actions: Space['actions'] = {
    maxVms: int(a, ['actions', 'maxVms'], base.actions.maxVms, 0, 8),
    vmTypes: list(a, ['actions', 'vmTypes'], base.actions.vmTypes, oneOf(['sev', 'sev-es', 'snp'] as const)),
    fwUpdate: (() => {
      const v = a.fwUpdate;
      if (Array.isArray(v) && v.length === 0) return [];
      return list(a, ['actions', 'fwUpdate'], base.actions.fwUpdate, (x, p) => {
        if (typeof x === 'string' && VERSION.test(x)) return x;
        problem(p, `${JSON.stringify(x)} is not a version major.minor.build`);
        return undefined;
      });
    })(),
    fwCommit: flag('fwCommit', base.actions.fwCommit),
    hostRead: flag('hostRead', base.actions.hostRead),
    modules: flag('modules', base.actions.modules),
  };
  // `unbounded`: to the fixpoint (every reachable state). Without a depth, small machines run to the fixpoint and the presets' ASID counts stop at 8.
  const finite = machine.asids!.every((a) => a !== 'default');
  const depth =
    top.depth === 'unbounded'
      ? Number.POSITIVE_INFINITY
      : int(top, ['depth'], finite ? Number.POSITIVE_INFINITY : BOUNDED_DEPTH, 0, 64);

  if (problems.list.length > 0) return { ok: false, errors: problems.sorted() };
  return {
    ok: true,
    space: { name: top.name as string, machine, kernel: { releases, builtin }, params, actions, depth },
  };
}
