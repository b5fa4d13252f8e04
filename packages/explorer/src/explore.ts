/**
 * Explore a whole space (or several): every configuration, split over worker threads (one
 * configuration at a time per worker, handed out in index order, space after space), results
 * gathered in configuration order so the output does not depend on scheduling.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type ConfigResult, exploreConfig, spaceTotals, type Violation } from './explore-config';
import { LAYER_FACTS } from './facts';
import type { ProfileOverride } from './mutations';
import { type Config, configsOf, type Space } from './space';
import type { FromWorker, ToWorker, WorkerInit } from './worker';

export interface ExploreProgress {
  readonly configs: number;
  readonly configsDone: number;
  readonly states: number;
  readonly transitions: number;
  readonly queue: number;
  readonly seconds: number;
  readonly statesPerSecond: number;
}

export interface ExploreOptions {
  /** Worker threads; default every core. 1 explores in this thread. */
  readonly workers?: number;
  /** The built worker entry; default `worker-entry.js` next to this module (the package's dist). */
  readonly workerUrl?: URL;
  readonly mutation?: ProfileOverride;
  /** Only these configuration indices (default all). */
  readonly only?: readonly number[];
  readonly onProgress?: (p: ExploreProgress) => void;
  /** Milliseconds between progress reports (default 3000). */
  readonly progressMs?: number;
  /** Called once the workers are done, with what each did (not called when exploring in this thread). */
  readonly onWorkers?: (workers: readonly WorkerLoad[]) => void;
}

/**
 * One worker thread's share of a run, wall seconds: its event loop busy (exploring) and idle
 * (waiting for the next configuration) until it had no more, then waiting for the others to finish.
 */
export interface WorkerLoad {
  readonly configs: number;
  readonly busySeconds: number;
  readonly idleSeconds: number;
  readonly tailSeconds: number;
}

export interface ExploreResult {
  readonly space: string;
  /** Configurations in the whole space (more than `configs` when `only` picked some). */
  readonly spaceConfigs: number;
  readonly configs: number;
  readonly states: number;
  readonly transitions: number;
  readonly seconds: number;
  readonly statesPerSecond: number;
  /** Visited-set bytes per state (hash table, parent and action arrays). */
  readonly bytesPerState: number;
  readonly workers: number;
  /** Every configuration was exhausted within the depth bound. */
  readonly exhausted: boolean;
  readonly violations: readonly Violation[];
  readonly results: readonly ConfigResult[];
}

function defaultWorkerUrl(): URL | undefined {
  const url = new URL('./worker-entry.js', import.meta.url);
  return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : undefined;
}

export async function explore(space: Space, options: ExploreOptions = {}): Promise<ExploreResult> {
  const all = configsOf(space, LAYER_FACTS);
  const todo: Config[] = options.only ? options.only.map((i) => all[i]!).filter(Boolean) : all;
  return (await exploreJobs([{ space, all: all.length, todo }], options))[0]!;
}

/**
 * Several spaces (e.g. every release's default space) over one set of workers: configurations
 * are independent, so the workers go from one space's configurations to the next without
 * waiting for the slowest configuration of each space, and each worker's compiled code serves
 * every space. One result per space, as `explore` gives it, except `seconds`: from the start of
 * the run until that space's last configuration finished.
 */
export async function exploreSpaces(
  spaces: readonly Space[],
  options: Omit<ExploreOptions, 'only'> = {},
): Promise<ExploreResult[]> {
  return exploreJobs(
    spaces.map((space) => {
      const all = configsOf(space, LAYER_FACTS);
      return { space, all: all.length, todo: all };
    }),
    options,
  );
}

interface Job {
  readonly space: Space;
  /** Configurations in the whole space. */
  readonly all: number;
  readonly todo: readonly Config[];
}

