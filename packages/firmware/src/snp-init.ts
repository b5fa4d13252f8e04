/**
 * SNP_INIT (0x81) and SNP_INIT_EX (0x85), in the order of FW snp_mcmd_init_common
 * (docs/reference/psp-firmware.md §3.2), and the RMP build of §5.6.
 */
import { HWCR_SMMLOCK, MSR, PAGE_STATES, type PageState, SYSCFG } from '@sevsim/hardware';
import {
  Cmd,
  type CmdName,
  Status,
  SevDataSnpInitEx,
  decodeRangeList,
  SevState,
  SnpState,
} from '@sevsim/psp-abi';
import {
  enabledAllCores,
  hsavePaClearedAllThreads,
  msrSameAllThreads,
  snpEnabledAllCores,
} from './cpu-checks';
import { type Firmware, PAGE, RmpEntries, isAligned, pfnOf } from './firmware';
import { type BaseCtx, type CommandSpec, type Guard, command, fail } from './guard';
import { SNP_PLATFORM, nextState } from './state-machines';

/** RANGE_LIST: one 4 KB page, so at most 255 entries (docs/reference/psp-firmware.md §3.2). */
export const MAX_RANGES = 255;
const MB = 0x100000;

interface SnpInitCtx extends BaseCtx {
  ex: boolean;
  initRmp: boolean;
  listPaddrEn: boolean;
  raplDis: boolean;
  ciphertextHidingEn: boolean;
  tioEn: boolean;
  listPaddr: number;
  maxSnpAsid: number;
}

/** PLATFORM_STATUS ciphertext_hiding_cap: BIOS option and CPU capability (docs/reference/linux-ccp.md §6). */
export function ciphertextHidingCap(fw: Firmware): boolean {
  return fw.machine.config.bios.ciphertextHiding && fw.machine.preset.ciphertextHidingCapable;
}

