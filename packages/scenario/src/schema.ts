/**
 * The scenario file format v1 (docs/contracts/scenario-v1.md) as zod schemas. The same schemas
 * validate files and generate the published JSON Schema (schema/scenario-v1.schema.json), so the
 * two cannot drift. Names that depend on the layers come from a `Catalog`. What the validator checks
 * beyond zod (check-kernel.ts, check-steps.ts, the hardware's machine check) the JSON Schema says in
 * `.meta()` beside the field, or in schema-conditions.ts when it relates one part of the file to
 * another; test/schema-agrees.test.ts holds the two to the same files.
 */
import { z } from 'zod';
import { PCI_BDF } from '@sevsim/hardware';
import { type Catalog, commandLineParamNames, MODULES, type ModuleName } from './catalog';
import { atMostPattern } from './number-pattern';
import { ifThen, type JsonSchema, statePathSchema, withConditions } from './schema-conditions';
import { VALIDATOR_ONLY_RULES } from './schema-limits';
import { VM_ID_PATTERN } from './state-paths';

/** The schemas depend only on the catalog: build them once per catalog, not per file. */
function perCatalog<T>(build: (catalog: Catalog) => T): (catalog: Catalog) => T {
  const built = new WeakMap<Catalog, T>();
  return (catalog) => {
    let v = built.get(catalog);
    if (v === undefined) {
      v = build(catalog);
      built.set(catalog, v);
    }
    return v;
  };
}

export const VM_TYPES = ['default', 'sev', 'sev-es', 'snp'] as const;
export const IOMMU_MODES = ['off', 'passthrough', 'translated'] as const;
export const READ_RESULTS = ['plaintext', 'ciphertext', 'ff'] as const;
/** Steps written as a bare word (or as a key with no value). */
export const BARE_STEPS = ['reboot', 'fw.commit', 'kdump'] as const;
export const STEP_OPS = [
  'reboot',
  'modprobe',
  'rmmod',
  'vm.create',
  'vm.init',
  'vm.launch',
  'vm.destroy',
  'fw.update',
  'fw.commit',
  'sev.ioctl',
  'psp',
  'host.read',
  'expect',
  'kdump',
] as const;
export type StepOp = (typeof STEP_OPS)[number];

const u64Max = Number.MAX_SAFE_INTEGER;
const u32 = z.number().int().min(0).max(0xffffffff);

/**
 * The `sev.ioctl` fields each command reads (its uapi struct, include/uapi/linux/psp-sev.h);
 * `cmd` and `writable` apply to every command.
 */
export const SEV_IOCTL_FIELDS: Readonly<Record<string, readonly string[]>> = {
  SEV_PEK_CSR: ['length'],
  SEV_GET_ID2: ['length'],
  SEV_PDH_CERT_EXPORT: ['pdhCertLen', 'certChainLen'],
  SNP_SET_CONFIG: ['reportedTcb', 'maskChipId', 'maskChipKey'],
};
const SEV_IOCTL_ALL_FIELDS = [...new Set(Object.values(SEV_IOCTL_FIELDS).flat())];

/** JSON Schema: per command, the fields of other commands are not allowed. */
function sevIoctlFieldRules(catalog: Catalog): JsonSchema[] {
  return catalog.sevIoctls.map((cmd) =>
    ifThen(
      { properties: { cmd: { const: cmd } } },
      {
        properties: Object.fromEntries(
          SEV_IOCTL_ALL_FIELDS.filter((f) => !(SEV_IOCTL_FIELDS[cmd] ?? []).includes(f)).map((f) => [
            f,
            false,
          ]),
        ),
      },
    ),
  );
}
/** RMP_CFG's segment sizes in GiB: shift 30..52 (CPUID 0x80000025 on the modelled Zen 5). */
const SEGMENT_GIB = Array.from({ length: 23 }, (_, i) => 2 ** i);
/** A 1 MB-aligned physical address below 2^52 (RMP_BASE, an RST entry's bits 51:20). */
const rmpAddress = z
  .number()
  .int()
  .min(0)
  .max(2 ** 52 - 2 ** 20)
  .multipleOf(2 ** 20);
