import type { Fork, Machine, RamRange } from '@sevsim/hardware';
import { DynamicDebug } from '@sevsim/kernel';
import { KernelFs } from './kernel-fs';

/** The kernel ring buffer (dmesg): lines in the kernel's wording, in order. */
export class KernelLog {
  constructor(
    readonly lines: string[] = [],
    /** Dynamic debug's tables (lib/dynamic_debug.c): which modules' dev_dbg() call sites print. */
    readonly ddebug = new DynamicDebug(),
    /** The once-only reports already printed this boot (printk_once, __ONCE_LITE_IF), by call site. */
    private printed: ReadonlySet<string> = new Set(),
  ) {}

  /**
   * Modules whose dev_dbg()/pr_debug() call sites dynamic debug has enabled (`+p`, e.g.
   * `ccp.dyndbg=+p` on the command line; Documentation/admin-guide/dynamic-debug-howto.rst).
   */
  get dyndbg(): ReadonlySet<string> {
    return this.ddebug.print;
  }

  /** An independent copy (of this class or a subclass), lines and dynamic-debug tables copied. */
  fork(): KernelLog {
    const Log = this.constructor as new (...a: ConstructorParameters<typeof KernelLog>) => KernelLog;
    // The once-only set is replaced whole on change, never changed in place: shared.
    return new Log(this.lines.slice(), this.ddebug.fork(), this.printed);
  }

  print(line: string): void {
    this.lines.push(line);
  }

  /** A report the kernel prints once per boot: `site` names its once-only flag. */
  printOnce(site: string, line: string): void {
    if (this.printed.has(site)) return;
    this.printed = new Set(this.printed).add(site);
    this.print(line);
  }

  /** dev_dbg()/pr_debug() of `module`: printed only while its call sites are enabled. */
  debug(module: string, line: string): void {
    if (this.dyndbg.has(module)) this.print(line);
  }

  /** Position to pass to `since` later. */
  mark(): number {
    return this.lines.length;
  }

  /** Lines printed after `mark`. */
  since(mark: number): string[] {
    return this.lines.slice(mark);
  }
}

/** What the running kernel gives a module: the machine it runs on, dmesg, and boot-time facts. */
export interface KernelContext {
  readonly machine: Machine;
  readonly log: KernelLog;
  /** CC_ATTR_HOST_SEV_SNP after boot (docs/reference/linux-ccp.md §7.1); never re-set once cleared. */
  hostSnp: boolean;
  /** is_kdump_kernel() (docs/reference/linux-ccp.md §3.2 step 2). */
  kdump: boolean;
  /** The root file system (NV file, firmware images); created on first use when absent. */
  fs?: KernelFs;
  /** RAM the boot code's RMP fix-ups made e820 reserved (docs/reference/linux-ccp.md §7.3), [start, end) bytes. */
  readonly e820Reserved: readonly RamRange[];
  /**
   * X86_FEATURE_SEV_SNP survived bsp_determine_snp() (docs/reference/linux-ccp.md §7.1 step 2): the
   * kernel found an RMP it can read. kvm_amd prints its SEV-SNP line only then.
   */
  readonly snpFeature: boolean;
}

export interface KernelContextOptions {
  hostSnp?: boolean;
  kdump?: boolean;
  e820Reserved?: readonly RamRange[];
  /** Default: the BIOS reserved an RMP (what a kernel that knows its format finds). */
  snpFeature?: boolean;
  log?: KernelLog;
  fs?: KernelFs;
}

/** A booted kernel's context with defaults (empty dmesg and disk, not kdump, host SNP off). */
export function createKernelContext(machine: Machine, opts: KernelContextOptions = {}): KernelContext {
  return {
    machine,
    log: opts.log ?? new KernelLog(),
    hostSnp: opts.hostSnp ?? false,
    kdump: opts.kdump ?? false,
    e820Reserved: opts.e820Reserved ?? [],
    snpFeature: opts.snpFeature ?? machine.rmp.reserved,
    fs: opts.fs ?? new KernelFs(),
  };
}

/**
 * An independent copy of the kernel context in a fork of the whole system: the machine (once per
 * fork), dmesg and the disk copied; the e820 reservations, fixed at boot, shared. Every module
 * holds the context, so it is copied once per fork.
 */
export function forkKernelContext(ctx: KernelContext, f: Fork): KernelContext {
  return f.once(ctx, () => ({
    machine: ctx.machine.fork(f),
    log: ctx.log.fork(),
    hostSnp: ctx.hostSnp,
    kdump: ctx.kdump,
    e820Reserved: ctx.e820Reserved,
    snpFeature: ctx.snpFeature,
    fs: ctx.fs?.fork(),
  }));
}

export function kernelFs(ctx: KernelContext): KernelFs {
  ctx.fs ??= new KernelFs();
  return ctx.fs;
}
