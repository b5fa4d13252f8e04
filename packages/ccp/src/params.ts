/**
 * ccp module parameters (drivers/crypto/ccp/sev-dev.c module_param lines; docs/reference/linux-ccp.md §3.1).
 * `CCP_PARAMS` is the metadata the scenario layer validates `ccp.NAME` against.
 */

export interface CcpParams {
  /** bool, default true, 0444: initialise the platform at probe (≤6.15) / at kvm_amd load (6.16+). */
  readonly psp_init_on_probe: boolean;
  /** charp, default NULL, 0444: legacy init uses INIT_EX with this NV file. */
  readonly init_ex_path: string | null;
  /** int, default 100, 0644: seconds per PSP command (timing only in sevsim). */
  readonly psp_cmd_timeout: number;
  /** int, default 5, 0644: seconds per PSP command during probe (timing only in sevsim). */
  readonly psp_probe_timeout: number;
}

export type CcpParamName = keyof CcpParams;

export interface CcpParamSpec {
  readonly name: CcpParamName;
  readonly type: 'bool' | 'int' | 'charp';
  readonly default: boolean | number | null;
  /** sysfs permission bits (0o444 read-only, 0o644 runtime-writable). */
  readonly mode: number;
  readonly description: string;
}

export const CCP_PARAMS: readonly CcpParamSpec[] = [
  {
    name: 'psp_cmd_timeout',
    type: 'int',
    default: 100,
    mode: 0o644,
    description: 'default timeout value, in seconds, for PSP commands',
  },
  {
    name: 'psp_probe_timeout',
    type: 'int',
    default: 5,
    mode: 0o644,
    description: 'default timeout value, in seconds, during PSP device probe',
  },
  {
    name: 'init_ex_path',
    type: 'charp',
    default: null,
    mode: 0o444,
    description: 'Path for INIT_EX data; if set try INIT_EX',
  },
  {
    name: 'psp_init_on_probe',
    type: 'bool',
    default: true,
    mode: 0o444,
    description: 'if true, the PSP will be initialized on module init',
  },
];

export const DEFAULT_CCP_PARAMS: CcpParams = {
  psp_init_on_probe: true,
  init_ex_path: null,
  psp_cmd_timeout: 100,
  psp_probe_timeout: 5,
};

/** Kernel bool parsing (kernel/params.c param_set_bool → kstrtobool): 1/0, y/n, on/off, true/false. */
function parseBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === 0) return v === 1;
  if (typeof v !== 'string') return undefined;
  const s = v.toLowerCase();
  if (['1', 'y', 'yes', 'on', 'true'].includes(s)) return true;
  if (['0', 'n', 'no', 'off', 'false'].includes(s)) return false;
  return undefined;
}

function parseInt32(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 ? n : undefined;
}

export interface ResolvedCcpParams {
  readonly params: CcpParams;
  /** One message per unknown name or unparsable value (modprobe would refuse the module). */
  readonly errors: string[];
}

/** Apply `ccp.NAME=value` settings over the defaults; unknown names and bad values are errors. */
export function resolveCcpParams(input: Readonly<Record<string, unknown>>): ResolvedCcpParams {
  const out: Record<string, unknown> = { ...DEFAULT_CCP_PARAMS };
  const errors: string[] = [];
  for (const [name, value] of Object.entries(input)) {
    const spec = CCP_PARAMS.find((p) => p.name === name);
    if (!spec) {
      errors.push(`ccp: unknown parameter '${name}'`);
      continue;
    }
    const parsed =
      spec.type === 'bool'
        ? parseBool(value)
        : spec.type === 'int'
          ? parseInt32(value)
          : typeof value === 'string' || value === null
            ? value
            : undefined;
    if (parsed === undefined) {
      errors.push(`ccp: '${name}' expects ${spec.type}, got ${JSON.stringify(value)}`);
      continue;
    }
    out[name] = parsed;
  }
  return { params: out as unknown as CcpParams, errors };
}
