/**
 * The published JSON Schema and `sevsim validate` accept exactly the same files (issue #9, "Done
 * when": "a test generates files from the schema and checks both agree"). Files come from the
 * schema itself (test/schema-arbitrary.ts) and from the examples mutated into near-misses; a
 * standard 2020-12 validator (Ajv) judges them by the schema, parseScenario by the validator.
 * The only disagreements allowed are the rules listed in src/schema-limits.ts, and only one way:
 * the schema may accept what those rules reject, never reject what the validator accepts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultCatalog, jsonSchema, parseScenario, type ScenarioError } from '../src/index';
import { VALIDATOR_ONLY_RULES } from '../src/schema-limits';
import { arbitraryOf } from './schema-arbitrary';

const catalog = defaultCatalog();
const schema = jsonSchema(catalog);
const compile = (s: object): ValidateFunction =>
  new Ajv2020({ allErrors: false, strictTypes: false }).compile(s);
const bySchema = compile(schema);

type File = Record<string, unknown>;

interface Verdict {
  readonly schema: boolean;
  readonly validator: boolean;
  readonly errors: readonly ScenarioError[];
}

function judge(file: File, check: ValidateFunction = bySchema): Verdict {
  const r = parseScenario(JSON.stringify(file), 'generated.json', catalog);
  return { schema: check(file) as boolean, validator: r.ok, errors: r.ok ? [] : r.errors };
}

/** Why the two disagree on `file`, or undefined when the disagreement is a listed limit. */
function disagreement(file: File, v: Verdict, check: ValidateFunction): string | undefined {
  if (v.schema === v.validator) return undefined;
  if (!v.schema)
    return `the schema rejects a file the validator accepts (${JSON.stringify(check.errors?.[0])})`;
  const unexcused = v.errors.filter(
    (e) => !VALIDATOR_ONLY_RULES.some((r) => r.message.test(e.message) && r.applies(file)),
  );
  return unexcused.length === 0
    ? undefined
    : `the validator rejects a file the schema accepts: ${unexcused.map((e) => `${e.key}: ${e.message}`).join('; ')}`;
}

function agreeOn(files: fc.Arbitrary<File>, runs: number, seed: number, check: ValidateFunction = bySchema) {
  const counts = { accepted: 0, rejected: 0 };
  fc.assert(
    fc.property(files, (file) => {
      const v = judge(file, check);
      counts[v.validator ? 'accepted' : 'rejected']++;
      const why = disagreement(file, v, check);
      if (why) throw new Error(`${why}\n${JSON.stringify(file)}`);
    }),
    { numRuns: runs, seed, endOnFailure: true },
  );
  return counts;
}

const EX = join(import.meta.dirname, '../../../examples');
const EXAMPLES: File[] = readdirSync(EX)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => parse(readFileSync(join(EX, f), 'utf8')) as File);

type Path = (string | number)[];

/** Every path to a value in `v` (the root excluded). */
function paths(v: unknown, at: Path = []): Path[] {
  const below = Array.isArray(v)
    ? v.map((x, i) => [i, x] as const)
    : v !== null && typeof v === 'object'
      ? Object.entries(v)
      : [];
  return [...(at.length > 0 ? [at] : []), ...below.flatMap(([k, x]) => paths(x, [...at, k]))];
}

/** Values that sit just outside (or just inside) the schema's and the validator's limits. */
const NEAR = fc.constantFrom<unknown>(
  null,
  true,
  0,
  1,
  -1,
  2,
  3,
  15,
  100,
  101,
  255,
  256,
  509,
  510,
  511,
  1006,
  1007,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 64,
  1.5,
  '0xffffffff',
  '0x100000000',
  '4294967296',
  '',
  'x',
  '0x10',
  '1.55.25',
  '1.256.0',
  '0.0.65536',
  'genoa',
  'milan',
  'turin',
  'rome',
  'siena',
  'legacy',
  'auto',
  'ccp',
  'kvm_amd',
  'snp',
  ...catalog.releases,
  ...catalog.patches,
  'INIT',
  'SNP_INIT_EX',
  'DOWNLOAD_FIRMWARE',
  'EINVAL',
  [],
  {},
);

