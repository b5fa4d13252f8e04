/**
 * `expect` steps (docs/contracts/scenario-v1.md "Expectations"): every key must hold. `ok`, `errno`,
 * `fwError` and `read` check the most recent step that is not an expect; `state` and `dmesg` the
 * system after it (dmesg: some line of the kernel log so far contains the text).
 */
import { statusName } from '@sevsim/psp-abi';
import type { Expectation } from '../scenario';
import type { Json, State, StepOutcome } from '../trace';
import { getPath, jsonEqual } from './state-paths-runtime';

const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));

function fw(n: number | null | undefined): string {
  return n === null || n === undefined ? 'null' : `${statusName(n)} (0x${n.toString(16)})`;
}

/** sysfs shows bools as Y/N and numbers as text: accept the YAML spellings of the same value. */
function sysfsForm(v: Json): Json {
  if (v === true) return 'Y';
  if (v === false) return 'N';
  if (typeof v === 'number') return String(v);
  return v;
}

export function checkExpectation(
  e: Expectation,
  prev: { op: string; outcome: StepOutcome },
  state: State,
  dmesg: readonly string[],
): string[] {
  const failures: string[] = [];
  const o = prev.outcome;
  const what = `the previous step (${prev.op})`;
  if (e.ok !== undefined && e.ok !== o.ok) {
    failures.push(
      `ok: expected ${e.ok}, but ${what} ${o.ok ? 'succeeded' : `failed (${o.errno ?? fw(o.fwError)})`}`,
    );
  }
  if (e.errno !== undefined && e.errno !== (o.errno ?? null)) {
    failures.push(`errno: expected ${e.errno ?? 'null'}, got ${o.errno ?? 'null'} from ${what}`);
  }
  if (e.fwError !== undefined && e.fwError !== (o.fwError ?? null)) {
    failures.push(`fwError: expected ${fw(e.fwError)}, got ${fw(o.fwError)} from ${what}`);
  }
  if (e.read !== undefined && e.read !== o.read) {
    failures.push(`read: expected ${e.read}, got ${o.read ?? 'nothing'}`);
  }
  for (const [path, want] of Object.entries(e.state ?? {})) {
    const got = getPath(state, path);
    const isParam = /^modules\.[^.]+\.params\./.test(path);
    const equal = isParam ? jsonEqual(sysfsForm(want), got) : jsonEqual(want, got);
    if (!equal) failures.push(`state ${path}: expected ${show(want)}, got ${show(got)}`);
  }
  if (e.dmesg !== undefined && !dmesg.some((l) => l.includes(e.dmesg!))) {
    failures.push(`dmesg: no kernel log line contains ${JSON.stringify(e.dmesg)}`);
  }
  return failures;
}
