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
  readonly fix: readonly { path: string; value: unknown }[] | null;
  readonly fixNote?: string;
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
