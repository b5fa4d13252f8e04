/**
 * Text → validated `Scenario`, or every problem in the file, each with its position
 * (docs/contracts/scenario-v1.md "File", "Steps", "Expectations"; exit status 2 of `sevsim run`).
 * Never throws for any input text.
 */
import { z } from 'zod';
import { CORE_PARAMS, type Catalog, type ModuleName, type ParamInfo } from './catalog';
import type { ScenarioError } from './errors';
import { paramsAsWritten } from './param-text';
import { BARE_STEPS, STEP_OPS, type StepOp, stepSchemas, topLevelSchema } from './schema';
import type { Expectation, KernelInput, MachineInput, Scenario, Step } from './scenario';
import { checkStatePath } from './state-paths';
import type { Json } from './trace';
import { type Problems, readYamlMap } from './yaml-input';

export type ParseResult =
  | { readonly ok: true; readonly scenario: Scenario }
  | { readonly ok: false; readonly errors: readonly ScenarioError[] };

type Path = (string | number)[];

/** Parse and validate one scenario. `file` is only used in messages (and kept in the scenario). */
export function parseScenario(text: string, file: string, catalog: Catalog): ParseResult {
  const input = readYamlMap(text, file, 'a scenario is a map with version, name and steps');
  if (!input.ok) return input;
  const { value, doc, problems } = input;
  paramsAsWritten(doc, value);

  const top = topLevelSchema(catalog).safeParse(value);
  if (!top.success) reportZod(top.error.issues, [], value, topLevelSchema(catalog), problems);
  const obj = value;

  const kernel = checkKernel(obj.kernel, catalog, problems);
  if (top.success && obj.machine !== undefined) {
    const why = catalog.machineProblem(obj.machine as Record<string, unknown>);
    if (why !== undefined) problems.add(['machine'], why, { target: 'key' });
  }
  const steps = Array.isArray(obj.steps) ? checkSteps(obj.steps, catalog, kernel, problems) : [];

  if (problems.list.length > 0 || !top.success) return { ok: false, errors: problems.sorted() };
  const scenario: Scenario = {
    version: 1,
    name: obj.name as string,
    ...(typeof obj.description === 'string' ? { description: obj.description } : {}),
    machine: (obj.machine ?? {}) as MachineInput,
    kernel: (obj.kernel ?? {}) as KernelInput,
    steps,
    file,
    source: text,
  };
  return { ok: true, scenario };
}

// ---- zod issues → positioned messages ----------------------------------------------------------

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg as string];
  }
  return v;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

/** The keys an object schema at `path` accepts (for "unknown key" messages). */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let s: z.ZodType | undefined = schema;
  for (const seg of [...path, undefined]) {
    while (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
    if (seg === undefined) break;
    if (s instanceof z.ZodObject) s = (s.shape as Record<string, z.ZodType>)[seg as string];
    else if (s instanceof z.ZodArray) s = s.element as z.ZodType;
    else if (s instanceof z.ZodRecord) s = s.valueType as z.ZodType;
    else return [];
  }
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

function reportZod(
  issues: readonly z.core.$ZodIssue[],
  base: Path,
  root: unknown,
  schema: z.ZodType,
  problems: Problems,
): void {
  for (const issue of issues) {
    const rel = issue.path as PropertyKey[];
    const path: Path = [...base, ...rel.map((p) => (typeof p === 'number' ? p : String(p)))];
    const value = valueAt(root, rel);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const k of issue.keys) {
          problems.add([...path, k], 'unknown key', { target: 'key', allowed: keysAt(schema, rel) });
        }
        break;
      case 'invalid_type':
        if (value === undefined) problems.add(path, 'required key is missing', { target: 'key' });
        else problems.add(path, `expected ${article(issue.expected)}, got ${describe(value)}`);
        break;
      case 'invalid_value':
        problems.add(path, `${describe(value)} is not allowed`, {
          allowed: issue.values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))),
        });
        break;
      case 'too_small':
        problems.add(
          path,
          issue.origin === 'string' || issue.origin === 'array'
            ? 'must not be empty'
            : `${describe(value)} is out of range: must be ≥ ${String(issue.minimum)}`,
        );
        break;
      case 'too_big':
        problems.add(path, `${describe(value)} is out of range: must be ≤ ${String(issue.maximum)}`);
        break;
      case 'invalid_format':
        problems.add(path, `${describe(value)}: ${issue.message}`);
        break;
      case 'invalid_union': {
        const keywords = booleanOrKeywords(issue.errors);
        problems.add(
          path,
          keywords
            ? `expected true, false or ${keywords.map((k) => `"${k}"`).join(', ')}, got ${describe(value)}`
            : `${describe(value)} is not allowed here`,
        );
        break;
      }
      default:
        problems.add(path, issue.message);
    }
  }
}