function snpInitGuards(name: CmdName): Guard<SnpInitCtx>[] {
  return [
    {
      id: `${name}.reserved`,
      fact: 'docs/reference/psp-firmware.md §3.2 step 1: reserved fields (and flags this image lacks) non-zero → INVALID_PARAM',
      check: ({ fw, ex, buf, listPaddrEn, raplDis, ciphertextHidingEn, tioEn }) => {
        if (!ex) return undefined;
        const f = fw.features;
        const unknownFlag =
          (listPaddrEn && !f.listPaddr) ||
          (raplDis && !f.raplDis) ||
          (ciphertextHidingEn && !f.ciphertextHiding) ||
          tioEn;
        return SevDataSnpInitEx.reservedNonZero(buf) || unknownFlag ? Status.INVALID_PARAM : undefined;
      },
    },
    {
      id: `${name}.platform-uninit`,
      fact: 'docs/reference/psp-firmware.md §3.2 step 2: SNP state ≠ UNINIT or SEV state ≠ UNINIT → INVALID_PLATFORM_STATE',
      check: ({ fw }) =>
        fw.state.snp.state !== SnpState.UNINIT || fw.state.sev.state !== SevState.UNINIT
          ? Status.INVALID_PLATFORM_STATE
          : undefined,
    },
    {
      id: `${name}.rmp-init-required`,
      fact: 'docs/reference/psp-firmware.md §3.2 step 4: INIT_RMP=0 with no valid RMP (never built, shut down, or TCB changed) → RMP_INIT_REQUIRED',
      check: ({ fw, initRmp }) => {
        if (initRmp) return undefined;
        const valid = fw.machine.rmp.initialised && fw.state.snp.rmpBuiltBySvn === fw.state.running.svn;
        return valid ? undefined : Status.RMP_INIT_REQUIRED;
      },
    },
    {
      id: `${name}.list-needs-rebuild`,
      fact: 'docs/reference/psp-firmware.md §3.2 step 4: LIST_PADDR_EN=1 without a rebuild → INVALID_PARAM',
      check: ({ initRmp, listPaddrEn }) => (listPaddrEn && !initRmp ? Status.INVALID_PARAM : undefined),
    },
    {
      id: `${name}.max-snp-asid`,
      fact: 'docs/reference/psp-firmware.md §3.2 step 10: MAX_SNP_ASID must be 1 … MIN_SEV_ASID−1 (sevsim: INVALID_PARAM)',
      check: ({ fw, ciphertextHidingEn, maxSnpAsid }) =>
        ciphertextHidingEn && (maxSnpAsid < 1 || maxSnpAsid >= fw.minSevAsid())
          ? Status.INVALID_PARAM
          : undefined,
    },
    {
      id: `${name}.cth-capable`,
      fact: 'docs/reference/psp-firmware.md §6: ciphertext hiding needs the platform capability (PLATFORM_STATUS bit 5); sevsim: INVALID_PARAM',
      check: ({ fw, ciphertextHidingEn }) =>
        ciphertextHidingEn && !ciphertextHidingCap(fw) ? Status.INVALID_PARAM : undefined,
    },
    {
      id: `${name}.cores-snp-enabled`,
      fact: 'AMD-ASPFW sev_mcmd.c snp_mcmd_init_common (EXT_ERR_016): UMC encryption, then MemEncryptionModEn, SNPEn and VMPLEn on every core (read per core, thread 0), else INVALID_CONFIG; docs/reference/psp-firmware.md §3.2 step 5',
      check: ({ fw }) =>
        fw.machine.config.bios.smee &&
        enabledAllCores(fw, SYSCFG.MEM_ENCRYPT) &&
        snpEnabledAllCores(fw) &&
        enabledAllCores(fw, SYSCFG.VMPL_EN)
          ? undefined
          : Status.INVALID_CONFIG,
    },
    {
      id: `${name}.msrs-identical`,
      fact: 'AMD-ASPFW sev_hal.c sev_hal_check_msrs (EXT_ERR_068): SYSCFG and HWCR (with the MTRRs, IORRs, TOM/TOM2, TSEG) the same on every thread of every socket, else INVALID_CONFIG; AMD 56860 "SNP_INIT": set identically across all cores. An offline thread that missed the per-thread MFDM fails it (https://github.com/AMDESE/AMDSEV/issues/154)',
      check: ({ fw }) =>
        msrSameAllThreads(fw, MSR.SYSCFG) !== undefined && msrSameAllThreads(fw, MSR.HWCR) !== undefined
          ? undefined
          : Status.INVALID_CONFIG,
    },
    {
      id: `${name}.syscfg-mfdm`,
      fact: 'AMD-ASPFW sev_mcmd.c snp_mcmd_init_common (EXT_ERR_018): SYSCFG has MtrrFixDramModEn (bit 19), else INVALID_CONFIG; docs/reference/psp-firmware.md §3.2 step 6',
      // The value sev_hal_check_msrs kept (sev_hal_get_msr_value): the same on every thread by now.
      check: ({ fw }) =>
        (fw.machine.rdmsr(0, MSR.SYSCFG) & SYSCFG.MFDM) !== 0n ? undefined : Status.INVALID_CONFIG,
    },
    {
      id: `${name}.hwcr-smmlock`,
      fact: 'AMD-ASPFW sev_mcmd.c snp_mcmd_init_common (EXT_ERR_019): HWCR has SMMLock (bit 0), else INVALID_CONFIG; docs/reference/psp-firmware.md §3.2 step 6',
      check: ({ fw }) =>
        (fw.machine.rdmsr(0, MSR.HWCR) & HWCR_SMMLOCK) !== 0n ? undefined : Status.INVALID_CONFIG,
    },
    {
      id: `${name}.iommu-snp`,
      fact: 'docs/reference/linux-ccp.md §3.3: IOMMUs must be configured with SNP support (FW validate_snp_iommu), else INVALID_CONFIG',
      check: ({ fw }) =>
        fw.machine.iommu.mode !== 'off' && fw.machine.iommu.snpCapable ? undefined : Status.INVALID_CONFIG,
    },
    {
      id: `${name}.rmp-bounds`,
      fact: 'docs/reference/psp-firmware.md §3.2 step 7: RMP_BASE/RMP_END identical, BASE 1 MB aligned, size a multiple of 1 MB, else INVALID_CONFIG',
      check: ({ fw }) => {
        const base = msrSameAllThreads(fw, MSR.RMP_BASE);
        const end = msrSameAllThreads(fw, MSR.RMP_END);
        const rmp = fw.machine.rmp;
        if (base === undefined || end === undefined || !rmp.reserved) return Status.INVALID_CONFIG;
        if (!isAligned(rmp.base, MB)) return Status.INVALID_CONFIG;
        return rmp.segmented || isAligned(rmp.end + 1 - rmp.base, MB) ? undefined : Status.INVALID_CONFIG;
      },
    },
    {
      id: `${name}.rmp-cbit`,
      fact: 'docs/reference/psp-firmware.md §3.2 step 7: C-bit set in the RMP MSRs → UNSUPPORTED',
      check: ({ fw }) => {
        const cbit = 1n << BigInt(fw.machine.preset.cbit);
        const base = msrSameAllThreads(fw, MSR.RMP_BASE) ?? 0n;
        const end = msrSameAllThreads(fw, MSR.RMP_END) ?? 0n;
        return (base | end) & cbit ? Status.UNSUPPORTED : undefined;
      },
    },
    {
      id: `${name}.memory-map`,
      fact: 'docs/reference/psp-firmware.md §3.2 step 6: TSEG and the rebuilt memory map must match what the boot loader advertised (AMD-ASPFW check_tseg, validate_memory_map), else INVALID_CONFIG; https://github.com/AMDESE/AMDSEV/issues/107: a legacy (CSM) boot gives SNP_INIT 0x3',
      check: ({ fw }) => (fw.machine.config.bios.bootMode === 'legacy' ? Status.INVALID_CONFIG : undefined),
    },
    {
      id: `${name}.hsave-pa`,
      fact: 'AMD-ASPFW sev_mcmd.c snp_mcmd_init_common (EXT_ERR_029) → sev_hal_interface.c vm_hsave_pa_cleared_all_cores: rebuilding the RMP needs VM_HSAVE_PA = 0 on every thread, else INVALID_CONFIG; docs/reference/psp-firmware.md §3.2 step 8',
      check: ({ fw, initRmp }) =>
        initRmp && !hsavePaClearedAllThreads(fw) ? Status.INVALID_CONFIG : undefined,
    },
  ];
}

