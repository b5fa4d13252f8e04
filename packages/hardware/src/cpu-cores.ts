import type { ResolvedMachineConfig } from './config.js';
import type { Fingerprint } from './fingerprint.js';
import type { Writable } from './fork.js';
import { HardwareAccessError } from './errors.js';
import { HWCR_SMMLOCK, MSR, SYSCFG, SYSCFG_BIOS_MTRR } from './msr.js';
import { CORES_PER_CCX, type CpuPreset } from './presets.js';
import type { RmpPlacement } from './rmp-layout.js';

/** The largest MSR value (a constant: `1n << 64n` in the check built a BigInt per WRMSR). */
const U64_MAX = (1n << 64n) - 1n;

export interface Core {
  /**
   * Logical CPU number (Linux CPU id). Linux numbers the first thread of every physical core,
   * socket by socket, then the second threads in the same order: thread 1 of physical core k is
   * CPU k + (sockets × cores).
   */
  readonly id: number;
  readonly present: boolean;
  readonly online: boolean;
  /** Socket (package) the CPU is on. */
  readonly socket: number;
  /** Physical core, numbered across sockets (0 … sockets × cores − 1). */
  readonly core: number;
  /** SMT thread within the physical core (0 or 1). */
  readonly thread: number;
  /** Core complex (shared L3) the CPU belongs to, numbered across sockets. */
  readonly ccx: number;
}

export type WrmsrResult = 'ok' | '#GP';

/**
 * SYSCFG bits held once per physical core and shared by its SMT threads: SNPEn and VMPLEn. A write
 * on either thread changes them for both, and the thread that was offline when the other enabled
 * SNP reads SNPEn set (AMD 24593 §15.36.2; AMD-ASPFW sev_hal_interface.c keeps SNP_EN and VMPL_EN
 * as per-core bytes of the CPU TMR; https://github.com/AMDESE/AMDSEV/issues/154). The other bits
 * (MtrrFixDramModEn, MemEncryptionModEn, …) are per thread, as are HWCR and VM_HSAVE_PA.
 */
export const SYSCFG_PER_CORE = SYSCFG.SNP_EN | SYSCFG.VMPL_EN;

/**
 * Per-CPU MSR state and the WRMSR rules of SYSCFG (docs/reference/psp-firmware.md §8.1, docs/reference/linux-ccp.md §2.3).
 * The RMP MSRs are programmed by the BIOS and identical on every core.
 */
export class CpuCores {
  readonly list: readonly Core[];
  /** SYSCFG's per-thread bits, by logical CPU. */
  private syscfg: BigUint64Array;
  /** SYSCFG's per-core bits (SYSCFG_PER_CORE), by physical core. */
  private syscfgCore: BigUint64Array;
  private hwcr: BigUint64Array;
  private hsavePa: BigUint64Array;
  /** The MSR arrays' buffer is shared with a copy of the machine: the first write copies it. */
  private shared = false;
  /**
   * WBINVD done since the firmware last cleared the marks, by logical CPU; changed far more often
   * than the MSRs (every ASID flush), so it is shared and copied on its own.
   */
  private wbinvdDone: number[];
  private wbinvdShared = false;
  /** SNPEn of every physical core, 32 to a word, for `fingerprint` and `snpEnAll`; dropped by every SYSCFG write. */
  private snpEnWords: readonly number[] | null = null;
  /** SNPEn set on every present CPU, for `snpEnAll` (the contract State reads it at every explored state); dropped with `snpEnWords`. */
  private snpEnEvery: boolean | null = null;
  /** VM_HSAVE_PA ≠ 0 of every logical CPU, 32 to a word, for `fingerprint`; dropped by its writes. */
  private hsaveWords: readonly number[] | null = null;
  private physicalCores: number;