/** A `true | false | "keyword"` union (`bios.smee: auto`): its keywords, so the message can list them. */
function booleanOrKeywords(branches: readonly (readonly z.core.$ZodIssue[])[]): string[] | undefined {
  const keywords: string[] = [];
  let hasBoolean = false;
  for (const b of branches) {
    const i = b[0];
    if (b.length !== 1 || i === undefined || i.path.length !== 0) return undefined;
    if (i.code === 'invalid_type' && i.expected === 'boolean') hasBoolean = true;
    else if (i.code === 'invalid_value' && i.values.every((v) => typeof v === 'string'))
      keywords.push(...(i.values as string[]));
    else return undefined;
  }
  return hasBoolean && keywords.length > 0 ? keywords : undefined;
}

function article(t: string): string {
  const names: Record<string, string> = {
    number: 'a number',
    int: 'an integer',
    string: 'a string',
    boolean: 'true or false',
    object: 'a map',
    array: 'a list',
    null: 'nothing',
  };
  return names[t] ?? t;
}

// ---- kernel: release, patches, parameters (the layers' tables) ----------------------------------

interface KernelFacts {
  readonly release: string;
  readonly patches: readonly string[];
  /** undefined when the release itself is invalid (parameters are then checked loosely). */
  readonly params: readonly ParamInfo[] | undefined;
}

