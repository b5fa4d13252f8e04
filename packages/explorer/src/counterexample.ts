/**
 * A path found by the explorer as a scenario v1 file (docs/contracts/scenario-v1.md): the
 * configuration's machine and kernel, the actions as steps, and an `expect` that holds exactly
 * when the reported state is reached, so `sevsim run FILE` reproduces it and the playback app
 * shows it.
 */
import type { Json, Step } from '@sevsim/scenario';
import { stringify } from 'yaml';
import type { PathAction, Violation } from './explore-config';
import type { Config } from './space';

/** One scenario step as written in a file. */
function stepYaml(step: Step): Json {
  switch (step.op) {
    case 'modprobe':
      return { modprobe: step.module };
    case 'rmmod':
      return { rmmod: step.module };
    case 'vm.create':
      return { 'vm.create': { id: step.id, type: step.type } };
    case 'vm.init':
    case 'vm.launch':
    case 'vm.destroy':
    case 'host.read':
      return { [step.op]: { id: step.id } };
    case 'fw.update':
      return { 'fw.update': { version: step.version } };
    case 'fw.commit':
    case 'reboot':
      return step.op;
    default:
      throw new Error(`the explorer does not emit ${step.op} steps`);
  }
}

export interface ScenarioText {
  readonly name: string;
  readonly description: string;
  /** Comment lines put at the top of the file. */
  readonly header: readonly string[];
  readonly config: Config;
  readonly path: readonly PathAction[];
  /** Appended as the last step, when given. */
  readonly expect?: Json;
}

export function scenarioYaml(s: ScenarioText): string {
  const steps: Json[] = [];
  for (const a of s.path) for (const st of a.steps) steps.push(stepYaml(st));
  if (s.expect !== undefined) steps.push({ expect: s.expect });
  const doc = {
    version: 1,
    name: s.name,
    description: s.description,
    machine: s.config.machine as Json,
    kernel: s.config.kernel as Json,
    steps,
  };
  const head = s.header.map((l) => `# ${l}`).join('\n');
  return `${head}\n${stringify(doc, { lineWidth: 0, flowCollectionPadding: false })}`;
}

/** The `expect` that shows a violation: the State values it names, or the host read's result. */
export function violationExpect(v: Violation): Json | undefined {
  if (v.read) return { read: v.read };
  if (v.expect && Object.keys(v.expect).length > 0) return { state: v.expect as Json };
  return undefined;
}

export function counterexampleYaml(v: Violation, config: Config, context: string): string {
  const expect = violationExpect(v);
  return scenarioYaml({
    name: `${v.invariant}-config-${config.index}`,
    description: `Counterexample to ${v.invariant}: ${v.message}`,
    header: [
      `sevsim explore counterexample: invariant ${v.invariant}`,
      `fact: ${v.fact}`,
      `violation: ${v.message}`,
      `configuration ${config.index}: ${config.label}`,
      context,
      `${v.path.length} action(s), the shortest path found by breadth-first search.`,
    ],
    config,
    path: v.path,
    ...(expect !== undefined ? { expect } : {}),
  });
}
