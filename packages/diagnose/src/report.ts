/** The human-readable diagnosis (the default output of `sevsim diagnose`). */
import type { DiagnosisJson } from './diagnose';
import { normalise, wordingOf } from './wording';

/** Runs of consecutive numbers as ranges, so 64 offline CPUs read as one item. */
function ranges(xs: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j]! + 1) j++;
    out.push(j > i + 1 ? `${xs[i]}-${xs[j]}` : xs.slice(i, j + 1).join(','));
    i = j + 1;
  }
  return `[${out.join(',')}]`;
}

const v = (x: unknown): string =>
  typeof x === 'string'
    ? x
    : Array.isArray(x) && x.length > 2 && x.every((n) => typeof n === 'number')
      ? ranges(x as number[])
      : JSON.stringify(x);
const yes = (b: boolean): string => (b ? 'yes' : 'no');

export function formatDiagnosis(d: DiagnosisJson): string {
  const out: string[] = [];
  out.push(`Log: ${d.log.lines} lines, ${d.log.relevant} about SEV`);
  out.push('');
  out.push('Inferred configuration:');
  for (const x of d.inferred) {
    const origin = x.from ? `line ${x.from.line}: ${x.from.text}` : x.assumed ? 'assumed' : '';
    out.push(`  ${x.path} = ${v(x.value)}${origin ? `    (${origin})` : ''}`);
    if (x.note) out.push(`      ${x.note}`);
  }
  for (const n of d.notes) out.push(`  note: ${n}`);
  out.push('');
  const r = d.replay;
  out.push(`Replay on ${r.release}: ${r.matched} of ${r.aligned} kernel lines printed by the simulation too`);
  for (const g of r.onlyInLog)
    out.push(`  only in the log, line ${g.line} [${g.kind}]: ${g.text}\n      ${g.note}`);
  // A simulated line an older real line words differently is the same fact, not a missing one.
  const pairedWith = new Map(
    r.onlyInLog.flatMap((g) => (g.pairedWith === undefined ? [] : [[g.pairedWith, g.line]])),
  );
  r.onlyInSimulation.forEach((s, k) => {
    const line = pairedWith.get(k);
    out.push(
      line === undefined
        ? `  only in the simulation: ${s}`
        : `  in the simulation, paired with log line ${line} (same fact, older wording): ${s}`,
    );
  });
  out.push('');
  const c = d.capabilities;
  out.push(
    `Guests that reach RUNNING in the replay: SEV ${yes(c.sev)}, SEV-ES ${yes(c.sevEs)}, SNP ${yes(c.snp)}`,
  );
  out.push('');
  if (d.findings.length === 0) out.push('Findings: nothing refused in the replay');
  else {
    out.push('Findings:');
    for (const f of d.findings) {
      const what = f.cmd
        ? `${f.cmd} → ${f.statusName} (0x${(f.status ?? 0).toString(16)})`
        : `kernel: ${f.guard}`;
      out.push(`  ${what}${f.cmd && f.guard ? ` [${f.guard}]` : ''}${f.line ? `, log line ${f.line}` : ''}`);
      out.push(`      ${f.why}`);
    }
  }
  out.push('');
  const goal = { snp: 'SNP', 'sev-es': 'SEV-ES', sev: 'SEV' }[d.goal];
  const reached = d.goal === 'snp' ? c.snp : d.goal === 'sev-es' ? c.sevEs : c.sev;
  // A replay that reaches the goal while real lines stay unexplained, or show the kernel refusing
  // the goal's guests for a reason outside the model, has not found the host's cause.
  const unexplained = d.replay.onlyInLog
    .filter((g) => g.kind === 'fidelity' || wordingOf(normalise(g.text))?.w.refuses === d.goal)
    .map((g) => `line ${g.line}`);
  if (reached && unexplained.length > 0)
    out.push(
      `Goal ${goal}: reached in the replay, but it did not reproduce ${unexplained.join(', ')} of the log: the host's cause is outside the model, so no change is verified`,
    );
  else if (reached) out.push(`Goal ${goal}: already reached, nothing to change`);
  else if (d.undecided) out.push(`Goal ${goal}: no fix proposed: ${d.undecided}`);
  else if (d.fixes.length === 0) {
    out.push(`Goal ${goal}: no change set of up to 3 changes reaches it in the model`);
    // The PSP's own answers are what the log shows, not settings: no change can remove them.
    const psp = d.inferred.filter(
      (x) => x.path === 'machine.pspMailboxStatus' || x.path === 'machine.pspResponseSeconds',
    );
    if (psp.length > 0)
      out.push(
        `      the PSP's answers read from the log (${psp.map((x) => `${x.path} = ${v(x.value)}`).join(', ')}) are not a setting a user can change; they stay in every change set tried`,
      );
  } else {
    out.push(`Fixes that reach ${goal} (each verified by a replay), smallest first:`);
    d.fixes.forEach((f, i) => {
      out.push(`  ${i + 1}. ${f.changes.map((ch) => `${ch.path} = ${v(ch.value)}`).join(', ')}`);
      out.push(
        `      then: SEV ${yes(f.capabilities.sev)}, SEV-ES ${yes(f.capabilities.sevEs)}, SNP ${yes(f.capabilities.snp)}`,
      );
    });
  }
  return `${out.join('\n')}\n`;
}
