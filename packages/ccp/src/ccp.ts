import type { Fingerprint, Fork } from '@sevsim/hardware';
/**
 * The loaded ccp module: `loadCcp()` (module load + PSP probe, docs/reference/linux-ccp.md §3.1) returns a
 * `Ccp`, which implements the symbols sev-dev.c exports to kvm_amd (`SevDriver`) plus the
 * /dev/sev ioctls, the [PENDING] fw_upload device, module unload and the driver's cached view.
 */
import { type Mailbox, NO_FW_CALL, SevState, SEV_TMR_SIZE } from '@sevsim/psp-abi';
import type { CmdResult, FwCallResult, PlatformInitArgs, SevDriver } from './driver-api';
import { firmwareSupportedVmTypes, isSnpCiphertextHidingSupported, snpPolicyBits } from './features';
import { type FwUploadOutcome, sevFwUpload } from './fw-upload';
import { type IoctlOptions, type IoctlResult, type SevIoctlCmd, sevIoctl } from './ioctl';
import type { KernelContext } from './kernel';
import { PageAllocator } from './page-allocator';
import { DEFAULT_CCP_PARAMS, type CcpParams } from './params';
import type { SnpPlatStatus } from './sev-device';
import { snpPlatformStatusLocked } from './platform-status';
import { sevPlatformInit } from './platform-init';
import { sevDevInit, sevPciInit } from './probe';
import type { CcpMutations, CcpProfile } from './profile';
import { pspDeviceNames, SP_DEVICES } from './psp-device';
import { allocFirmwarePages, freeFirmwarePages } from './firmware-pages';
import { forkDevice, type SevDevice } from './sev-device';
import { sevFirmwareShutdown } from './shutdown';
import { reclaimPages, sevDoCmdLocked } from './transport';

/** The driver's cached view of the platform (for the invariant "driver view == firmware"). */
export interface CcpView {
  readonly present: boolean;
  /** sev_plat_status.state as cached: 'UNINIT' | 'INIT' (WORKING only when read at probe). */
  readonly sevState: 'UNINIT' | 'INIT' | 'WORKING';
  readonly snpInitialized: boolean;
  /** Cached API version 'major.minor.build'. */
  readonly api: string;
  readonly tmrSize: number;
  readonly tmrAllocated: boolean;
  readonly nvAllocated: boolean;
  readonly pspDead: boolean;
  readonly panicNotifier: boolean;
  readonly leakedPages: number;
  readonly params: CcpParams;
}

const STATE_NAMES = ['UNINIT', 'INIT', 'WORKING'] as const;

export class Ccp implements SevDriver {
  /** @internal the driver state; tests and the scenario layer use `view()`. */
  readonly dev: SevDevice;

  constructor(dev: SevDevice) {
    this.dev = dev;
  }

  get present(): boolean {
    return this.dev.present;
  }

  /**
   * An independent copy of the loaded driver in a fork of the whole system (once per fork: kvm-amd
   * holds it too). The fork's owner copies the PSP first: ccp's mailbox is that copy.
   */
  fork(f: Fork): Ccp {
    return f.once(this, () => new Ccp(forkDevice(this.dev, f)));
  }

  get profile(): CcpProfile {
    return this.dev.profile;
  }

  /** sev_platform_init(args). */
  platformInit(args: PlatformInitArgs): FwCallResult {
    return sevPlatformInit(this.dev, args.probe, args.maxSnpAsid);
  }

  /** sev_platform_shutdown() → sev_firmware_shutdown(). */
  platformShutdown(): void {
    if (this.dev.present) sevFirmwareShutdown(this.dev, false);
  }

  /** sev_do_cmd(): error is NO_FW_CALL when the firmware was never reached. */
  issueCmd(id: number, buffer: Uint8Array): CmdResult {
    const r = sevDoCmdLocked(this.dev, id, buffer.length ? buffer : null);
    return { rc: r.rc, error: r.error ?? NO_FW_CALL, buffer: r.buffer };
  }

  isSnpCiphertextHidingSupported(): boolean {
    return isSnpCiphertextHidingSupported(this.dev);
  }

  snpPolicyBits(): bigint {
    return snpPolicyBits(this.dev);
  }

  firmwareSupportedVmTypes(): number {
    return firmwareSupportedVmTypes(this.dev);
  }

  snpAllocFirmwarePage(): number | null {
    return allocFirmwarePages(this.dev, 1);
  }

  snpFreeFirmwarePage(pfn: number): void {
    if (this.dev.present) freeFirmwarePages(this.dev, pfn, 1, false);
  }

  snpReclaimPages(pfn: number, npages: number): number {
    return reclaimPages(this.dev, pfn, npages, false);
  }

  /** __sev_do_snp_platform_status() under the mutex (the 7.2 hoisted helper). */
  snpPlatformStatus(): { rc: number; error: number; status: SnpPlatStatus | null } {
    const r = snpPlatformStatusLocked(this.dev);
    return { rc: r.rc, error: r.error ?? NO_FW_CALL, status: r.status };
  }

  /** /dev/sev SEV_ISSUE_CMD. */
  ioctl(cmd: SevIoctlCmd, opts: IoctlOptions = {}): IoctlResult {
    return sevIoctl(this.dev, cmd, opts);
  }

  /** [PENDING sev-fw-upload] write an image to /sys/class/firmware/sev; NO_INTERFACE without the patch. */
  fwUpload(image: Uint8Array): FwUploadOutcome {
    return sevFwUpload(this.dev, image);
  }

