/**
 * Text → validated `Scenario`, or every problem in the file, each with its position
 * (docs/contracts/scenario-v1.md "File", "Steps", "Expectations"; exit status 2 of `sevsim run`).
 * Never throws for any input text. The concerns are modules of their own: reading the file and
 * positioning problems (yaml-input.ts), zod's issues as messages (zod-report.ts), the kernel
 * section (check-kernel.ts) and the steps (check-steps.ts).
 */
import type { Catalog } from './catalog';
import { checkKernel } from './check-kernel';
import { checkSteps } from './check-steps';
import type { ScenarioError } from './errors';
import { paramsAsWritten } from './param-text';
import type { KernelInput, MachineInput, Scenario } from './scenario';
import { topLevelSchema } from './schema';
import { readYamlMap } from './yaml-input';
import { reportZod } from './zod-report';

export type ParseResult =
  | { readonly ok: true; readonly scenario: Scenario }
  | { readonly ok: false; readonly errors: readonly ScenarioError[] };

/** Parse and validate one scenario. `file` is only used in messages (and kept in the scenario). */
export function parseScenario(text: string, file: string, catalog: Catalog): ParseResult {
  const input = readYamlMap(text, file, 'a scenario is a map with version, name and steps');
  if (!input.ok) return input;
  const { value, doc, problems } = input;
  paramsAsWritten(doc, value);

  const schema = topLevelSchema(catalog);
  const top = schema.safeParse(value);
  if (!top.success) reportZod(top.error.issues, [], value, schema, problems);
  const kernel = checkKernel(value.kernel, catalog, problems);
  if (top.success && top.data.machine !== undefined) {
    const why = catalog.machineProblem(top.data.machine);
    if (why !== undefined) problems.add(['machine'], why, { target: 'key' });
  }
  const steps = Array.isArray(value.steps) ? checkSteps(value.steps, catalog, kernel, problems) : [];

  if (!top.success || problems.list.length > 0) return { ok: false, errors: problems.sorted() };
  const { name, description } = top.data;
  return {
    ok: true,
    scenario: {
      version: 1,
      name,
      ...(description !== undefined ? { description } : {}),
      // As written (key order, text of numeric parameters): what the schema accepted.
      machine: (value.machine ?? {}) as MachineInput,
      kernel: (value.kernel ?? {}) as KernelInput,
      steps,
      file,
      source: text,
    },
  };
}
