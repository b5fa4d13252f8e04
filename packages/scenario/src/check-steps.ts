/**
 * The `steps` list (docs/contracts/scenario-v1.md "Steps", "Expectations"): each step's form, its
 * schema, then what the schema cannot see (VM ids created before use, the release's module
 * parameters, raw buffer fields that fit their struct, state paths that exist). Each step is
 * built from its schema's typed output.
 */
import type { z } from 'zod';
import { type Catalog, MODULE_DYNDBG, type ModuleName, modprobeParamNames } from './catalog';
import { checkDyndbg, type KernelFacts, paramNames } from './check-kernel';
import { BARE_STEPS, SEV_IOCTL_FIELDS, STEP_OPS, type StepOp, stepSchemas } from './schema';
import type { Expectation, Step } from './scenario';
import { checkStatePath } from './state-paths';
import type { InputPath, Problems } from './yaml-input';
import { describe, reportZod } from './zod-report';

type StepSchemas = ReturnType<typeof stepSchemas>;

/** What the builder of one step sees besides its own data. */
interface StepContext {
  readonly path: InputPath;
  readonly line: number;
  readonly catalog: Catalog;
  readonly kernel: KernelFacts;
  readonly problems: Problems;
  /** VM id → line of the step that creates it, for the steps so far. */
  readonly created: Map<string, number>;
  /** Every VM id the file creates, for `vms.ID` state paths. */
  readonly allVmIds: readonly string[];
  /** The op of the step before (expectations skipped), for `expect: {read}`. */
  readonly previousOp: StepOp | undefined;
}

type Builders = { [K in StepOp]: (data: z.output<StepSchemas[K]>, c: StepContext) => Step };

const BUILDERS: Builders = {
  reboot: (_d, c) => ({ op: 'reboot', line: c.line }),
  kdump: (_d, c) => ({ op: 'kdump', line: c.line }),
  'fw.commit': (_d, c) => ({ op: 'fw.commit', line: c.line }),
  'sev.ioctl': (d, c) => {
    const { cmd, writable: _w, ...fields } = d['sev.ioctl'];
    const allowed = SEV_IOCTL_FIELDS[cmd] ?? [];
    for (const f of Object.keys(fields)) {
      if (!allowed.includes(f)) {
        const users = Object.keys(SEV_IOCTL_FIELDS).filter((k) => SEV_IOCTL_FIELDS[k]!.includes(f));
        c.problems.add(
          [...c.path, 'sev.ioctl', f],
          `${f} is a field of ${users.join(' and ')}, not of ${cmd}`,
          {
            target: 'key',
          },
        );
      }
    }
    return { op: 'sev.ioctl', ...d['sev.ioctl'], line: c.line };
  },
  modprobe: (d, c) => {
    const params = d.params ?? {};
    checkStepParams(d.modprobe, params, c.kernel, c.catalog, [...c.path, 'params'], c.problems);
    return { op: 'modprobe', module: d.modprobe, params, line: c.line };
  },
  rmmod: (d, c) => ({ op: 'rmmod', module: d.rmmod, line: c.line }),
  'vm.create': (d, c) => {
    const { id, type } = d['vm.create'];
    const first = c.created.get(id);
    if (first !== undefined) {
      c.problems.add([...c.path, 'vm.create', 'id'], `VM "${id}" is created twice (first on line ${first})`);
    } else {
      c.created.set(id, c.line);
    }
    return { op: 'vm.create', id, type: type ?? 'default', line: c.line };
  },
  'vm.init': (d, c) => {
    const { id, ...rest } = d['vm.init'];
    refVm(id, 'vm.init', c);
    if (rest.es !== undefined && rest.legacy !== true) {
      c.problems.add([...c.path, 'vm.init', 'es'], 'es only applies with legacy: true (KVM_SEV_ES_INIT)', {
        target: 'key',
      });
    }
    return { op: 'vm.init', id, ...rest, line: c.line };
  },
  'vm.launch': (d, c) => {
    const { id, ...rest } = d['vm.launch'];
    refVm(id, 'vm.launch', c);
    return { op: 'vm.launch', id, ...rest, line: c.line };
  },
  'vm.destroy': (d, c) => {
    const { id } = d['vm.destroy'];
    refVm(id, 'vm.destroy', c);
    return { op: 'vm.destroy', id, line: c.line };
  },
  'host.read': (d, c) => {
    const { id, page } = d['host.read'];
    refVm(id, 'host.read', c);
    return { op: 'host.read', id, page: page ?? 0, line: c.line };
  },
  'fw.update': (d, c) => ({ op: 'fw.update', ...d['fw.update'], line: c.line }),
  psp: (d, c) => {
    const { cmd, ...fields } = d.psp;
    checkPspFields(cmd, fields, c);
    return { op: 'psp', cmd, fields, line: c.line };
  },
  expect: (d, c) => {
    const e = d.expect;
    if (e.read !== undefined && c.previousOp !== 'host.read') {
      c.problems.add(
        [...c.path, 'expect', 'read'],
        'read checks a host.read step, and the step before is not one',
        {
          target: 'key',
        },
      );
    }
    for (const key of Object.keys(e.state ?? {})) {
      const bad = checkStatePath(key, {
        vmIds: c.allVmIds,
        ccpParams: paramNames(c.kernel, 'ccp'),
        kvmAmdParams: paramNames(c.kernel, 'kvm_amd'),
      });
      if (bad)
        c.problems.add([...c.path, 'expect', 'state', key], bad.message, {
          target: 'key',
          allowed: bad.allowed,
        });
    }
    // A status name in the file becomes its number (null when the catalog has no such name), in
    // place; state values come from YAML or JSON, so they are JSON (the schema leaves them unknown).
    const written = e.fwError;
    const fwError = typeof written === 'string' ? (c.catalog.statusCode(written) ?? null) : written;
    const expect = { ...e, ...(written !== undefined ? { fwError } : {}) } as Expectation;
    return { op: 'expect', expect, line: c.line };
  },
};

