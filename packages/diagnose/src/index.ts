/**
 * @sevsim/diagnose: from a real host's kernel log to the configuration that produced it, its
 * replay through the layer models, what failed and why, and the smallest verified fixes
 * (shared contract diagnose-v1).
 */
export {
  DiagnoseInputError,
  type DiagnoseOptions,
  type Diagnosis,
  type DiagnosisJson,
  diagnose,
  NO_SEV_LINES,
} from './diagnose';
export type { Finding } from './findings';
export { type Change, defaultGoal, type Goal, MAX_CHANGES } from './fixes';
export { collectHost, type HostInputs } from './host';
export { type Facts, type Inferred, nearestRelease } from './infer';
export {
  type LogLine,
  LogReader,
  MAX_LINE,
  MAX_RELEVANT,
  messageOf,
  type ReadLog,
  readLog,
  readLogStreams,
} from './reader';
export type { AlignedRow, Alignment, Capabilities, Gap } from './replay';
export { formatDiagnosis } from './report';
export { type GapKind, normalise } from './wording';
