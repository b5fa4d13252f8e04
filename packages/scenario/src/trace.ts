/**
 * The trace of one scenario run: what `sevsim run --trace OUT` writes, what the playback app and
 * the Chrome Trace export read. The `result` member is exactly the contract's `--json` document
 * (docs/contracts/scenario-v1.md); everything else extends it.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One firmware command as a step caused it. */
export interface PspCall {
  readonly cmd: string;
  readonly id: number;
  readonly status: number;
  readonly statusName: string;
  /** Which layer issued it: the driver, kvm-amd through the driver, or a raw `psp:` step. */
  readonly by: 'ccp' | 'kvm_amd' | 'raw';
  /** For a refused command: the firmware rule that refused it and the fact it models. */
  readonly guard?: { readonly id: string; readonly fact: string };
}

/** The contract's per-step outcome (`steps[i]` of the `--json` result). */
export interface StepOutcome {
  readonly op: string;
  readonly ok: boolean;
  readonly errno?: string | null;
  readonly fwError?: number | null;
  readonly psp?: ReadonlyArray<{ readonly cmd: string; readonly status: number }>;
  /** expect steps only */
  readonly failures?: readonly string[];
  /** host.read steps only */
  readonly read?: 'plaintext' | 'ciphertext' | 'ff';
}

/** The contract's `sevsim run --json` document for one file. */
export interface RunResult {
  readonly version: 1;
  readonly scenario: string;
  readonly passed: boolean;
  readonly steps: readonly StepOutcome[];
  readonly state: State;
  readonly dmesg: readonly string[];
  /** Extension: the resolved configuration, so a run is reproducible from its output alone. */
  readonly config: ResolvedConfig;
}

export type RangeStatus = 'enabled' | 'unusable' | 'disabled';
export interface AsidRange {
  readonly status: RangeStatus;
  readonly min: number;
  readonly max: number;
}

/** The contract's `state` object (paths of docs/contracts/scenario-v1.md "State", plus extensions). */
export interface State {
  readonly host: {
    readonly snp: boolean;
    readonly snpEn: boolean;
    readonly iommu: 'off' | 'passthrough' | 'translated';
  };
  readonly firmware: {
    readonly version: string;
    readonly committedVersion: string;
    readonly sev: 'UNINIT' | 'INIT' | 'WORKING';
    readonly snp: 'UNINIT' | 'INIT';
    readonly ciphertextHiding: boolean;
    readonly maxSnpAsid: number;
    readonly rmpInitialised: boolean;
  };
  readonly modules: {
    readonly ccp: {
      readonly loaded: boolean;
      readonly builtin: boolean;
      readonly params: Record<string, Json>;
    };
    readonly kvm_amd: {
      readonly loaded: boolean;
      readonly builtin: boolean;
      readonly params: Record<string, Json>;
    };
  };
  readonly kvm: {
    readonly sev: AsidRange;
    readonly sevEs: AsidRange;
    readonly snp: AsidRange;
    readonly vmTypes: readonly number[];
  };
  readonly vms: Record<
    string,
    {
      readonly type: 'default' | 'sev' | 'sev-es' | 'snp';
      readonly state: 'created' | 'initialized' | 'running' | 'destroyed';
      readonly asid: number | null;
    }
  >;
}

export interface ResolvedConfig {
  readonly machine: Json;
  readonly kernel: {
    readonly version: string;
    readonly patches: readonly string[];
    readonly builtin: readonly string[];
    readonly params: Record<string, Json>;
  };
}

/** Per-layer detail for the playback panels (beyond the contract's `state`). */
export interface LayerViews {
  readonly hardware: {
    readonly cpu: string;
    readonly snpEnPerCore: readonly boolean[];
    readonly onlinePerCore: readonly boolean[];
    readonly iommu: { readonly mode: string; readonly snpEnforced: boolean };
    readonly rmpCounts: Record<string, number>;
    readonly ciphertextHiding: boolean;
  };
  readonly firmware: {
    readonly sev: string;
    readonly snp: string;
    readonly version: string;
    readonly guests: ReadonlyArray<{
      readonly kind: 'sev' | 'snp';
      readonly handle: number;
      readonly state: string;
      readonly asid: number;
    }>;
    readonly asids: { readonly dirty: readonly number[]; readonly inUse: readonly number[] };
  };
  readonly ccp: Record<string, Json>;
  readonly kvm: {
    readonly params: Record<string, Json>;
    readonly asidsInUse: readonly number[];
    readonly asidsReclaim: readonly number[];
    readonly minSevAsid: number;
    readonly maxSevAsid: number;
  };
}

/** What a run records of one step; index -1 is the boot. */
export interface StepRecord {
  readonly index: number;
  readonly op: string;
  /** 1-based line of the step in the scenario file (0 for boot). */
  readonly line: number;
  readonly args: Json;
  readonly outcome: StepOutcome;
  readonly psp: readonly PspCall[];
  /** Kernel log lines this step printed. */
  readonly dmesg: readonly string[];
  /** For a failing step: why, in one sentence (what `sevsim explain` prints). */
  readonly explanation?: string;
}

/** One step of the trace: the record plus the state after it and the per-layer views. */
export interface TraceStep extends StepRecord {
  readonly state: State;
  /** Dotted state paths whose value changed in this step. */
  readonly changed: readonly string[];
  readonly layers: LayerViews;
}

/**
 * A run without per-step snapshots (`runLog`): each step's outcome, firmware commands, kernel log
 * lines and explanation, and the contract result. Its size grows with the steps, not with
 * steps × VMs, so long scenarios run in bounded memory.
 */
export interface RunLog<S extends StepRecord = StepRecord> {
  readonly file: string;
  /** The scenario text as the user wrote it. */
  readonly source: string;
  readonly boot: S;
  readonly steps: readonly S[];
  readonly result: RunResult;
}

/**
 * One aligned kernel-log line of a diagnosis (`sevsim diagnose --out`): the real line, the
 * simulated line, or both when they matched or say the same in different wording.
 */
export interface DiagnosisRow {
  /** The trace step whose kernel log printed `simulated`; null for boot or when there is none. */
  readonly step: number | null;
  /** The line of the user's log (1-based in the concatenated input), null if only simulated. */
  readonly real: { readonly line: number; readonly text: string } | null;
  /** The simulated kernel-log line, null if only in the real log. */
  readonly simulated: string | null;
  /**
   * Both lines report the same fact in different releases' wording (e.g. an AMD snp-host
   * kernel's `SEV-SNP: RMP table physical address` beside mainline's `physical range`): the real
   * line is not counted as matched.
   */
  readonly wording?: true;
}

/** The real log a diagnosis trace was replayed from, aligned with the simulated one. */
export interface Diagnosis {
  /** The log files read, in order. */
  readonly sources: readonly string[];
  readonly rows: readonly DiagnosisRow[];
}

export interface Trace extends RunLog<TraceStep> {
  readonly format: 'sevsim-trace';
  readonly version: 1;
  /** Only in a diagnosis trace: the real kernel log beside the simulated one. */
  readonly diagnosis?: Diagnosis;
}
