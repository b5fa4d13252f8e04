/**
 * The exploration space: axes over the machine, the kernel and the module parameters, whose
 * product is the list of configurations, plus the operator's alphabet and the depth bound.
 * Product order is fixed (axes in declaration order, values as written), so configuration
 * indices, worker splits and output are deterministic.
 */
import type { Json, KernelInput, MachineInput, ModuleName, VmType } from '@sevsim/scenario';

/**
 * `ciphertext_hiding_asids` axis values: none = 0, some = SOME_CTH_ASIDS, all = -1u
 * (docs/reference/linux-kvm-amd.md §2.5), or a number (small-ASID machines split at 1).
 */
export type CthAsids = 'none' | 'some' | 'all' | number;
export const SOME_CTH_ASIDS = 16;
export const ALL_CTH_ASIDS = 0xffff_ffff;

export type SevVmType = Exclude<VmType, 'default'>;

export interface KernelChoice {
  readonly version: string;
  readonly patches: readonly string[];
}

export interface Space {
  readonly name: string;
  readonly machine: {
    readonly cpu: readonly string[];
    /** BIOS "SEV-SNP support". */
    readonly snp: readonly boolean[];
    readonly iommu: readonly ('off' | 'passthrough' | 'translated')[];
    /** BIOS ciphertext-hiding capability; only presets that have it get `true`. */
    readonly ciphertextHiding: readonly boolean[];
    /** CPUID 0x8000001F EDX; 'default' = the preset's. */
    readonly minSevAsid: readonly (number | 'default')[];
    /**
     * CPUID 0x8000001F ECX, the number of ASIDs; 'default' = the preset's. Small machines (e.g. 4
     * ASIDs with minSevAsid 3: SEV 3–4, SEV-ES/SNP 1–2) have finite state spaces that an
     * unbounded search exhausts. Absent = ['default'].
     */
    readonly asids?: readonly (number | 'default')[];
    /** Firmware the platform boots with; 'default' = the preset's. */
    readonly firmware: readonly string[];
  };
  readonly kernel: {
    readonly releases: readonly KernelChoice[];
    /** Each entry is one `kernel.builtin` list. */
    readonly builtin: readonly (readonly ModuleName[])[];
  };
  readonly params: {
    readonly 'ccp.psp_init_on_probe': readonly boolean[];
    readonly 'kvm_amd.sev': readonly boolean[];
    readonly 'kvm_amd.sev_es': readonly boolean[];
    readonly 'kvm_amd.sev_snp': readonly boolean[];
    /** Only releases with the parameter (6.18+) take values other than 'none'. */
    readonly 'kvm_amd.ciphertext_hiding_asids': readonly CthAsids[];
  };
  readonly actions: {
    /** At most this many VMs open at once. */
    readonly maxVms: number;
    readonly vmTypes: readonly SevVmType[];
    /** Images `fw.update` may offer (only versions other than the running one are tried). */
    readonly fwUpdate: readonly string[];
    readonly fwCommit: boolean;
    readonly hostRead: boolean;
    /** modprobe / rmmod of ccp and kvm_amd. */
    readonly modules: boolean;
  };
  /** Longest action path explored; `Infinity` = no bound (run to the fixpoint). */
  readonly depth: number;
}

/** One point of the space: a scenario's `machine` and `kernel`. */
export interface Config {
  readonly index: number;
  readonly machine: MachineInput;
  readonly kernel: KernelInput;
  /** Short human label, e.g. `genoa snp=on iommu=translated fw=1.55.25 7.2 builtin=- probe=0 sev_snp=1`. */
  readonly label: string;
}

/** Minimal facts about CPU presets the product needs (from the validator's catalog). */
export interface PresetFacts {
  ciphertextHidingCapable(cpu: string): boolean;
  /** Releases that have kvm_amd.ciphertext_hiding_asids. */
  hasCthParam(version: string, patches: readonly string[]): boolean;
  /** The preset's CPUID 0x8000001F EDX (min SEV ASID). */
  minSevAsid(cpu: string): number;
}