const nonEmpty = <T extends string>(xs: readonly T[], fallback: T): [T, ...T[]] =>
  (xs.length > 0 ? [...xs] : [fallback]) as [T, ...T[]];

const vmId = z
  .string()
  .regex(new RegExp(`^${VM_ID_PATTERN}$`), 'a VM id is letters, digits, _ and -')
  .meta({ description: 'Name of the VM, used by later steps and in `vms.ID` state paths.' });
/** major.minor.build, each part within the firmware's own fields, as a JSON Schema pattern. */
function firmwareVersionPattern(catalog: Catalog): string {
  const { major, minor, build } = catalog.firmwareVersionMax;
  const part = (max: number) => atMostPattern(BigInt(max), 10);
  return `^${part(major)}\\.${part(minor)}\\.${part(build)}$`;
}

/** major.minor.build, each part within the firmware's own fields (the one rule: the catalog's). */
const firmwareVersion = (catalog: Catalog) =>
  z
    .string()
    .regex(/^\d+\.\d+\.\d+$/, 'a firmware version is major.minor.build')
    .superRefine((v, ctx) => {
      const why = /^\d+\.\d+\.\d+$/.test(v) ? catalog.firmwareVersionProblem(v) : undefined;
      if (why) ctx.addIssue({ code: 'custom', message: why });
    })
    .meta({ pattern: firmwareVersionPattern(catalog) });

/**
 * A raw `psp` buffer field's value as the validator takes it (check-steps.ts checkPspFields): an
 * integer that fits the field, the same as decimal or 0x-hex text, or a boolean.
 */
function pspFieldSchema(bits: number): JsonSchema {
  const max = (1n << BigInt(bits)) - 1n;
  // Above 2^53 a JSON number is a double: the largest double below 2^bits, which is exact.
  const maxNumber = bits <= 53 ? Number(max) : 2 ** bits - 2 ** (bits - 53);
  return {
    anyOf: [
      { type: 'integer', minimum: 0, maximum: maxNumber },
      {
        type: 'string',
        pattern: `^(?:0x${atMostPattern(max, 16)}|${atMostPattern(max, 10)})$`,
      },
      { type: 'boolean' },
    ],
  };
}

/** Where the schema of a `bits`-wide buffer field is (one per width, in `$defs`). */
const pspFieldDef = (bits: number) => `psp-field-${bits}-bits`;

/** The field schemas the `psp` rules refer to, by width. */
function pspFieldDefs(catalog: Catalog): Record<string, JsonSchema> {
  const widths = new Set<number>();
  for (const cmd of catalog.pspCommands)
    for (const f of catalog.pspFields(cmd) ?? []) {
      const bits = catalog.pspFieldBits(cmd, f);
      if (bits !== undefined) widths.add(bits);
    }
  return Object.fromEntries(
    [...widths].sort((a, b) => a - b).map((b) => [pspFieldDef(b), pspFieldSchema(b)]),
  );
}

/** Per firmware command, the buffer fields a raw `psp` step may give and what each holds. */
function pspCommandRules(catalog: Catalog): JsonSchema[] {
  return catalog.pspCommands.map((cmd) => {
    const fields = catalog.pspFields(cmd) ?? [];
    const properties = Object.fromEntries(
      fields.map((f) => {
        const bits = catalog.pspFieldBits(cmd, f);
        // No width: the image a download command names by its version.
        return [
          f,
          bits === undefined
            ? { type: 'string', pattern: firmwareVersionPattern(catalog) }
            : { $ref: `#/$defs/${pspFieldDef(bits)}` },
        ];
      }),
    );
    return ifThen(
      { properties: { cmd: { const: cmd } } },
      { propertyNames: { enum: ['cmd', ...fields] }, properties },
    );
  });
}

/** As on the command line: any scalar is text to the kernel (null: a bare `name`, no `=value`). */
const paramValue = z.union([z.boolean(), z.number(), z.string(), z.null()]);
const nothing = z.union([z.null(), z.strictObject({})]);

