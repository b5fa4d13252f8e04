/**
 * The kernel's boot-time SNP set-up (arch/x86/virt/svm/sev.c, drivers/iommu/amd/init.c): kernel
 * code, so it lives with the kernel core and sees the machine only as Linux does (CPUID,
 * RDMSR/WRMSR, memory, the IOMMU), through `@sevsim/hardware`'s public interface.
 */
import {
  CPUID_8000_001F_EAX,
  HWCR_SMMLOCK,
  type Machine,
  MSR,
  PAGE_SIZE,
  type RamRange,
  RMP_BOOKKEEPING_BYTES,
  RMP_CFG_SEGMENTED,
  RMP_CFG_SHIFT_BIT,
  RST_BYTES,
  RST_MAX_ENTRIES,
  SYSCFG,
} from '@sevsim/hardware';
import { uncheckedWrmsrLine } from './extable';

/** The release-dependent part of the kernel's boot-time SNP set-up. */
export interface HostSnpProfile {
  /** ≤7.0: snp_rmptable_init clears the RMP and sets MFDM + SNPEn on all CPUs at boot; 7.1+: ccp's snp_prepare does it. */
  snpEnAtBoot: boolean;
  /**
   * ≤6.11: __snp_fixup_e820_tables reserves an unaligned RMP end's 2 MB chunk in e820 only, so the
   * kernel may still allocate its RAM; 6.12+ (absent or false) also memblock_reserve()s it
   * (docs/reference/linux-ccp.md §7.3).
   */
  rmpFixupE820Only?: boolean;
  /**
   * ≤6.13: snp_rmptable_init() is a device_initcall that runs after the IOMMU's iommu_snp_enable()
   * printed "IOMMU SNP support enabled.", and a failure only clears CC_ATTR_HOST_SEV_SNP; 6.14+
   * (absent or false) calls it from iommu_snp_enable(), which warns "SNP: RMP initialization
   * failed" instead (commit 409f45387c93, docs/reference/linux-ccp.md §7.1 step 5).
   */
  rmpInitAfterIommu?: boolean;
  /**
   * ≤6.13: snp_probe_rmptable_info() knows only the contiguous RMP. It reads RMP_BASE and RMP_END
   * whatever RMP_CFG says, so a BIOS that enabled the segmented RMP (RMP_END 0) gets "Memory for
   * the RMP table has not been reserved by BIOS" and no host SNP; 6.14+ (absent or false) reads
   * RMP_CFG first (the segmented-RMP series; docs/reference/linux-ccp.md §7.1 step 2).
   */
  rmpContiguousOnly?: boolean;
}

export type HostSnpDisableId =
  | 'smee-off'
  | 'smm-lock-clear'
  | 'cpu-no-snp'
  | 'rmp-format-unknown'
  | 'rmp-not-reserved'
  | 'rmp-segmented-unknown'
  | 'iommu-absent'
  | 'iommu-off'
  | 'iommu-passthrough'
  | 'iommu-no-snp'
  | 'rmp-coverage';

export interface HostSnpBootResult {
  /** CC_ATTR_HOST_SEV_SNP after boot. */
  hostSnp: boolean;
  /** dmesg lines, in the kernel's wording and order. */
  log: string[];
  /** The check that turned host SNP off, with the reference fact it models. */
  disabledBy?: { id: HostSnpDisableId; fact: string };
  /**
   * bsp_determine_snp() turned host SNP down and cleared X86_FEATURE_SEV_SNP with it, so kvm_amd
   * sees no SNP in the CPU and prints no SEV-SNP line (docs/reference/linux-ccp.md §7.1 step 2).
   */
  snpFeatureCleared?: true;
  /**
   * RAM the RMP fix-ups turned into e820 reserved (the rest of each 2 MB chunk an unaligned RMP end
   * falls in), [start, end) in bytes: iomem "Reserved" resources, so SNP_INIT_EX makes them HV-Fixed.
   */
  e820Reserved: RamRange[];
  /**
   * From `hostSnpEarlyBoot` on a release with `rmpInitAfterIommu` (≤6.13) and host SNP still on:
   * snp_rmptable_init() is a device_initcall that has not run yet (built-in modules linked before
   * arch/x86/virt initialise first); `snpRmptableInitcall` runs it.
   */
  rmptableInitPending?: boolean;
}