function product<T>(axes: readonly (readonly T[])[]): T[][] {
  let out: T[][] = [[]];
  for (const axis of axes) {
    const next: T[][] = [];
    for (const prefix of out) for (const v of axis) next.push([...prefix, v]);
    out = next;
  }
  return out;
}

function cthValue(v: CthAsids): number {
  if (typeof v === 'number') return v;
  return v === 'none' ? 0 : v === 'some' ? SOME_CTH_ASIDS : ALL_CTH_ASIDS;
}

const onOff = (b: boolean) => (b ? 'on' : 'off');

/** Every configuration of the space, deduplicated (axes that do not apply collapse). */
export function configsOf(space: Space, facts: PresetFacts): Config[] {
  const m = space.machine;
  const p = space.params;
  const rows = product<unknown>([
    m.cpu,
    m.snp,
    m.iommu,
    m.ciphertextHiding,
    m.minSevAsid,
    m.asids ?? ['default'],
    m.firmware,
    space.kernel.releases,
    space.kernel.builtin,
    p['ccp.psp_init_on_probe'],
    p['kvm_amd.sev'],
    p['kvm_amd.sev_es'],
    p['kvm_amd.sev_snp'],
    p['kvm_amd.ciphertext_hiding_asids'],
  ]);
  const seen = new Set<string>();
  const out: Config[] = [];
  for (const row of rows) {
    const [cpu, snp, iommu, cthBios, minSev, asids, fw, rel, builtin, probe, sev, sevEs, sevSnp, cthRaw] =
      row as [
        string,
        boolean,
        'off' | 'passthrough' | 'translated',
        boolean,
        number | 'default',
        number | 'default',
        string,
        KernelChoice,
        readonly ModuleName[],
        boolean,
        boolean,
        boolean,
        boolean,
        CthAsids,
      ];
    // The BIOS minimum SEV ASID can be at most one above the ASID count (CPUID 0x8000001F).
    if (asids !== 'default' && (minSev === 'default' ? facts.minSevAsid(cpu) : minSev) > asids + 1) continue;
    const cth = cthBios && facts.ciphertextHidingCapable(cpu);
    const cthAsids: CthAsids = facts.hasCthParam(rel.version, rel.patches) ? cthRaw : 'none';
    const machine: MachineInput = {
      cpu,
      ...(asids === 'default' ? {} : { asids }),
      ...(fw === 'default' ? {} : { firmware: fw }),
      bios: {
        snp,
        ciphertextHiding: cth,
        ...(minSev === 'default' ? {} : { minSevAsid: minSev }),
      },
      iommu,
    };
    const params: Record<string, Json> = {
      'ccp.psp_init_on_probe': probe ? 1 : 0,
      'kvm_amd.sev': sev ? 1 : 0,
      'kvm_amd.sev_es': sevEs ? 1 : 0,
      'kvm_amd.sev_snp': sevSnp ? 1 : 0,
    };
    if (cthValue(cthAsids) !== 0) params['kvm_amd.ciphertext_hiding_asids'] = cthValue(cthAsids);
    const kernel: KernelInput = {
      version: rel.version,
      patches: [...rel.patches],
      builtin: [...builtin],
      params,
    };
    const key = JSON.stringify([machine, kernel]);
    if (seen.has(key)) continue;
    seen.add(key);
    const label = [
      cpu,
      `snp=${onOff(snp)}`,
      `iommu=${iommu}`,
      ...(facts.ciphertextHidingCapable(cpu) ? [`cth=${onOff(cth)}`] : []),
      ...(asids === 'default' ? [] : [`asids=${asids}`]),
      ...(minSev === 'default' ? [] : [`minSevAsid=${minSev}`]),
      `fw=${fw}`,
      [rel.version, ...rel.patches].join('+'),
      `builtin=${builtin.length ? builtin.join(',') : '-'}`,
      `probe=${probe ? 1 : 0}`,
      `sev=${sev ? 1 : 0}`,
      `sev_es=${sevEs ? 1 : 0}`,
      `sev_snp=${sevSnp ? 1 : 0}`,
      ...(cthValue(cthAsids) === 0 ? [] : [`cth_asids=${cthAsids}`]),
    ].join(' ');
    out.push({ index: out.length, machine, kernel, label });
  }
  return out;
}
