/**
 * The kvm_amd module's SEV side: load (sev_hardware_setup), KVM_CREATE_VM, KVM_CREATE_VCPU,
 * KVM_MEMORY_ENCRYPT_OP, VM release and unload (sev_hardware_unsetup).
 */
import {
  deepFreeze,
  Fingerprint,
  type Fork,
  type ItemDigest,
  PAGE_SIZE,
  type Writable,
} from '@sevsim/hardware';
import { SEV_FW_BLOB_MAX_SIZE } from '@sevsim/psp-abi';
import { Errno, forkKernelContext, type KernelContext, type SevDriver } from '@sevsim/ccp';
import { sevFlushAsids } from './asid-alloc';
import { type KvmSevInit, sevInit2, sevLegacyInit } from './guest-init';
import { fail, type KvmSev, ok, type SevCmdResult } from './kvm-sev';
import { MiscCgroup } from './misc-cgroup';
import { type KvmAmdParams, paramsForRelease } from './params';
import type { KvmAmdMutations, KvmAmdProfile } from './releases';
import { forkSetup, type SevSetup, sevHardwareSetup } from './sev-hardware-setup';
import { svmAllocSaveAreas, svmDisableVirtualization, svmEnableVirtualization } from './svm-cpu';
import {
  type KvmSevLaunchMeasure,
  type KvmSevLaunchStart,
  type KvmSevLaunchUpdateData,
  sevGuestStatus,
  sevLaunchFinish,
  sevLaunchMeasure,
  sevLaunchStart,
  sevLaunchUpdateData,
  sevLaunchUpdateVmsa,
} from './sev-launch';
import {
  type KvmSevSnpLaunchFinish,
  type KvmSevSnpLaunchStart,
  type KvmSevSnpLaunchUpdate,
  snpEnableReqCerts,
  snpLaunchFinish,
  snpLaunchStart,
  snpLaunchUpdate,
} from './snp-launch';
import { destroyVmState } from './vm-teardown';
import {
  forkVm,
  GUEST_MEMORY_PAGES,
  isSnpGuest,
  type Vm,
  type VmType,
  VmTypeId,
  type VmView,
  vmView,
} from './vm';

/** enum sev_cmd_id (docs/reference/linux-kvm-amd.md §4.1). */
export const SevCmdId = {
  KVM_SEV_INIT: 0,
  KVM_SEV_ES_INIT: 1,
  KVM_SEV_LAUNCH_START: 2,
  KVM_SEV_LAUNCH_UPDATE_DATA: 3,
  KVM_SEV_LAUNCH_UPDATE_VMSA: 4,
  KVM_SEV_LAUNCH_SECRET: 5,
  KVM_SEV_LAUNCH_MEASURE: 6,
  KVM_SEV_LAUNCH_FINISH: 7,
  KVM_SEV_SEND_START: 8,
  KVM_SEV_SEND_UPDATE_DATA: 9,
  KVM_SEV_SEND_UPDATE_VMSA: 10,
  KVM_SEV_SEND_FINISH: 11,
  KVM_SEV_RECEIVE_START: 12,
  KVM_SEV_RECEIVE_UPDATE_DATA: 13,
  KVM_SEV_RECEIVE_UPDATE_VMSA: 14,
  KVM_SEV_RECEIVE_FINISH: 15,
  KVM_SEV_GUEST_STATUS: 16,
  KVM_SEV_DBG_DECRYPT: 17,
  KVM_SEV_DBG_ENCRYPT: 18,
  KVM_SEV_CERT_EXPORT: 19,
  KVM_SEV_GET_ATTESTATION_REPORT: 20,
  KVM_SEV_SEND_CANCEL: 21,
  KVM_SEV_INIT2: 22,
  KVM_SEV_SNP_LAUNCH_START: 100,
  KVM_SEV_SNP_LAUNCH_UPDATE: 101,
  KVM_SEV_SNP_LAUNCH_FINISH: 102,
  KVM_SEV_SNP_ENABLE_REQ_CERTS: 103,
} as const;