function checkKernel(raw: unknown, catalog: Catalog, problems: Problems): KernelFacts {
  const k = (raw !== null && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  let release = catalog.releases[catalog.releases.length - 1] ?? '';
  let releaseOk = true;
  if (typeof k.version === 'number') {
    problems.add(
      ['kernel', 'version'],
      `write the release in quotes: YAML reads it as the number ${k.version}`,
      {
        allowed: catalog.releases,
      },
    );
    releaseOk = false;
  } else if (typeof k.version === 'string') {
    if (!catalog.releases.includes(k.version)) {
      problems.add(['kernel', 'version'], `unknown kernel release "${k.version}"`, {
        allowed: catalog.releases,
      });
      releaseOk = false;
    } else {
      release = k.version;
    }
  }
  const patches: string[] = [];
  if (Array.isArray(k.patches)) {
    k.patches.forEach((p, i) => {
      if (typeof p !== 'string') return;
      if (!catalog.patches.includes(p)) {
        problems.add(['kernel', 'patches', i], `unknown patch "${p}"`, { allowed: catalog.patches });
      } else if (patches.includes(p)) {
        problems.add(['kernel', 'patches', i], `patch "${p}" is listed twice`);
      } else {
        patches.push(p);
      }
    });
  }
  if (releaseOk && patches.length > 0) {
    const why = catalog.releaseProblem(release, patches);
    if (why !== undefined) {
      problems.add(['kernel', 'patches'], why, { target: 'key' });
      releaseOk = false;
    }
  }
  if (Array.isArray(k.builtin) && k.builtin.includes('kvm_amd') && !k.builtin.includes('ccp')) {
    problems.add(
      ['kernel', 'builtin'],
      'kvm_amd built in needs ccp built in (Kconfig: KVM_AMD_SEV depends on !(KVM_AMD=y && CRYPTO_DEV_CCP_DD=m))',
      { target: 'key' },
    );
  }
  const params = releaseOk ? catalog.params(release, patches) : undefined;
  if (k.params !== null && typeof k.params === 'object' && !Array.isArray(k.params)) {
    const known = params ?? catalog.allParams;
    const names = known.map((p) => `${p.module}.${p.name}`);
    for (const key of Object.keys(k.params as Record<string, unknown>)) {
      // Core kernel parameters take any value as text (kernel/cpu.c smt_cmdline_disable).
      if (CORE_PARAMS.includes(key)) continue;
      if (!known.some((p) => `${p.module}.${p.name}` === key)) {
        const where = params ? `kernel ${release}` : 'any kernel';
        problems.add(['kernel', 'params', key], `${where} has no parameter "${key}"`, {
          target: 'key',
          allowed: [...new Set([...names, ...CORE_PARAMS])].sort(),
        });
      }
    }
  }
  return { release, patches, params };
}

// ---- steps --------------------------------------------------------------------------------------

function checkSteps(raw: unknown[], catalog: Catalog, kernel: KernelFacts, problems: Problems): Step[] {
  const schemas = stepSchemas(catalog);
  const out: Step[] = [];
  const created = new Map<string, number>();
  const allVmIds: string[] = [];
  for (const s of raw) {
    const v = s !== null && typeof s === 'object' ? (s as Record<string, unknown>)['vm.create'] : undefined;
    const id = v !== null && typeof v === 'object' ? (v as Record<string, unknown>).id : undefined;
    if (typeof id === 'string' && !allVmIds.includes(id)) allVmIds.push(id);
  }
  let previousOp: StepOp | undefined;

  raw.forEach((step, i) => {
    const path: Path = ['steps', i];
    const line = problems.where(path).line;
    const norm = normaliseStep(step, path, problems);
    if (!norm) return;
    const { op, body } = norm;
    const schema = schemas[op];
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      reportZod(parsed.error.issues, path, body, schema, problems);
      if (op !== 'expect') previousOp = op;
      return;
    }
    const arg = (body as Record<string, unknown>)[op];
    const a = (arg ?? {}) as Record<string, unknown>;
    const id = typeof a.id === 'string' ? a.id : '';
    const refVm = (): void => {
      if (!created.has(id)) {
        problems.add([...path, op, 'id'], `no step before this one creates VM "${id}"`, {
          allowed: [...created.keys()],
        });
      }
    };
    switch (op) {
      case 'reboot':
      case 'fw.commit':
        out.push({ op, line });
        break;
      case 'modprobe': {
        const module = arg as ModuleName;
        const params = ((body as Record<string, unknown>).params ?? {}) as Record<string, Json>;
        checkStepParams(module, params, kernel, [...path, 'params'], problems);
        out.push({ op, module, params, line });
        break;
      }
      case 'rmmod':
        out.push({ op, module: arg as ModuleName, line });
        break;
      case 'vm.create': {
        const first = created.get(id);
        if (first !== undefined) {
          problems.add([...path, op, 'id'], `VM "${id}" is created twice (first on line ${first})`);
        } else {
          created.set(id, line);
        }
        out.push({ op, id, type: (a.type as 'default' | undefined) ?? 'default', line });
        break;
      }
      case 'vm.init':
        refVm();
        if (a.es !== undefined && a.legacy !== true) {
          problems.add([...path, op, 'es'], 'es only applies with legacy: true (KVM_SEV_ES_INIT)', {
            target: 'key',
          });
        }
        out.push({ op, id, ...(a as object), line } as Step);
        break;
      case 'vm.launch':
      case 'vm.destroy':
        refVm();
        out.push({ op, id, ...(a as object), line } as Step);
        break;
      case 'host.read':
        refVm();
        out.push({ op, id, page: typeof a.page === 'number' ? a.page : 0, line });
        break;
      case 'fw.update':
        out.push({ op, ...(a as { version: string }), line });
        break;
      case 'psp': {
        const { cmd, ...fields } = a as { cmd: string } & Record<string, number | boolean | string>;
        const allowed = catalog.pspFields(cmd) ?? [];
        for (const [f, fv] of Object.entries(fields)) {
          if (!allowed.includes(f)) {
            problems.add([...path, op, f], `${cmd} has no buffer field "${f}"`, { target: 'key', allowed });
          } else if (f === 'image') {
            if (typeof fv !== 'string' || !/^\d+\.\d+\.\d+$/.test(fv)) {
              problems.add(
                [...path, op, f],
                `${describe(fv)}: the image is named by its version, major.minor.build`,
              );
            } else {
              const why = catalog.firmwareVersionProblem(fv);
              if (why) problems.add([...path, op, f], why);
            }
          } else if (typeof fv === 'string' && !/^(0x[0-9a-fA-F]+|\d+)$/.test(fv)) {
            problems.add([...path, op, f], `${describe(fv)} is not a number`);
          } else if (typeof fv === 'number' && !Number.isInteger(fv)) {
            problems.add([...path, op, f], `${describe(fv)} is not an integer`);
          } else if (typeof fv !== 'boolean') {
            // The struct field's width bounds the value: the mailbox would cut it silently.
            const bits = catalog.pspFieldBits(cmd, f) ?? 64;
            const n = BigInt(fv);
            if (n < 0n || n >= 1n << BigInt(bits)) {
              problems.add(
                [...path, op, f],
                `${describe(fv)} does not fit ${cmd}.${f}: a ${bits}-bit field holds 0 to ${((1n << BigInt(bits)) - 1n).toString()}`,
              );
            }
          }
        }
        out.push({ op, cmd, fields, line });
        break;
      }
      case 'expect': {
        const e = arg as Record<string, unknown>;
        if (e.read !== undefined && previousOp !== 'host.read') {
          problems.add(
            [...path, op, 'read'],
            'read checks a host.read step, and the step before is not one',
            {
              target: 'key',
            },
          );
        }
        const state = (e.state ?? {}) as Record<string, Json>;
        for (const key of Object.keys(state)) {
          const bad = checkStatePath(key, {
            vmIds: allVmIds,
            ccpParams: paramNames(kernel, 'ccp'),
            kvmAmdParams: paramNames(kernel, 'kvm_amd'),
          });
          if (bad)
            problems.add([...path, op, 'state', key], bad.message, { target: 'key', allowed: bad.allowed });
        }
        let fwError: number | null | undefined;
        if (typeof e.fwError === 'string') fwError = catalog.statusCode(e.fwError) ?? null;
        else fwError = e.fwError as number | null | undefined;
        const expect: Expectation = { ...(e as Expectation), ...(fwError !== undefined ? { fwError } : {}) };
        out.push({ op, expect, line });
        break;
      }
    }
    if (op !== 'expect') previousOp = op;
  });
  return out;
}

