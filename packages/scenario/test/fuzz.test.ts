import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { defaultCatalog, parseScenario, STEP_OPS } from '../src/index';

const catalog = defaultCatalog();

/** The validator's promise: a scenario, or positioned errors — never an exception. */
function wellBehaved(text: string, file: string): void {
  const r = parseScenario(text, file, catalog);
  if (r.ok) {
    expect(r.scenario.version).toBe(1);
    return;
  }
  expect(r.errors.length).toBeGreaterThan(0);
  const lines = text.split('\n').length;
  for (const e of r.errors) {
    expect(e.file).toBe(file);
    expect(e.message.length).toBeGreaterThan(0);
    expect(e.line).toBeGreaterThanOrEqual(0);
    expect(e.line).toBeLessThanOrEqual(lines + 1);
  }
}

const scalar = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.double());
const word = fc.constantFrom(
  ...STEP_OPS,
  'version',
  'name',
  'steps',
  'machine',
  'kernel',
  'id',
  'type',
  'cpu',
  'x',
);
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    scalar,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(word, tie('v'), { maxKeys: 4 }),
  ),
})).v;

describe('fuzz: parser and validator never throw', () => {
  it('random text as YAML and as JSON', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        wellBehaved(s, 'f.yaml');
        wellBehaved(s, 'f.json');
      }),
      { numRuns: 500 },
    );
  });

  it('random YAML-ish text built from scenario tokens', () => {
    const token = fc.constantFrom(
      'version: 1\n',
      'name: n\n',
      'steps:\n',
      '  - ',
      'reboot\n',
      'vm.create: {id: a}\n',
      '{',
      '}',
      '[',
      ']',
      ': ',
      '"',
      "'",
      '&a ',
      '*a ',
      '\t',
      '---\n',
      '#',
      'kernel: {params: {kvm_amd.sev: ',
      'x\n',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 30 }), (ts) => wellBehaved(ts.join(''), 'f.yaml')),
      { numRuns: 500 },
    );
  });

  it('random objects under the scenario keys, as YAML and JSON', () => {
    const doc = fc.record(
      {
        version: fc.oneof(fc.constant(1), value),
        name: fc.oneof(fc.string(), value),
        steps: fc.array(fc.oneof(value, fc.dictionary(word, value, { maxKeys: 2 })), { maxLength: 6 }),
        machine: value,
        kernel: value,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(doc, (d) => {
        wellBehaved(stringify(d), 'f.yaml');
        wellBehaved(JSON.stringify(d), 'f.json');
      }),
      { numRuns: 500 },
    );
  });
});
