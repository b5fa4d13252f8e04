/**
 * Every kernel line a diagnosis understands, in every wording mainline and AMD's snp-host and
 * distribution kernels printed, with what it proves (scenario-v1 paths) and whether the layer
 * models print it. One row per wording; the message is matched after the reader removed the
 * timestamp and prefixes, and after `normalise` (device address, spacing).
 */

/** A fact one line proves: a scenario-v1 path and its value, with a note when it needs one. */
export interface Proof {
  readonly path: string;
  readonly value: unknown;
  readonly note?: string;
}

/** What the alignment says of a real line the simulation did not print. */
export type GapKind =
  /** The layers do not model what this line reports (hardware, kernel config, probe detail). */
  | 'unmodelled'
  /** An older kernel's wording of a fact the simulation printed in the modelled release's words. */
  | 'wording'
  /** The layers model this line; not printing it is a fidelity bug or a cause the replay missed. */
  | 'fidelity';

export interface Wording {
  readonly id: string;
  readonly re: RegExp;
  /** Facts the line proves (absent: the line is read for alignment only). */
  readonly proves?: (m: RegExpExecArray) => readonly Proof[];
  /** When the simulation does not print it: which kind of gap that is. */
  readonly gap: GapKind;
  /** For `wording`: the simulated line that carries the same fact. */
  readonly sameAs?: RegExp;
  /** A real firmware failure this line reports: command family and status. */
  readonly failure?: (m: RegExpExecArray) => { readonly cmd: FailureCmd; readonly status: number };
  /** The first mainline release that prints this wording: a log without `Linux version` is at least that. */
  readonly since?: string;
  /** The row reads the line only when this holds of its match (a wording one release range used). */
  readonly only?: (m: RegExpExecArray) => boolean;
  /** The guest type this line shows the kernel refusing for a reason the layers do not model. */
  readonly refuses?: 'sev' | 'sev-es' | 'snp';
}

const hex = (s: string): number => Number.parseInt(s, 16);

/** The firmware commands whose failure a kernel line reports (`SNP_INIT` and `INIT` for the _EX forms too). */
export type FailureCmd = 'SNP_INIT' | 'INIT' | 'SNP_DF_FLUSH' | 'DF_FLUSH';

/**
 * docs/reference/psp-firmware.md §2.7: statuses the SEV firmware returns only from DF_FLUSH and
 * SNP_DF_FLUSH, never from INIT or SNP_INIT (AMD-ASPFW 1.55.25 sev_mcmd.c: WBINVD_REQUIRED comes
 * only from mcmd_df_flush_common, which both flush commands run). An init line carrying one
 * reports the flush the kernel ran right after a successful init: SNP init's up to 6.15
 * (docs/reference/linux-ccp.md §3.3 step 7), legacy init's up to 6.16
 * (docs/reference/linux-ccp.md §3.4 step 8). Keyed by status: WBINVD_REQUIRED is 0xe.
 */
export const FLUSH_ONLY_STATUS: Readonly<Record<number, string>> = { 14: 'WBINVD_REQUIRED' };

/**
 * docs/reference/psp-firmware.md §3.2 step 3: statuses SNP_INIT answers for the platform itself,
 * before it checks any setting. HWERROR_UNSAFE (0x14): in AMD-ASPFW 1.55.25 a debug-unlocked SoC
 * (snp_mcmd_init_common: signal_snp_sdu_unlocked) or a PSP boot-loader service SNP_INIT relies on
 * failing (sev_hal.c: reading the SNP globals or the TCB version). No setting sevsim models causes
 * or clears it. Keyed by status.
 */
export const SNP_INIT_PLATFORM_STATUS: Readonly<Record<number, string>> = { 20: 'HWERROR_UNSAFE' };

/** The flush command whose status an init family's line carries. */
const FLUSH_AFTER: Readonly<Record<'INIT' | 'SNP_INIT', 'DF_FLUSH' | 'SNP_DF_FLUSH'>> = {
  INIT: 'DF_FLUSH',
  SNP_INIT: 'SNP_DF_FLUSH',
};

