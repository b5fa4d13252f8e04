export { Errno, errnoName } from './errno';
export type { ErrnoName } from './errno';
export type { KernelProfile } from './profile';
export { kstrtobool, kstrtoint, kstrtoll, kstrtouint, kstrtoull } from './kstrtox';
export type { Parsed } from './kstrtox';
export { parameq, paramGet, paramSet, paramText, parseArgs } from './params';
export type {
  KernelParam,
  ParamArg,
  ParamType,
  ParamValue,
  ParseArgsResult,
  UnknownParamHandler,
} from './params';
export { parseModuleArgs } from './module';
export {
  DynamicDebug,
  ddebugBootParams,
  ddebugDyndbgParam,
  ddebugExecQueries,
  dyndbgQueryProblem,
} from './dynamic-debug';
export { uncheckedWrmsrLine } from './extable';
export { hostSnpBoot, hostSnpEarlyBoot, snpRmptableInitcall } from './host-snp-boot';
export type { HostSnpBootResult, HostSnpDisableId, HostSnpProfile } from './host-snp-boot';
