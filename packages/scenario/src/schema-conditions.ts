/**
 * The validator's rules that relate one part of a scenario to another, written as JSON Schema
 * 2020-12 conditions (`if`/`then`, `contains`) for the published schema, from the same catalog
 * the validator checks against: which CPU preset a machine names and what that preset allows
 * (hardware `resolveConfig`), which release a kernel is and the module parameters it has
 * (kvm-amd `resolveRelease`, `KVM_AMD_PARAMS`), where a patch applies. The few rules JSON Schema
 * cannot say are listed in schema-limits.ts.
 */
import { type Catalog, type CpuFacts, commandLineParamNames, MODULES, modprobeParamNames } from './catalog';
import { statePathNames, VM_STATE_PATTERN } from './state-paths';

export type JsonSchema = { [key: string]: unknown };

/** JSON Schema's conditional: where `cond` holds, `then` must too (written once: a `then:` key reads as a thenable to lint). */
export function ifThen(cond: JsonSchema, then: JsonSchema): JsonSchema {
  return { if: cond, then };
}

const has = (key: string, value: unknown): JsonSchema => ({
  required: [key],
  properties: { [key]: { const: value } },
});

const newest = (catalog: Catalog) => catalog.releases[catalog.releases.length - 1];

/** The file's kernel is `release` (a file without `kernel.version` runs the newest). */
function kernelIs(catalog: Catalog, release: string): JsonSchema {
  const version = { properties: { version: { const: release } } };
  return release === newest(catalog)
    ? { properties: { kernel: version } }
    : { required: ['kernel'], properties: { kernel: { required: ['version'], ...version } } };
}

/** Every subset of `xs` (patches applicable to one release: a handful). */
function subsets<T>(xs: readonly T[]): T[][] {
  let out: T[][] = [[]];
  for (const x of xs) out = out.concat(out.map((s) => [...s, x]));
  return out;
}

/** What a kernel of `release` with `patches` allows: its parameters, on the command line, in `modprobe`, in state paths. */
function kernelAllows(catalog: Catalog, release: string, patches: readonly string[]): JsonSchema {
  const params = catalog.params(release, patches);
  const names = (m: string) => params.filter((p) => p.module === m).map((p) => p.name);
  return {
    properties: {
      kernel: {
        properties: {
          params: {
            propertyNames: { enum: commandLineParamNames(params) },
          },
        },
      },
      steps: {
        items: {
          allOf: MODULES.map((m) =>
            ifThen(has('modprobe', m), {
              properties: { params: { propertyNames: { enum: modprobeParamNames(params, m) } } },
            }),
          ),
          properties: {
            expect: {
              properties: {
                state: { propertyNames: statePathSchema(names('ccp'), names('kvm_amd')) },
              },
            },
          },
        },
      },
    },
  };
}

/** The `expect.state` keys a kernel with these module parameters has. */
export function statePathSchema(ccpParams: readonly string[], kvmAmdParams: readonly string[]): JsonSchema {
  return {
    anyOf: [{ enum: statePathNames({ ccpParams, kvmAmdParams }) }, { pattern: VM_STATE_PATTERN }],
  };
}

/** Per release (and per patch set where patches change its parameters): what that kernel allows. */
function kernelConditions(catalog: Catalog): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const release of catalog.releases) {
    const applicable = catalog.patches.filter((p) => catalog.patchReleases(p).includes(release));
    const sets = subsets(applicable);
    const key = (s: readonly string[]) => JSON.stringify(catalog.params(release, s));
    if (sets.every((s) => key(s) === key([]))) {
      out.push(ifThen(kernelIs(catalog, release), kernelAllows(catalog, release, [])));
      continue;
    }
    for (const s of sets) {
      const patches = {
        allOf: applicable.map((p) =>
          s.includes(p) ? { contains: { const: p } } : { not: { contains: { const: p } } },
        ),
      };
      out.push(
        ifThen(
          { allOf: [kernelIs(catalog, release), { properties: { kernel: { properties: { patches } } } }] },
          kernelAllows(catalog, release, s),
        ),
      );
    }
  }
  // A patch applies to the releases it was written for.
  for (const patch of catalog.patches) {
    out.push(
      ifThen(
        {
          required: ['kernel'],
          properties: {
            kernel: { required: ['patches'], properties: { patches: { contains: { const: patch } } } },
          },
        },
        { anyOf: catalog.patchReleases(patch).map((r) => kernelIs(catalog, r)) },
      ),
    );
  }
  return out;
}

