/**
 * The validator's rules the published JSON Schema cannot state (docs/scenario-and-cli.md,
 * packages/scenario/README.md "Editor support"). JSON Schema 2020-12 judges each
 * value against fixed schemas: it cannot compare two values of one file (no `$data`), nor follow
 * the order of the steps. Everything else `sevsim validate` checks, the schema says too;
 * test/schema-agrees.test.ts holds the two to that, and excuses exactly these.
 */

export interface ValidatorOnlyRule {
  /** The rule, as the README lists it. */
  readonly rule: string;
  /** Why JSON Schema cannot say it. */
  readonly why: string;
  /** The validator's message when a file breaks it. */
  readonly message: RegExp;
  /** Whether the rule can be what rejects this file (the schema covers the other cases). */
  readonly applies: (file: Record<string, unknown>) => boolean;
}

const machineHas = (file: Record<string, unknown>, key: string) =>
  file.machine !== null && typeof file.machine === 'object' && key in file.machine;

export const VALIDATOR_ONLY_RULES: readonly ValidatorOnlyRule[] = [
  {
    rule: 'a VM step names a VM an earlier step creates',
    why: 'depends on the order of the steps',
    message: /^no step before this one creates VM /,
    applies: () => true,
  },
  {
    rule: 'each VM id is created once',
    why: 'compares values inside different steps (uniqueItems compares whole items only)',
    message: /^VM ".*" is created twice/,
    applies: () => true,
  },
  {
    rule: '`expect: {read}` follows a `host.read` step',
    why: 'depends on the order of the steps',
    message: /^read checks a host\.read step/,
    applies: () => true,
  },
  {
    rule: '`expect.state` paths `vms.ID…` name a VM the file creates',
    why: 'compares a key with values elsewhere in the file',
    message: /: no step creates a VM "/,
    applies: () => true,
  },
  {
    rule: '`machine.bios.minSevAsid` is at most `machine.asids` + 1 when `asids` is given',
    why: 'compares two values of the file (without `asids` the schema bounds it by the preset)',
    message: /^bios\.minSevAsid must be an integer in 0\.\.\d+ \(asids \+ 1\)/,
    applies: (file) => machineHas(file, 'asids'),
  },
  {
    rule: '`machine.offlineCores` are below sockets × `machine.cores` × 2 when `cores` is given',
    why: 'compares two values of the file (without `cores` the schema bounds them by the preset)',
    message: /^offline core \d+ does not exist/,
    applies: (file) => machineHas(file, 'cores'),
  },
  {
    rule: '`machine.bios.rmpSegments` lists each RST index once, maps at most `segmentGiB` per segment, and keeps its pieces (2 MB at `base`, 16 bytes per 4 KB mapped at each `at`) inside `machine.memoryGiB` and apart',
    why: 'compares values of one file with each other (indices of different items, a size with segmentGiB, addresses with sizes and memoryGiB)',
    message:
      /^bios\.rmpSegments: (?:segment \d+ listed twice|segment \d+ mappedGiB must be|.* ends beyond DRAM|.* overlaps )/,
    applies: (file) =>
      machineHas(file, 'bios') &&
      typeof (file.machine as { bios?: unknown }).bios === 'object' &&
      'rmpSegments' in ((file.machine as { bios: object }).bios ?? {}),
  },
  {
    rule: 'a `dyndbg` query selects call sites by module only (no `func`, `file`, `format`, `line` match-spec)',
    why: 'reads the words of a text value as ddebug_tokenize() splits them (quotes, `#` comments, `;` between queries), which a pattern would only approximate',
    message: /^the dyndbg match-spec "/,
    applies: () => true,
  },
];
