/**
 * The firmware's view of the SoC, shared by every command handler: its state, the features of
 * the running image, and small helpers over the hardware model (RMP page states, host memory).
 */
import {
  type CpuidResult,
  hypervisorEntry,
  type Fork,
  type Machine,
  deepFreeze,
  type Writable,
  PAGE_SIZE,
  PAGES_PER_2M,
  type PageState,
  type RmpEntry,
  rmpEntryWith,
} from '@sevsim/hardware';
import { MAX_SEV_ASIDS } from './asid-table';
import { type FirmwareFeatures, featuresOf } from './features';
import { type FirmwareState, forkState } from './state';

export const PAGE = PAGE_SIZE;
export const PAGE_2M = PAGE_SIZE * PAGES_PER_2M;

/** CPUID Fn8000_001F: ECX = number of ASIDs, EDX = MIN_SEV_ASID (docs/reference/psp-firmware.md §8.2). */
const CPUID_MEM_ENCRYPT = 0x8000001f;

export const pfnOf = (pa: number): number => Math.floor(pa / PAGE);

/**
 * An ASID-0 entry of the firmware's own kinds, as a frozen literal (spreads are slow, see
 * `rmpEntryWith`): entries are values, and the RMP stores a frozen one without copying it.
 */
const fwEntry = (assigned: boolean, immutable: boolean, vmsa: boolean): Readonly<RmpEntry> =>
  Object.freeze({
    assigned,
    pageSize: '4K',
    immutable,
    gpa: 0,
    asid: 0,
    vmsa,
    validated: false,
  });

const HV_FIXED = fwEntry(false, true, false);
const FIRMWARE = fwEntry(true, true, false);
const RECLAIM = fwEntry(true, false, false);
const FIRMWARE_IOMMU = Object.freeze(rmpEntryWith(FIRMWARE, { iommu: true }));
const CONTEXT = fwEntry(true, true, true);

/** RMP entries the firmware writes (docs/reference/psp-firmware.md §5.3 table), one frozen value each. */
export const RmpEntries = {
  hypervisor: hypervisorEntry,
  hvFixed: (): Readonly<RmpEntry> => HV_FIXED,
  firmware: (): Readonly<RmpEntry> => FIRMWARE,
  /** Firmware with Immutable cleared: what the firmware leaves for the host to take back. */
  reclaim: (): Readonly<RmpEntry> => RECLAIM,
  firmwareIommu: (): Readonly<RmpEntry> => FIRMWARE_IOMMU,
  context: (): Readonly<RmpEntry> => CONTEXT,
};

export class Firmware {
  features: FirmwareFeatures;
  /** CPUID Fn8000_001F, fixed by the CPU and its BIOS settings: read once, not per command. */
  private memEncrypt: Readonly<CpuidResult>;

  constructor(
    readonly machine: Machine,
    public state: FirmwareState,
  ) {
    this.features = featuresOf(state.running, machine.preset);
    this.memEncrypt = Object.freeze(machine.cpuid(CPUID_MEM_ENCRYPT));
  }

  /** An independent copy over the copied machine (once per fork). */
  fork(f: Fork): Firmware {
    const c = Object.create(Firmware.prototype) as Firmware;
    // Replaced whole by refreshFeatures(), never changed in place: shared.
    c.features = deepFreeze(this.features);
    c.memEncrypt = this.memEncrypt;
    (c as Writable<Firmware>).machine = this.machine.fork(f);
    c.state = forkState(this.state);
    return c;
  }

  /** Re-derive features after the running image changed (DLFW, reboot). */
  refreshFeatures(): void {
    this.features = featuresOf(this.state.running, this.machine.preset);
  }

  /** MIN_SEV_ASID: CPUID 0x8000001F EDX (docs/reference/psp-firmware.md §4 item 6). */
  minSevAsid(): number {
    return this.memEncrypt.edx;
  }

  /** Highest ASID: CPUID ECX, capped at the firmware's MAX_SEV_ASIDS (docs/reference/psp-firmware.md §2.5 step 1). */
  maxSevAsid(): number {
    return Math.min(this.memEncrypt.ecx, MAX_SEV_ASIDS);
  }

  pageState(pa: number): PageState {
    return this.machine.rmp.state(pfnOf(pa));
  }

  entry(pa: number): Readonly<RmpEntry> | undefined {
    return this.machine.rmp.entry(pfnOf(pa));
  }

  setEntry(pa: number, e: Readonly<RmpEntry>): void {
    this.machine.rmp.fwSetEntry(pfnOf(pa), e);
  }

  /**
   * "Firmware-writable": each page of [pa, pa+len) is Firmware or Default (beyond the RMP)
   * (docs/reference/psp-firmware.md §2.2, FW check_page_range_firmware_writable).
   */
  firmwareWritable(pa: number, len: number): boolean {
    const first = pfnOf(pa);
    const last = pfnOf(pa + Math.max(len, 1) - 1);
    for (let pfn = first; pfn <= last; pfn++) {
      const s = this.machine.rmp.state(pfn);
      if (s !== 'FIRMWARE' && s !== 'DEFAULT') return false;
    }
    return true;
  }

  /** The SNP page-state rule applies only while SNP is INIT (docs/reference/psp-firmware.md §2.2). */
  snpInit(): boolean {
    return this.state.snp.state === 1;
  }

  /** FW validate_address_range: the range lies in DRAM (else INVALID_ADDRESS). */
  inDram(pa: number, len: number): boolean {
    const dram = this.machine.config.memoryGiB * 2 ** 30;
    return Number.isInteger(pa) && Number.isInteger(len) && pa >= 0 && len >= 0 && pa + len <= dram;
  }

  /**
   * Firmware write of one entry kind over covered pages [firstPfn, firstPfn+count), as 2 MB
   * entries where a whole aligned 2 MB region is inside (keeps the sparse RMP small).
   */
  setRange(firstPfn: number, count: number, make: () => Readonly<RmpEntry>): void {
    const rmp = this.machine.rmp;
    const end = Math.min(firstPfn + count, rmp.coveredPages);
    let pfn = Math.max(firstPfn, 0);
    while (pfn < end) {
      if (pfn % PAGES_PER_2M === 0 && pfn + PAGES_PER_2M <= end) {
        rmp.fwSetEntry(pfn, rmpEntryWith(make(), { pageSize: '2M' }));
        pfn += PAGES_PER_2M;
      } else {
        rmp.fwSetEntry(pfn, make());
        pfn++;
      }
    }
  }

  read(pa: number, len: number): Uint8Array {
    return this.machine.readPhys(pa, len);
  }

  write(pa: number, bytes: Uint8Array): void {
    this.machine.writePhys(pa, bytes);
  }
}

/** Fits within one 4 KB page (SNP output buffers, docs/reference/psp-firmware.md §3.4, §3.8). */
export function withinPage(pa: number, len: number): boolean {
  return pfnOf(pa) === pfnOf(pa + len - 1);
}

export function isAligned(pa: number, align: number): boolean {
  return pa % align === 0;
}
