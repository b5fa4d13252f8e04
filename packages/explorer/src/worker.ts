/**
 * Worker thread entry: explores the configurations the main thread hands out, one at a time,
 * and posts progress and results back (explore.ts). Started with the spaces and the mutation in
 * `workerData`; `worker-entry.ts` (and the CLI's copy of it) is the file a Worker runs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { exploreConfig, type Progress } from './explore-config';
import { LAYER_FACTS } from './facts';
import type { ProfileOverride } from './mutations';
import { configsOf, type Space } from './space';

export interface WorkerInit {
  readonly spaces: readonly Space[];
  readonly mutation?: ProfileOverride;
  /** Post progress (the caller has an `onProgress`): otherwise a worker posts only its results. */
  readonly progress: boolean;
}

/**
 * Transitions between a worker's progress messages: about every 40 ms of exploring, against a
 * report every 3 s at most. Each message wakes the main thread, which on 2 shared cores is a
 * context switch away from a worker (every 250 transitions made 22 k of them over every release).
 */
const PROGRESS_EVERY = 2000;

export type ToWorker =
  | { readonly type: 'config'; readonly space: number; readonly index: number }
  | { readonly type: 'stop' };
export type FromWorker =
  | {
      readonly type: 'progress';
      readonly states: number;
      readonly transitions: number;
      readonly queue: number;
    }
  | { readonly type: 'result'; readonly result: ReturnType<typeof exploreConfig> }
  | { readonly type: 'error'; readonly index: number; readonly message: string };

/** Serve configurations until told to stop (the body of a worker entry file). */
export function serveExploreWorker(): void {
  const port = parentPort;
  if (!port) throw new Error('serveExploreWorker must run in a worker thread');
  const init = workerData as WorkerInit;
  const configs = init.spaces.map((s) => configsOf(s, LAYER_FACTS));
  port.on('message', (m: ToWorker) => {
    if (m.type === 'stop') {
      port.close();
      return;
    }
    try {
      const result = exploreConfig(init.spaces[m.space]!, configs[m.space]![m.index]!, {
        ...(init.mutation ? { mutation: init.mutation } : {}),
        ...(init.progress
          ? {
              progressEvery: PROGRESS_EVERY,
              onProgress: (p: Progress) => port.postMessage({ type: 'progress', ...p } satisfies FromWorker),
            }
          : {}),
      });
      port.postMessage({ type: 'result', result } satisfies FromWorker);
    } catch (e) {
      port.postMessage({
        type: 'error',
        index: m.index,
        message: e instanceof Error ? e.message : String(e),
      });
    }
  });
}