  constructor(
    private preset: CpuPreset,
    cfg: ResolvedMachineConfig,
    private rmp: RmpPlacement,
  ) {
    const n = cfg.logicalCpus;
    this.physicalCores = cfg.sockets * cfg.cores;
    const ccxPerSocket = Math.ceil(cfg.cores / CORES_PER_CCX);
    const offline = new Set(cfg.offlineCores);
    const list: Core[] = [];
    for (let id = 0; id < n; id++) {
      const core = id % this.physicalCores;
      const socket = Math.floor(core / cfg.cores);
      list.push(
        Object.freeze({
          id,
          present: true,
          online: !offline.has(id),
          socket,
          core,
          thread: Math.floor(id / this.physicalCores),
          ccx: socket * ccxPerSocket + Math.floor((core % cfg.cores) / CORES_PER_CCX),
        }),
      );
    }
    this.list = Object.freeze(list);
    const v = CpuCores.views(
      new ArrayBuffer(CpuCores.slabBytes(n, this.physicalCores)),
      n,
      this.physicalCores,
    );
    this.syscfg = v.syscfg.fill(SYSCFG_BIOS_MTRR | (cfg.bios.smee ? SYSCFG.MEM_ENCRYPT : 0n));
    this.syscfgCore = v.syscfgCore;
    this.hwcr = v.hwcr.fill(cfg.bios.smmLock ? HWCR_SMMLOCK : 0n);
    this.hsavePa = v.hsavePa;
    this.wbinvdDone = new Array<number>(n).fill(0);
  }

  /**
   * Every per-CPU MSR array lives in one buffer, shared by a copy of the machine (an explorer
   * fork) until one of them writes: most forks never write an MSR, and allocating a buffer costs
   * more than the rest of a fork's copy.
   */
  private static slabBytes(n: number, p: number): number {
    return (3 * n + p) * 8;
  }

  private static views(slab: ArrayBuffer, n: number, p: number) {
    return {
      syscfg: new BigUint64Array(slab, 0, n),
      syscfgCore: new BigUint64Array(slab, n * 8, p),
      hwcr: new BigUint64Array(slab, (n + p) * 8, n),
      hsavePa: new BigUint64Array(slab, (2 * n + p) * 8, n),
    };
  }

  /** An independent copy: the arrays shared until written, the CPU list and placement (frozen) shared. */
  fork(): CpuCores {
    this.shared = true;
    this.wbinvdShared = true;
    const c = Object.create(CpuCores.prototype) as CpuCores;
    (c as Writable<CpuCores>).list = this.list;
    c.syscfg = this.syscfg;
    c.syscfgCore = this.syscfgCore;
    c.hwcr = this.hwcr;
    c.hsavePa = this.hsavePa;
    c.shared = true;
    c.wbinvdDone = this.wbinvdDone;
    c.wbinvdShared = true;
    c.snpEnWords = this.snpEnWords;
    c.snpEnEvery = this.snpEnEvery;
    c.hsaveWords = this.hsaveWords;
    c.physicalCores = this.physicalCores;
    c.preset = this.preset;
    c.rmp = this.rmp;
    return c;
  }

  /** Before a write: a buffer shared with a copy is copied first. */
  private own(): void {
    if (!this.shared) return;
    const v = CpuCores.views(
      (this.syscfg.buffer as ArrayBuffer).slice(0),
      this.list.length,
      this.physicalCores,
    );
    this.syscfg = v.syscfg;
    this.syscfgCore = v.syscfgCore;
    this.hwcr = v.hwcr;
    this.hsavePa = v.hsavePa;
    this.shared = false;
  }

  private ownWbinvd(): void {
    if (!this.wbinvdShared) return;
    this.wbinvdDone = this.wbinvdDone.slice();
    this.wbinvdShared = false;
  }

  core(id: number): Core {
    const c = Number.isInteger(id) ? this.list[id] : undefined;
    if (c === undefined)
      throw new HardwareAccessError(`core ${id} does not exist (0..${this.list.length - 1})`);
    return c;
  }

  private requireOnline(id: number, what: string): void {
    if (!this.core(id).online)
      throw new HardwareAccessError(`${what} on offline core ${id}: nothing runs there`);
  }

  rdmsr(id: number, msr: number): bigint {
    this.core(id);
    switch (msr) {
      case MSR.SYSCFG:
        return this.readSyscfg(id);
      case MSR.HWCR:
        return this.hwcr[id] as bigint;
      case MSR.VM_HSAVE_PA:
        return this.hsavePa[id] as bigint;
      case MSR.RMP_BASE:
        return this.rmp.msrBase;
      case MSR.RMP_END:
        return this.rmp.msrEnd;
      case MSR.RMP_CFG:
        if (this.preset.features.segmentedRmp) return this.rmp.msrCfg;
        break;
    }
    throw new HardwareAccessError(
      `RDMSR 0x${msr.toString(16)} is not modelled on ${this.preset.model} (#GP)`,
    );
  }