/** The step key's value in a raw step (`{vm.init: {…}}` → `{…}`). */
function argOf(raw: unknown, op: StepOp): unknown {
  return raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>)[op] : undefined;
}

function refVm(id: string, op: StepOp, c: StepContext): void {
  if (!c.created.has(id)) {
    c.problems.add([...c.path, op, 'id'], `no step before this one creates VM "${id}"`, {
      allowed: [...c.created.keys()],
    });
  }
}

/** One step: its form, its schema (problems reported), then its builder; undefined when invalid. */
function checkStep<K extends StepOp>(
  op: K,
  body: unknown,
  schemas: StepSchemas,
  c: StepContext,
): Step | undefined {
  const schema = schemas[op] as StepSchemas[K] & z.ZodType;
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    reportZod(parsed.error.issues, c.path, body, schema, c.problems);
    return undefined;
  }
  // The file's own object, typed as the schema's output: the schema validated it and transforms
  // nothing, and the file's object keeps the user's key order (zod's copy orders keys by the
  // schema) and keys such as `__proto__` (zod's copy drops them; the state-path check refuses them).
  return BUILDERS[op](body as z.output<StepSchemas[K]>, c);
}

export function checkSteps(
  raw: unknown[],
  catalog: Catalog,
  kernel: KernelFacts,
  problems: Problems,
): Step[] {
  const schemas = stepSchemas(catalog);
  const out: Step[] = [];
  const created = new Map<string, number>();
  // In file order, each once: a Set (an array's includes() per step made a 10,000-VM file take
  // 50 million comparisons).
  const vmIds = new Set<string>();
  for (const s of raw) {
    const id = (argOf(s, 'vm.create') as { id?: unknown } | null | undefined)?.id;
    if (typeof id === 'string') vmIds.add(id);
  }
  const allVmIds: readonly string[] = [...vmIds];
  let previousOp: StepOp | undefined;
  raw.forEach((step, i) => {
    const path: InputPath = ['steps', i];
    const norm = normaliseStep(step, path, problems);
    if (!norm) return;
    const { op, body } = norm;
    const c = {
      path,
      line: problems.where(path).line,
      catalog,
      kernel,
      problems,
      created,
      allVmIds,
      previousOp,
    };
    const built = checkStep(op, body, schemas, c);
    if (built) out.push(built);
    if (op !== 'expect') previousOp = op;
  });
  return out;
}