export const stepSchemas = perCatalog(function stepSchemas(catalog: Catalog) {
  const module = z.enum(MODULES as [ModuleName, ...ModuleName[]]);
  const errno = z.enum(nonEmpty(catalog.errnos, 'EINVAL'));
  const status = z.enum(nonEmpty(catalog.statusNames, 'SUCCESS'));
  const pspCmd = z.enum(nonEmpty(catalog.pspCommands, 'INIT'));
  return {
    reboot: z.strictObject({ reboot: nothing }).meta({ description: 'Power-cycle and boot again.' }),
    kdump: z.strictObject({ kdump: nothing }).meta({
      description:
        'The running kernel panics and kexec boots its crash kernel (is_kdump_kernel()): no reset, so the CPUs, RMP and PSP keep the state the crashed kernel left.',
    }),
    modprobe: z
      .strictObject({
        modprobe: module,
        params: z.record(z.string(), paramValue).optional().meta({
          description: 'Parameters as `modprobe NAME key=value` takes them; they override kernel.params.',
        }),
      })
      .meta({ description: 'Load ccp or kvm_amd (and what it depends on).' }),
    rmmod: z.strictObject({ rmmod: module }).meta({ description: 'Unload a module.' }),
    'vm.create': z
      .strictObject({
        'vm.create': z.strictObject({
          id: vmId,
          type: z.enum(VM_TYPES).optional().meta({ description: 'KVM_CREATE_VM type; default `default`.' }),
        }),
      })
      .meta({ description: 'KVM_CREATE_VM.' }),
    'vm.init': z
      .strictObject({
        'vm.init': z
          .strictObject({
            id: vmId,
            flags: z.number().int().min(0).max(u64Max).optional(),
            vmsaFeatures: z.number().int().min(0).max(u64Max).optional(),
            ghcbVersion: z.number().int().min(0).max(0xffff).optional(),
            legacy: z.boolean().optional().meta({
              description: 'Use KVM_SEV_INIT / KVM_SEV_ES_INIT on a `default` VM instead of KVM_SEV_INIT2.',
            }),
            es: z.boolean().optional().meta({ description: 'With legacy: KVM_SEV_ES_INIT.' }),
          })
          // check-steps.ts: `es` only with `legacy: true`.
          .meta({
            dependentSchemas: { es: { required: ['legacy'], properties: { legacy: { const: true } } } },
          }),
      })
      .meta({ description: 'KVM_SEV_INIT2 (or the legacy init ioctls).' }),
    'vm.launch': z
      .strictObject({
        'vm.launch': z.strictObject({
          id: vmId,
          policy: z
            .number()
            .int()
            .min(0)
            .max(u64Max)
            .optional()
            .meta({ description: 'Guest policy; default as the KVM selftests use.' }),
        }),
      })
      .meta({ description: 'The launch flow for the VM type, up to running.' }),
    'vm.destroy': z
      .strictObject({ 'vm.destroy': z.strictObject({ id: vmId }) })
      .meta({ description: 'Close the VM.' }),
    'fw.update': z
      .strictObject({
        'fw.update': z.strictObject({
          version: firmwareVersion(catalog),
          svn: z
            .number()
            .int()
            .min(0)
            .max(255)
            .optional()
            .meta({ description: 'Security version of the image.' }),
          signed: z.boolean().optional().meta({ description: 'false gives an image with a bad signature.' }),
        }),
      })
      .meta({ description: 'Ask the running kernel to load a new firmware image.' }),
    'fw.commit': z
      .strictObject({ 'fw.commit': nothing })
      .meta({ description: 'SNP_COMMIT through /dev/sev.' }),
    'sev.ioctl': z
      .strictObject({
        'sev.ioctl': z
          .strictObject({
            cmd: z.enum(nonEmpty(catalog.sevIoctls, 'SEV_PLATFORM_STATUS')),
            writable: z
              .boolean()
              .optional()
              .meta({ description: '/dev/sev opened for writing (default true); false as O_RDONLY.' }),
            length: u32
              .optional()
              .meta({ description: 'SEV_PEK_CSR, SEV_GET_ID2: buffer length (0 asks for it).' }),
            pdhCertLen: u32.optional().meta({ description: 'SEV_PDH_CERT_EXPORT (0 asks for the lengths).' }),
            certChainLen: u32
              .optional()
              .meta({ description: 'SEV_PDH_CERT_EXPORT (0 asks for the lengths).' }),
            reportedTcb: z
              .number()
              .int()
              .min(0)
              .max(u64Max)
              .optional()
              .meta({ description: 'SNP_SET_CONFIG.' }),
            maskChipId: z.boolean().optional().meta({ description: 'SNP_SET_CONFIG.' }),
            maskChipKey: z.boolean().optional().meta({ description: 'SNP_SET_CONFIG.' }),
          })
          .meta({ allOf: sevIoctlFieldRules(catalog) }),
      })
      .meta({
        description:
          "One SEV_ISSUE_CMD on /dev/sev (what sevctl and snphost issue), with the release's implicit init and shutdown; the step reports its errno and argp->error as fwError.",
      }),
    psp: z
      .strictObject({
        psp: z
          .looseObject({ cmd: pspCmd })
          .catchall(z.union([z.number(), z.boolean(), z.string()]))
          .meta({ allOf: pspCommandRules(catalog) }),
      })
      .meta({ description: 'One raw firmware command; other keys are its buffer fields.' }),
    'host.read': z
      .strictObject({
        'host.read': z.strictObject({
          id: vmId,
          page: z
            .number()
            .int()
            .min(0)
            .optional()
            .meta({ description: 'Index of the private page; default 0.' }),
        }),
      })
      .meta({ description: 'The hypervisor reads a private page of the guest.' }),
    expect: z
      .strictObject({
        expect: z.strictObject({
          ok: z.boolean().optional(),
          errno: errno.nullable().optional(),
          fwError: z.union([status, z.number().int().min(0).max(0xffff), z.null()]).optional(),
          read: z.enum(READ_RESULTS).optional(),
          state: z
            .record(z.string(), z.unknown())
            .optional()
            .meta({
              description: 'Dotted state paths and the values they must have.',
              // Any release's parameters here; the kernel's own in schema-conditions.ts.
              propertyNames: statePathSchema(paramsOf(catalog, 'ccp'), paramsOf(catalog, 'kvm_amd')),
            }),
          dmesg: z.string().optional().meta({ description: 'Some kernel log line contains this text.' }),
        }),
      })
      .meta({ description: 'Assertions on the previous step and the state.' }),
  } satisfies Record<StepOp, z.ZodType>;
});