const RMP_ADDR_MASK = ((1n << 52n) - 1n) & ~((1n << 13n) - 1n); // bits 51:13
const GB = 1n << 30n;

const hex = (v: bigint | number) => `0x${BigInt(v).toString(16)}`;
const hex16 = (v: bigint | number) => `0x${BigInt(v).toString(16).padStart(16, '0')}`;
const SNP = 'SEV-SNP: ';
const AMDVI = 'AMD-Vi: ';

/**
 * The kernel's boot-time decision chain for CC_ATTR_HOST_SEV_SNP (docs/reference/linux-ccp.md §7.1, §7.2), using
 * only what the kernel can use: CPUID, RDMSR/WRMSR, the RMP Segment Table in memory, the IOMMU. On
 * ≤6.13 this includes the device_initcall snp_rmptable_init() as if nothing ran before it (no
 * built-in module); the engine, which knows the built-in modules, runs the two halves itself.
 */
export function hostSnpBoot(machine: Machine, profile: HostSnpProfile): HostSnpBootResult {
  const early = hostSnpEarlyBoot(machine, profile);
  if (!early.rmptableInitPending) return early;
  const rest = snpRmptableInitcall(machine, profile, early);
  return { ...rest, log: [...early.log, ...rest.log] };
}

/**
 * Boot up to the initcalls of the device level: the CPU and BIOS checks, the RMP e820 fix-ups, the
 * IOMMU's SNP check and, from 6.14, the RMP set-up it calls. On ≤6.13 host SNP may still be on with
 * the RMP not yet set up (`rmptableInitPending`).
 */