/** The commands this model implements, with their argument structs. */
export interface SevCmdData {
  KVM_SEV_INIT: undefined;
  KVM_SEV_ES_INIT: undefined;
  KVM_SEV_INIT2: KvmSevInit;
  KVM_SEV_LAUNCH_START: KvmSevLaunchStart;
  KVM_SEV_LAUNCH_UPDATE_DATA: KvmSevLaunchUpdateData;
  KVM_SEV_LAUNCH_UPDATE_VMSA: undefined;
  KVM_SEV_LAUNCH_MEASURE: KvmSevLaunchMeasure;
  KVM_SEV_LAUNCH_FINISH: undefined;
  KVM_SEV_GUEST_STATUS: undefined;
  KVM_SEV_SNP_LAUNCH_START: KvmSevSnpLaunchStart;
  KVM_SEV_SNP_LAUNCH_UPDATE: KvmSevSnpLaunchUpdate;
  KVM_SEV_SNP_LAUNCH_FINISH: KvmSevSnpLaunchFinish;
  KVM_SEV_SNP_ENABLE_REQ_CERTS: undefined;
}

export type SevCmdName = keyof SevCmdData;

/** One KVM_MEMORY_ENCRYPT_OP argument; a numeric id reaches the dispatcher's own checks. */
export type SevCmd = { [K in SevCmdName]: { id: K; data?: SevCmdData[K] } }[SevCmdName] | { id: number };

/** A real command this model does not implement (migration, secrets, debug, attestation). */
export class UnmodelledSevCommandError extends Error {
  override readonly name = 'UnmodelledSevCommandError';
}

const idName = new Map<number, string>(Object.entries(SevCmdId).map(([n, id]) => [id, n]));

export interface AsidRangeView {
  readonly status: 'enabled' | 'unusable' | 'disabled';
  readonly min: number;
  readonly max: number;
}

export interface KvmAmdView {
  readonly loaded: boolean;
  readonly builtin: boolean;
  /** As /sys/module/kvm_amd/parameters/* reads after load (effective values). */
  readonly params: Readonly<Record<string, boolean | number>>;
  readonly sev: AsidRangeView;
  readonly sevEs: AsidRangeView;
  readonly snp: AsidRangeView;
  /** KVM_CAP_VM_TYPES, as type numbers. */
  readonly vmTypes: number[];
  readonly supportedVmsaFeatures: number;
  readonly snpPolicyBits: number;
  readonly asids: { readonly inUse: number[]; readonly reclaim: number[] };
  readonly miscCgroup: ReturnType<MiscCgroup['view']>;
  /** Open VMs (destroyed ones are off KVM's vm_list). */
  readonly vms: VmView[];
}

/** `KvmAmdView` without the ASID bitmaps, the misc cgroup and the VMs (`KvmAmd.platformView()`). */
export type KvmAmdPlatformView = Omit<KvmAmdView, 'asids' | 'miscCgroup' | 'vms'>;

export interface LoadOptions {
  /** Built into the kernel: loaded at boot, cannot be removed. */
  readonly builtin: boolean;
}

function rangeView(enabled: boolean, usable: boolean, min: number, max: number): AsidRangeView {
  return { status: !enabled ? 'disabled' : usable ? 'enabled' : 'unusable', min, max };
}

/** The setup's part of `KvmAmd.fingerprint`: the three ASID ranges and the VM types. */
function setupDigest(s: SevSetup): ItemDigest {
  return Fingerprint.item((f) => {
    const range = (r: AsidRangeView) => f.str(r.status).int(r.min).int(r.max);
    range(rangeView(s.sevEnabled, s.usable.sev, s.minSevAsid, s.maxSevAsid));
    range(rangeView(s.sevEsEnabled, s.usable.sevEs, s.minSevEsAsid, s.maxSevEsAsid));
    range(rangeView(s.snpEnabled, s.usable.snp, s.minSnpAsid, s.maxSnpAsid));
    f.int(s.vmTypes & 0xff);
  });
}

