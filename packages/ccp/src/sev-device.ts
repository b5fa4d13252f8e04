/**
 * `struct sev_device` plus the sev-dev.c file statics (docs/reference/linux-ccp.md §2.2): everything the
 * driver caches about the firmware. One instance per loaded ccp module.
 */
import type { Decoded, Mailbox, SevUserDataSnpStatus, SnpFeatureInfo } from '@sevsim/psp-abi';
import { deepFreeze, type Fork } from '@sevsim/hardware';
import { forkKernelContext, type KernelContext } from './kernel';
import type { PageAllocator } from './page-allocator';
import type { CcpParams } from './params';
import type { CcpMutations, CcpProfile } from './profile';
import { hex } from './psp-device';

export type SnpPlatStatus = Decoded<typeof SevUserDataSnpStatus.fields>;
export type SnpFeatInfo = Decoded<typeof SnpFeatureInfo.fields>;

export interface SevDevice {
  readonly ctx: KernelContext;
  readonly mailbox: Mailbox;
  readonly profile: CcpProfile & CcpMutations;
  readonly params: CcpParams;
  readonly pages: PageAllocator;
  /** "ccp 0000:01:00.5": the master PSP's dev_* prefix. */
  readonly name: string;
  /** psp_master->sev_data != NULL. */
  present: boolean;
  apiMajor: number;
  apiMinor: number;
  build: number;
  /** sev_plat_status.state: set from PLATFORM_STATUS at probe, then only INIT/UNINIT by the driver. */
  sevState: number;
  snpInitialized: boolean;
  /** Probe-time SNP_PLATFORM_STATUS / SNP_FEATURE_INFO leaf 0 (zeros when not queried, docs/reference/linux-ccp.md §3.9). */
  snpPlatStatus: SnpPlatStatus | null;
  snpFeatInfo0: SnpFeatInfo;
  /** psp_dead: every later command fails with -EBUSY (docs/reference/linux-ccp.md §3.12). */
  pspDead: boolean;
  /**
   * psp_timeout, seconds: psp_probe_timeout from sev_pci_init() until a command completes, then
   * psp_cmd_timeout (drivers/crypto/ccp/sev-dev.c __sev_do_cmd_locked).
   */
  pspTimeout: number;
  /** The two command-buffer pages (cmd_buf, cmd_buf_backup) and whether each is in use. */
  readonly cmdBufPfn: number;
  cmdBufActive: boolean;
  cmdBufBackupActive: boolean;
  /** sev_es_tmr (first pfn) and sev_es_tmr_size. */
  tmrPfn: number | null;
  tmrSize: number;
  /** sev_init_ex_buffer (first pfn of 8 pages). */
  nvPfn: number | null;
  /** snp_panic_notifier registered. */
  panicNotifier: boolean;
  /** Pages handed to snp_leak_pages (never returned to the allocator). */
  readonly leakedPfns: number[];
  /** [PENDING sev-fw-upload] sev_firmware_needs_reinit / dlfwex_wants_rollback (docs/reference/linux-ccp.md §5.2). */
  fwNeedsReinit: boolean;
  fwWantsRollback: boolean;
}

/**
 * An independent copy of the driver's state in a fork of the whole system: the kernel context
 * and page allocator copied (once per fork), the mailbox the copy the fork's owner made of the
 * PSP (ccp sees the PSP only as its mailbox). The profile, the parameters and the probe-time
 * status structs are replaced whole, never changed in place, so they are frozen and shared.
 */
export function forkDevice(dev: SevDevice, f: Fork): SevDevice {
  return {
    ctx: forkKernelContext(dev.ctx, f),
    mailbox: f.copied(dev.mailbox),
    profile: dev.profile,
    params: deepFreeze(dev.params),
    pages: dev.pages.fork(f),
    name: dev.name,
    present: dev.present,
    apiMajor: dev.apiMajor,
    apiMinor: dev.apiMinor,
    build: dev.build,
    sevState: dev.sevState,
    snpInitialized: dev.snpInitialized,
    snpPlatStatus: dev.snpPlatStatus && deepFreeze(dev.snpPlatStatus),
    snpFeatInfo0: deepFreeze(dev.snpFeatInfo0),
    pspDead: dev.pspDead,
    pspTimeout: dev.pspTimeout,
    cmdBufPfn: dev.cmdBufPfn,
    cmdBufActive: dev.cmdBufActive,
    cmdBufBackupActive: dev.cmdBufBackupActive,
    tmrPfn: dev.tmrPfn,
    tmrSize: dev.tmrSize,
    nvPfn: dev.nvPfn,
    panicNotifier: dev.panicNotifier,
    leakedPfns: dev.leakedPfns.slice(),
    fwNeedsReinit: dev.fwNeedsReinit,
    fwWantsRollback: dev.fwWantsRollback,
  };
}

export function devLog(dev: SevDevice, msg: string): void {
  dev.ctx.log.print(`${dev.name}: ${msg}`);
}

/** dev_dbg(): only with ccp's dynamic debug sites enabled. */
export function devDbg(dev: SevDevice, msg: string): void {
  dev.ctx.log.debug('ccp', `${dev.name}: ${msg}`);
}

/** sev_version_greater_or_equal(maj, min) on the cached API version. */
export function versionAtLeast(dev: SevDevice, major: number, minor: number): boolean {
  return dev.apiMajor > major || (dev.apiMajor === major && dev.apiMinor >= minor);
}

export function apiString(dev: SevDevice): string {
  return `API:${dev.apiMajor}.${dev.apiMinor} build:${dev.build}`;
}

export { hex };
