/**
 * `@sevsim/scenario/trace`: the trace format on its own — types, reading a trace file back and
 * the Chrome Trace export — with no layer behind it, so a browser bundle (the playback app) can
 * use the same code as `sevsim export`.
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