export class KvmAmd implements KvmSev {
  readonly setup: SevSetup;
  readonly cgroup = new MiscCgroup();
  /** Open VMs: kvm_destroy_vm() takes a VM off vm_list, so a destroyed one is not kept. */
  private vms: Vm[] = [];
  private vmsCreated = 0;
  private blobPfn: number | null = null;
  private loaded = true;
  /** The per-CPU host save areas (svm_cpu_init), one page per possible CPU from here. */
  private saveAreaPfn: number;
  /** The fingerprint's share of the ASID ranges and VM types, which never change after load: hashed once. */
  private setupDigest: ItemDigest;

  constructor(
    readonly ctx: KernelContext,
    readonly driver: SevDriver,
    readonly profile: KvmAmdProfile & KvmAmdMutations,
    private requested: KvmAmdParams,
    readonly builtin: boolean,
  ) {
    this.saveAreaPfn = svmAllocSaveAreas(ctx.machine);
    this.setup = sevHardwareSetup(ctx, driver, profile, requested, this.cgroup);
    this.setupDigest = setupDigest(this.setup);
    // kvm_init() after the vendor setup: with enable_virt_at_load every CPU gets VM_HSAVE_PA now.
    if (profile.enableVirtAtLoad) svmEnableVirtualization(ctx.machine, this.saveAreaPfn);
  }

  /**
   * An independent copy of the loaded module in a fork of the whole system. The fork's owner
   * copies ccp first: KVM sees it only as its driver, and the copy's driver is ccp's copy. The
   * setup results and the requested parameters never change after load: frozen and shared, but
   * for the ASID bitmaps the setup holds.
   */
  fork(f: Fork): KvmAmd {
    const s = this.setup;
    const c = Object.create(KvmAmd.prototype) as KvmAmd;
    const w = c as Writable<KvmAmd>;
    w.setup = forkSetup(s);
    w.cgroup = this.cgroup.fork();
    const vms: Vm[] = [];
    for (const vm of this.vms) vms.push(forkVm(vm, f));
    c.vms = vms;
    c.vmsCreated = this.vmsCreated;
    c.blobPfn = this.blobPfn;
    c.loaded = this.loaded;
    c.saveAreaPfn = this.saveAreaPfn;
    c.setupDigest = this.setupDigest;
    w.ctx = forkKernelContext(this.ctx, f);
    w.driver = f.copied(this.driver);
    w.profile = this.profile;
    c.requested = deepFreeze(this.requested);
    w.builtin = this.builtin;
    return c;
  }

  get isLoaded(): boolean {
    return this.loaded;
  }

  blobBuffer(): number {
    if (this.blobPfn === null) this.blobPfn = this.ctx.machine.allocPages(SEV_FW_BLOB_MAX_SIZE / PAGE_SIZE);
    return this.blobPfn;
  }

  /** Effective parameter values (docs/reference/linux-kvm-amd.md §2.4: sev/sev_es/sev_snp/ciphertext_hiding_asids/debug_swap overwritten). */
  params(): Record<string, boolean | number> {
    const effective: KvmAmdParams = {
      ...this.requested,
      sev: this.setup.sevEnabled,
      sev_es: this.setup.sevEsEnabled,
      sev_snp: this.setup.snpEnabled,
      ciphertext_hiding_asids: this.setup.nrCiphertextHidingAsids,
      debug_swap: this.setup.debugSwap,
    };
    const out: Record<string, boolean | number> = {};
    for (const spec of paramsForRelease(this.profile)) out[spec.name] = effective[spec.name];
    return out;
  }

