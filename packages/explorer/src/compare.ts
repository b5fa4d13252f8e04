/**
 * `sevsim compare`: the same configurations explored under several kernels, as a capability
 * matrix (one row per configuration, one column per kernel), with, for every capability one
 * kernel reaches and another does not, the shortest scenario that shows it, under both kernels.
 */
import { type Json, openSession, type State } from '@sevsim/scenario';
import { CAPABILITIES, type CapabilityId } from './capabilities';
import { scenarioYaml } from './counterexample';
import { kernelLabel } from './default-space';
import { explore, type ExploreOptions, type ExploreResult } from './explore';
import type { PathAction } from './explore-config';
import type { Config, KernelChoice, Space } from './space';

export const CAPABILITY_SHORT: Readonly<Record<CapabilityId, string>> = {
  'sev-vm-running': 'SEV',
  'sev-es-vm-running': 'ES',
  'snp-vm-running': 'SNP',
  'fw-hotloaded': 'HL',
  'fw-hotloaded-with-legacy-guest': 'HL+G',
};

export interface CompareRow {
  /** The configuration without its kernel. */
  readonly label: string;
  /** Per kernel label: the reachable capabilities, or null when the configuration does not exist there. */
  readonly cells: Readonly<Record<string, readonly CapabilityId[] | null>>;
}

export interface CompareDifference {
  readonly row: number;
  readonly capability: CapabilityId;
  /** Kernel that reaches it, and one that does not. */
  readonly has: string;
  readonly lacks: string;
  readonly path: readonly PathAction[];
  /** File names (relative to the output directory) of the scenario under each kernel, and of the
   *  side-by-side report of the two runs (`sevsim playback A B --out`; written by the CLI). */
  readonly files: { readonly has: string; readonly lacks: string; readonly report: string };
}

export interface CompareResult {
  readonly kernels: readonly string[];
  readonly rows: readonly CompareRow[];
  readonly differences: readonly CompareDifference[];
  /** Scenario texts by file name. */
  readonly scenarios: Readonly<Record<string, string>>;
  readonly explored: ExploreResult;
}

/** The default comparison: the seed thread's knobs on a Genoa with current firmware. */
export function compareSpace(kernels: readonly KernelChoice[]): Space {
  return {
    name: `compare-${kernels.map(kernelLabel).join(',')}`,
    machine: {
      cpu: ['genoa'],
      snp: [true, false],
      iommu: ['translated'],
      ciphertextHiding: [true],
      minSevAsid: ['default'],
      firmware: ['default'],
    },
    kernel: { releases: kernels, builtin: [[], ['ccp', 'kvm_amd']] },
    params: {
      'ccp.psp_init_on_probe': [false, true],
      'kvm_amd.sev': [true],
      'kvm_amd.sev_es': [true],
      'kvm_amd.sev_snp': [false, true],
      'kvm_amd.ciphertext_hiding_asids': ['none'],
    },
    actions: {
      maxVms: 2,
      vmTypes: ['sev', 'sev-es', 'snp'],
      fwUpdate: ['1.58.30'],
      fwCommit: false,
      hostRead: false,
      modules: true,
    },
    depth: 6,
  };
}

function rowKey(c: Config): string {
  const { version: _v, patches: _p, ...kernel } = c.kernel;
  return JSON.stringify([c.machine, kernel]);
}

function kernelOf(c: Config): string {
  return kernelLabel({ version: c.kernel.version!, patches: c.kernel.patches ?? [] });
}

/** The state values that show a capability at the end of `path` (replayed under `config`). */
function capabilityExpect(config: Config, path: readonly PathAction[], cap: CapabilityId): Json {
  const s = openSession({ machine: config.machine, kernel: config.kernel });
  for (const a of path) for (const st of a.steps) s.apply(st);
  const st: State = s.state();
  const out: Record<string, Json> = {};
  const want = { 'sev-vm-running': ['sev'], 'sev-es-vm-running': ['sev-es'], 'snp-vm-running': ['snp'] }[
    cap as 'sev-vm-running'
  ];
  const types = want ?? (cap === 'fw-hotloaded-with-legacy-guest' ? ['sev', 'sev-es'] : []);
  const vm = Object.entries(st.vms).find(([, v]) => types.includes(v.type) && v.state === 'running');
  if (vm) out[`vms.${vm[0]}.state`] = 'running';
  if (cap === 'fw-hotloaded' || cap === 'fw-hotloaded-with-legacy-guest')
    out['firmware.version'] = st.firmware.version;
  return { state: out };
}

