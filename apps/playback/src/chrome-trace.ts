/**
 * A trace as Chrome Trace Event JSON, which ui.perfetto.dev opens. The same layout as the CLI's
 * `sevsim export --format chrome` (/tmp/task-scenario.md): one process per layer (pid 1 scenario,
 * 2 kvm_amd, 3 ccp, 4 firmware), strictly nested complete ("X") slices, and a logical clock in
 * µs so the picture is the same on every machine. It lives here too because the browser bundle
 * may only import types from @sevsim/scenario (that package pulls in every layer).
 */
import type { PspCall, Trace, TraceStep } from '@sevsim/scenario';

export interface ChromeTraceEvent {
  readonly name: string;
  readonly ph: 'X' | 'M' | 'i';
  readonly pid: number;
  readonly tid: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly s?: 't';
  readonly cat?: string;
  readonly args?: Record<string, unknown>;
}

export interface ChromeTrace {
  readonly traceEvents: readonly ChromeTraceEvent[];
  readonly displayTimeUnit: 'ms';
  readonly otherData: { readonly scenario: string; readonly file: string; readonly clock: 'logical' };
}

export const LAYER_PIDS = { scenario: 1, kvm_amd: 2, ccp: 3, firmware: 4 } as const;

/** Which process a kernel log line belongs to, by the prefix the kernel prints. */
function pidOfLogLine(line: string): number {
  if (line.startsWith('kvm_amd:')) return LAYER_PIDS.kvm_amd;
  if (line.startsWith('ccp ')) return LAYER_PIDS.ccp;
  return LAYER_PIDS.scenario;
}

/** The layers a command passes through on its way to the mailbox: kvm-amd calls go through the
 *  ccp driver (`sev_issue_cmd_external_user` and friends); raw `psp:` steps bypass both. */
function callersOf(call: PspCall): readonly number[] {
  if (call.by === 'kvm_amd') return [LAYER_PIDS.kvm_amd, LAYER_PIDS.ccp];
  if (call.by === 'ccp') return [LAYER_PIDS.ccp];
  return [LAYER_PIDS.scenario];
}

function stepEvents(step: TraceStep, start: number, out: ChromeTraceEvent[]): number {
  // A step with n commands spans 2 + 2n ticks: command k runs at start + 1 + 2k for one tick,
  // so every layer's step slice [start + 1, start + 1 + 2n] holds its command slices.
  const n = step.psp.length;
  const dur = 2 + 2 * n;
  const name = step.index < 0 ? 'boot' : `${step.index}: ${step.op}`;
  out.push({
    name,
    ph: 'X',
    pid: LAYER_PIDS.scenario,
    tid: 1,
    ts: start,
    dur,
    cat: 'step',
    args: {
      line: step.line,
      ok: step.outcome.ok,
      errno: step.outcome.errno ?? null,
      fwError: step.outcome.fwError ?? null,
      ...(step.explanation ? { explanation: step.explanation } : {}),
    },
  });
  for (const pid of [LAYER_PIDS.kvm_amd, LAYER_PIDS.ccp]) {
    if (step.psp.some((c) => callersOf(c).includes(pid))) {
      out.push({ name: step.op, ph: 'X', pid, tid: 1, ts: start + 1, dur: 2 * n, cat: 'step' });
    }
  }
  step.psp.forEach((call, k) => {
    const ts = start + 1 + 2 * k;
    const args = {
      cmd: call.cmd,
      status: call.status,
      statusName: call.statusName,
      guard: call.guard ? `${call.guard.id} (${call.guard.fact})` : null,
    };
    for (const pid of callersOf(call)) {
      out.push({ name: call.cmd, ph: 'X', pid, tid: 1, ts, dur: 1, cat: 'issue' });
    }
    out.push({ name: call.cmd, ph: 'X', pid: LAYER_PIDS.firmware, tid: 1, ts, dur: 1, cat: 'psp', args });
  });
  for (const line of step.dmesg) {
    out.push({
      name: line,
      ph: 'i',
      s: 't',
      pid: pidOfLogLine(line),
      tid: 1,
      ts: start + dur - 1,
      cat: 'dmesg',
    });
  }
  return start + dur;
}

export function toChromeTrace(trace: Trace): ChromeTrace {
  const events: ChromeTraceEvent[] = [];
  for (const [layer, pid] of Object.entries(LAYER_PIDS)) {
    events.push({ name: 'process_name', ph: 'M', pid, tid: 1, args: { name: layer } });
    events.push({ name: 'process_sort_index', ph: 'M', pid, tid: 1, args: { sort_index: pid } });
  }
  let clock = stepEvents(trace.boot, 0, events);
  for (const step of trace.steps) clock = stepEvents(step, clock, events);
  return {
    traceEvents: events,
    displayTimeUnit: 'ms',
    otherData: { scenario: trace.result.scenario, file: trace.file, clock: 'logical' },
  };
}