  /**
   * KVM_GET_SUPPORTED_CPUID SEV bits: sev_set_cpu_caps() from the final enabled flags (docs/reference/linux-kvm-amd.md §2.4; 7.2
   * deliberately leaves these unchanged while masking VM types, docs/reference/linux-kvm-amd.md §7.1).
   */
  cpuidCaps(): { sev: boolean; sevEs: boolean; sevSnp: boolean } {
    return { sev: this.setup.sevEnabled, sevEs: this.setup.sevEsEnabled, sevSnp: this.setup.snpEnabled };
  }

  private requireLoaded(): void {
    if (!this.loaded) throw new Error('kvm_amd is not loaded');
  }

  /** KVM_CREATE_VM: -EINVAL unless BIT(type) is in KVM_CAP_VM_TYPES (docs/reference/linux-kvm-amd.md §2.4, docs/reference/linux-kvm-amd.md §4.2). */
  createVm(type: VmType): Vm | { errno: number } {
    this.requireLoaded();
    if ((this.setup.vmTypes & (1 << type)) === 0) return { errno: -Errno.EINVAL };
    const vm: Vm = {
      id: ++this.vmsCreated,
      type,
      state: 'created',
      needInit: type !== VmTypeId.DEFAULT,
      active: false,
      esActive: false,
      vmsaFeatures: 0n,
      ghcbVersion: 0,
      asid: 0,
      asidAssigned: false,
      handle: 0,
      policy: 0n,
      gctx: null,
      guestRespBuf: null,
      snpCertsEnabled: false,
      charged: null,
      vcpus: [],
      memoryPfn: this.ctx.machine.allocPages(GUEST_MEMORY_PAGES),
      memoryPages: GUEST_MEMORY_PAGES,
      privatePfns: [],
    };
    // Before 6.12 kvm_create_vm() enabled virtualization for the first VM only.
    if (!this.profile.enableVirtAtLoad && this.vms.length === 0)
      svmEnableVirtualization(this.ctx.machine, this.saveAreaPfn);
    this.vms.push(vm);
    return vm;
  }

  /** KVM_CREATE_VCPU: ES/SNP guests get a VMSA page (svm_vcpu_create). Returns the vCPU index or -errno. */
  createVcpu(vm: Vm): number {
    this.requireLoaded();
    if (vm.state === 'destroyed') return -Errno.EBADF;
    const vmsaPfn = vm.active && vm.esActive ? this.ctx.machine.allocPages(1) : null;
    vm.vcpus.push({ index: vm.vcpus.length, vmsaPfn, protected: false });
    return vm.vcpus.length - 1;
  }

