/** Deciding what to highlight at a step: the engine's changed state paths, and for the layer
 *  views (not part of `state`) a comparison with the step before. */
import type { LayerViews } from '@sevsim/scenario/trace';

/** Whether `path` changed: named exactly, or a parent or child of a changed path. */
export function pathChanged(changed: readonly string[], path: string): boolean {
  return changed.some((c) => c === path || c.startsWith(`${path}.`) || path.startsWith(`${c}.`));
}

export function layerChanged<T>(
  prev: LayerViews | undefined,
  cur: LayerViews,
  pick: (views: LayerViews) => T,
): boolean {
  return prev !== undefined && JSON.stringify(pick(prev)) !== JSON.stringify(pick(cur));
}

export const changedClass = (yes: boolean): string => (yes ? 'changed' : '');