export function hostSnpEarlyBoot(machine: Machine, profile: HostSnpProfile): HostSnpBootResult {
  const log: string[] = [];
  const e820Reserved: RamRange[] = [];
  const off = (id: HostSnpDisableId, fact: string): HostSnpBootResult => ({
    hostSnp: false,
    log,
    disabledBy: { id, fact },
    e820Reserved,
  });
  // bsp_determine_snp(): a refusal also clears the CPU feature.
  const cleared = (id: HostSnpDisableId): HostSnpBootResult => ({
    ...off(id, 'docs/reference/linux-ccp.md §7.1 step 2'),
    snpFeatureCleared: true,
  });

  // docs/reference/linux-ccp.md §7.1 step 1, early_detect_mem_encrypt: SYSCFG.MemEncryptionModEn, then HWCR.SMMLock.
  if ((machine.rdmsr(0, MSR.SYSCFG) & SYSCFG.MEM_ENCRYPT) === 0n)
    return off('smee-off', 'docs/reference/linux-ccp.md §7.1 step 1');
  if ((machine.rdmsr(0, MSR.HWCR) & HWCR_SMMLOCK) === 0n)
    return off('smm-lock-clear', 'docs/reference/linux-ccp.md §7.1 step 1');

  // docs/reference/linux-ccp.md §7.1 step 2, bsp_determine_snp.
  const eax = machine.cpuid(0x8000001f).eax;
  if ((eax & CPUID_8000_001F_EAX.SNP) === 0)
    return off('cpu-no-snp', 'docs/reference/linux-ccp.md §7.1 step 2');
  // The raw RMP format is known for Zen3/Zen4 (all of family 19h); later CPUs need RMPREAD.
  const family = familyOf(machine.cpuid(1).eax);
  if (family !== 0x19 && (eax & CPUID_8000_001F_EAX.RMPREAD) === 0) return cleared('rmp-format-unknown');
  const rmpCfg = rmpCfgOf(machine, profile);
  const segmented = (rmpCfg & RMP_CFG_SEGMENTED) !== 0n;
  const rmpBase = machine.rdmsr(0, MSR.RMP_BASE);
  const rmpEnd = machine.rdmsr(0, MSR.RMP_END);
  const notReserved = segmented
    ? (rmpBase & RMP_ADDR_MASK) === 0n
    : (rmpBase & RMP_ADDR_MASK) === 0n || (rmpEnd & RMP_ADDR_MASK) === 0n;
  if (notReserved) {
    log.push(`${SNP}Memory for the RMP table has not been reserved by BIOS`);
    // ≤6.13 on a segmented-RMP BIOS: RMP_BASE is set but RMP_END, which the CPU then ignores, is 0.
    return cleared(segmentedUnknown(machine, profile) ? 'rmp-segmented-unknown' : 'rmp-not-reserved');
  }
  const bookkeeping = BigInt(RMP_BOOKKEEPING_BYTES);
  if (segmented) {
    log.push(
      `${SNP}Segmented RMP base table physical range [${hex16(rmpBase)} - ${hex16(rmpBase + bookkeeping + BigInt(RST_BYTES))}]`,
    );
    // docs/reference/linux-ccp.md §7.3: fixup_e820_tables_for_segmented_rmp, the base, the RST's end, each segment's ends.
    const pieces = [rmpBase, rmpBase + bookkeeping + BigInt(RST_BYTES)];
    for (const s of rstEntries(machine, rmpBase, rmpCfg)) pieces.push(s.pa, s.pa + s.rmpBytes);
    for (const pa of pieces) fixupE820(machine, profile, Number(pa), log, e820Reserved);
  } else {
    log.push(`${SNP}RMP table physical range [${hex16(rmpBase)} - ${hex16(rmpEnd)}]`);
    // docs/reference/linux-ccp.md §7.1 step 3, §7.3: snp_fixup_e820_tables, the table's start and end.
    for (const pa of [rmpBase, rmpEnd + 1n]) fixupE820(machine, profile, Number(pa), log, e820Reserved);
  }

  // docs/reference/linux-ccp.md §7.1 step 4, AMD IOMMU init: no IVRS or amd_iommu=off end SNP without a message.
  if (!machine.config.bios.iommu) return off('iommu-absent', 'docs/reference/linux-ccp.md §7.1 step 4');
  if (machine.iommu.mode === 'off') return off('iommu-off', 'docs/reference/linux-ccp.md §7.1 step 4');
  // iommu_snp_enable().
  if (machine.iommu.mode === 'passthrough') {
    log.push(`${AMDVI}SNP: IOMMU disabled or configured in passthrough mode, SNP cannot be supported.`);
    return off('iommu-passthrough', 'docs/reference/linux-ccp.md §7.1 step 4');
  }
  if (!machine.iommu.snpCapable) {
    log.push(`${AMDVI}SNP: IOMMU SNP feature not enabled, SNP cannot be supported.`);
    return off('iommu-no-snp', 'docs/reference/linux-ccp.md §7.1 step 4');
  }

  if (profile.rmpInitAfterIommu) {
    log.push(`${AMDVI}IOMMU SNP support enabled.`);
    return { hostSnp: true, log, e820Reserved, rmptableInitPending: true };
  }
  // 6.14+: iommu_snp_enable() calls snp_rmptable_init() before its own line (409f45387c93).
  if (!snpRmptableInit(machine, profile, log)) {
    log.push(`${AMDVI}SNP: RMP initialization failed, SNP cannot be supported.`);
    return off('rmp-coverage', 'docs/reference/linux-ccp.md §7.1 step 5');
  }
  log.push(`${AMDVI}IOMMU SNP support enabled.`);
  return { hostSnp: true, log, e820Reserved };
}

/**
 * ≤6.13: snp_rmptable_init() as the device_initcall of arch/x86/virt/svm/sev.c, after whatever
 * initcalls of that level link before it (a built-in kvm_amd). A failure clears
 * CC_ATTR_HOST_SEV_SNP without the AMD-Vi warning (docs/reference/linux-ccp.md §7.1 step 5).
 * Returns the new state and only the lines this initcall printed.
 */
export function snpRmptableInitcall(
  machine: Machine,
  profile: HostSnpProfile,
  early: HostSnpBootResult,
): HostSnpBootResult {
  const { e820Reserved } = early;
  if (!early.rmptableInitPending) return { hostSnp: early.hostSnp, log: [], e820Reserved };
  const log: string[] = [];
  if (!snpRmptableInit(machine, profile, log))
    return {
      hostSnp: false,
      log,
      disabledBy: { id: 'rmp-coverage', fact: 'docs/reference/linux-ccp.md §7.1 step 5' },
      e820Reserved,
    };
  return { hostSnp: true, log, e820Reserved };
}