  /**
   * KVM_MEMORY_ENCRYPT_OP (sev_mem_enc_ioctl), checks in the order of docs/reference/linux-kvm-amd.md §4.3;
   * `null` is the NULL-argument probe.
   */
  memEncryptOp(vm: Vm, cmd: SevCmd | null): SevCmdResult {
    this.requireLoaded();
    if (vm.state === 'destroyed') return fail(-Errno.EBADF);
    // Step 1: effective sev_enabled, even for a NULL argument.
    if (!this.setup.sevEnabled)
      return fail(
        -Errno.ENOTTY,
        0,
        'sev_mem_enc_ioctl() refuses every command while SEV is disabled (sev_enabled)',
      );
    // Step 2: the "is SEV enabled" probe.
    if (cmd === null) return ok();
    const id = typeof cmd.id === 'number' ? cmd.id : SevCmdId[cmd.id];
    const data = 'data' in cmd ? cmd.data : undefined;
    // Step 4 (mirror VMs) is not modelled: no VM here is a mirror.
    // Step 5: an initialised SNP guest accepts only SNP commands.
    if (isSnpGuest(vm) && id < SevCmdId.KVM_SEV_SNP_LAUNCH_START) return fail(-Errno.EPERM);
    // Step 6.
    switch (id) {
      case SevCmdId.KVM_SEV_ES_INIT:
        // The explicit check before sev_guest_init() (arch/x86/kvm/svm/sev.c sev_mem_enc_ioctl, 6.x).
        if (!this.setup.sevEsEnabled)
          return fail(
            -Errno.ENOTTY,
            0,
            'sev_mem_enc_ioctl() refuses KVM_SEV_ES_INIT while SEV-ES is disabled (sev_es_enabled: kvm_amd.sev_es=0, or SEV-ES unsupported)',
          );
        return sevLegacyInit(this, vm, true);
      case SevCmdId.KVM_SEV_INIT:
        return sevLegacyInit(this, vm, false);
      case SevCmdId.KVM_SEV_INIT2:
        return sevInit2(this, vm, (data as KvmSevInit | undefined) ?? {});
      case SevCmdId.KVM_SEV_LAUNCH_START:
        return sevLaunchStart(this, vm, (data as KvmSevLaunchStart | undefined) ?? {});
      case SevCmdId.KVM_SEV_LAUNCH_UPDATE_DATA:
        return sevLaunchUpdateData(this, vm, (data as KvmSevLaunchUpdateData | undefined) ?? {});
      case SevCmdId.KVM_SEV_LAUNCH_UPDATE_VMSA:
        return sevLaunchUpdateVmsa(this, vm);
      case SevCmdId.KVM_SEV_LAUNCH_MEASURE:
        return sevLaunchMeasure(this, vm, (data as KvmSevLaunchMeasure | undefined) ?? {});
      case SevCmdId.KVM_SEV_LAUNCH_FINISH:
        return sevLaunchFinish(this, vm);
      case SevCmdId.KVM_SEV_GUEST_STATUS:
        return sevGuestStatus(this, vm);
      case SevCmdId.KVM_SEV_SNP_LAUNCH_START:
        return snpLaunchStart(this, vm, (data as KvmSevSnpLaunchStart | undefined) ?? {});
      case SevCmdId.KVM_SEV_SNP_LAUNCH_UPDATE:
        return snpLaunchUpdate(this, vm, (data as KvmSevSnpLaunchUpdate | undefined) ?? {});
      case SevCmdId.KVM_SEV_SNP_LAUNCH_FINISH:
        return snpLaunchFinish(this, vm, (data as KvmSevSnpLaunchFinish | undefined) ?? {});
      case SevCmdId.KVM_SEV_SNP_ENABLE_REQ_CERTS:
        // Before 7.0, 103 is KVM_SEV_NR_MAX: "anything else".
        if (!this.profile.snpEnableReqCerts) return fail(-Errno.EINVAL);
        return snpEnableReqCerts(vm);
      case SevCmdId.KVM_SEV_SEND_UPDATE_VMSA:
      case SevCmdId.KVM_SEV_RECEIVE_UPDATE_VMSA:
      case SevCmdId.KVM_SEV_CERT_EXPORT:
        return fail(-Errno.EINVAL);
      default: {
        const name = idName.get(id);
        if (name === undefined) return fail(-Errno.EINVAL);
        throw new UnmodelledSevCommandError(`${name} is not modelled by @sevsim/kvm-amd`);
      }
    }
  }

  /** Closing the VM fd: sev_vm_destroy (docs/reference/linux-kvm-amd.md §4.9). */
  destroyVm(vm: Vm): void {
    this.requireLoaded();
    if (vm.state === 'destroyed') return;
    destroyVmState(this, vm);
    this.vms.splice(this.vms.indexOf(vm), 1);
    // …and kvm_destroy_vm() disabled it with the last one.
    if (!this.profile.enableVirtAtLoad && this.vms.length === 0) svmDisableVirtualization(this.ctx.machine);
  }