export const machineSchema = perCatalog(function machineSchema(catalog: Catalog) {
  return z
    .strictObject({
      cpu: z.enum(nonEmpty(catalog.cpus, 'genoa')).optional(),
      family: z
        .number()
        .int()
        .min(0)
        .max(255)
        .optional()
        .meta({ description: 'CPUID family (0x19 = 25); with `model`, names the CPU instead of `cpu`.' }),
      model: z.number().int().min(0).max(255).optional().meta({
        description: "CPUID model (0xa0 = 160), within the preset's range; picks the firmware file name.",
      }),
      asids: z.number().int().min(1).max(1006).optional().meta({ description: 'CPUID 0x8000001F ECX.' }),
      firmware: firmwareVersion(catalog)
        .optional()
        .meta({ description: 'Firmware the platform boots with.' }),
      bios: z
        .strictObject({
          smee: z
            .union([z.boolean(), z.literal('auto')])
            .optional()
            .meta({
              description:
                'SMEE (SYSCFG MemEncryptionModEn). "auto", the usual BIOS default, leaves SME off: resolved as false.',
            }),
          snp: z.boolean().optional(),
          minSevAsid: z
            .number()
            .int()
            .min(0)
            .max(1007)
            .optional()
            .meta({ description: 'CPUID 0x8000001F EDX.' }),
          ciphertextHiding: z.boolean().optional(),
          snpMemoryCoverage: z.enum(['full', 'partial', 'none']).optional(),
          iommu: z.boolean().optional(),
          smmLock: z.boolean().optional(),
          iommuSnp: z.boolean().optional().meta({ description: 'IOMMU EFR SNP support (bit 63).' }),
          bootMode: z
            .enum(['uefi', 'legacy'])
            .optional()
            .meta({ description: 'UEFI or legacy (CSM) boot; a legacy boot fails SNP_INIT with 0x3.' }),
          rmpUnaligned: z.enum(['none', 'start', 'end', 'both']).optional().meta({
            description:
              'RMP ends the BIOS put off a 2 MB boundary (contiguous RMP only); the kernel reserves their 2 MB chunks.',
          }),
          rmpSegments: z
            .strictObject({
              segmentGiB: z.literal(SEGMENT_GIB).meta({
                description: 'RMP_CFG segment size in GiB: a power of two, 1 to 4194304 (shift 30..52).',
              }),
              base: rmpAddress.meta({
                description: 'RMP_BASE: the 16 KB bookkeeping area, then the 4 KB RST.',
              }),
              segments: z
                .array(
                  z.strictObject({
                    index: z.number().int().min(0).max(511).meta({ description: 'RST index.' }),
                    at: rmpAddress.meta({ description: "Physical address of the segment's RMP entries." }),
                    mappedGiB: z
                      .number()
                      .int()
                      .min(1)
                      .max(2 ** 22)
                      .meta({ description: 'GiB the segment maps, at most segmentGiB.' }),
                  }),
                )
                .min(1)
                .max(512),
            })
            .optional()
            .meta({
              description:
                'A segmented RMP (Zen 5) where the BIOS put it: the kernel reserves the 2 MB chunks its pieces share with RAM. The bookkeeping area and RST take 2 MB at base.',
            }),
          rmpSegmented: z.boolean().optional().meta({
            description:
              "Whether the BIOS sets RMP_CFG's segmented-RMP enable bit (default: the CPU's form, segmented on turin, the only CPU where it may be true). false on turin: one contiguous RMP, read the same way by every release.",
          }),
        })
        // hardware resolveConfig: the BIOS lays out an RMP only with SNP on and full coverage.
        .meta({
          dependentSchemas: {
            rmpSegments: {
              properties: {
                snp: { const: true },
                snpMemoryCoverage: { const: 'full' },
                rmpUnaligned: { const: 'none' },
                rmpSegmented: { const: true },
              },
            },
          },
        })
        .optional(),
      iommu: z.enum(IOMMU_MODES).optional(),
      sockets: z
        .number()
        .int()
        .min(1)
        .max(2)
        .optional()
        .meta({ description: 'Processor sockets; each has its own PSP and `cores` physical cores.' }),
      cores: z
        .number()
        .int()
        .min(1)
        .max(256)
        .optional()
        .meta({ description: 'Physical cores per socket (SMT 2: twice as many logical CPUs).' }),
      offlineCores: z
        .array(z.number().int().min(0).meta({ minimum: 1 }))
        .optional()
        // hardware resolveConfig: core 0 (the boot CPU) cannot be offline; none listed twice.
        .meta({ uniqueItems: true }),
      memoryGiB: z.number().int().min(1).max(4096).optional(),
      pspResponseSeconds: z
        .partialRecord(
          z.enum(nonEmpty(catalog.pspCommands, 'SNP_INIT_EX')),
          z.union([z.number().int().min(0).max(1_000_000), z.literal('never')]),
        )
        .optional()
        .meta({
          description:
            'Seconds the PSP takes to answer a command (model time), or never; the driver gives up after ccp.psp_probe_timeout / ccp.psp_cmd_timeout (AMDESE/AMDSEV#184).',
        }),
      pspMailboxStatus: z
        .partialRecord(
          z.enum(nonEmpty(catalog.pspCommands, 'PLATFORM_STATUS')),
          z.number().int().min(1).max(0xffff),
        )
        .optional()
        .meta({
          description:
            'A status the PSP answers a command with instead of running it: a mailbox error from outside the SEV firmware, e.g. 0x8003 (AMDESE/AMDSEV#246: "SEV: failed to get status. Error: 0x8003").',
        }),
      pspPci: z.array(z.string().regex(PCI_BDF)).min(1).max(2).optional().meta({
        uniqueItems: true,
        description:
          "The PSPs' PCI addresses as the board places them, socket 0 (the master) first; a socket not listed keeps the preset's. The bus is the board's, the function the CPU's (1 on Rome and Milan, 5 on the Genoa family), e.g. 0000:09:00.5 (AMDESE/AMDSEV#202).",
      }),
    })
    .meta({ description: 'Every key optional; the defaults give a fully enabled machine of the preset.' });
});