/** A key the file's maps might or might not allow here. */
const NEAR_KEY = fc.constantFrom(
  'cpu',
  'family',
  'model',
  'asids',
  'sockets',
  'cores',
  'offlineCores',
  'minSevAsid',
  'ciphertextHiding',
  'rmpUnaligned',
  'rmpSegmented',
  'version',
  'patches',
  'builtin',
  'legacy',
  'es',
  'params',
  'id',
  'read',
  'address',
  'len',
  'image',
  ...catalog.allParams.map((p) => `${p.module}.${p.name}`),
  ...catalog.allParams.map((p) => p.name),
  ...new Set(catalog.pspCommands.flatMap((c) => catalog.pspFields(c) ?? [])),
  'modules.ccp.params.psp_init_on_probe',
  'modules.kvm_amd.params.ciphertext_hiding_asids',
  'vms.a.asid',
  'firmware.sev',
  'machine',
  'kernel',
);

const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** The value at `path` in `root`. */
const at = (root: unknown, path: Path): unknown =>
  path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], root);

type Edit = 'replace' | 'remove' | 'add-key' | 'copy-step';

/**
 * One example changed in one to three places: a leaf value replaced, a value removed, a key added
 * to a map (the top level, machine, kernel, a step, a `psp` command, `expect.state`…), a step
 * repeated.
 */
const nearMiss: fc.Arbitrary<File> = fc
  .tuple(
    fc.nat(EXAMPLES.length - 1),
    fc.array(
      fc.tuple(fc.nat(), fc.constantFrom<Edit>('replace', 'remove', 'add-key', 'copy-step'), NEAR, NEAR_KEY),
      { minLength: 1, maxLength: 3 },
    ),
  )
  .map(([i, edits]) => {
    const file = structuredClone(EXAMPLES[i]!) as File;
    for (const [n, edit, value, key] of edits) {
      const all = paths(file);
      const pick = (ps: Path[]) => ps[n % ps.length];
      if (edit === 'replace' || edit === 'remove') {
        const path = pick(edit === 'replace' ? all.filter((p) => !isMap(at(file, p))) : all);
        if (path === undefined) continue;
        const parent = at(file, path.slice(0, -1)) as Record<string | number, unknown>;
        const k = path[path.length - 1]!;
        if (edit === 'replace') parent[k] = value;
        else if (Array.isArray(parent)) parent.splice(Number(k), 1);
        else delete parent[k];
      } else if (edit === 'add-key') {
        const target = at(file, pick([[], ...all.filter((p) => isMap(at(file, p)))])!);
        (target as Record<string, unknown>)[key] = value;
      } else if (Array.isArray(file.steps) && file.steps.length > 0) {
        file.steps.splice(n % file.steps.length, 0, structuredClone(file.steps[n % file.steps.length]));
      }
    }
    return file;
  });

