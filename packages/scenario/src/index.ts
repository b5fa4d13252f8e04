/**
 * @sevsim/scenario: the scenario file format v1 (docs/contracts/scenario-v1.md), its
 * validator and JSON Schema, the engine that plays a scenario through the four layers, the
 * trace it records, `explain` sentences and the Chrome Trace export.
 */
// The trace format (also published alone as `@sevsim/scenario/trace`).
export * from './trace-format';
export type { Catalog, ModuleName, ParamInfo } from './catalog';
export { MODULES } from './catalog';
export { defaultCatalog } from './layer-catalog';
export { formatError, type ScenarioError } from './errors';
export { type InputPath, Problems, readYamlMap, type YamlInput } from './yaml-input';
export { printable } from './printable';
export { type ParseResult, parseScenario } from './parse';
export { decodeText, loadScenario, MAX_SCENARIO_BYTES } from './load';
export type { Expectation, KernelInput, MachineInput, ReadResult, Scenario, Step, VmType } from './scenario';
export {
  BARE_STEPS,
  jsonSchema,
  SCHEMA_FILE,
  scenarioSchema,
  schemaText,
  STEP_OPS,
  type StepOp,
} from './schema';
export { checkStatePath } from './state-paths';
export {
  DEFAULT_CPU,
  newestRelease,
  type ResolvedKernel,
  type ResolvedMachine,
  resolveKernel,
  resolveMachine,
} from './resolve';
export { PSP_BUFFERS } from './psp-buffers';
export { type Position, SourceMap } from './source-map';
export { run, runLog } from './engine/run';
export { openSession, type Session, type SessionOptions } from './engine/session';
export type { VmRecord, World } from './engine/world';
export { explainStep } from './engine/explain';