async function exploreJobs(jobs: readonly Job[], options: ExploreOptions): Promise<ExploreResult[]> {
  const t0 = performance.now();
  const total = jobs.reduce((n, j) => n + j.todo.length, 0);
  const results = jobs.map(() => new Map<number, ConfigResult>());
  const finished = jobs.map(() => t0);
  const live = new Map<string, { states: number; transitions: number; queue: number }>();
  let configsDone = 0;
  let done = { states: 0, transitions: 0 };
  const every = options.progressMs ?? 3000;
  let lastReport = t0;
  const report = (force = false) => {
    if (!options.onProgress) return;
    const now = performance.now();
    if (!force && now - lastReport < every) return;
    lastReport = now;
    let states = done.states;
    let transitions = done.transitions;
    let queue = 0;
    for (const p of live.values()) {
      states += p.states;
      transitions += p.transitions;
      queue += p.queue;
    }
    const seconds = (now - t0) / 1000;
    options.onProgress({
      configs: total,
      configsDone,
      states,
      transitions,
      queue,
      seconds,
      statesPerSecond: seconds > 0 ? states / seconds : 0,
    });
  };
  const finish = (job: number, r: ConfigResult) => {
    results[job]!.set(r.config.index, r);
    live.delete(`${job}:${r.config.index}`);
    configsDone++;
    finished[job] = performance.now();
    done = { states: done.states + r.states, transitions: done.transitions + r.transitions };
    report();
  };

  const wanted = Math.max(1, Math.min(options.workers ?? availableParallelism(), total));
  const url = options.workerUrl ?? defaultWorkerUrl();
  const workers = url && wanted > 1 ? wanted : 1;
  if (workers === 1) {
    for (const [j, job] of jobs.entries()) {
      for (const c of job.todo) {
        finish(
          j,
          exploreConfig(job.space, c, {
            ...(options.mutation ? { mutation: options.mutation } : {}),
            progressEvery: 250,
            onProgress: (p) => {
              live.set(`${j}:${c.index}`, p);
              report();
            },
          }),
        );
      }
    }
  } else {
    const init: WorkerInit = {
      spaces: jobs.map((j) => j.space),
      ...(options.mutation ? { mutation: options.mutation } : {}),
      progress: options.onProgress !== undefined,
    };
    const loads = await runWorkers(url!, workers, jobs, init, (job, index, m) => {
      if (m.type === 'progress') {
        live.set(`${job}:${index}`, m);
        report();
      } else if (m.type === 'result') finish(job, m.result);
    });
    options.onWorkers?.(loads);
  }
  report(true);

  const end = performance.now();
  return jobs.map((job, j) => {
    const ordered = job.todo.map((c) => results[j]!.get(c.index)!);
    const seconds = ((jobs.length === 1 ? end : finished[j]!) - t0) / 1000;
    return {
      space: job.space.name,
      spaceConfigs: job.all,
      configs: ordered.length,
      ...spaceTotals(ordered, seconds),
      workers,
      exhausted: ordered.every((r) => r.exhausted),
      violations: ordered.flatMap((r) => r.violations),
      results: ordered,
    };
  });
}

/**
 * Hand every job's configurations out, in order, one at a time to whichever worker is free (a
 * worker idles at the end at most for the time of the last configuration another one explores).
 * Resolves with each worker's load: its event loop's busy and idle time until it was told to stop.
 */
function runWorkers(
  url: URL,
  n: number,
  jobs: readonly Job[],
  init: WorkerInit,
  onMessage: (job: number, configIndex: number, m: FromWorker) => void,
): Promise<WorkerLoad[]> {
  const queue = jobs.flatMap((j, job) => j.todo.map((c) => ({ job, index: c.index })));
  let next = 0;
  const loads: Omit<WorkerLoad, 'tailSeconds'>[] = [];
  const stopped: number[] = [];
  return new Promise((resolve, reject) => {
    let running = n;
    for (let w = 0; w < n; w++) {
      const worker = new Worker(url, { workerData: init });
      let current = { job: -1, index: -1 };
      let configs = 0;
      const give = () => {
        if (next >= queue.length) {
          const elu = worker.performance.eventLoopUtilization();
          loads[w] = { configs, busySeconds: elu.active / 1000, idleSeconds: elu.idle / 1000 };
          stopped[w] = performance.now();
          worker.postMessage({ type: 'stop' } satisfies ToWorker);
          return;
        }
        configs++;
        current = queue[next++]!;
        worker.postMessage({ type: 'config', space: current.job, index: current.index } satisfies ToWorker);
      };
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'error') {
          reject(new Error(`configuration ${m.index}: ${m.message}`));
          void worker.terminate();
          return;
        }
        onMessage(current.job, current.index, m);
        if (m.type === 'result') give();
      });
      worker.on('error', reject);
      worker.on('exit', () => {
        running--;
        if (running === 0) {
          const last = Math.max(...stopped);
          resolve(loads.map((l, i) => ({ ...l, tailSeconds: (last - stopped[i]!) / 1000 })));
        }
      });
      give();
    }
  });
}