/** Every stored (non-HYPERVISOR) RMP entry back to HYPERVISOR. */
function resetRmp(fw: Firmware): void {
  const rmp = fw.machine.rmp;
  const stored = PAGE_STATES.filter((s: PageState) => s !== 'HYPERVISOR' && s !== 'DEFAULT');
  for (const s of stored) for (const pfn of rmp.pfnsInState(s)) rmp.fwSetEntry(pfn, RmpEntries.hypervisor());
}

/** configure_rmp (docs/reference/psp-firmware.md §5.6): DRAM → Hypervisor, LIST ranges → HV_FIXED, table → Firmware. */
function buildRmp(fw: Firmware, listPaddr: number | undefined): boolean {
  let ranges: { base: number; pageCount: number }[] = [];
  if (listPaddr !== undefined) {
    if (!fw.inDram(listPaddr, PAGE)) return false;
    const list = decodeRangeList(fw.read(listPaddr, PAGE));
    if (list.numElements > MAX_RANGES || list.headerReservedNonZero) return false;
    if (list.ranges.some((r) => r.reservedNonZero || !isAligned(r.base, PAGE))) return false;
    ranges = list.ranges;
  }
  resetRmp(fw);
  for (const r of ranges) fw.setRange(pfnOf(r.base), r.pageCount, RmpEntries.hvFixed);
  // The table's own memory: one region, or the pieces of a segmented RMP the BIOS spread out.
  const rmp = fw.machine.rmp;
  for (const t of rmp.tables) {
    if (rmp.covers(pfnOf(t.start)))
      fw.setRange(pfnOf(t.start), pfnOf(t.end) - pfnOf(t.start), RmpEntries.firmware);
  }
  return true;
}

function snpInitCommand(ex: boolean): CommandSpec {
  const name: CmdName = ex ? 'SNP_INIT_EX' : 'SNP_INIT';
  return command<SnpInitCtx>({
    id: ex ? Cmd.SNP_INIT_EX : Cmd.SNP_INIT,
    name,
    prepare: (base) => {
      // SNP_INIT behaves like SNP_INIT_EX with INIT_RMP=1 and no list (docs/reference/psp-firmware.md §3.2).
      if (!ex) {
        return {
          ex,
          initRmp: true,
          listPaddrEn: false,
          raplDis: false,
          ciphertextHidingEn: false,
          tioEn: false,
          listPaddr: 0,
          maxSnpAsid: 0,
        };
      }
      const d = SevDataSnpInitEx.decode(base.buf);
      return {
        ex,
        initRmp: d.initRmp === 1,
        listPaddrEn: d.listPaddrEn === 1,
        raplDis: d.raplDis === 1,
        ciphertextHidingEn: d.ciphertextHidingEn === 1,
        tioEn: d.tioEn === 1,
        listPaddr: d.listPaddr,
        maxSnpAsid: d.maxSnpAsid,
      };
    },
    guards: snpInitGuards(name),
    effect: (c) => {
      const { fw } = c;
      const m = fw.machine;
      const wasInitialised = m.rmp.initialised;
      if (c.initRmp) {
        if (!buildRmp(fw, c.listPaddrEn ? c.listPaddr : undefined)) {
          return fail(
            Status.RMP_INITIALIZATION_FAILED,
            `${name}.configure-rmp`,
            'docs/reference/psp-firmware.md §3.2 step 9: RMP build (configure_rmp, incl. the RANGE_LIST) failed → RMP_INITIALIZATION_FAILED',
          );
        }
        // The rebuilt RMP no longer holds any guest context page.
        fw.state.snp.guests.clear();
        fw.state.snp.rmpBuiltBySvn = fw.state.running.svn;
        m.rmp.fwMarkInitialised(true);
      }
      // IOMMU protection is (re)applied whenever the table was not initialised or was rebuilt.
      if (!wasInitialised || c.initRmp) {
        m.fwSetIommuSnpEnforcement(true);
        for (const pfn of m.iommu.logPages) m.rmp.fwSetEntry(pfn, RmpEntries.firmwareIommu());
      }
      const s = fw.state.snp;
      s.state = nextState(SNP_PLATFORM, name);
      s.guestCount = 0;
      s.raplDis = c.raplDis;
      s.ciphertextHiding = c.ciphertextHidingEn;
      s.maxSnpAsid = c.ciphertextHidingEn ? c.maxSnpAsid : 0;
      if (c.ciphertextHidingEn) m.fwSetCiphertextHiding(true, c.maxSnpAsid);
      // All ASIDs invalid and dirty on every CCX; WBINVD_DONE cleared (docs/reference/psp-firmware.md §3.2 Effects).
      fw.state.asids.markAllDirty();
      m.fwClearWbinvd();
      return undefined;
    },
  });
}

export const snpInitCommands: CommandSpec[] = [snpInitCommand(false), snpInitCommand(true)];