/**
 * The command whose failure a line reports: the line's own, except an init line carrying a status
 * only the flushes return, which reports the flush run right after the init (`carried`).
 */
export function failedCommand(f: { readonly cmd: FailureCmd; readonly status: number }): {
  readonly cmd: FailureCmd;
  readonly status: number;
  readonly carried: boolean;
} {
  if ((f.cmd === 'INIT' || f.cmd === 'SNP_INIT') && FLUSH_ONLY_STATUS[f.status] !== undefined)
    return { cmd: FLUSH_AFTER[f.cmd], status: f.status, carried: true };
  return { ...f, carried: false };
}

/**
 * Segmented RMP and RMPREAD support, "x86/sev: Add support for a segmented RMP table" and its series
 * (Tom Lendacky), queued in tip x86/sev on 14 Dec 2024 for the v6.14 merge window; before it
 * bsp_determine_snp() read every family 19h+ RMP as one contiguous table.
 */
export const SEGMENTED_RMP = '6.14';

/**
 * From 6.16 ccp's probe initialises no platform and kvm_amd's load does
 * (docs/reference/linux-ccp.md §3.1 step 2.4): an init or flush failure worded as this release or
 * later was printed while kvm_amd loaded.
 */
export const PLATFORM_INIT_AT_KVM_LOAD = '6.16';

/** Order of two kernel releases ("6.9" before "6.16"). */
export function compareReleases(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
}

/** The CPUs of kernel cpulist `all` ("0-39,41-127") that cpulist `some` lacks. */
function cpulistMinus(all: string, some: string): number[] {
  const ids = (list: string): number[] =>
    list
      .split(',')
      .filter((r) => r !== '')
      .flatMap((r) => {
        const [a, b = a] = r.split('-').map(Number);
        return b! - a! > 8192 ? [] : Array.from({ length: b! - a! + 1 }, (_, i) => a! + i);
      });
  const have = new Set(ids(some));
  return ids(all).filter((c) => !have.has(c));
}

/** A ccp line's device: the PSP's PCI address ("ccp 0000:47:00.1:"; a serial capture may space it). */
const PSP_PCI_PREFIX = /^(ccp|psp)\s+([0-9a-f]{4}:\s*[0-9a-f]{2}:\s*[0-9a-f]{2}\.\s*[0-9a-f]):\s*/i;

/**
 * A PSP that is a platform device, not a PCI function: sp_platform_probe()
 * (drivers/crypto/ccp/sp-platform.c) names it "psp" (jepio/AMDSEV's Azure nested host: "ccp psp:").
 */
const PLATFORM_PSP_PREFIX = /^ccp psp:\s*/;

/** The PCI address of the PSP a ccp line comes from ("0000:42:00.1"), if the line names one. */
export function pspAddress(text: string): string | undefined {
  return PSP_PCI_PREFIX.exec(text)?.[2]?.replace(/\s/g, '').toLowerCase();
}

/** Whether a line comes from a PSP that is a platform device (no PCI address). */
export function isPlatformPsp(text: string): boolean {
  return PLATFORM_PSP_PREFIX.test(text);
}

/**
 * The PSPs a log's ccp lines name (a device whose lines mention SEV or the PSP: "sev enabled", "psp
 * enabled", "psp does not support SEV"), each with the first line naming it, in order of appearance,
 * except that the master, which runs SEV (the first to print an SEV line), comes first.
 */
export function pspDevices<L extends { readonly text: string }>(
  lines: readonly L[],
): { readonly address: string; readonly l: L }[] {
  const first = new Map<string, L>();
  const psp = new Set<string>();
  let master: string | undefined;
  for (const l of lines) {
    const address = pspAddress(l.text);
    if (!address) continue;
    if (!first.has(address)) first.set(address, l);
    const message = l.text.replace(PSP_PCI_PREFIX, '');
    if (/\b(?:sev|psp)\b/i.test(message)) psp.add(address);
    if (master === undefined && /sev/i.test(message)) master = address;
  }
  const all = [...first].filter(([a]) => psp.has(a)).map(([address, l]) => ({ address, l }));
  return [...all.filter((d) => d.address === master), ...all.filter((d) => d.address !== master)];
}

