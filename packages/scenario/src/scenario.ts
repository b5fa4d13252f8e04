/**
 * A validated scenario: what the engine runs. Produced only by `parseScenario` / `loadScenario`
 * (docs/contracts/scenario-v1.md "File" and "Steps"); every step keeps the line it was written on.
 */
import type { ModuleName } from './catalog';
import type { Json } from './trace';

export type VmType = 'default' | 'sev' | 'sev-es' | 'snp';
export type IommuModeName = 'off' | 'passthrough' | 'translated';
export type ReadResult = 'plaintext' | 'ciphertext' | 'ff';

export interface MachineInput {
  readonly cpu?: string;
  /** CPUID family and model; together they may name the CPU instead of `cpu`. */
  readonly family?: number;
  readonly model?: number;
  readonly asids?: number;
  readonly firmware?: string;
  readonly bios?: {
    /** 'auto' is the BIOS setting that leaves SME off (resolved as false). */
    readonly smee?: boolean | 'auto';
    readonly snp?: boolean;
    readonly minSevAsid?: number;
    readonly ciphertextHiding?: boolean;
    readonly snpMemoryCoverage?: 'full' | 'partial' | 'none';
    readonly iommu?: boolean;
    readonly smmLock?: boolean;
    readonly iommuSnp?: boolean;
    readonly bootMode?: 'uefi' | 'legacy';
    readonly rmpUnaligned?: 'none' | 'start' | 'end' | 'both';
    /** A segmented RMP where the BIOS put it: RMP_CFG's segment size, RMP_BASE, the RST entries. */
    readonly rmpSegments?: RmpSegmentsInput;
    /** false: a Turin BIOS that leaves RMP_CFG's segmented-RMP bit clear and places one contiguous RMP. */
    readonly rmpSegmented?: boolean;
  };
  readonly iommu?: IommuModeName;
  readonly sockets?: 1 | 2;
  readonly cores?: number;
  readonly offlineCores?: readonly number[];
  readonly memoryGiB?: number;
  /** Seconds the PSP takes to answer a command, by name, or 'never'. */
  readonly pspResponseSeconds?: Readonly<Record<string, number | 'never'>>;
  /** A status the PSP answers a command with instead of running it, by command name. */
  readonly pspMailboxStatus?: Readonly<Record<string, number>>;
  /** The board's PSP PCI addresses, socket 0 (the master) first. */
  readonly pspPci?: readonly string[];
}

export interface RmpSegmentsInput {
  readonly segmentGiB: number;
  readonly base: number;
  readonly segments: readonly { readonly index: number; readonly at: number; readonly mappedGiB: number }[];
}

export interface KernelInput {
  readonly version?: string;
  readonly patches?: readonly string[];
  readonly builtin?: readonly ModuleName[];
  readonly params?: Readonly<Record<string, Json>>;
}

export interface Expectation {
  readonly ok?: boolean;
  readonly errno?: string | null;
  /** Firmware status as a number (a name in the file is converted by the validator). */
  readonly fwError?: number | null;
  readonly read?: ReadResult;
  readonly state?: Readonly<Record<string, Json>>;
  readonly dmesg?: string;
}

interface At {
  /** 1-based line of the step in the file. */
  readonly line: number;
}

export type Step = At &
  (
    | { readonly op: 'reboot' }
    | { readonly op: 'kdump' }
    | {
        readonly op: 'modprobe';
        readonly module: ModuleName;
        readonly params: Readonly<Record<string, Json>>;
      }
    | { readonly op: 'rmmod'; readonly module: ModuleName }
    | { readonly op: 'vm.create'; readonly id: string; readonly type: VmType }
    | {
        readonly op: 'vm.init';
        readonly id: string;
        readonly flags?: number;
        readonly vmsaFeatures?: number;
        readonly ghcbVersion?: number;
        readonly legacy?: boolean;
        readonly es?: boolean;
      }
    | { readonly op: 'vm.launch'; readonly id: string; readonly policy?: number }
    | { readonly op: 'vm.destroy'; readonly id: string }
    | { readonly op: 'fw.update'; readonly version: string; readonly svn?: number; readonly signed?: boolean }
    | { readonly op: 'fw.commit' }
    | {
        readonly op: 'sev.ioctl';
        readonly cmd: string;
        readonly writable?: boolean;
        readonly length?: number;
        readonly pdhCertLen?: number;
        readonly certChainLen?: number;
        readonly reportedTcb?: number;
        readonly maskChipId?: boolean;
        readonly maskChipKey?: boolean;
      }
    | {
        readonly op: 'psp';
        readonly cmd: string;
        readonly fields: Readonly<Record<string, number | boolean | string>>;
      }
    | { readonly op: 'host.read'; readonly id: string; readonly page: number }
    | { readonly op: 'expect'; readonly expect: Expectation }
  );

export interface Scenario {
  readonly version: 1;
  readonly name: string;
  readonly description?: string;
  readonly machine: MachineInput;
  readonly kernel: KernelInput;
  readonly steps: readonly Step[];
  /** Where it was read from and its text, for traces and messages. */
  readonly file: string;
  readonly source: string;
}