  wrmsr(id: number, msr: number, value: bigint): WrmsrResult {
    this.requireOnline(id, 'WRMSR');
    if (value < 0n || value > U64_MAX) return '#GP';
    switch (msr) {
      case MSR.SYSCFG:
        return this.writeSyscfg(id, value);
      case MSR.HWCR: {
        // SMMLock is a lock: once the BIOS set it, software cannot change it.
        const old = this.hwcr[id] as bigint;
        if ((old & HWCR_SMMLOCK) !== 0n && (value & HWCR_SMMLOCK) === 0n) return '#GP';
        this.own();
        this.hwcr[id] = value;
        return 'ok';
      }
      case MSR.VM_HSAVE_PA:
        // The host save area is a 4 KB-aligned physical address.
        if ((value & 0xfffn) !== 0n) return '#GP';
        this.own();
        this.hsaveWords = null;
        this.hsavePa[id] = value;
        return 'ok';
      default:
        // RMP_BASE/RMP_END/RMP_CFG belong to the BIOS (see README Decisions); others are unmodelled.
        return '#GP';
    }
  }

  /** After a SYSCFG write: the packed SNPEn bits and `snpEnAll` are read anew. */
  private snpEnChanged(): void {
    this.snpEnWords = null;
    this.snpEnEvery = null;
  }

  private coreOf(id: number): number {
    return id % this.physicalCores;
  }

  private readSyscfg(id: number): bigint {
    return (this.syscfg[id] as bigint) | (this.syscfgCore[this.coreOf(id)] as bigint);
  }

  private writeSyscfg(id: number, value: bigint): WrmsrResult {
    const old = this.readSyscfg(id);
    // The bits this write flips, computed once (no closure and no BigInt pair per bit asked).
    const flipped = old ^ value;
    const snpEnFlipped = (flipped & SYSCFG.SNP_EN) !== 0n;
    // SNPEn is sticky: only the firmware's x86 SNP shutdown clears it (docs/reference/psp-firmware.md §8.1).
    if (snpEnFlipped && (old & SYSCFG.SNP_EN) !== 0n) return '#GP';
    // MemEncryptionModEn belongs to the BIOS (SMEE); the kernel only reads it.
    if ((flipped & SYSCFG.MEM_ENCRYPT) !== 0n) return '#GP';
    if (snpEnFlipped) {
      // SNPEn needs MemEncryptionModEn, the RMP MSRs programmed and MFDM set (docs/reference/psp-firmware.md §8.1).
      if ((value & SYSCFG.MEM_ENCRYPT) === 0n) return '#GP';
      if (!this.rmp.reserved) return '#GP';
      if ((value & SYSCFG.MFDM) === 0n) return '#GP';
      // Fam19h models 10h-1Fh erratum: "one of the threads that share the physical core" with a
      // non-zero VM_HSAVE_PA, the writing thread included, makes the 0→1 write #GP (AMD revision
      // guide 57095, as quoted in docs/reference/linux-ccp.md §7.4).
      if (this.hasHsaveErratum() && this.hsaveSetOnCore(id)) return '#GP';
    }
    this.own();
    this.snpEnChanged();
    this.syscfg[id] = value & ~SYSCFG_PER_CORE;
    this.syscfgCore[this.coreOf(id)] = value & SYSCFG_PER_CORE;
    return 'ok';
  }

  private hasHsaveErratum(): boolean {
    return this.preset.family === 0x19 && this.preset.modelId >= 0x10 && this.preset.modelId <= 0x1f;
  }

  /**
   * Some thread of `id`'s physical core has VM_HSAVE_PA ≠ 0. Every thread of the core is asked,
   * however many the machine has (threads of physical core k are CPUs k, k + cores, …), online or
   * not: an offline thread keeps the value it had.
   */
  private hsaveSetOnCore(id: number): boolean {
    for (let t = this.coreOf(id); t < this.list.length; t += this.physicalCores)
      if ((this.hsavePa[t] as bigint) !== 0n) return true;
    return false;
  }

  /** Firmware hidden-MSR write of SNP_SHUTDOWN_EX X86_SNP_SHUTDOWN (docs/reference/psp-firmware.md §3.3). */
  fwClearSnpEn(): void {
    this.own();
    this.snpEnChanged();
    for (let i = 0; i < this.syscfgCore.length; i++) {
      this.syscfgCore[i] = (this.syscfgCore[i] as bigint) & ~SYSCFG.SNP_EN;
    }
  }