/**
 * A ccp report quoted without its device, as guides quote it ("SEV-SNP: failed to INIT rc -5,
 * error 0x14" in aleph-im's Scaleway guide): the init and flush failure reports come only from
 * sev-dev.c's dev_err() on the PSP (docs/reference/linux-ccp.md §3.3, §3.4), so they are the PSP's.
 */
const CCP_REPORT_UNPREFIXED =
  /^(?=SEV(?:-SNP)?: (?:failed to INIT|(?:SNP_)?INIT(?:_EX)? failed|(?:SNP_)?DF_FLUSH failed))/;

/**
 * The PSP's PCI address, or the name of a PSP that is a platform device, and where the BIOS put
 * the RMP table differ per board and memory size; alignment ignores them (the table's range, its
 * segment table's range and the 2 MB chunks the kernel reserves around its ends).
 */
export function normalise(text: string): string {
  return text
    .replace(PSP_PCI_PREFIX, '$1 <psp>: ')
    .replace(PLATFORM_PSP_PREFIX, 'ccp <psp>: ')
    .replace(CCP_REPORT_UNPREFIXED, 'ccp <psp>: ')
    .replace(
      /^(SEV-SNP: (?:Segmented )?RMP (?:base )?table physical range )\[0x[0-9a-f]+ - 0x[0-9a-f]+\]/i,
      '$1[<rmp>]',
    )
    .replace(
      /^(SEV-SNP: Reserving start\/end of RMP table on a 2MB boundary )\[0x[0-9a-f]+\]/i,
      '$1[<chunk>]',
    )
    .replace(/\s+/g, ' ')
    .trim();
}