/**
 * snp_rmptable_init() → setup_rmptable() and the SNPEn sequence (docs/reference/linux-ccp.md §7.1
 * step 5): the RMP must cover all of RAM; then (≤7.0) zero it, WBINVD, MFDM and SNPEn|VMPLEn on
 * every online CPU, unless SNPEn is already set (kexec). snp_enable() uses the unchecked wrmsr, so a
 * #GP (the Fam19h 10h–1Fh erratum with VM_HSAVE_PA set, docs/reference/linux-ccp.md §7.4) is
 * reported once and SNP stays "enabled" for the kernel. Offline CPUs are left alone: the hotplug
 * callback would enable them when they come online (docs/reference/linux-ccp.md §3.3 step 4 [HISTORIC]).
 */
function snpRmptableInit(machine: Machine, profile: HostSnpProfile, log: string[]): boolean {
  const rmpCfg = rmpCfgOf(machine, profile);
  const segmented = (rmpCfg & RMP_CFG_SEGMENTED) !== 0n;
  const rmpBase = machine.rdmsr(0, MSR.RMP_BASE);
  const maxPfn = BigInt(machine.maxPfn);
  const covered = segmented
    ? segmentedCovers(machine, rmpBase, rmpCfg, maxPfn, log)
    : contiguousCovers(rmpBase, machine.rdmsr(0, MSR.RMP_END), maxPfn, log);
  if (!covered) return false;
  if (profile.snpEnAtBoot && (machine.rdmsr(0, MSR.SYSCFG) & SYSCFG.SNP_EN) === 0n) {
    machine.rmp.clear();
    machine.wbinvdAll();
    const online = machine.cores.filter((c) => c.online);
    for (const c of online) machine.wrmsr(c.id, MSR.SYSCFG, machine.rdmsr(c.id, MSR.SYSCFG) | SYSCFG.MFDM);
    let reported = false;
    for (const c of online) {
      const value = machine.rdmsr(c.id, MSR.SYSCFG) | SYSCFG.SNP_EN | SYSCFG.VMPL_EN;
      if (machine.wrmsr(c.id, MSR.SYSCFG, value) === '#GP' && !reported) {
        log.push(uncheckedWrmsrLine(MSR.SYSCFG, value));
        reported = true;
      }
    }
  }
  return true;
}

const PMD_SIZE = 2 * 1024 * 1024;

/**
 * Linux v6.12 arch/x86/virt/svm/sev.c __snp_fixup_e820_tables(): an RMP boundary off a 2 MB
 * boundary whose 2 MB chunk holds RAM gets the whole chunk reserved in the e820 tables (so a kexec
 * kernel never allocates it and faults on the RMP), and from 6.12 in memblock too
 * (docs/reference/linux-ccp.md §7.3).
 */
function fixupE820(
  machine: Machine,
  profile: HostSnpProfile,
  pa: number,
  log: string[],
  e820Reserved: RamRange[],
): void {
  if (pa % PMD_SIZE === 0) return;
  const chunk = pa - (pa % PMD_SIZE);
  // e820__mapped_any(RAM): a chunk an earlier fix-up reserved holds no RAM any more.
  const ram = machine.ram
    .filter((r) => r.start < chunk + PMD_SIZE && chunk < r.end)
    .map((r) => ({ start: Math.max(r.start, chunk), end: Math.min(r.end, chunk + PMD_SIZE) }))
    .filter((r) => !e820Reserved.some((d) => d.start <= r.start && r.end <= d.end));
  if (ram.length === 0) return;
  log.push(`${SNP}Reserving start/end of RMP table on a 2MB boundary [${hex16(chunk)}]`);
  e820Reserved.push(...ram);
  if (!profile.rmpFixupE820Only) machine.reservePages(chunk / PAGE_SIZE, PMD_SIZE / PAGE_SIZE);
}

/**
 * RMP_CFG as snp_probe_rmptable_info() reads it: only on a CPU with the segmented-RMP feature, and
 * (6.14+) only by a kernel that knows the MSR; a ≤6.13 kernel treats every RMP as contiguous.
 */
function rmpCfgOf(machine: Machine, profile: HostSnpProfile): bigint {
  if (profile.rmpContiguousOnly) return 0n;
  const eax = machine.cpuid(0x8000001f).eax;
  return (eax & CPUID_8000_001F_EAX.SEGMENTED_RMP) !== 0 ? machine.rdmsr(0, MSR.RMP_CFG) : 0n;
}

