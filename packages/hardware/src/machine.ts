import { biosSegmentsRmp, type MachineConfig, type ResolvedMachineConfig, resolveConfig } from './config.js';
import { type Core, CpuCores, type WrmsrResult } from './cpu-cores.js';
import { type CpuidResult, cpuid } from './cpuid.js';
import type { Fingerprint } from './fingerprint.js';
import { deepFreeze, type Fork, type Writable } from './fork.js';
import { IOMMU_LOG_PAGES, Iommu, type IommuView } from './iommu.js';
import { MemoryController, type MemoryControllerView } from './memory-controller.js';
import { PageAllocator } from './page-allocator.js';
import { PhysMemory } from './phys-memory.js';
import { CPU_PRESETS, type CpuPreset } from './presets.js';
import { type PageState, Rmp } from './rmp.js';
import {
  PAGE_SIZE,
  type RamRange,
  type RmpPlacement,
  RST_BYTES,
  RMP_BOOKKEEPING_BYTES,
  encodeRstEntry,
  placeRmp,
} from './rmp-layout.js';

export interface HardwareSnapshot {
  cpu: string;
  /** SYSCFG.SNPEn per logical CPU, by id. */
  snpEn: boolean[];
  snpEnAllCores: boolean;
  iommu: { mode: string; snpEnforced: boolean };
  rmp: {
    reserved: boolean;
    initialised: boolean;
    coveredPages: number;
    counts: Record<PageState, number>;
  };
  ciphertextHiding: { enabled: boolean; maxSnpAsid: number };
  keys: number[];
}

const GIB = 2 ** 30;

/**
 * One EPYC machine as the PSP firmware and the Linux kernel see it. Methods named `fw*` are the
 * PSP's privileged access; the rest is what the kernel can do on the CPU (docs/architecture.md).
 */
export class Machine {
  readonly config: ResolvedMachineConfig;
  readonly preset: CpuPreset;
  readonly rmp: Rmp;
  /** Processor sockets (1 or 2); each has its own PSP, the first is the master. */
  readonly sockets: number;

  private cpus: CpuCores;
  private iommuUnit: Iommu;
  private mc: MemoryController;
  private mem: PhysMemory;
  private allocator: PageAllocator;
  private placement: RmpPlacement;

  constructor(config: MachineConfig) {
    // Configuration and presets never change: frozen, so copies of the machine share them.
    this.config = Object.freeze(resolveConfig(config));
    Object.freeze(this.config.offlineCores);
    const cfg = this.config;
    // The preset, reporting the CPUID model the configuration chose within its range; frozen
    // (like the table's own) so copies of the machine share it.
    const preset = Object.freeze(CPU_PRESETS[cfg.cpu]);
    this.preset =
      cfg.modelId === preset.modelId ? preset : Object.freeze({ ...preset, modelId: cfg.modelId });
    Object.freeze(this.preset.features);
    this.sockets = cfg.sockets;
    const dramBytes = cfg.memoryGiB * GIB;
    this.mem = new PhysMemory(dramBytes);
    // The BIOS's placement never changes after boot: frozen, so copies of the machine share it.
    this.placement = deepFreeze(
      placeRmp(
        dramBytes,
        cfg.bios.snpMemoryCoverage,
        cfg.bios.snp,
        biosSegmentsRmp(this.preset, cfg.bios),
        cfg.bios.rmpUnaligned,
        cfg.bios.rmpSegments,
      ),
    );
    this.cpus = new CpuCores(this.preset, cfg, this.placement);
    this.rmp = new Rmp(this.placement, this.cpus, cfg.asids, this.mem.pageCount);
    this.mc = new MemoryController(
      cfg.bios.ciphertextHiding && this.preset.ciphertextHidingCapable,
      cfg.asids,
    );
    this.allocator = new PageAllocator(
      deepFreeze(this.placement.ram.map((r) => ({ start: r.start / PAGE_SIZE, end: r.end / PAGE_SIZE }))),
    );
    this.writeRst();
    this.iommuUnit = this.createIommu();
  }

  /** Each socket's PSP PCI address, the master first (the preset's, or the board's `pspPci`). */
  get pspPci(): readonly string[] {
    return this.config.pspPci;
  }