  /**
   * rmmod ccp: sev_pci_exit() → sev_firmware_shutdown(), then psp_dev_destroy(). The kernel
   * refuses (-EBUSY) while kvm_amd holds its symbols; the scenario layer tracks that refcount.
   */
  unload(): void {
    if (!this.dev.present) return;
    sevFirmwareShutdown(this.dev, false);
    this.dev.panicNotifier = false;
    this.dev.present = false;
  }

  /** The panic notifier (snp_shutdown_on_panic): only while registered; panic-mode shutdown. */
  panic(): void {
    if (this.dev.present && this.dev.panicNotifier) sevFirmwareShutdown(this.dev, true);
  }

  /**
   * The driver's cached view as the explorer tells states apart: presence, cached platform
   * states and API version, PSP health, whether TMR and NV buffers are held, pages leaked. Page
   * numbers are names: left out.
   */
  fingerprint(f: Fingerprint): void {
    const d = this.dev;
    f.bool(d.present)
      .str(STATE_NAMES[d.sevState] ?? 'UNINIT')
      .bool(d.snpInitialized);
    f.int(d.apiMajor).int(d.apiMinor).int(d.build).bool(d.pspDead);
    f.bool(d.tmrPfn !== null)
      .bool(d.nvPfn !== null)
      .int(d.leakedPfns.length);
  }

  view(): CcpView {
    const d = this.dev;
    return {
      present: d.present,
      sevState: STATE_NAMES[d.sevState] ?? 'UNINIT',
      snpInitialized: d.snpInitialized,
      api: `${d.apiMajor}.${d.apiMinor}.${d.build}`,
      tmrSize: d.tmrSize,
      tmrAllocated: d.tmrPfn !== null,
      nvAllocated: d.nvPfn !== null,
      pspDead: d.pspDead,
      panicNotifier: d.panicNotifier,
      leakedPages: d.leakedPfns.length,
      params: d.params,
    };
  }
}

/**
 * The ccp module before its init has run: a built-in ccp whose device_initcall comes later in link
 * order than its caller's (≤6.13, a built-in kvm_amd initialises first;
 * docs/reference/linux-ccp.md §7.4). Its exported symbols exist, but no PSP is probed, so each
 * finds no device. `spModInit()` runs the module init.
 */
export function ccpModule(
  ctx: KernelContext,
  mailbox: Mailbox,
  profile: CcpProfile & CcpMutations,
  params: Partial<CcpParams> = {},
): Ccp {
  const m = ctx.machine;
  return new Ccp({
    ctx,
    mailbox,
    profile,
    params: { ...DEFAULT_CCP_PARAMS, ...params },
    pages: new PageAllocator(m),
    name: pspDeviceNames(m)[0]!,
    present: false,
    apiMajor: 0,
    apiMinor: 0,
    build: 0,
    sevState: SevState.UNINIT,
    snpInitialized: false,
    snpPlatStatus: null,
    snpFeatInfo0: { eax: 0, ebx: 0, ecx: 0, edx: 0 },
    pspDead: false,
    pspTimeout: 0,
    cmdBufPfn: 0,
    cmdBufActive: false,
    cmdBufBackupActive: false,
    tmrPfn: null,
    tmrSize: SEV_TMR_SIZE,
    nvPfn: null,
    panicNotifier: false,
    leakedPfns: [],
    fwNeedsReinit: false,
    fwWantsRollback: false,
  });
}

/**
 * sp_mod_init(): sp_pci_probe() of every PSP function in bus order, then psp_pci_init() →
 * sev_pci_init() on the master. Afterwards `present === false` when SEV is unavailable.
 */
export function spModInit(ccp: Ccp): void {
  const dev = ccp.dev;
  const { ctx } = dev;
  const m = ctx.machine;
  const ccpEngine = SP_DEVICES[m.preset.pspPci.deviceId]?.ccp ?? false;
  pspDeviceNames(m).forEach((name, socket) => {
    // sp_init(): the function's CCP engine first; every queue belongs to the PSP (ccp5_init).
    if (ccpEngine) ctx.log.print(`${name}: no command queues available`);
    // psp_dev_init() → psp_init(): only the master socket's PSP reports SEV in its capability
    // register (AMDESE/AMDSEV#107, with dyndbg: "psp does not support SEV" on 0000:a2:00.1).
    if (socket > 0) ctx.log.debug('ccp', `${name}: psp does not support SEV`);
    else if (sevDevInit(dev)) {
      // devm_get_free_pages(order 1): cmd_buf and cmd_buf_backup.
      (dev as { cmdBufPfn: number }).cmdBufPfn = dev.pages.alloc(2);
      dev.present = true;
    }
    // No EPYC PSP offers the TEE interface (psp_check_tee_support).
    ctx.log.debug('ccp', `${name}: psp does not support TEE`);
    ctx.log.print(`${name}: psp enabled`);
  });
  if (dev.present) sevPciInit(dev);
}

/** modprobe ccp: the module's code, then its init (spModInit). */
export function loadCcp(
  ctx: KernelContext,
  mailbox: Mailbox,
  profile: CcpProfile & CcpMutations,
  params: Partial<CcpParams> = {},
): Ccp {
  const ccp = ccpModule(ctx, mailbox, profile, params);
  spModInit(ccp);
  return ccp;
}
