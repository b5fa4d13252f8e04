/** What the VM-level code of sev.c shares: the kernel, the ccp driver, and the load-time setup. */
import type { KernelContext, SevDriver } from '@sevsim/ccp';
import type { MiscCgroup } from './misc-cgroup';
import type { KvmAmdMutations, KvmAmdProfile } from './releases';
import type { SevSetup } from './sev-hardware-setup';

export interface KvmSev {
  readonly ctx: KernelContext;
  readonly driver: SevDriver;
  readonly profile: KvmAmdProfile & KvmAmdMutations;
  readonly setup: SevSetup;
  readonly cgroup: MiscCgroup;
  /** A kernel buffer for blobs the firmware writes (LAUNCH_MEASURE), SEV_FW_BLOB_MAX_SIZE bytes. */
  blobBuffer(): number;
}

/** Result of one KVM_MEMORY_ENCRYPT_OP: the ioctl return and `kvm_sev_cmd.error`. */
export interface SevCmdResult {
  /** 0 or a negative errno. */
  readonly rc: number;
  /** Firmware status copied into kvm_sev_cmd.error (0 when none). */
  readonly error: number;
  /** Output fields the command copies back to userspace. */
  readonly data?: Readonly<Record<string, number | bigint>>;
  /**
   * Which kernel check refused, where checks share an errno (three return -ENOTTY before a SEV
   * guest exists): for `explain`, never part of the ioctl's result.
   */
  readonly why?: string;
}

export const ok = (data?: Record<string, number | bigint>): SevCmdResult =>
  data ? { rc: 0, error: 0, data } : { rc: 0, error: 0 };
export const fail = (rc: number, error = 0, why?: string): SevCmdResult =>
  why === undefined ? { rc, error } : { rc, error, why };