  /**
   * An independent copy of the machine (an explorer fork): CPUs, RMP, IOMMU, memory controller,
   * DRAM and allocator copied, configuration, preset and RMP placement (frozen) shared. Several
   * layers hold the machine (the firmware, the kernel context, ccp's page allocator), so it is
   * copied once per fork.
   */
  fork(f: Fork): Machine {
    return f.once(this, () => {
      const c = Object.create(Machine.prototype) as Machine;
      const w = c as Writable<Machine>;
      const cpus = this.cpus.fork();
      w.config = this.config;
      w.preset = this.preset;
      w.rmp = this.rmp.fork(cpus);
      w.sockets = this.sockets;
      c.cpus = cpus;
      c.iommuUnit = this.iommuUnit.fork();
      c.mc = this.mc.fork();
      c.mem = this.mem.fork();
      c.allocator = this.allocator.fork();
      c.placement = this.placement;
      return c;
    });
  }

  /** The BIOS fills the RMP Segment Table in memory (docs/reference/psp-firmware.md §5.1). */
  private writeRst(): void {
    if (!this.placement.segmented) return;
    const rst = new DataView(new ArrayBuffer(RST_BYTES));
    for (const s of this.placement.segments) rst.setBigUint64(s.index * 8, encodeRstEntry(s), true);
    this.mem.write(this.placement.base + RMP_BOOKKEEPING_BYTES, new Uint8Array(rst.buffer));
  }

  /** The kernel's IOMMU driver allocates its logs from host RAM when the IOMMU is in use. */
  private createIommu(): Iommu {
    const cfg = this.config;
    const logPages: number[] = [];
    if (cfg.iommu !== 'off') {
      for (const n of [IOMMU_LOG_PAGES.eventLog, IOMMU_LOG_PAGES.pprLog, IOMMU_LOG_PAGES.completionWait]) {
        const first = this.allocator.alloc(n, n);
        for (let i = 0; i < n; i++) logPages.push(first + i);
      }
    }
    return new Iommu(cfg.iommu, cfg.bios.iommu && cfg.bios.iommuSnp, Object.freeze(logPages));
  }

  /** max_pfn as the kernel finds it in e820: the end of the highest RAM range. */
  get maxPfn(): number {
    const ram = this.placement.ram;
    return (ram[ram.length - 1] as RamRange).end / PAGE_SIZE;
  }

  /** The BIOS's e820 RAM ranges, [start, end) in bytes, in address order. */
  get ram(): readonly RamRange[] {
    return this.placement.ram;
  }

  // ---- CPU -------------------------------------------------------------------------------------

  cpuid(leaf: number, subleaf?: number): CpuidResult {
    return cpuid(this.preset, this.config, leaf, subleaf);
  }

  get cores(): readonly Core[] {
    return this.cpus.list;
  }

  rdmsr(core: number, msr: number): bigint {
    return this.cpus.rdmsr(core, msr);
  }

  wrmsr(core: number, msr: number, value: bigint): WrmsrResult {
    return this.cpus.wrmsr(core, msr, value);
  }

  fwClearSnpEn(): void {
    this.cpus.fwClearSnpEn();
  }

  snpEnAllCores(): boolean {
    return this.cpus.snpEnAll();
  }

  wbinvd(core: number): void {
    this.cpus.wbinvd(core);
  }

  /** wbinvd_on_all_cpus(): every online CPU. */
  wbinvdAll(): void {
    this.cpus.wbinvdAllOnline();
  }

  fwWbinvdDone(core: number): boolean {
    return this.cpus.wbinvdDoneOn(core);
  }

  fwWbinvdDoneAll(): boolean {
    return this.cpus.wbinvdDoneAll();
  }

  fwClearWbinvd(): void {
    this.cpus.clearWbinvd();
  }

  // ---- IOMMU -----------------------------------------------------------------------------------

  get iommu(): IommuView {
    return this.iommuUnit;
  }

  fwSetIommuSnpEnforcement(on: boolean): void {
    this.iommuUnit.setEnforcement(on);
  }

  // ---- memory ----------------------------------------------------------------------------------

  /** Bump allocator over usable RAM, range by range in address order; `align` in pages. */
  allocPages(n: number, align?: number): number {
    return this.allocator.alloc(n, align);
  }

  /** memblock_reserve(): the kernel keeps [pfn, pfn + n) from its allocator from now on. */
  reservePages(pfn: number, n: number): void {
    this.mem.checkRange(pfn * PAGE_SIZE, n * PAGE_SIZE);
    this.allocator.reserve(pfn, pfn + n);
  }