function paramNames(kernel: KernelFacts, module: ModuleName): string[] {
  return (kernel.params ?? []).filter((p) => p.module === module).map((p) => p.name);
}

function checkStepParams(
  module: ModuleName,
  params: Record<string, unknown>,
  kernel: KernelFacts,
  path: Path,
  problems: Problems,
): void {
  if (!kernel.params) return;
  const known = kernel.params.filter((p) => p.module === module);
  for (const key of Object.keys(params)) {
    if (!known.some((p) => p.name === key)) {
      problems.add([...path, key], `${module} in kernel ${kernel.release} has no parameter "${key}"`, {
        target: 'key',
        allowed: known.map((p) => p.name),
      });
    }
  }
}

/** A step is a bare word or a map with one step key (`modprobe` may add `params`). */
function normaliseStep(
  step: unknown,
  path: Path,
  problems: Problems,
): { op: StepOp; body: unknown } | undefined {
  if (typeof step === 'string') {
    if ((BARE_STEPS as readonly string[]).includes(step))
      return { op: step as StepOp, body: { [step]: null } };
    const hint = (STEP_OPS as readonly string[]).includes(step)
      ? `"${step}" needs arguments`
      : `unknown step "${step}"`;
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
  const ops = keys.filter((k) => (STEP_OPS as readonly string[]).includes(k)) as StepOp[];
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
