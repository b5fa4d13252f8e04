import type { TraceStep } from '@sevsim/scenario/trace';

/** What a panel sees: every frame (boot first, then each step) and the one on screen. */
export interface FrameProps {
  readonly frames: readonly TraceStep[];
  readonly pos: number;
}

export function current({ frames, pos }: FrameProps): { cur: TraceStep; prev: TraceStep | undefined } {
  return { cur: frames[pos]!, prev: pos > 0 ? frames[pos - 1] : undefined };
}

export const frameLabel = (step: TraceStep): string =>
  step.index < 0 ? 'boot' : `${step.index + 1}. ${step.op}`;
