/**
 * A run as Chrome Trace Event JSON, the format chrome://tracing and ui.perfetto.dev open
 * (https://perfetto.dev/docs/faq: JSON trace events must nest perfectly). One process per layer,
 * complete (`X`) slices that strictly nest on every track (Perfetto rejects overlapping slices),
 * and a logical clock: one microsecond per event, so the same trace always exports to the same bytes.
 */
import type { Json, PspCall, Trace, TraceStep } from './trace';

export const LAYER_PIDS = { scenario: 1, kvm_amd: 2, ccp: 3, firmware: 4 } as const;
type Layer = keyof typeof LAYER_PIDS;
const TID = 1;

export interface ChromeTraceEvent {
  readonly name: string;
  readonly cat?: string;
  readonly ph: 'X' | 'M' | 'i';
  readonly ts: number;
  readonly dur?: number;
  readonly pid: number;
  readonly tid: number;
  readonly s?: 't' | 'p' | 'g';
  readonly args?: Record<string, Json>;
}

export interface ChromeTrace {
  readonly traceEvents: readonly ChromeTraceEvent[];
  readonly displayTimeUnit: 'ms' | 'ns';
  readonly otherData: Record<string, Json>;
}

const LAYER_TITLES: Record<Layer, string> = {
  scenario: 'scenario',
  kvm_amd: 'kvm_amd (arch/x86/kvm/svm/sev.c)',
  ccp: 'ccp (drivers/crypto/ccp/sev-dev.c)',
  firmware: 'PSP firmware',
};

/** Which layer printed a kernel log line, from its prefix. */
function layerOfLine(line: string): Layer {
  if (line.startsWith('kvm_amd:') || line.startsWith('SVM:')) return 'kvm_amd';
  if (line.startsWith('ccp ') || line.startsWith('ccp:') || line.startsWith('psp ')) return 'ccp';
  return 'scenario';
}

export function toChromeTrace(trace: Trace): ChromeTrace {
  const events: ChromeTraceEvent[] = [];
  for (const layer of Object.keys(LAYER_PIDS) as Layer[]) {
    const pid = LAYER_PIDS[layer];
    events.push({ name: 'process_name', ph: 'M', ts: 0, pid, tid: TID, args: { name: LAYER_TITLES[layer] } });
    events.push({ name: 'process_sort_index', ph: 'M', ts: 0, pid, tid: TID, args: { sort_index: pid } });
    events.push({ name: 'thread_name', ph: 'M', ts: 0, pid, tid: TID, args: { name: layer } });
  }
  let clock = 0;
  for (const step of [trace.boot, ...trace.steps]) clock = emitStep(step, clock, events);
  return {
    traceEvents: events,
    displayTimeUnit: 'ms',
    otherData: { scenario: trace.result.scenario, file: trace.file, clock: 'logical: 1 µs per event' },
  };
}

/**
 * Layout of one step starting at `t0`: the step slice covers [t0, t0 + n + 2); firmware command k
 * covers [t0 + 1 + k, t0 + 2 + k). Consecutive commands issued by the same layer are grouped into
 * one slice on that layer's track (kvm_amd commands also pass through ccp, so they get a ccp
 * slice too). Returns the next free time.
 */
function emitStep(step: TraceStep, t0: number, events: ChromeTraceEvent[]): number {
  const n = step.psp.length;
  const end = t0 + n + 2;
  events.push({
    name: step.op,
    cat: 'step',
    ph: 'X',
    ts: t0,
    dur: end - t0,
    pid: LAYER_PIDS.scenario,
    tid: TID,
    args: {
      index: step.index,
      line: step.line,
      ok: step.outcome.ok,
      errno: step.outcome.errno ?? null,
      fwError: step.outcome.fwError ?? null,
      ...(step.explanation ? { explanation: step.explanation } : {}),
    },
  });
  for (const group of groupsBy(step.psp)) {
    const ts = t0 + 1 + group.start;
    const dur = group.calls.length;
    if (group.by === 'kvm_amd') {
      events.push({ name: step.op, cat: 'kvm_amd', ph: 'X', ts, dur, pid: LAYER_PIDS.kvm_amd, tid: TID });
    }
    if (group.by !== 'raw') {
      events.push({ name: step.op, cat: 'ccp', ph: 'X', ts, dur, pid: LAYER_PIDS.ccp, tid: TID });
    }
  }
  step.psp.forEach((call, k) => {
    events.push({
      name: call.cmd,
      cat: 'psp',
      ph: 'X',
      ts: t0 + 1 + k,
      dur: 1,
      pid: LAYER_PIDS.firmware,
      tid: TID,
      args: {
        cmd: call.cmd,
        id: call.id,
        status: call.status,
        statusName: call.statusName,
        by: call.by,
        guard: call.guard ? `${call.guard.id} (${call.guard.fact})` : null,
      },
    });
  });
  for (const line of step.dmesg) {
    events.push({
      name: line,
      cat: 'dmesg',
      ph: 'i',
      s: 't',
      ts: end - 1,
      pid: LAYER_PIDS[layerOfLine(line)],
      tid: TID,
    });
  }
  return end;
}

function groupsBy(calls: readonly PspCall[]): { by: PspCall['by']; start: number; calls: PspCall[] }[] {
  const groups: { by: PspCall['by']; start: number; calls: PspCall[] }[] = [];
  calls.forEach((c, i) => {
    const last = groups[groups.length - 1];
    if (last && last.by === c.by) last.calls.push(c);
    else groups.push({ by: c.by, start: i, calls: [c] });
  });
  return groups;
}