/** `psp:` buffer fields: ones the command's struct has, numbers that fit the field, image versions. */
function checkPspFields(
  cmd: string,
  fields: Record<string, number | boolean | string>,
  c: StepContext,
): void {
  const allowed = c.catalog.pspFields(cmd) ?? [];
  const at = (f: string): InputPath => [...c.path, 'psp', f];
  for (const [f, fv] of Object.entries(fields)) {
    if (!allowed.includes(f)) {
      c.problems.add(at(f), `${cmd} has no buffer field "${f}"`, { target: 'key', allowed });
    } else if (f === 'image') {
      if (typeof fv !== 'string' || !/^\d+\.\d+\.\d+$/.test(fv)) {
        c.problems.add(at(f), `${describe(fv)}: the image is named by its version, major.minor.build`);
      } else {
        const why = c.catalog.firmwareVersionProblem(fv);
        if (why) c.problems.add(at(f), why);
      }
    } else if (typeof fv === 'string' && !/^(0x[0-9a-fA-F]+|\d+)$/.test(fv)) {
      c.problems.add(at(f), `${describe(fv)} is not a number`);
    } else if (typeof fv === 'number' && !Number.isInteger(fv)) {
      c.problems.add(at(f), `${describe(fv)} is not an integer`);
    } else if (typeof fv !== 'boolean') {
      // The struct field's width bounds the value: the mailbox would cut it silently.
      const bits = c.catalog.pspFieldBits(cmd, f) ?? 64;
      const n = BigInt(fv);
      if (n < 0n || n >= 1n << BigInt(bits)) {
        c.problems.add(
          at(f),
          `${describe(fv)} does not fit ${cmd}.${f}: a ${bits}-bit field holds 0 to ${((1n << BigInt(bits)) - 1n).toString()}`,
        );
      }
    }
  }
}

function checkStepParams(
  module: ModuleName,
  params: Record<string, unknown>,
  kernel: KernelFacts,
  catalog: Catalog,
  path: InputPath,
  problems: Problems,
): void {
  if (MODULE_DYNDBG in params)
    checkDyndbg(params[MODULE_DYNDBG], catalog, [...path, MODULE_DYNDBG], problems);
  if (!kernel.params) return;
  const known = modprobeParamNames(kernel.params, module);
  for (const key of Object.keys(params)) {
    if (!known.includes(key)) {
      problems.add([...path, key], `${module} in kernel ${kernel.release} has no parameter "${key}"`, {
        target: 'key',
        allowed: known,
      });
    }
  }
}

const isStepOp = (k: string): k is StepOp => (STEP_OPS as readonly string[]).includes(k);

/** A step is a bare word or a map with one step key (`modprobe` may add `params`). */
function normaliseStep(
  step: unknown,
  path: InputPath,
  problems: Problems,
): { op: StepOp; body: unknown } | undefined {
  if (typeof step === 'string') {
    if ((BARE_STEPS as readonly string[]).includes(step) && isStepOp(step))
      return { op: step, body: { [step]: null } };
    const hint = isStepOp(step) ? `"${step}" needs arguments` : `unknown step "${step}"`;
    problems.add(path, hint, { allowed: STEP_OPS });
    return undefined;
  }
  if (step === null || typeof step !== 'object' || Array.isArray(step)) {
    problems.add(path, `a step is a word or a map with one key, got ${describe(step)}`, {
      allowed: STEP_OPS,
    });
    return undefined;
  }
  const keys = Object.keys(step);
  const ops = keys.filter(isStepOp);
  if (ops.length === 0) {
    for (const k of keys)
      problems.add([...path, k], `unknown step "${k}"`, { target: 'key', allowed: STEP_OPS });
    if (keys.length === 0) problems.add(path, 'empty step', { allowed: STEP_OPS });
    return undefined;
  }
  if (ops.length > 1) {
    problems.add([...path, ops[1]!], `one step per list item (this item also has "${ops[0]}")`, {
      target: 'key',
    });
    return undefined;
  }
  return { op: ops[0]!, body: step };
}
