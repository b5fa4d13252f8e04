/**
 * Human output of a run: each step with ✓ or ✗, the errno and firmware status names, the
 * firmware commands and the kernel log lines it caused. `--json` bypasses this entirely.
 */
import type { Json, PspCall, RunLog, StepRecord } from '@sevsim/scenario';
import type { CliIo } from './io';

/** A step's arguments in YAML flow style, for steps written as a block over several lines. */
function flow(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(flow).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${k}: ${flow(x)}`)
      .join(', ')} }`;
  }
  return typeof v === 'string' && /[:{}[\],#]|^\s|\s$/.test(v) ? JSON.stringify(v) : String(v);
}

/** `source`: the scenario's lines, split once per run (per step, the split made a run quadratic in its length). */
function stepTitle(step: StepRecord, source: readonly string[]): string {
  const line = source[step.line - 1]?.trim().replace(/^- /, '') ?? step.op;
  if (line === '') return step.op;
  if (!line.endsWith(':')) return line;
  const args = step.args as Record<string, Json> | null;
  // An `expect` step's arguments are recorded under its own key.
  return `${line} ${flow(args && step.op in args ? (args[step.op] ?? null) : step.args)}`;
}

/** Consecutive identical successful commands (e.g. one SNP_PAGE_RECLAIM per 4 KB page) as one line. */
function pspLines(calls: readonly PspCall[]): { call: PspCall; count: number }[] {
  const out: { call: PspCall; count: number }[] = [];
  for (const call of calls) {
    const last = out[out.length - 1];
    if (last && call.status === 0 && last.call.status === 0 && last.call.cmd === call.cmd) last.count++;
    else out.push({ call, count: 1 });
  }
  return out;
}

function pspLine(c: PspCall): string {
  const hex = `0x${c.status.toString(16)}`;
  const guard = c.guard ? `  [${c.guard.id}: ${c.guard.fact}]` : '';
  return `${c.cmd} → ${c.statusName} (${hex})${guard}`;
}

export function formatRun(trace: RunLog, io: CliIo): string {
  const r = trace.result;
  const lines: string[] = [];
  lines.push(`${io.paint('bold', r.scenario)}  ${io.paint('dim', trace.file)}`);
  const boot = trace.boot;
  lines.push(`  ${io.paint('dim', '·')} boot: kernel ${r.config.kernel.version}`);
  for (const l of boot.dmesg) lines.push(`      ${io.paint('dim', `│ ${l}`)}`);
  const source = trace.source.split('\n');
  for (const step of trace.steps) {
    const o = step.outcome;
    const title = stepTitle(step, source);
    if (step.op === 'expect') {
      const mark = o.ok ? io.paint('green', '✓') : io.paint('red', '✗');
      lines.push(`  ${mark} ${String(step.index + 1).padStart(2)} ${title}`);
      for (const f of o.failures ?? []) lines.push(`      ${io.paint('red', f)}`);
      continue;
    }
    const mark = o.ok ? io.paint('green', '✓') : io.paint('yellow', '✗');
    const errs: string[] = [];
    if (o.errno) errs.push(o.errno);
    if (o.fwError !== null && o.fwError !== undefined) {
      const failing = step.psp.find((c) => c.status === o.fwError);
      errs.push(`fw ${failing?.statusName ?? 'status'} (0x${o.fwError.toString(16)})`);
    }
    if (o.read) errs.push(`read ${o.read}`);
    const tail = errs.length > 0 ? `: ${errs.join(', ')}` : '';
    lines.push(`  ${mark} ${String(step.index + 1).padStart(2)} ${title}${tail}`);
    for (const { call: c, count } of pspLines(step.psp)) {
      const text = pspLine(c) + (count > 1 ? ` ×${count}` : '');
      lines.push(`      ${c.status === 0 ? text : io.paint('yellow', text)}`);
    }
    for (const l of step.dmesg) lines.push(`      ${io.paint('dim', `│ ${l}`)}`);
    if (step.explanation) lines.push(`      ${io.paint('cyan', step.explanation)}`);
  }
  const failed = trace.steps.filter((s) => s.op === 'expect' && !s.outcome.ok).length;
  lines.push(
    r.passed
      ? io.paint('green', `passed: every expectation held`)
      : io.paint('red', `FAILED: ${failed} expectation${failed === 1 ? '' : 's'} did not hold`),
  );
  return `${lines.join('\n')}\n`;
}