describe('the JSON Schema and the validator accept the same files (src/schema-limits.ts lists the exceptions)', () => {
  it('every example is accepted by both', () => {
    for (const file of EXAMPLES) expect(judge(file)).toMatchObject({ schema: true, validator: true });
  });

  it('files generated from the schema: both accept or both reject', () => {
    const counts = agreeOn(arbitraryOf(schema) as fc.Arbitrary<File>, 1500, 0x5e5);
    // Not vacuous: the generator reaches both sides of the rules.
    expect(counts.accepted).toBeGreaterThan(100);
    expect(counts.rejected).toBeGreaterThan(100);
  });

  it('examples mutated into near-misses: both accept or both reject', () => {
    const counts = agreeOn(nearMiss, 1500, 0x9);
    expect(counts.accepted).toBeGreaterThan(100);
    expect(counts.rejected).toBeGreaterThan(100);
  });

  it('each listed exception is a rule the validator really has and the schema really lacks', () => {
    // One file per rule that only that rule rejects: the schema accepts it, the validator does not.
    const breaking: Record<string, File> = {
      'a VM step names a VM an earlier step creates': { steps: [{ 'vm.destroy': { id: 'a' } }] },
      'each VM id is created once': { steps: [{ 'vm.create': { id: 'a' } }, { 'vm.create': { id: 'a' } }] },
      '`expect: {read}` follows a `host.read` step': { steps: ['reboot', { expect: { read: 'ff' } }] },
      '`expect.state` paths `vms.ID…` name a VM the file creates': {
        steps: ['reboot', { expect: { state: { 'vms.b.asid': 1 } } }],
      },
      '`machine.bios.minSevAsid` is at most `machine.asids` + 1 when `asids` is given': {
        machine: { asids: 10, bios: { minSevAsid: 12 } },
        steps: [],
      },
      '`machine.offlineCores` are below sockets × `machine.cores` × 2 when `cores` is given': {
        machine: { cores: 2, offlineCores: [4] },
        steps: [],
      },
      '`machine.bios.rmpSegments` lists each RST index once, maps at most `segmentGiB` per segment, and keeps its pieces (2 MB at `base`, 16 bytes per 4 KB mapped at each `at`) inside `machine.memoryGiB` and apart':
        {
          // Segment 0's 1 GiB of entries (4 MB) at 0x8000000 runs into the 2 MB at base.
          machine: {
            cpu: 'turin',
            bios: {
              rmpSegments: {
                segmentGiB: 64,
                base: 0x8200000,
                segments: [{ index: 0, at: 0x8000000, mappedGiB: 1 }],
              },
            },
          },
          steps: [],
        },
      'a `dyndbg` query selects call sites by module only (no `func`, `file`, `format`, `line` match-spec)': {
        kernel: { params: { 'ccp.dyndbg': 'func sev_pci_init +p' } },
        steps: [],
      },
    };
    expect(Object.keys(breaking)).toEqual(VALIDATOR_ONLY_RULES.map((r) => r.rule));
    for (const [rule, body] of Object.entries(breaking)) {
      const file = { version: 1, name: 'limit', ...body };
      const v = judge(file);
      expect(v, rule).toMatchObject({ schema: true, validator: false });
      const listed = VALIDATOR_ONLY_RULES.find((r) => r.rule === rule)!;
      expect(
        v.errors.map((e) => listed.message.test(e.message)),
        rule,
      ).toEqual([true]);
    }
  });

  it("machine.pspPci: both judge the board addresses alike (count per socket, the CPU's function, no address twice)", () => {
    const verdicts = (
      [
        [{ cpu: 'genoa', sockets: 2, pspPci: ['0000:09:00.5'] }, true],
        [{ cpu: 'milan', pspPci: ['0000:c1:00.1'] }, true],
        [{ pspPci: ['0000:01:00.5', '0000:83:00.5'] }, false], // one socket, two addresses
        [{ cpu: 'genoa', pspPci: ['0000:09:00.1'] }, false], // Genoa's PSP is function 5
        [{ cpu: 'genoa', sockets: 2, pspPci: ['0000:83:00.5'] }, false], // socket 1 keeps 83:00.5
        [{ cpu: 'genoa', sockets: 2, pspPci: ['0000:09:00.5', '0000:09:00.5'] }, false],
        [{ cpu: 'genoa', pspPci: ['0000:9:00.5'] }, false],
      ] as const
    ).map(([machine, ok]) => [judge({ version: 1, name: 'psp', machine, steps: [] }), ok] as const);
    for (const [v, ok] of verdicts) expect(v).toMatchObject({ schema: ok, validator: ok });
  });

  it('the check fails when the schema drifts from the validator (a bound or a name only one of them has)', () => {
    // The same generator and seed as above, over a schema that lost the `asids` maximum (the
    // validator keeps 1006) or gained a CPU the validator does not know: files drawn from the
    // drifted schema must expose it.
    const drifted = (edit: (machine: Record<string, Record<string, unknown>>) => void) => {
      const s = structuredClone(schema) as {
        properties: { machine: { properties: Record<string, Record<string, unknown>> } };
      };
      edit(s.properties.machine.properties);
      return s;
    };
    const noMax = drifted((m) => {
      delete m.asids!.maximum;
    });
    const extraCpu = drifted((m) => {
      m.cpu!.enum = [...(m.cpu!.enum as string[]), 'naples'];
    });
    for (const s of [noMax, extraCpu]) {
      const failure = (() => {
        try {
          agreeOn(arbitraryOf(s) as fc.Arbitrary<File>, 1500, 0x5e5, compile(s));
        } catch (e) {
          return (e as Error).cause as Error;
        }
      })();
      expect(failure?.message).toMatch(/^the validator rejects a file the schema accepts/);
    }
  });

  it('the README lists every exception', () => {
    const readme = readFileSync(join(import.meta.dirname, '../README.md'), 'utf8');
    for (const r of VALIDATOR_ONLY_RULES) expect(readme).toContain(r.rule);
  });
});
