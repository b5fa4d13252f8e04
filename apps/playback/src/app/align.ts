/**
 * Two runs side by side: their steps aligned, and per aligned step what differs.
 *
 * Steps are matched on op and arguments (a longest common subsequence, boot with boot); steps
 * left over between two matches are paired in order, so `modprobe kvm_amd sev_snp=1` still sits
 * beside `modprobe kvm_amd sev_snp=0`, and what remains is a step only one run has.
 *
 * A state that differs after a step keeps differing until something changes it, so each
 * difference also says whether it is new at this step; "next difference" stops only where the
 * set of differences changes or the step itself did something different.
 */
import type { Json, TraceStep } from '@sevsim/scenario/trace';

export interface AlignedRow {
  /** Frame index in run A / B (0 = boot), or null when only the other run has this step. */
  readonly a: number | null;
  readonly b: number | null;
}

const signature = (s: TraceStep): string => `${s.op} ${JSON.stringify(s.args)}`;

/** Longest common subsequence of two key lists, as index pairs in order. */
export function lcsPairs(a: readonly string[], b: readonly string[]): [number, number][] {
  const n = a.length;
  const m = b.length;
  const len: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      len[i]![j] = a[i] === b[j] ? len[i + 1]![j + 1]! + 1 : Math.max(len[i + 1]![j]!, len[i]![j + 1]!);
  const out: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push([i, j]);
      i++;
      j++;
    } else if (len[i + 1]![j]! >= len[i]![j + 1]!) i++;
    else j++;
  }
  return out;
}

export function alignSteps(a: readonly TraceStep[], b: readonly TraceStep[]): AlignedRow[] {
  const rows: AlignedRow[] = [{ a: 0, b: 0 }];
  const matches = lcsPairs(a.slice(1).map(signature), b.slice(1).map(signature)).map(
    ([i, j]) => [i + 1, j + 1] as const,
  );
  let i = 1;
  let j = 1;
  for (const [mi, mj] of [...matches, [a.length, b.length] as const]) {
    // The gap before this match: pair in order, then whatever one side has left.
    while (i < mi && j < mj) rows.push({ a: i++, b: j++ });
    while (i < mi) rows.push({ a: i++, b: null });
    while (j < mj) rows.push({ a: null, b: j++ });
    if (mi < a.length) rows.push({ a: i++, b: j++ });
  }
  return rows;
}

export type DiffCategory = 'step' | 'outcome' | 'firmware' | 'kernel log' | 'layer state' | 'ASIDs' | 'VMs';

export interface Difference {
  readonly category: DiffCategory;
  readonly what: string;
  readonly a: string;
  readonly b: string;
  /** Not already there, with the same values, at the aligned step before. */
  readonly fresh: boolean;
}

/** Leaf values of a JSON object as dotted paths. */
function flatten(v: Json | undefined, prefix: string, out: Map<string, string>): Map<string, string> {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const k of Object.keys(v).sort()) flatten(v[k], prefix ? `${prefix}.${k}` : k, out);
  } else if (v !== undefined) {
    out.set(prefix, typeof v === 'string' ? v : JSON.stringify(v));
  }
  return out;
}

function categoryOf(path: string): DiffCategory {
  if (path.startsWith('vms.') || path.startsWith('layers.firmware.guests')) return 'VMs';
  if (/^kvm\.(sev|sevEs|snp)\.|^layers\.kvm\.asids|^layers\.firmware\.asids|^firmware\.maxSnpAsid/.test(path))
    return 'ASIDs';
  return 'layer state';
}

/** The state and layer views after a step, as the paths compared (the layer views that repeat
 *  the contract state are left out). */
function stateLeaves(s: TraceStep): Map<string, string> {
  const out = flatten(s.state as unknown as Json, '', new Map());
  const l = s.layers;
  out.set('layers.hardware.snpEnCores', String(l.hardware.snpEnPerCore.filter(Boolean).length));
  out.set('layers.hardware.onlineCores', String(l.hardware.onlinePerCore.filter(Boolean).length));
  out.set('layers.hardware.iommu.snpEnforced', String(l.hardware.iommu.snpEnforced));
  flatten(l.hardware.rmpCounts as Json, 'layers.hardware.rmpCounts', out);
  flatten(l.ccp as Json, 'layers.ccp', out);
  out.set(
    'layers.firmware.guests',
    l.firmware.guests.map((g) => `${g.kind}#${g.handle} ${g.state} ASID ${g.asid}`).join(', '),
  );
  out.set('layers.firmware.asids.inUse', l.firmware.asids.inUse.join(','));
  out.set('layers.firmware.asids.dirty', l.firmware.asids.dirty.join(','));
  out.set('layers.kvm.asidsInUse', l.kvm.asidsInUse.join(','));
  out.set('layers.kvm.asidsReclaim', l.kvm.asidsReclaim.join(','));
  return out;
}

