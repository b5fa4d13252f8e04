/**
 * The catalog built from the layers' own exported tables, so the validator accepts exactly what
 * the layers model: CPU presets (@sevsim/hardware CPU_PRESETS, createMachine's own checks),
 * releases and patches (@sevsim/kvm-amd RELEASES, PATCHES, resolveRelease), module parameters
 * (KVM_AMD_PARAMS per release, @sevsim/ccp CCP_PARAMS), errno names (@sevsim/ccp Errno, and the
 * fw_upload errors a failed `fw.update` reports, FW_UPLOAD_ERRORS),
 * firmware status names (@sevsim/firmware Status) and command buffers (psp-buffers.ts).
 */
import { CCP_PARAMS, Errno, FW_UPLOAD_ERRORS, SEV_IOCTL } from '@sevsim/ccp';
import { parseVersion, VERSION_PART_MAX } from '@sevsim/firmware';
import { cmdName, Status, statusCode } from '@sevsim/psp-abi';
import { CPU_MODELS, CPU_PRESETS, type CpuModel, createMachine, pspPciFunction } from '@sevsim/hardware';
import { dyndbgQueryProblem } from '@sevsim/kernel';
import { KVM_AMD_PARAMS, PATCHES, RELEASES, resolveRelease } from '@sevsim/kvm-amd';
import type { Catalog, CpuFacts, ParamInfo } from './catalog';
import { pspFieldBits, pspFieldNames, PSP_BUFFERS } from './psp-buffers';
import { DEFAULT_CPU, machineConfig } from './resolve';
import type { MachineInput } from './scenario';

const CCP: readonly ParamInfo[] = CCP_PARAMS.map((p) => ({
  module: 'ccp' as const,
  name: p.name,
  type: p.type === 'charp' ? ('string' as const) : p.type,
  default: p.default,
}));

function kvmParams(version: string, patches: readonly string[]): ParamInfo[] {
  const profile = resolveRelease(version, [...patches]).kvm;
  return KVM_AMD_PARAMS.filter((p) => p.requires === undefined || profile[p.requires]).map((p) => ({
    module: 'kvm_amd' as const,
    name: p.name,
    type: p.type,
    default: p.default,
  }));
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

let cached: Catalog | undefined;

export function defaultCatalog(): Catalog {
  if (cached) return cached;
  const releases = Object.keys(RELEASES);
  const allKvm = KVM_AMD_PARAMS.map((p) => ({
    module: 'kvm_amd' as const,
    name: p.name,
    type: p.type,
    default: p.default,
  }));
  const cpuFacts: Record<string, CpuFacts> = Object.fromEntries(
    CPU_MODELS.map((m) => {
      const p = CPU_PRESETS[m];
      const facts: CpuFacts = {
        family: p.family,
        modelRange: p.modelRange,
        maxSockets: p.maxSockets,
        cores: p.cores,
        threadsPerCore: p.threadsPerCore,
        asids: p.asids,
        ciphertextHidingCapable: p.ciphertextHidingCapable,
        segmentedRmp: p.features.segmentedRmp,
        pspPciFunction: pspPciFunction(p),
        pspPciSecondSocket: p.pspPci.twoSockets?.[1],
      };
      return [m, facts];
    }),
  );
  cached = {
    cpus: [...CPU_MODELS],
    cpuFacts,
    defaultCpu: DEFAULT_CPU,
    releases,
    patches: Object.keys(PATCHES),
    patchReleases: (patch) => PATCHES[patch]?.appliesTo ?? [],
    releaseProblem(version, patches) {
      try {
        resolveRelease(version, [...patches]);
        return undefined;
      } catch (e) {
        return errorMessage(e);
      }
    },
    params: (version, patches) => [...CCP, ...kvmParams(version, patches)],
    allParams: [...CCP, ...allKvm],
    errnos: [...Object.keys(Errno), ...Object.values(FW_UPLOAD_ERRORS).map((e) => e.name)],
    statusNames: Object.keys(Status),
    statusCode: (name) => statusCode(name),
    pspCommands: Object.keys(PSP_BUFFERS),
    // SEV_PEK_CERT_IMPORT is left out: it needs certificates signed by the platform's PEK, which
    // the model does not have.
    sevIoctls: Object.keys(SEV_IOCTL).filter((c) => c !== 'SEV_PEK_CERT_IMPORT'),
    pspCommandName: (id) => cmdName(id),
    pspFields: (cmd) => pspFieldNames(cmd),
    pspFieldBits: (cmd, field) => pspFieldBits(cmd, field),
    firmwareVersionProblem: (version) =>
      parseVersion(version) === undefined
        ? `firmware version "${version}" is out of range: major and minor are 0-${VERSION_PART_MAX.major}, build 0-${VERSION_PART_MAX.build}`
        : undefined,
    firmwareVersionMax: VERSION_PART_MAX,
    dyndbgQueryProblem,
    machineProblem(machine) {
      try {
        createMachine(machineConfig(machine as MachineInput));
        return undefined;
      } catch (e) {
        return errorMessage(e);
      }
    },
  };
  return cached;
}

export function isCpuModel(name: string): name is CpuModel {
  return Object.hasOwn(CPU_PRESETS, name);
}
