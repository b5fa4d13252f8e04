/**
 * `@sevsim/scenario/trace`: the trace format on its own — types, reading a trace file back and
 * the Chrome Trace export — with no layer behind it, so a browser bundle (the playback app) can
 * use the same code as `sevsim export`. The one piece of a layer it passes on is data: the
 * firmware's state tables, which name the states a trace records (`state.firmware.sev`, `.snp`,
 * guest states), so the playback app draws its diagrams from the rows the firmware runs on.
 */
export type {
  AsidRange,
  Diagnosis,
  DiagnosisRow,
  Json,
  LayerViews,
  PspCall,
  RangeStatus,
  ResolvedConfig,
  RunLog,
  RunResult,
  State,
  StepOutcome,
  StepRecord,
  Trace,
  TraceStep,
} from './trace';
export { type ChromeTrace, type ChromeTraceEvent, LAYER_PIDS, toChromeTrace } from './chrome-trace';
export { parseTrace, type TraceParse } from './trace-file';
export {
  STATE_MACHINES,
  type StateMachine,
  type Transition,
} from '@sevsim/firmware';
