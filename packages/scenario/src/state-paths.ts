/**
 * The dotted paths an `expect: {state: ...}` may name (docs/contracts/scenario-v1.md "State", plus the
 * extensions in trace.ts `State`). Checked at validation time so a typo is an input error, not a
 * silently failing expectation.
 */

type Shape =
  | null
  | { readonly [key: string]: Shape }
  | { readonly wildcard: 'vm' | 'ccp-param' | 'kvm_amd-param' };

const RANGE: Shape = { status: null, min: null, max: null };
const VM: Shape = { type: null, state: null, asid: null };

const STATE_SHAPE: Shape = {
  host: { snp: null, snpEn: null, iommu: null },
  firmware: {
    version: null,
    committedVersion: null,
    sev: null,
    snp: null,
    ciphertextHiding: null,
    maxSnpAsid: null,
    rmpInitialised: null,
  },
  modules: {
    ccp: { loaded: null, builtin: null, params: { wildcard: 'ccp-param' } },
    kvm_amd: { loaded: null, builtin: null, params: { wildcard: 'kvm_amd-param' } },
  },
  kvm: { sev: RANGE, sevEs: RANGE, snp: RANGE, vmTypes: null },
  vms: { wildcard: 'vm' },
};

/** A VM id as scenario steps write it. */
export const VM_ID_PATTERN = '[A-Za-z0-9_-]+';

/** The `vms.ID…` paths, whatever VMs the file creates (the JSON Schema cannot see which it does). */
export const VM_STATE_PATTERN = `^vms\\.${VM_ID_PATTERN}(?:\\.(?:${Object.keys(VM).join('|')}))?$`;

export interface PathContext {
  readonly vmIds: readonly string[];
  readonly ccpParams: readonly string[];
  readonly kvmAmdParams: readonly string[];
}

export interface PathProblem {
  readonly message: string;
  readonly allowed: readonly string[];
}

function isWildcard(s: Shape): s is { readonly wildcard: 'vm' | 'ccp-param' | 'kvm_amd-param' } {
  return s !== null && typeof (s as { wildcard?: unknown }).wildcard === 'string';
}

/** undefined when `path` names a state value (a leaf or a whole sub-object). */
export function checkStatePath(path: string, ctx: PathContext): PathProblem | undefined {
  const segs = path.split('.');
  let shape: Shape = STATE_SHAPE;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    const here = segs.slice(0, i).join('.');
    if (shape === null) {
      return { message: `"${here}" is a value, it has no "${seg}"`, allowed: [] };
    }
    if (isWildcard(shape)) {
      const names =
        shape.wildcard === 'vm'
          ? ctx.vmIds
          : shape.wildcard === 'ccp-param'
            ? ctx.ccpParams
            : ctx.kvmAmdParams;
      if (!names.includes(seg)) {
        const what = shape.wildcard === 'vm' ? 'no step creates a VM' : 'the module has no parameter';
        return { message: `unknown state path "${path}": ${what} "${seg}"`, allowed: [...names] };
      }
      shape = shape.wildcard === 'vm' ? VM : null;
      continue;
    }
    // Own keys only: `constructor`, `toString`, `__proto__` are the object's, not state paths.
    const next: Shape | undefined = Object.hasOwn(shape, seg)
      ? (shape as Record<string, Shape>)[seg]
      : undefined;
    if (next === undefined) {
      return {
        message: `unknown state path "${path}"`,
        allowed: Object.keys(shape).map((k) => (here === '' ? k : `${here}.${k}`)),
      };
    }
    shape = next;
  }
  return undefined;
}

/** Every path checkStatePath accepts with these parameters, but `vms.ID…` (VM_STATE_PATTERN). */
export function statePathNames(ctx: Omit<PathContext, 'vmIds'>): string[] {
  const out: string[] = [];
  const walk = (shape: Shape, at: string): void => {
    if (at !== '') out.push(at);
    if (shape === null) return;
    if (isWildcard(shape)) {
      if (shape.wildcard === 'vm') return;
      for (const p of shape.wildcard === 'ccp-param' ? ctx.ccpParams : ctx.kvmAmdParams)
        out.push(`${at}.${p}`);
      return;
    }
    for (const [k, next] of Object.entries(shape)) walk(next, at === '' ? k : `${at}.${k}`);
  };
  walk(STATE_SHAPE, '');
  return out;
}