/** CPUID family and model name preset `cpu`, and no preset tried before it (cpuForFamilyModel). */
function familyModelNames(catalog: Catalog, cpu: string): JsonSchema {
  const named = (f: CpuFacts): JsonSchema => ({
    properties: {
      family: { const: f.family },
      model: { minimum: f.modelRange[0], maximum: f.modelRange[1] },
    },
  });
  const earlier = catalog.cpus.slice(0, catalog.cpus.indexOf(cpu)).map((c) => named(catalog.cpuFacts[c]!));
  return {
    required: ['family', 'model'],
    not: { anyOf: [{ required: ['cpu'] }, ...earlier] },
    ...named(catalog.cpuFacts[cpu]!),
  };
}

/** The machine is preset `cpu`: by name, by family and model, or as the default. */
function machineIs(catalog: Catalog, cpu: string): JsonSchema {
  const ways: JsonSchema[] = [has('cpu', cpu), familyModelNames(catalog, cpu)];
  if (cpu === catalog.defaultCpu)
    ways.push({ not: { anyOf: [{ required: ['cpu'] }, { required: ['family', 'model'] }] } });
  return { anyOf: ways };
}

/** What preset `cpu` allows (hardware resolveConfig: family, model, sockets, BIOS options, cores). */
function presetAllows(f: CpuFacts): JsonSchema {
  const bios: JsonSchema = {};
  if (!f.ciphertextHidingCapable) bios.ciphertextHiding = { const: false };
  // A segmented RMP has no unaligned ends: on such a CPU, unless the BIOS chose the contiguous form.
  const biosChecks: JsonSchema[] = [];
  if (f.segmentedRmp)
    biosChecks.push(
      ifThen(
        { not: { required: ['rmpSegmented'], properties: { rmpSegmented: { const: false } } } },
        { properties: { rmpUnaligned: { const: 'none' } } },
      ),
    );
  else {
    bios.rmpSegments = false;
    bios.rmpSegmented = { const: false };
  }
  const lastCpu = (sockets: number) => sockets * f.cores * f.threadsPerCore - 1;
  // The PSP's function is the CPU's; a socket `pspPci` leaves out keeps the preset's address.
  const pspPci: JsonSchema = { items: { pattern: `\\.${f.pspPciFunction}$` } };
  const second = f.pspPciSecondSocket;
  return {
    properties: {
      family: { const: f.family },
      model: { minimum: f.modelRange[0], maximum: f.modelRange[1] },
      sockets: { maximum: f.maxSockets },
      bios: { properties: bios, ...(biosChecks.length > 0 ? { allOf: biosChecks } : {}) },
      pspPci,
    },
    allOf: [
      ...(second === undefined
        ? []
        : [
            ifThen(
              {
                required: ['sockets', 'pspPci'],
                properties: { sockets: { const: 2 }, pspPci: { maxItems: 1 } },
              },
              { properties: { pspPci: { items: { not: { const: second } } } } },
            ),
          ]),
      // The preset's ASID count bounds the minimum SEV ASID unless `asids` overrides it.
      ifThen(
        { not: { required: ['asids'] } },
        { properties: { bios: { properties: { minSevAsid: { maximum: f.asids + 1 } } } } },
      ),
      // Offline CPUs exist: with the preset's core count, sockets × cores × threads.
      ...[1, 2]
        .filter((s) => s <= f.maxSockets)
        .map((s) =>
          ifThen(
            {
              not: { required: ['cores'] },
              properties: { sockets: s === 1 ? { not: { const: 2 } } : { const: 2 } },
            },
            { properties: { offlineCores: { items: { maximum: lastCpu(s) } } } },
          ),
        ),
    ],
  };
}

function machineConditions(catalog: Catalog): JsonSchema[] {
  return [
    // One PSP address per socket at most.
    ifThen(
      { not: { required: ['sockets'], properties: { sockets: { const: 2 } } } },
      { properties: { pspPci: { maxItems: 1 } } },
    ),
    // Family and model without `cpu` name a modelled preset.
    ifThen(
      { not: { required: ['cpu'] }, required: ['family', 'model'] },
      { anyOf: catalog.cpus.map((c) => familyModelNames(catalog, c)) },
    ),
    ...catalog.cpus.map((c) => ifThen(machineIs(catalog, c), presetAllows(catalog.cpuFacts[c]!))),
  ];
}

/** The published schema with the cross-field rules added (`jsonSchema` in schema.ts). */
export function withConditions(base: JsonSchema, catalog: Catalog): JsonSchema {
  const props = base.properties as Record<string, JsonSchema>;
  return {
    ...base,
    properties: {
      ...props,
      machine: { ...props.machine, allOf: machineConditions(catalog) },
    },
    allOf: kernelConditions(catalog),
  };
}
