/**
 * A VM as kvm-amd sees it: `struct kvm_sev_info` plus the vCPUs and guest memory the SEV code
 * touches (docs/reference/linux-kvm-amd.md §4.2, §4.6, §4.8).
 */

import type { Fork } from '@sevsim/hardware';

/** KVM_X86_DEFAULT_VM 0, KVM_X86_SEV_VM 2, KVM_X86_SEV_ES_VM 3, KVM_X86_SNP_VM 4 (docs/reference/linux-kvm-amd.md §4.1). */
export type VmType = 0 | 2 | 3 | 4;

export const VmTypeId = { DEFAULT: 0, SEV: 2, SEV_ES: 3, SNP: 4 } as const;

export type VmState = 'created' | 'initialized' | 'running' | 'destroyed';

export interface Vcpu {
  readonly index: number;
  /** VMSA page (ES/SNP guests only: allocated at vCPU creation). */
  readonly vmsaPfn: number | null;
  /** vcpu->arch.guest_state_protected: set once the VMSA was encrypted. */
  protected: boolean;
}

/** Guest RAM: a few host pages from the bump allocator (the VMM's memslot / guest_memfd). */
export const GUEST_MEMORY_PAGES = 4;

export interface Vm {
  readonly id: number;
  readonly type: VmType;
  state: VmState;
  /** sev->need_init: SEV/ES/SNP VM types must issue KVM_SEV_INIT2 (docs/reference/linux-kvm-amd.md §4.2). */
  needInit: boolean;
  /** sev->active / sev->es_active (docs/reference/linux-kvm-amd.md §4.6 step 8). */
  active: boolean;
  esActive: boolean;
  /** sev->vmsa_features incl. SVM_SEV_FEAT_SNP_ACTIVE (BIT 0) for SNP (docs/reference/linux-kvm-amd.md §4.6 step 8). */
  vmsaFeatures: bigint;
  ghcbVersion: number;
  /** sev->asid; `asidAssigned` tells whether one was allocated (ASID 0 is reachable through docs/reference/linux-kvm-amd.md §7.2 Q1). */
  asid: number;
  asidAssigned: boolean;
  /** Firmware guest handle from LAUNCH_START (SEV/ES), 0 when none. */
  handle: number;
  policy: bigint;
  /** pfn of the SNP guest context page (sev->snp_context), null when none. */
  gctx: number | null;
  /** pfn of the firmware-owned SNP guest-request response page (docs/reference/linux-kvm-amd.md §4.6 step 12). */
  guestRespBuf: number | null;
  snpCertsEnabled: boolean;
  /** Misc cgroup resource charged at ASID allocation (docs/reference/linux-kvm-amd.md §4.7). */
  charged: 'sev' | 'sev_es' | null;
  readonly vcpus: Vcpu[];
  readonly memoryPfn: number;
  readonly memoryPages: number;
  /** Guest pages encrypted by LAUNCH_UPDATE_DATA or made private by SNP_LAUNCH_UPDATE, sorted. */
  readonly privatePfns: number[];
}

/**
 * An independent copy of a VM in a fork of the whole system, once per fork: KVM's VM list and
 * the operator's VM records (which keep destroyed VMs) hold it.
 */
export function forkVm(vm: Vm, f: Fork): Vm {
  return f.once(vm, () => copyVm(vm));
}

/** Field by field: a spread of a 20-field object is several times slower, and forks copy every open VM. */
function copyVm(vm: Vm): Vm {
  return {
    id: vm.id,
    type: vm.type,
    state: vm.state,
    needInit: vm.needInit,
    active: vm.active,
    esActive: vm.esActive,
    vmsaFeatures: vm.vmsaFeatures,
    ghcbVersion: vm.ghcbVersion,
    asid: vm.asid,
    asidAssigned: vm.asidAssigned,
    handle: vm.handle,
    policy: vm.policy,
    gctx: vm.gctx,
    guestRespBuf: vm.guestRespBuf,
    snpCertsEnabled: vm.snpCertsEnabled,
    charged: vm.charged,
    vcpus: vm.vcpus.map((v) => ({ index: v.index, vmsaPfn: v.vmsaPfn, protected: v.protected })),
    memoryPfn: vm.memoryPfn,
    memoryPages: vm.memoryPages,
    privatePfns: vm.privatePfns.slice(),
  };
}

/** SVM_SEV_FEAT_* VMSA feature bits (docs/reference/linux-kvm-amd.md §2.4). */
export const SevFeature = {
  SNP_ACTIVE: 1n << 0n,
  DEBUG_SWAP: 1n << 5n,
  SECURE_TSC: 1n << 9n,
} as const;

/** sev_snp_guest(): an SNP VM after INIT2 (SNP_ACTIVE in vmsa_features, docs/reference/linux-kvm-amd.md §4.3 step 5). */
export function isSnpGuest(vm: Vm): boolean {
  return vm.active && vm.esActive && (vm.vmsaFeatures & SevFeature.SNP_ACTIVE) !== 0n;
}

export interface VmView {
  readonly id: number;
  readonly type: VmType;
  readonly state: VmState;
  readonly asid: number | null;
  readonly handle?: number;
  readonly gctx?: number;
  readonly vcpus: number;
  readonly privatePfns: readonly number[];
}

export function vmView(vm: Vm): VmView {
  return {
    id: vm.id,
    type: vm.type,
    state: vm.state,
    asid: vm.asidAssigned ? vm.asid : null,
    ...(vm.handle !== 0 ? { handle: vm.handle } : {}),
    ...(vm.gctx !== null ? { gctx: vm.gctx } : {}),
    vcpus: vm.vcpus.length,
    privatePfns: [...vm.privatePfns],
  };
}