export const WORDINGS: readonly Wording[] = [
  // ---- boot identity -------------------------------------------------------------------------
  {
    id: 'linux-version',
    re: /^Linux version (\d+)\.(\d+)\S*/,
    proves: (m) => [{ path: 'kernel.version', value: `${m[1]}.${m[2]}` }],
    gap: 'unmodelled',
  },
  {
    // The header of every WARN/oops dump (dump_stack_lvl(), lib/dump_stack.c): "CPU: 0 UID: 0 PID: 8
    // Comm: kworker/0:0 Not tainted 6.14.0-rc3 #32"; older kernels have no "UID:", tainted ones
    // print "Tainted: G        W" before the release.
    id: 'dump-header',
    re: /^CPU: \d+ (?:UID: \d+ )?PID: \d+ Comm: .+? (?:Not tainted|Tainted: [A-Z ]+) (\d+)\.(\d+)\S*/,
    gap: 'unmodelled',
  },
  { id: 'command-line', re: /^(?:Kernel )?[Cc]ommand line: (.*)$/, gap: 'unmodelled' },
  { id: 'smt-disabled', re: /^SMT: (?:Force disabled|disabled)/, gap: 'unmodelled' },
  { id: 'smpboot-cpu0', re: /^smpboot: CPU0: (.*)$/, gap: 'unmodelled' },

  // ---- RMP reservation (arch/x86/virt/svm/sev.c, and the snp-host trees before it) ------------
  {
    id: 'rmp-range',
    // mainline 6.11+: "RMP table physical range [a - b]"; snp-host 6.x: "physical address [a - b]";
    // snp-host 5.x: "physical address a - b".
    re: /^SEV-SNP: RMP table physical (range|address) (?:\[<rmp>\]|\[?0x[0-9a-f]+ - 0x[0-9a-f]+\]?)/i,
    proves: () => [{ path: 'machine.bios.snp', value: true, note: 'the BIOS reserved an RMP table' }],
    gap: 'wording',
    sameAs: /^SEV-SNP: RMP table physical range/,
  },
  {
    // 6.14+ on Zen 5 (x86/sev segmented-RMP series, docs/reference/linux-ccp.md §7.1 step 2): the
    // 16 KB bookkeeping area and the 4 KB segment table.
    id: 'rmp-segmented-range',
    re: /^SEV-SNP: Segmented RMP base table physical range/,
    proves: () => [
      { path: 'machine.bios.snp', value: true, note: 'the BIOS reserved a segmented RMP table' },
    ],
    gap: 'fidelity',
    since: SEGMENTED_RMP,
  },
  {
    // RMP_CFG's segment size; infer.ts reads it with the segment lines into machine.bios.rmpSegments.
    id: 'rmp-segment-size',
    re: /^SEV-SNP: Segmented RMP using (\d+)GB segments/,
    gap: 'fidelity',
    since: SEGMENTED_RMP,
  },
  {
    // One RST entry: where its RMP entries are and the memory they map (index × segment size,
    // mapped GB long); infer.ts reads it into machine.bios.rmpSegments.
    id: 'rmp-segment',
    re: /^SEV-SNP: RMP segment (\d+) physical address \[(0x[0-9a-f]+) - 0x[0-9a-f]+\] covering \[(0x[0-9a-f]+) - (0x[0-9a-f]+)\]/i,
    gap: 'fidelity',
    since: SEGMENTED_RMP,
  },
  {
    // docs/reference/linux-ccp.md §7.3: printed for each RMP end off a 2 MB boundary (v6.9+);
    // read by infer into machine.bios.rmpUnaligned, so the replay prints it too.
    id: 'rmp-2mb-fixup',
    re: /^SEV-SNP: Reserving start\/end of RMP table on a 2MB boundary/,
    gap: 'unmodelled',
  },
  {
    id: 'rmp-not-reserved',
    re: /^SEV-SNP: Memory for the RMP table has not been reserved by BIOS/,
    proves: () => [{ path: 'machine.bios.snp', value: false, note: 'no RMP table reserved by the BIOS' }],
    gap: 'fidelity',
  },
  {
    id: 'rmp-partial',
    re: /^SEV-SNP: Memory reserved for the RMP table does not cover full system RAM/,
    proves: () => [{ path: 'machine.bios.snpMemoryCoverage', value: 'partial' }],
    gap: 'fidelity',
  },
  {
    id: 'rmp-segmented-partial',
    re: /^SEV-SNP: Segmented RMP does not cover full system RAM/,
    proves: () => [{ path: 'machine.bios.snpMemoryCoverage', value: 'partial' }],
    gap: 'fidelity',
    since: SEGMENTED_RMP,
  },

  // ---- IOMMU (drivers/iommu/amd/init.c) ------------------------------------------------------
  {
    id: 'iommu-snp-off',
    // mainline: "SNP: IOMMU disabled or configured in passthrough mode, SNP cannot be supported."
    // snp-host 5.19: "SNP: IOMMU is disabled or configured in passthrough mode, SNP cannot be supported"
    // snp-host 5.14: "SEV-SNP: IOMMU is either disabled or configured in passthrough mode."
    re: /^AMD-Vi: (?:SEV-)?SNP: IOMMU (?:is )?(?:either )?disabled or configured in passthrough mode/,
    gap: 'wording',
    sameAs: /^AMD-Vi: SNP: IOMMU disabled or configured in passthrough mode/,
  },
  {
    id: 'iommu-snp-on',
    re: /^AMD-Vi: (?:IOMMU SNP support enabled|SNP enabled)/,
    proves: () => [
      { path: 'machine.iommu', value: 'translated' },
      { path: 'machine.bios.iommuSnp', value: true },
    ],
    gap: 'wording',
    sameAs: /^AMD-Vi: IOMMU SNP support enabled/,
  },
  {
    id: 'iommu-efr',
    // EFR bit 63 is SNPSup (AMD IOMMU spec 48882, MMIO 0x0030).
    re: /^AMD-Vi: Using global IVHD EFR:0x([0-9a-f]+)/i,
    proves: (m) => [
      {
        path: 'machine.bios.iommuSnp',
        value: ((BigInt(`0x${m[1]}`) >> 63n) & 1n) === 1n,
        note: 'IOMMU EFR bit 63 (SNPSup)',
      },
    ],
    gap: 'unmodelled',
  },
  {
    id: 'iommu-features',
    re: /^AMD-Vi: Extended features \(0x[0-9a-f]+(?:, 0x[0-9a-f]+)?\):(.*)$/i,
    proves: (m) => [
      {
        path: 'machine.bios.iommuSnp',
        value: /\bSNP\b/.test(m[1] ?? ''),
        note: 'SNP in the IOMMU extended features',
      },
    ],
    gap: 'unmodelled',
  },

  // ---- ccp probe and platform init (drivers/crypto/ccp/sev-dev.c, sp-pci.c) --------------------
  { id: 'ccp-sev-enabled', re: /^ccp <psp>: sev enabled$/, gap: 'fidelity' },
  { id: 'ccp-psp-enabled', re: /^ccp <psp>: psp enabled$/, gap: 'fidelity' },
  {
    // sp_platform_probe() (drivers/crypto/ccp/sp-platform.c) once the SP is set up; the PCI probe
    // (sp-pci.c sp_pci_probe()) prints no such line, so it marks a PSP that is a platform device,
    // not the PCI function the model has (jepio/AMDSEV's Azure nested host: "ccp psp: enabled").
    id: 'ccp-platform-enabled',
    re: /^ccp <psp>: enabled$/,
    gap: 'unmodelled',
  },
  {
    id: 'ccp-smee-off',
    re: /^ccp <psp>: SEV: memory encryption not enabled by BIOS/,
    proves: () => [{ path: 'machine.bios.smee', value: false }],
    gap: 'fidelity',
  },
  {
    id: 'ccp-probe-detail',
    re: /^ccp <psp>: (?:enabling device|no command queues available|registered SEV device|psp does not support (?:TEE|SEV)|ccp enabled|tee enabled)/,
    gap: 'unmodelled',
  },
  {
    id: 'ccp-fw-update',
    re: /^ccp <psp>: SEV firmware update successful/,
    gap: 'unmodelled',
  },
  {
    // Mainline sev_pci_init() (docs/reference/linux-ccp.md §3.1 step 2.3): the image in
    // /lib/firmware/amd was loaded at probe; infer takes the first version as the BIOS's, and the
    // replay installs the second for ccp's probe (a fw.update step before modprobe ccp).
    id: 'ccp-fw-updated',
    re: /^ccp <psp>: SEV firmware updated from (\d+)\.(\d+)\.(\d+) to (\d+)\.(\d+)\.(\d+)/,
    proves: (m) => [
      {
        path: 'machine.firmware',
        value: `${m[1]}.${m[2]}.${m[3]}`,
        note: `the firmware the BIOS booted; ccp loaded ${m[4]}.${m[5]}.${m[6]} from /lib/firmware at probe, which the replay installs for its probe`,
      },
    ],
    gap: 'fidelity',
  },
  {
    id: 'ccp-fw-file-missing',
    re: /^ccp <psp>: (?:No SEV firmware file present|firmware: failed to load)/,
    gap: 'unmodelled',
  },
  {
    // AMD's snp-host trees printed it with dev_err from sev_pci_init() (SNP host series RFC v8,
    // "crypto: ccp: Add support to initialize the AMD-SP for SEV-SNP"); mainline prints it with
    // dev_dbg from __sev_snp_init_locked(), so only under dynamic debug
    // (docs/reference/linux-ccp.md §3.3 step 3).
    id: 'ccp-snp-min-fw',
    re: /^ccp <psp>: SEV-SNP support requires firmware version >= (\d+):(\d+)/,
    gap: 'unmodelled',
  },
  {
    id: 'ccp-api',
    re: /^ccp <psp>: SEV(-SNP)? API:\s?(\d+)\.(\d+) build:\s?(\d+)/,
    // SEV_PLATFORM_STATUS carries api_major and api_minor as bytes, the build as a byte too.
    proves: (m) =>
      [m[2], m[3], m[4]].some((x) => Number(x) > 0xff)
        ? []
        : [
            {
              path: 'machine.firmware',
              value: `${Number(m[2])}.${Number(m[3])}.${Number(m[4])}`,
              ...(m[1] ? { note: 'SNP initialised with it' } : {}),
            },
          ],
    gap: 'fidelity',
  },
  {
    id: 'ccp-snp-init-failed',
    // 6.x: "SEV-SNP: failed to INIT rc -5, error 0x3"; snp-host 5.x: "SEV-SNP: failed to INIT error 0x3"
    re: /^ccp <psp>: SEV-SNP: failed to INIT(?: rc (-?\d+),)? error 0x([0-9a-f]+)/i,
    failure: (m) => ({ cmd: 'SNP_INIT', status: hex(m[2]!) }),
    gap: 'fidelity',
  },
  {
    id: 'ccp-snp-init-failed-6.16',
    // 6.16+ __sev_snp_init_locked(): "SEV-SNP: SNP_INIT_EX failed rc %d, error %#x" (SNP_INIT on
    // firmware 1.51), and kvm_amd then turns SEV off too (docs/reference/linux-ccp.md §3.3 step 6).
    re: /^ccp <psp>: SEV-SNP: SNP_INIT(?:_EX)? failed rc (-?\d+), error 0x([0-9a-f]+)/i,
    failure: (m) => ({ cmd: 'SNP_INIT', status: hex(m[2]!) }),
    gap: 'fidelity',
    since: '6.16',
  },
  {
    id: 'snp-cpus-offline',
    // 7.2 snp_prepare(): a present CPU offline refuses SNP init before any firmware command
    // (docs/reference/linux-ccp.md §3.3 step 4); the masks, where printed, name the offline CPUs.
    re: /^SEV-SNP: SNP init failed: not all CPUs online\.(?: \(([\d,-]*) online <-> ([\d,-]+) present masks\))?/,
    proves: (m) =>
      m[2] === undefined
        ? []
        : [
            {
              path: 'machine.offlineCores',
              value: cpulistMinus(m[2], m[1] ?? ''),
              note: 'the present CPUs the online mask lacks',
            },
          ],
    gap: 'fidelity',
    since: '7.2',
  },
  {
    id: 'ccp-sev-init-platform',
    // Kernels before the SYSCFG check in psp_check_sev_support() sent INIT anyway; the firmware
    // answers HWSEV_RET_PLATFORM when memory encryption is off (sev-tool#43).
    re: /^ccp <psp>: SEV: failed to INIT error 0x13\b/i,
    gap: 'wording',
    sameAs: /SEV: memory encryption not enabled by BIOS/,
  },
  {
    id: 'ccp-sev-init-failed',
    // 6.x: "SEV: failed to INIT error 0x1, rc -5"; older: "SEV: failed to INIT error 0x1" (before
    // "crypto: ccp - Add SEV_INIT rc error logging on init", Nov 2021; AMDSEV#202's Ubuntu 22.04
    // kernel). Up to 6.15 the error may be DF_FLUSH's (FLUSH_ONLY_STATUS).
    re: /^ccp <psp>: SEV: failed to INIT error 0x([0-9a-f]+)/i,
    failure: (m) => ({ cmd: 'INIT', status: hex(m[1]!) }),
    gap: 'fidelity',
  },
  {
    id: 'ccp-sev-init-failed-6.16',
    // 6.16+ __sev_platform_init_locked(): "SEV: INIT failed %#x, rc %d" (or INIT_EX)
    // (docs/reference/linux-ccp.md §3.4 step 6).
    re: /^ccp <psp>: SEV: INIT(?:_EX)? failed 0x([0-9a-f]+), rc (-?\d+)/i,
    failure: (m) => ({ cmd: 'INIT', status: hex(m[1]!) }),
    gap: 'fidelity',
    since: '6.16',
  },
  {
    // 6.16+ __sev_snp_init_locked(): SNP_DF_FLUSH after a successful SNP_INIT
    // (docs/reference/linux-ccp.md §3.3 step 7); infer.ts reads the status into
    // machine.pspMailboxStatus.
    id: 'ccp-snp-df-flush-failed',
    re: /^ccp <psp>: SEV-SNP: SNP_DF_FLUSH failed rc (-?\d+), error 0x([0-9a-f]+)/i,
    failure: (m) => ({ cmd: 'SNP_DF_FLUSH', status: hex(m[2]!) }),
    gap: 'fidelity',
    since: '6.16',
  },
  {
    // 6.16+ __sev_platform_init_locked(): DF_FLUSH after a successful INIT; up to 6.16 its status
    // is also INIT's error, from 6.17 only this line shows it (docs/reference/linux-ccp.md §3.4
    // step 8). infer.ts reads the status into machine.pspMailboxStatus.
    id: 'ccp-df-flush-failed',
    re: /^ccp <psp>: SEV: DF_FLUSH failed 0x([0-9a-f]+), rc (-?\d+)/i,
    failure: (m) => ({ cmd: 'DF_FLUSH', status: hex(m[1]!) }),
    gap: 'fidelity',
    since: '6.16',
  },
  {
    id: 'ccp-get-status-failed',
    // sev_get_api_version() at probe: the legacy PLATFORM_STATUS came back with a status. 0x8003
    // (AMDSEV#246) is no SEV API status: the PSP answered without running the command.
    re: /^ccp <psp>: SEV: failed to get status\. Error: 0x([0-9a-f]+)/i,
    proves: (m) => [{ path: 'machine.pspMailboxStatus', value: { PLATFORM_STATUS: hex(m[1]!) } }],
    gap: 'fidelity',
  },
  {
    // __sev_do_cmd_locked(): the PSP did not answer within psp_timeout, so the driver marks it
    // dead (psp_dead) and sends it nothing more. infer.ts reads the command into
    // machine.pspResponseSeconds (AMDESE/AMDSEV#184).
    id: 'ccp-timeout',
    re: /^ccp <psp>: sev command (0x[0-9a-f]+) timed out, disabling PSP/i,
    gap: 'fidelity',
  },
  { id: 'ccp-dyndbg', re: /^ccp <psp>: sev command id 0x[0-9a-f]+ buffer/i, gap: 'unmodelled' },
  // __sev_do_cmd_locked(): dev_dbg of a command's non-zero status (dynamic debug only).
  {
    id: 'ccp-dyndbg-failed',
    re: /^ccp <psp>: sev command 0x[0-9a-f]+ failed \(0x[0-9a-f]+\)/i,
    gap: 'unmodelled',
  },
  {
    // __sev_snp_init_locked(): dev_dbg once SNP_INIT (and SNP_DF_FLUSH where the tree runs it there) succeeded, in
    // AMD's 5.19 snp-host trees and mainline alike (a 2026 SEV-TIO series appends ", SEV-TIO is
    // …"); seen only under dynamic debug, e.g. https://github.com/enarx/enarx/issues/2263.
    id: 'ccp-snp-initialised-dbg',
    re: /^ccp <psp>: SEV-SNP firmware initialized/i,
    gap: 'unmodelled',
  },

  // ---- kvm_amd (arch/x86/kvm/svm/sev.c sev_hardware_setup) -------------------------------------
  {
    // A tree with the range wording but without "KVM: SVM: Add support for allowing zero SEV
    // ASIDs" (0aa6b90ef9d7, kvm-x86 svm for v6.9) printed an empty SEV range (minimum SEV ASID above
    // the last ASID) as "enabled"; the modelled releases print "unusable"
    // (docs/reference/linux-kvm-amd.md §2.6). jepio/AMDSEV's 6.7 snp-host kernel on an Azure nested
    // host: "kvm_amd: SEV enabled (ASIDs 17 - 16)".
    id: 'kvm-range-empty-old',
    re: /^kvm_amd: SEV enabled \(ASIDs (\d+) - (\d+)\)/,
    only: (m) => Number(m[1]) > Number(m[2]),
    proves: (m) => [
      { path: 'machine.bios.minSevAsid', value: Number(m[1]) },
      { path: 'machine.asids', value: Number(m[2]) },
    ],
    gap: 'wording',
    sameAs: /^kvm_amd: SEV unusable \(ASIDs/,
  },
  {
    id: 'kvm-range',
    // 6.x: "kvm_amd: SEV enabled (ASIDs 100 - 509)", "SEV-ES disabled (ASIDs 0 - 0)", "unusable"
    re: /^kvm_amd: (SEV|SEV-ES|SEV-SNP) (enabled|disabled|unusable) \(ASIDs (\d+) - (\d+)\)/,
    proves: (m) => {
      const [type, , lo, hi] = [m[1], m[2], Number(m[3]), Number(m[4])];
      if (type === 'SEV' && lo > 0)
        return [
          { path: 'machine.bios.minSevAsid', value: lo },
          { path: 'machine.asids', value: hi },
        ];
      if (type !== 'SEV' && lo === 1 && hi > 0) return [{ path: 'machine.bios.minSevAsid', value: hi + 1 }];
      return [];
    },
    gap: 'fidelity',
  },
  {
    id: 'kvm-sev-supported-old',
    // 5.11–6.10: "SEV supported: 410 ASIDs" (max_sev_asid - min_sev_asid + 1), with "kvm_amd: " or
    // without a prefix in AMD's snp-host trees; "SVM: " on older kernels.
    re: /^(?:kvm_amd: |SVM: )?SEV supported: (\d+) ASIDs/,
    gap: 'wording',
    sameAs: /^kvm_amd: SEV (?:enabled|unusable) \(ASIDs/,
  },
  {
    id: 'kvm-sev-es-supported-old',
    // "SEV-ES supported: 99 ASIDs" / snp-host "SEV-ES and SEV-SNP supported: 99 ASIDs" (min_sev_asid - 1)
    re: /^(?:kvm_amd: |SVM: )?SEV-ES (?:and SEV-SNP )?supported: (\d+) ASIDs/,
    proves: (m) => [{ path: 'machine.bios.minSevAsid', value: Number(m[1]) + 1 }],
    gap: 'wording',
    // The snp-host line reports the range SEV-ES and SEV-SNP share, which mainline prints twice.
    sameAs: /^kvm_amd: SEV-(?:ES|SNP) (?:enabled|unusable) \(ASIDs/,
  },
  {
    // Printed at each SNP launch by a kernel built without CONFIG_KVM_PRIVATE_MEM
    // (coconut-svsm#409, sev-utils#19): the launch is refused whatever the platform allows.
    id: 'kvm-guest-memfd',
    re: /^kvm_amd: SEV-SNP requires private memory support via guest_memfd/,
    gap: 'unmodelled',
    refuses: 'snp',
  },
  { id: 'kvm-ciphertext-hiding', re: /^kvm_amd: SEV-SNP ciphertext hiding enabled/, gap: 'fidelity' },
];

/**
 * The first line showing SNP initialised, if any: `SEV-SNP API:` (6.11+ and AMD's later snp-host
 * trees) or the dynamic-debug `SEV-SNP firmware initialized` (every tree; the only one AMD's 5.19
 * snp-host kernels print). INIT's 0x13 after it is no SMEE-off reading: SNP_INIT checks memory
 * encryption the same way first (docs/reference/psp-firmware.md §3.2 step 5), so the cause of that
 * 0x13 is outside the model.
 */
export function snpInitialisedLine<L extends { readonly text: string }>(lines: readonly L[]): L | undefined {
  return lines.find((l) =>
    /^ccp <psp>: (?:SEV-SNP API:|SEV-SNP firmware initialized)/.test(normalise(l.text)),
  );
}

/** The first wording that reads this (normalised) message. */
export function wordingOf(text: string): { readonly w: Wording; readonly m: RegExpExecArray } | undefined {
  for (const w of WORDINGS) {
    const m = w.re.exec(text);
    if (m && (!w.only || w.only(m))) return { w, m };
  }
  return undefined;
}

/** Lines the alignment holds against the simulation: what the modelled kernel code prints. */
export function isAlignable(text: string): boolean {
  return /^(?:ccp <psp>: |kvm_amd: |SEV-SNP: |SEV: |SEV-ES|AMD-Vi: .*(?:SNP|SEV)|(?:SVM: )?SEV(?:-ES)?(?: and SEV-SNP)? supported)/.test(
    text,
  );
}