type PspCall = TraceStep['psp'][number];

/** A run of identical commands (e.g. one SNP_PAGE_RECLAIM per 4 KB page), shown as one line ×N,
 *  as `sevsim run` prints them. */
export interface CallGroup {
  readonly call: PspCall;
  readonly count: number;
}

export function groupCalls(calls: readonly PspCall[]): CallGroup[] {
  const out: { call: PspCall; count: number }[] = [];
  for (const call of calls) {
    const last = out[out.length - 1];
    if (last && JSON.stringify(last.call) === JSON.stringify(call)) last.count++;
    else out.push({ call, count: 1 });
  }
  return out;
}

export const callText = ({ call: c, count }: CallGroup): string =>
  `${c.cmd} → ${c.statusName} (${c.status})${c.by === 'ccp' ? '' : ` by ${c.by}`}${count > 1 ? ` ×${count}` : ''}`;

/** Which entries of `x` have no partner in `y` (a sequence diff: order matters, repeats count). */
export function unmatched(x: readonly string[], y: readonly string[]): boolean[] {
  const only = x.map(() => true);
  for (const [i] of lcsPairs(x, y)) only[i] = false;
  return only;
}

const NONE = '—';

function listDiff(
  category: DiffCategory,
  what: string,
  x: readonly string[],
  y: readonly string[],
): Difference[] {
  const ux = unmatched(x, y);
  const uy = unmatched(y, x);
  const onlyX = x.filter((_, i) => ux[i]);
  const onlyY = y.filter((_, i) => uy[i]);
  if (onlyX.length === 0 && onlyY.length === 0) return [];
  return [{ category, what, a: onlyX.join('\n') || NONE, b: onlyY.join('\n') || NONE, fresh: true }];
}

function outcomeLine(s: TraceStep): string {
  const o = s.outcome;
  return [
    o.ok ? 'ok' : 'failed',
    o.errno ?? '',
    o.fwError !== null && o.fwError !== undefined ? `firmware ${o.fwError}` : '',
    o.read ?? '',
  ]
    .filter(Boolean)
    .join(' · ');
}

/** What differs between the two sides of one aligned row (`prev`: the row before, for `fresh`). */
export function rowDifferences(
  a: TraceStep | undefined,
  b: TraceStep | undefined,
  prev: readonly Difference[],
): Difference[] {
  if (!a || !b) {
    const s = (a ?? b)!;
    const label = `${s.op} ${JSON.stringify(s.args)}`;
    return [
      {
        category: 'step',
        what: 'only one run has this step',
        a: a ? label : NONE,
        b: b ? label : NONE,
        fresh: true,
      },
    ];
  }
  const out: Difference[] = [];
  if (signature(a) !== signature(b))
    out.push({ category: 'step', what: 'step', a: signature(a), b: signature(b), fresh: true });
  if (outcomeLine(a) !== outcomeLine(b))
    out.push({ category: 'outcome', what: 'outcome', a: outcomeLine(a), b: outcomeLine(b), fresh: true });
  out.push(
    ...listDiff(
      'firmware',
      'firmware commands (only in this run)',
      groupCalls(a.psp).map(callText),
      groupCalls(b.psp).map(callText),
    ),
  );
  out.push(...listDiff('kernel log', 'kernel log lines (only in this run)', a.dmesg, b.dmesg));
  const sa = stateLeaves(a);
  const sb = stateLeaves(b);
  const paths = [...new Set([...sa.keys(), ...sb.keys()])].sort();
  for (const p of paths) {
    const x = sa.get(p) ?? NONE;
    const y = sb.get(p) ?? NONE;
    if (x === y) continue;
    const fresh = !prev.some((d) => d.what === p && d.a === x && d.b === y);
    out.push({ category: categoryOf(p), what: p, a: x, b: y, fresh });
  }
  return out;
}

export interface PairRow extends AlignedRow {
  readonly differences: readonly Difference[];
  /** Something differs here that did not already differ the same way at the step before. */
  readonly differs: boolean;
}

export function comparePair(a: readonly TraceStep[], b: readonly TraceStep[]): PairRow[] {
  let prev: readonly Difference[] = [];
  return alignSteps(a, b).map((row) => {
    const differences = rowDifferences(
      row.a === null ? undefined : a[row.a],
      row.b === null ? undefined : b[row.b],
      prev,
    );
    prev = differences;
    return { ...row, differences, differs: differences.some((d) => d.fresh) };
  });
}
