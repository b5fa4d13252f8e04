/**
 * Human output of a run: each step with ✓ or ✗, the errno and firmware status names, the
 * firmware commands and the kernel log lines it caused. `--json` bypasses this entirely.
 */
import type { PspCall, Trace, TraceStep } from '@sevsim/scenario';
import type { CliIo } from './io';

function stepTitle(step: TraceStep, trace: Trace): string {
  const line = trace.source.split('\n')[step.line - 1]?.trim().replace(/^- /, '') ?? step.op;
  return line === '' ? step.op : line;
}

function pspLine(c: PspCall): string {
  const hex = `0x${c.status.toString(16)}`;
  const guard = c.guard ? `  [${c.guard.id}: ${c.guard.fact}]` : '';
  return `${c.cmd} → ${c.statusName} (${hex})${guard}`;
}

export function formatRun(trace: Trace, io: CliIo): string {
  const r = trace.result;
  const lines: string[] = [];
  lines.push(`${io.paint('bold', r.scenario)}  ${io.paint('dim', trace.file)}`);
  const boot = trace.boot;
  lines.push(`  ${io.paint('dim', '·')} boot: kernel ${r.config.kernel.version}`);
  for (const l of boot.dmesg) lines.push(`      ${io.paint('dim', `│ ${l}`)}`);
  for (const step of trace.steps) {
    const o = step.outcome;
    const title = stepTitle(step, trace);
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
    for (const c of step.psp)
      lines.push(`      ${c.status === 0 ? pspLine(c) : io.paint('yellow', pspLine(c))}`);
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