export const kernelSchema = perCatalog(function kernelSchema(catalog: Catalog) {
  const paramNames = commandLineParamNames(catalog.allParams);
  return z.strictObject({
    version: z.enum(nonEmpty(catalog.releases, '6.18')).optional(),
    patches: z
      .array(z.enum(nonEmpty(catalog.patches, 'sev-fw-upload')))
      .optional()
      .meta({ uniqueItems: true }),
    builtin: z
      .array(z.enum(MODULES as [ModuleName, ...ModuleName[]]))
      .optional()
      // check-kernel.ts: kvm_amd built in needs ccp built in (Kconfig).
      .meta(ifThen({ contains: { const: 'kvm_amd' } }, { contains: { const: 'ccp' } })),
    params: z.partialRecord(z.enum(nonEmpty(paramNames, 'kvm_amd.sev')), paramValue).optional(),
  });
});

/** The whole file, with `steps` as the union of the step forms (what the JSON Schema publishes). */
export const scenarioSchema = perCatalog(function scenarioSchema(catalog: Catalog) {
  const steps = stepSchemas(catalog);
  const step = z.union([z.enum(BARE_STEPS), ...Object.values(steps)]);
  return z
    .strictObject({
      $schema: z.string().optional(),
      version: z.literal(1),
      name: z.string().min(1),
      description: z.string().optional(),
      machine: machineSchema(catalog).optional(),
      kernel: kernelSchema(catalog).optional(),
      steps: z.array(step),
    })
    .meta({
      title: 'sevsim scenario v1',
      description: `One machine, one kernel and a timeline of operator steps. \`sevsim validate\` also checks what JSON Schema cannot say: ${VALIDATOR_ONLY_RULES.map((r) => r.rule).join('; ')}.`,
    });
});