  /**
   * rmmod kvm_amd → sev_hardware_unsetup (docs/reference/linux-kvm-amd.md §3): only with effective SEV enabled: flush reclaimable
   * ASIDs, capacities 0, sev_platform_shutdown() (6.16+). A built-in module is not in the module
   * list (delete_module: -ENOENT); live VMs hold a module reference, which try_stop_module()
   * cannot drop (delete_module: -EWOULDBLOCK, i.e. -EAGAIN; kernel/module/main.c).
   */
  unload(): { rc: number } {
    this.requireLoaded();
    if (this.builtin) return { rc: -Errno.ENOENT };
    if (this.vms.length > 0) return { rc: -Errno.EAGAIN };
    // kvm_exit() disables virtualization before the vendor unsetup.
    if (this.profile.enableVirtAtLoad) svmDisableVirtualization(this.ctx.machine);
    if (this.setup.sevEnabled) {
      sevFlushAsids(this, 1, this.setup.maxSevAsid);
      this.cgroup.setCapacity('sev', 0);
      this.cgroup.setCapacity('sev_es', 0);
      if (this.profile.shutdownAtUnload) this.driver.platformShutdown();
    }
    this.loaded = false;
    return { rc: 0 };
  }

  vmList(): readonly Vm[] {
    return this.vms;
  }

  /**
   * What decides KVM's next answers, for the explorer: the three ASID ranges, the VM types, the
   * in-use and reclaim bitmaps (lowest-free allocation reads the values), and the open VMs as a
   * bag of (type, state, ASID, vCPUs). VM ids, handles and page numbers are names: left out.
   */
  fingerprint(f: Fingerprint): void {
    const s = this.setup;
    f.int(this.setupDigest.a).int(this.setupDigest.b);
    if (s.asids) s.asids.fingerprint(f);
    else f.int(0).int(0);
    f.bag(this.vms, (h, vm) =>
      h
        .int(vm.type)
        .str(vm.state)
        .int(vm.asidAssigned ? vm.asid : -1)
        .int(vm.vcpus.length),
    );
  }

  /**
   * The module and its ASID ranges, without `view()`'s bitmaps, cgroup and VMs: what the
   * contract State reads (after every `sevsim run` step), where listing the bitmaps cost more
   * than the rest.
   */
  platformView(): KvmAmdPlatformView {
    const s = this.setup;
    const vmTypes: number[] = [];
    for (let t = 0; t < 8; t++) if (s.vmTypes & (1 << t)) vmTypes.push(t);
    return {
      loaded: this.loaded,
      builtin: this.builtin,
      params: this.params(),
      sev: rangeView(s.sevEnabled, s.usable.sev, s.minSevAsid, s.maxSevAsid),
      sevEs: rangeView(s.sevEsEnabled, s.usable.sevEs, s.minSevEsAsid, s.maxSevEsAsid),
      snp: rangeView(s.snpEnabled, s.usable.snp, s.minSnpAsid, s.maxSnpAsid),
      vmTypes,
      supportedVmsaFeatures: Number(s.supportedVmsaFeatures),
      snpPolicyBits: Number(s.snpPolicyBits),
    };
  }

  view(): KvmAmdView {
    const s = this.setup;
    const p = this.platformView();
    return {
      loaded: p.loaded,
      builtin: p.builtin,
      params: p.params,
      sev: p.sev,
      sevEs: p.sevEs,
      snp: p.snp,
      vmTypes: p.vmTypes,
      supportedVmsaFeatures: p.supportedVmsaFeatures,
      snpPolicyBits: p.snpPolicyBits,
      asids: { inUse: s.asids?.inUseList() ?? [], reclaim: s.asids?.reclaimList() ?? [] },
      miscCgroup: this.cgroup.view(),
      vms: this.vms.map(vmView),
    };
  }
}

/** modprobe kvm_amd (or boot with it built in): sev_hardware_setup() with this release's behaviour. */
export function loadKvmAmd(
  ctx: KernelContext,
  driver: SevDriver,
  profile: KvmAmdProfile & KvmAmdMutations,
  params: KvmAmdParams,
  opts: LoadOptions,
): KvmAmd {
  return new KvmAmd(ctx, driver, profile, params, opts.builtin);
}