  private pfnOf(pa: number): number {
    this.mem.checkRange(pa, 1);
    return Math.floor(pa / PAGE_SIZE);
  }

  /**
   * A host write, RMP-checked when SNPEn is set on the writing CPU: a page whose governing entry is
   * assigned raises #PF with the RMP bit (docs/reference/psp-firmware.md §5.5). Contents go through `writePhys`.
   */
  hostWrite(pa: number, core = 0): 'ok' | 'rmp-fault' {
    const pfn = this.pfnOf(pa);
    this.cpus.core(core);
    if (!this.cpus.snpEn(core)) return 'ok';
    return this.rmp.entry(pfn)?.assigned ? 'rmp-fault' : 'ok';
  }

  /**
   * What a host read returns (docs/reference/psp-firmware.md §5.5, §6): plaintext for host pages; all 0xFF for
   * an SNP guest's page (assigned, ASID 1..MAX_SNP_ASID) when ciphertext hiding is on; else ciphertext.
   */
  hostRead(pa: number): 'plaintext' | 'ciphertext' | 'ff' {
    const pfn = this.pfnOf(pa);
    if (this.mem.key(pfn) === 0) return 'plaintext';
    const e = this.rmp.entry(pfn);
    if (this.mc.ciphertextHiding && e?.assigned && e.asid >= 1 && e.asid <= this.mc.maxSnpAsid) return 'ff';
    return 'ciphertext';
  }

  readPhys(pa: number, len: number): Uint8Array {
    return this.mem.read(pa, len);
  }

  writePhys(pa: number, bytes: Uint8Array): void {
    this.mem.write(pa, bytes);
  }

  /** LAUNCH_UPDATE_DATA / SNP_LAUNCH_UPDATE: the pages now hold data under that guest's key. */
  fwEncryptPages(pfn: number, n: number, asid: number): void {
    this.mc.checkAsid(asid, 'fwEncryptPages');
    this.mem.checkRange(pfn * PAGE_SIZE, n * PAGE_SIZE);
    for (let i = 0; i < n; i++) this.mem.setKey(pfn + i, asid);
  }

  pageKey(pfn: number): number {
    this.mem.checkRange(pfn * PAGE_SIZE, PAGE_SIZE);
    return this.mem.key(pfn);
  }

  // ---- memory controller -----------------------------------------------------------------------

  get memoryController(): MemoryControllerView {
    return this.mc;
  }

  fwInstallKey(asid: number): void {
    this.mc.installKey(asid);
  }

  fwWipeKeys(): void {
    this.mc.wipeKeys();
  }

  fwSetCiphertextHiding(enabled: boolean, maxSnpAsid: number): void {
    this.mc.setCiphertextHiding(enabled, maxSnpAsid);
  }

  /**
   * What decides the machine's next behaviour for the explorer: SNPEn per logical CPU, IOMMU
   * enforcement, the RMP's state and page-state counts, ciphertext hiding. Not memory contents,
   * page numbers or installed keys (the firmware's own state says which guests hold keys).
   */
  fingerprint(f: Fingerprint): void {
    this.cpus.fingerprint(f);
    f.bool(this.iommuUnit.snpEnforced);
    this.rmp.fingerprint(f);
    f.bool(this.mc.ciphertextHiding).int(this.mc.maxSnpAsid);
  }

  snapshot(): HardwareSnapshot {
    return {
      cpu: this.config.cpu,
      snpEn: this.cpus.list.map((c) => this.cpus.snpEn(c.id)),
      snpEnAllCores: this.cpus.snpEnAll(),
      iommu: { mode: this.iommuUnit.mode, snpEnforced: this.iommuUnit.snpEnforced },
      rmp: {
        reserved: this.rmp.reserved,
        initialised: this.rmp.initialised,
        coveredPages: this.rmp.coveredPages,
        counts: this.rmp.counts(),
      },
      ciphertextHiding: { enabled: this.mc.ciphertextHiding, maxSnpAsid: this.mc.maxSnpAsid },
      keys: [...this.mc.keys].sort((a, b) => a - b),
    };
  }
}

/** Builds a machine; throws HardwareConfigError for impossible configurations. */
export function createMachine(config: MachineConfig): Machine {
  return new Machine(config);
}
