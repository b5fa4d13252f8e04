/**
 * @sevsim/explorer: every configuration and every ordering of operator actions, explored
 * breadth-first over the real layers, with invariants, reachable capabilities, shortest
 * counterexamples as scenario files, and release comparison.
 */
export { type Action, actionsAt, openVms } from './actions';
export {
  type Baseline,
  type BaselineFinding,
  type BaselineParse,
  baselineOf,
  DEFAULT_BASELINE,
  isKnown,
  parseBaseline,
} from './baseline';
export { CAPABILITIES, type CapabilityId, stateCapabilities, transitionCapabilities } from './capabilities';
export {
  CAPABILITY_SHORT,
  type CompareDifference,
  type CompareFormat,
  type CompareResult,
  type CompareRow,
  compare,
  compareSpace,
  formatCompare,
} from './compare';
export { counterexampleYaml, scenarioYaml, violationExpect } from './counterexample';
export {
  defaultSpace,
  kernelLabel,
  parseKernelChoice,
  SMALL_ASIDS,
  SMALL_MIN_SEV_ASID,
  UPDATE_IMAGE,
} from './default-space';
export {
  type ExploreOptions,
  type ExploreProgress,
  type ExploreResult,
  type WorkerLoad,
  explore,
  exploreSpaces,
} from './explore';
export {
  type ConfigResult,
  type ExploreConfigOptions,
  exploreConfig,
  type PathAction,
  type Progress,
  type Violation,
} from './explore-config';
export { LAYER_FACTS } from './facts';
export { type Finding, INVARIANTS, type Invariant, type InvariantId, invariant } from './invariants';
export { MUTATIONS, type MutationName, type ProfileOverride, sessionOptions } from './mutations';
export {
  capabilityCounts,
  explorationJson,
  progressLine,
  summaryText,
  type WrittenViolation,
  writeCounterexamples,
} from './report';
export {
  ALL_CTH_ASIDS,
  type Config,
  type CthAsids,
  configsOf,
  type KernelChoice,
  type PresetFacts,
  SOME_CTH_ASIDS,
  type Space,
  type SevVmType,
} from './space';
export {
  type ExplorationJson,
  type MergeParse,
  mergeExplorations,
  mergeResultFiles,
  parseShard,
  type ResultFile,
  type Shard,
  shardIndices,
} from './shard';
export { parseSpace, type SpaceParse } from './space-file';
export { StateTable } from './state-table';
export { serveExploreWorker } from './worker';