/** A segmented RMP that the kernel reads as a contiguous one (≤6.13). */
function segmentedUnknown(machine: Machine, profile: HostSnpProfile): boolean {
  return (
    profile.rmpContiguousOnly === true &&
    (machine.cpuid(0x8000001f).eax & CPUID_8000_001F_EAX.SEGMENTED_RMP) !== 0 &&
    (machine.rdmsr(0, MSR.RMP_CFG) & RMP_CFG_SEGMENTED) !== 0n
  );
}

function familyOf(sig: number): number {
  const base = (sig >> 8) & 0xf;
  return base === 0xf ? base + ((sig >> 20) & 0xff) : base;
}

/** setup_contiguous_rmptable: size ≥ 16 KB + 16 B × max(max_pfn, PFN_UP(rmp_end)). */
function contiguousCovers(rmpBase: bigint, rmpEnd: bigint, maxPfn: bigint, log: string[]): boolean {
  const size = rmpEnd - rmpBase + 1n;
  const page = BigInt(PAGE_SIZE);
  const endPfn = (rmpEnd + page - 1n) / page;
  const maxRmpPfn = endPfn > maxPfn ? endPfn : maxPfn;
  const expected = (maxRmpPfn << 4n) + BigInt(RMP_BOOKKEEPING_BYTES);
  if (expected > size) {
    log.push(
      `${SNP}Memory reserved for the RMP table does not cover full system RAM (expected ${hex(expected)} got ${hex(size)})`,
    );
    return false;
  }
  return true;
}

/** A mapped RST entry as the kernel reads it: its index, RMP entries' address and size, what it covers. */
interface RstEntry {
  readonly index: number;
  readonly pa: bigint;
  readonly rmpBytes: bigint;
  readonly covers: bigint;
  readonly mapped: bigint;
}

/** The RST in memory at RMP_BASE + 16 KB: mapped size in GB (bits 19:0, capped to the segment size), base (bits 51:20). */
function rstEntries(machine: Machine, rmpBase: bigint, rmpCfg: bigint): RstEntry[] {
  const shift = (rmpCfg >> RMP_CFG_SHIFT_BIT) & 0x3fn;
  const segSize = 1n << shift;
  const rst = machine.readPhys(Number(rmpBase) + RMP_BOOKKEEPING_BYTES, RST_BYTES);
  const view = new DataView(rst.buffer, rst.byteOffset, rst.byteLength);
  const out: RstEntry[] = [];
  for (let i = 0; i < RST_MAX_ENTRIES; i++) {
    const raw = view.getBigUint64(i * 8, true);
    let mapped = (raw & 0xfffffn) * GB;
    if (mapped === 0n) continue;
    if (mapped > segSize) mapped = segSize;
    const pa = raw & (((1n << 52n) - 1n) & ~((1n << 20n) - 1n));
    out.push({
      index: i,
      pa,
      rmpBytes: (mapped / BigInt(PAGE_SIZE)) << 4n,
      covers: BigInt(i) << shift,
      mapped,
    });
  }
  return out;
}

/** setup_segmented_rmptable: walk the RST in memory; the mapped segments must reach max_pfn. */
function segmentedCovers(
  machine: Machine,
  rmpBase: bigint,
  rmpCfg: bigint,
  maxPfn: bigint,
  log: string[],
): boolean {
  const segSize = 1n << ((rmpCfg >> RMP_CFG_SHIFT_BIT) & 0x3fn);
  log.push(`${SNP}Segmented RMP using ${segSize >> 30n}GB segments`);
  const ramPaMax = maxPfn * BigInt(PAGE_SIZE);
  let ramPaEnd = 0n;
  for (const { index, pa: segPa, rmpBytes, covers: pa, mapped } of rstEntries(machine, rmpBase, rmpCfg)) {
    if (pa < ramPaMax) ramPaEnd = pa + mapped;
    log.push(
      `${SNP}RMP segment ${index} physical address [${hex(segPa)} - ${hex(segPa + rmpBytes - 1n)}] covering [${hex(pa)} - ${hex(pa + mapped - 1n)}]`,
    );
  }
  if (ramPaMax > ramPaEnd) {
    log.push(
      `${SNP}Segmented RMP does not cover full system RAM (expected ${hex(ramPaMax)} got ${hex(ramPaEnd)})`,
    );
    return false;
  }
  return true;
}