/** The top level with `steps` left open: each step is validated on its own for precise messages. */
export const topLevelSchema = perCatalog(function topLevelSchema(catalog: Catalog) {
  return z.strictObject({
    $schema: z.string().optional(),
    version: z.literal(1),
    name: z.string().min(1),
    description: z.string().optional(),
    machine: machineSchema(catalog).optional(),
    kernel: z
      .strictObject({
        // A number is reported by the release check ("write the release in quotes").
        version: z.union([z.string(), z.number()]).optional(),
        patches: z.array(z.string()).optional(),
        builtin: z.array(z.enum(MODULES as [ModuleName, ...ModuleName[]])).optional(),
        params: z.record(z.string(), paramValue).optional(),
      })
      .optional(),
    steps: z.array(z.unknown()),
  });
});

/** The parameter names `module` has in any release. */
function paramsOf(catalog: Catalog, module: ModuleName): string[] {
  return [...new Set(catalog.allParams.filter((p) => p.module === module).map((p) => p.name))];
}

export function jsonSchema(catalog: Catalog): Record<string, unknown> {
  const base = z.toJSONSchema(scenarioSchema(catalog), {
    target: 'draft-2020-12',
    io: 'input',
  }) as JsonSchema;
  return { ...withConditions(base, catalog), $defs: pspFieldDefs(catalog) };
}

/** Where the generated schema is published, relative to the package. */
export const SCHEMA_FILE = 'schema/scenario-v1.schema.json';

/** The exact bytes of the published schema file. */
export function schemaText(catalog: Catalog): string {
  return `${JSON.stringify(jsonSchema(catalog), null, 2)}\n`;
}
