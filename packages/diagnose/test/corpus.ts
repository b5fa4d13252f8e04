/** The corpus of real host logs (fixtures/*.json sidecars) and a diagnosis of each. */
import { readdirSync, readFileSync } from 'node:fs';
import { type DiagnoseOptions, type Diagnosis, diagnose, type Goal, readLog } from '../src/index';

export const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;

export interface Sidecar {
  readonly source: string;
  readonly logs: readonly string[];
  readonly kernel: string;
  readonly cpu: string;
  readonly established: string;
  /**
   * The fix the thread found, as scenario-v1 changes: `value` exact, or `atLeast` for a firmware
   * version ("1.51 or later"); null when the thread settled none, [] for a healthy host.
   */
  readonly fix: readonly ExpectedChange[] | null;
  readonly fixNote?: string;
  /** Why the thread's fix is not one the model can express (the test then does not look for it). */
  readonly fixUnmodelled?: string;
  readonly options: { kernel?: string; cpu?: string; goal?: Goal };
  readonly expect: {
    readonly inferred: Readonly<Record<string, unknown>>;
    readonly findings: readonly { cmd: string; status: number }[];
    readonly capabilities: Readonly<Record<string, boolean>>;
    readonly fixPaths?: readonly string[];
    readonly onlyInLog?: readonly string[];
    readonly replay: {
      readonly matched: number;
      readonly aligned: number;
      readonly fidelityGaps: readonly number[];
    };
  };
}

export interface ExpectedChange {
  readonly path: string;
  readonly value?: unknown;
  readonly atLeast?: string;
}

export function corpus(): { name: string; side: Sidecar }[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f.slice(0, -5), side: JSON.parse(readFileSync(FIXTURES + f, 'utf8')) as Sidecar }));
}

export function diagnoseFixture(side: Sidecar): Diagnosis {
  const log = readLog(side.logs.map((n) => ({ name: n, text: readFileSync(FIXTURES + n, 'utf8') })));
  const o = side.options;
  const opts: DiagnoseOptions = {
    ...(o.kernel ? { kernel: o.kernel } : {}),
    ...(o.cpu ? { cpu: o.cpu } : {}),
    ...(o.goal ? { goal: o.goal } : {}),
  };
  return diagnose(log, opts);
}
