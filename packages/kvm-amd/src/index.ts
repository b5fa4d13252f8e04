export { loadKvmAmd, KvmAmd, SevCmdId, UnmodelledSevCommandError } from './kvm-amd';
export type {
  AsidRangeView,
  KvmAmdPlatformView,
  KvmAmdView,
  LoadOptions,
  SevCmd,
  SevCmdData,
  SevCmdName,
} from './kvm-amd';
export type { SevCmdResult } from './kvm-sev';
export { launchVm } from './vmm';
export type { LaunchOptions, LaunchResult } from './vmm';
export { forkVm, GUEST_MEMORY_PAGES, SevFeature, VmTypeId } from './vm';
export type { Vcpu, Vm, VmState, VmType, VmView } from './vm';
export type { KvmSevInit } from './guest-init';
export type { KvmSevLaunchMeasure, KvmSevLaunchStart, KvmSevLaunchUpdateData } from './sev-launch';
export type { KvmSevSnpLaunchFinish, KvmSevSnpLaunchStart, KvmSevSnpLaunchUpdate } from './snp-launch';
export { KVM_SNP_POLICY_MASK_VALID, LEGACY_SNP_POLICY_MASK_VALID } from './sev-hardware-setup';
export type { SevSetup } from './sev-hardware-setup';
export {
  defaultKvmAmdParams,
  KVM_AMD_PARAMS,
  paramsForRelease,
  parseKvmAmdParams,
} from './params';
export type {
  KvmAmdParamName,
  KvmAmdParams,
  KvmAmdParamSpec,
  KvmAmdParamType,
  ParsedKvmAmdParams,
} from './params';
export { PATCHES, RELEASES, resolveRelease, UnknownPatchError, UnknownReleaseError } from './releases';
export type { KvmAmdMutations, KvmAmdProfile, PatchSpec, ReleaseProfile } from './releases';