  /**
   * For the explorer's state fingerprint, the MSR state that decides what happens next: SNPEn per
   * physical core (a core's threads share the bit), and whether each CPU's VM_HSAVE_PA is non-zero
   * (SNP_INIT needs it 0 everywhere, and on Fam19h 10h–1Fh it decides whether setting SNPEn faults;
   * its value, a page number, is a name). Each packed 32 to a word and kept until written.
   */
  fingerprint(f: Fingerprint): void {
    const snp = this.snpEnBits();
    if (this.hsaveWords === null) {
      this.hsaveWords = packBits(this.hsavePa.length, (i) => (this.hsavePa[i] as bigint) !== 0n);
    }
    f.int(this.syscfgCore.length);
    for (let i = 0; i < snp.length; i++) f.int(snp[i]!);
    const hsave = this.hsaveWords;
    for (let i = 0; i < hsave.length; i++) f.int(hsave[i]!);
  }

  snpEn(id: number): boolean {
    return ((this.syscfgCore[this.coreOf(id)] as bigint) & SYSCFG.SNP_EN) !== 0n;
  }

  /** SNPEn per physical core, 32 to a word, kept until a SYSCFG write drops it. */
  private snpEnBits(): readonly number[] {
    if (this.snpEnWords === null) {
      this.snpEnWords = packBits(
        this.syscfgCore.length,
        (i) => ((this.syscfgCore[i] as bigint) & SYSCFG.SNP_EN) !== 0n,
      );
    }
    return this.snpEnWords;
  }

  /**
   * SNPEn on every physical core (a core's threads share the bit). From the packed bits, and kept
   * until a SYSCFG write: the readers (the contract State after every `sevsim run` step and at
   * every explored state, the firmware's checks) would otherwise walk every logical CPU.
   */
  snpEnAll(): boolean {
    if (this.snpEnEvery !== null) return this.snpEnEvery;
    const bits = this.snpEnBits();
    let all = true;
    for (const c of this.list) {
      if (!c.present) continue;
      const core = this.coreOf(c.id);
      if ((bits[core >>> 5]! & (1 << (core & 31))) === 0) {
        all = false;
        break;
      }
    }
    this.snpEnEvery = all;
    return all;
  }

  snpEnAny(): boolean {
    for (const c of this.list) if (this.snpEn(c.id)) return true;
    return false;
  }

  wbinvd(id: number): void {
    this.requireOnline(id, 'WBINVD');
    this.ownWbinvd();
    this.wbinvdDone[id] = 1;
  }

  wbinvdAllOnline(): void {
    // One pass: a shared array is rebuilt with the marks, not copied first and then marked.
    const was = this.wbinvdDone;
    const done = this.wbinvdShared ? new Array<number>(was.length) : was;
    for (let id = 0; id < was.length; id++) done[id] = this.list[id]!.online ? 1 : was[id]!;
    this.wbinvdDone = done;
    this.wbinvdShared = false;
  }

  wbinvdDoneOn(id: number): boolean {
    this.core(id);
    return this.wbinvdDone[id] === 1;
  }

  /**
   * Every CPU's caches are clean of guest lines. An offline CPU flushed its caches on the way down
   * (the kernel's play-dead path runs WBINVD) and runs nothing since, so it counts as done.
   */
  wbinvdDoneAll(): boolean {
    const done = this.wbinvdDone;
    for (let id = 0; id < done.length; id++) if (done[id] !== 1 && this.list[id]!.online) return false;
    return true;
  }

  clearWbinvd(): void {
    // Every mark is overwritten: a shared array is replaced, not copied first.
    if (this.wbinvdShared) this.wbinvdDone = new Array<number>(this.wbinvdDone.length);
    this.wbinvdShared = false;
    this.wbinvdDone.fill(0);
  }
}

/** `n` flags, 32 to a word, frozen. */
function packBits(n: number, set: (i: number) => boolean): readonly number[] {
  const words: number[] = [];
  for (let c = 0; c < n; c += 32) {
    let w = 0;
    for (let i = c; i < Math.min(c + 32, n); i++) if (set(i)) w |= 1 << (i - c);
    words.push(w);
  }
  return Object.freeze(words);
}
