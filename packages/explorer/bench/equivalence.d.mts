import type { ConfigResult } from '../src/index';

export interface RecordedSummary {
  states: number;
  transitions: number;
  exhausted: boolean;
  depth: number;
  violations: [string, string, string][];
  caps: Record<string, string>;
}
export interface Recorded extends RecordedSummary {
  i: number;
  label: string;
  kernel?: string;
}
export function resultSummary(r: ConfigResult): RecordedSummary;
export function recordedSummary(recorded: Recorded): RecordedSummary;
export function sameAsRecorded(r: ConfigResult, recorded: Recorded): boolean;