export async function compare(
  kernels: readonly KernelChoice[],
  options: ExploreOptions & { readonly space?: Space } = {},
): Promise<CompareResult> {
  const template = options.space ?? compareSpace(kernels);
  const space: Space = { ...template, kernel: { ...template.kernel, releases: kernels } };
  const explored = await explore(space, options);
  const labels = kernels.map(kernelLabel);
  const rowsByKey = new Map<
    string,
    { label: string; byKernel: Map<string, (typeof explored.results)[number]> }
  >();
  for (const r of explored.results) {
    const key = rowKey(r.config);
    let row = rowsByKey.get(key);
    if (!row) {
      const k = kernelOf(r.config);
      row = { label: r.config.label.replace(` ${k} `, ' '), byKernel: new Map() };
      rowsByKey.set(key, row);
    }
    row.byKernel.set(kernelOf(r.config), r);
  }
  const rows: CompareRow[] = [];
  const differences: CompareDifference[] = [];
  const scenarios: Record<string, string> = {};
  for (const row of rowsByKey.values()) {
    const cells: Record<string, CapabilityId[] | null> = {};
    for (const k of labels) {
      const r = row.byKernel.get(k);
      cells[k] = r ? CAPABILITIES.map((c) => c.id).filter((id) => r.capabilities[id]) : null;
    }
    const index = rows.length;
    rows.push({ label: row.label, cells });
    for (const cap of CAPABILITIES.map((c) => c.id)) {
      const has = labels.find((k) => cells[k]?.includes(cap));
      if (!has) continue;
      for (const lacks of labels) {
        if (!cells[lacks] || cells[lacks]!.includes(cap)) continue;
        const hasResult = row.byKernel.get(has)!;
        const lacksConfig = row.byKernel.get(lacks)!.config;
        const path = hasResult.capabilities[cap]!;
        // Rows are numbered from 1, as in the table.
        const base = `compare-row${index + 1}-${cap}`;
        const files = { has: `${base}.${has}.yaml`, lacks: `${base}.${lacks}.yaml`, report: `${base}.html` };
        const expect = capabilityExpect(hasResult.config, path, cap);
        for (const [file, config, reaches] of [
          [files.has, hasResult.config, true],
          [files.lacks, lacksConfig, false],
        ] as const) {
          scenarios[file] = scenarioYaml({
            name: `${cap}-${kernelOf(config)}`,
            description: `${CAPABILITIES.find((c) => c.id === cap)!.description}: reachable with ${has}, not with ${lacks}`,
            header: [
              `sevsim compare: ${cap} ${reaches ? 'is reached' : 'is NOT reachable (the expect fails)'} with kernel ${kernelOf(config)}`,
              `configuration: ${row.label}`,
              `the shortest path under ${has}; the same steps under ${lacks} are in ${reaches ? files.lacks : files.has}`,
            ],
            config,
            path,
            expect,
          });
        }
        differences.push({ row: index, capability: cap, has, lacks, path, files });
      }
    }
  }
  return { kernels: labels, rows, differences, scenarios, explored };
}

export type CompareFormat = 'table' | 'md' | 'csv' | 'json';

function cellText(c: readonly CapabilityId[] | null): string {
  if (c === null) return 'n/a';
  return c.length === 0 ? '-' : c.map((id) => CAPABILITY_SHORT[id]).join(' ');
}

export function formatCompare(r: CompareResult, format: CompareFormat, outDir: string): string {
  const legend = CAPABILITIES.map((c) => `${CAPABILITY_SHORT[c.id]} = ${c.description}`);
  const diffLines = r.differences.map(
    (d) =>
      `row ${d.row + 1}: ${CAPABILITY_SHORT[d.capability]} with ${d.has}, not with ${d.lacks}: ${outDir}/${d.files.has} / ${outDir}/${d.files.lacks} (side by side: ${outDir}/${d.files.report})`,
  );
  if (format === 'json') {
    return `${JSON.stringify(
      {
        kernels: r.kernels,
        rows: r.rows,
        differences: r.differences.map((d) => ({
          row: d.row,
          capability: d.capability,
          has: d.has,
          lacks: d.lacks,
          steps: d.path.map((a) => a.label),
          files: {
            has: `${outDir}/${d.files.has}`,
            lacks: `${outDir}/${d.files.lacks}`,
            report: `${outDir}/${d.files.report}`,
          },
        })),
        configs: r.explored.configs,
        states: r.explored.states,
        seconds: r.explored.seconds,
      },
      null,
      2,
    )}\n`;
  }
  const header = ['#', 'configuration', ...r.kernels];
  const body = r.rows.map((row, i) => [
    String(i + 1),
    row.label,
    ...r.kernels.map((k) => cellText(row.cells[k]!)),
  ]);
  if (format === 'csv') {
    const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    return `${[header, ...body].map((l) => l.map(q).join(',')).join('\n')}\n`;
  }
  if (format === 'md') {
    const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
    return [
      line(header),
      line(header.map(() => '---')),
      ...body.map((b) => line([b[0]!, `\`${b[1]}\``, ...b.slice(2)])),
      '',
      ...legend.map((l) => `- ${l}`),
      '',
      'Differences (shortest scenario under each kernel):',
      '',
      ...diffLines.map((l) => `- ${l}`),
      '',
    ].join('\n');
  }
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [fmt(header), ...body.map(fmt), '', ...legend, '', ...diffLines, ''].join('\n');
}
