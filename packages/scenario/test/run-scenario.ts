/**
 * A scenario written as its parts (YAML flow mappings and step lines), validated and run: the
 * scaffolding the model tests share. A file the validator refuses fails the test with its errors.
 */
import { defaultCatalog, formatError, parseScenario, run } from '../src/index';

export interface ScenarioParts {
  /** `machine:` as a flow mapping, e.g. `{cpu: siena, cores: 8}`; default `{}`. */
  readonly machine?: string;
  /** `kernel:` as a flow mapping, e.g. `{version: "6.18", params: {...}}`. */
  readonly kernel: string;
  readonly steps: readonly string[];
}

export function runScenario(parts: ScenarioParts): ReturnType<typeof run> {
  const text = [
    'version: 1',
    'name: t',
    `machine: ${parts.machine ?? '{}'}`,
    `kernel: ${parts.kernel}`,
    'steps:',
    ...parts.steps.map((s) => `  - ${s}`),
  ].join('\n');
  const r = parseScenario(text, 't.yaml', defaultCatalog());
  if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
  return run(r.scenario);
}
