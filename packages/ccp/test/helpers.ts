/**
 * Test rig: a real machine (hardware), the kernel's boot-time SNP decision, a real PSP firmware,
 * and the ccp driver between them. `MailboxTap` records every command the driver sends and can
 * inject a status for a command (for firmware outcomes the real model cannot be driven into).
 */
import { type Mailbox, type MailboxOptions, type MailboxResult, cmdName, statusName } from '@sevsim/psp-abi';
import { createPsp } from '@sevsim/firmware';
import { type MachineConfig, createMachine } from '@sevsim/hardware';
import { hostSnpBoot } from '@sevsim/kernel';
import { type CcpParams, type CcpProfile, createKernelContext, loadCcp } from '../src/index';

const base: CcpProfile = {
  initOnProbe: false,
  snpFailureAbortsLegacy: true,
  snpPrepare: 'boot',
  x86SnpShutdown: false,
  ciphertextHiding: false,
  ioctlImplicitInit: 'full',
  snpStatusImplicitInit: true,
  firmwareVmTypes: false,
  snpIoctlsNeedInit: false,
  kdumpSkip: false,
  fwUpload: false,
  legacyLogFormat: false,
  dfFlushErrorToCaller: true,
};

/** sevsim's reading of each release (the real table lives in @sevsim/kvm-amd). */
export const PROFILES = {
  '6.15': {
    ...base,
    initOnProbe: true,
    snpFailureAbortsLegacy: false,
    ioctlImplicitInit: 'legacy-persistent',
    snpStatusImplicitInit: false,
    legacyLogFormat: true,
  },
  '6.16': base,
  '6.18': { ...base, ciphertextHiding: true, kdumpSkip: true, dfFlushErrorToCaller: false },
  '7.0': {
    ...base,
    ciphertextHiding: true,
    kdumpSkip: true,
    snpStatusImplicitInit: false,
    dfFlushErrorToCaller: false,
  },
  '7.1': {
    ...base,
    ciphertextHiding: true,
    kdumpSkip: true,
    snpStatusImplicitInit: false,
    snpPrepare: 'snp-init',
    x86SnpShutdown: true,
    dfFlushErrorToCaller: false,
  },
  '7.2': {
    ...base,
    ciphertextHiding: true,
    kdumpSkip: true,
    snpStatusImplicitInit: false,
    snpPrepare: 'snp-init-checked',
    x86SnpShutdown: true,
    ioctlImplicitInit: 'legacy-only',
    firmwareVmTypes: true,
    snpIoctlsNeedInit: true,
    dfFlushErrorToCaller: false,
  },
} as const satisfies Record<string, CcpProfile>;

export type Release = keyof typeof PROFILES;

export interface Sent {
  readonly name: string;
  readonly status: number;
}

/** Records commands; `inject(name, status)` answers the next such command without the firmware. */
export class MailboxTap implements Mailbox {
  readonly sent: Sent[] = [];
  private readonly injections: { name: string; status: number }[] = [];
  /** CMDBUFF_ADDR of each command sent (undefined for a command without a buffer). */
  readonly addresses: (number | undefined)[] = [];

  constructor(
    private readonly inner: Mailbox,
    /** Seconds the PSP takes to answer, by command name (Infinity: never). */
    private readonly seconds: Readonly<Record<string, number>> = {},
  ) {}

  inject(name: string, status: number): void {
    this.injections.push({ name, status });
  }

  command(id: number, buffer: Uint8Array, options?: MailboxOptions): MailboxResult {
    const name = cmdName(id) ?? `0x${id.toString(16)}`;
    this.addresses.push(options?.bufferPaddr);
    const i = this.injections.findIndex((x) => x.name === name);
    if (i >= 0) {
      const [inj] = this.injections.splice(i, 1);
      this.sent.push({ name, status: inj?.status ?? 0 });
      return { status: inj?.status ?? 0, buffer };
    }
    const r = this.inner.command(id, buffer, options);
    this.sent.push({ name, status: r.status });
    const seconds = this.seconds[name];
    return seconds === undefined ? r : { ...r, seconds };
  }

  /** Command names sent since `mark`, collapsing runs of SNP_PAGE_RECLAIM into "SNP_PAGE_RECLAIMxN". */
  names(mark = 0): string[] {
    const out: string[] = [];
    let run = 0;
    const flush = () => {
      if (run) out.push(run === 1 ? 'SNP_PAGE_RECLAIM' : `SNP_PAGE_RECLAIMx${run}`);
      run = 0;
    };
    for (const s of this.sent.slice(mark)) {
      if (s.name === 'SNP_PAGE_RECLAIM' && s.status === 0) {
        run++;
        continue;
      }
      flush();
      out.push(s.status ? `${s.name}:${statusName(s.status)}` : s.name);
    }
    flush();
    return out;
  }

  mark(): number {
    return this.sent.length;
  }
}

export interface RigOptions {
  release: Release;
  profile?: Partial<CcpProfile>;
  machine?: Partial<MachineConfig>;
  version?: string;
  /** SVN of the running image (its SNP SPL in CURRENT_TCB). */
  svn?: number;
  params?: Partial<CcpParams>;
  kdump?: boolean;
  /** Files on the host's disk before modprobe. */
  files?: Record<string, Uint8Array>;
  /** Host boot code of ≤6.11: RMP fix-up chunks reserved in e820 only (docs/reference/linux-ccp.md §7.3). */
  rmpFixupE820Only?: boolean;
  /** Seconds the PSP takes to answer, by command name (Infinity: never). */
  pspSeconds?: Record<string, number>;
  /** Modules whose dev_dbg lines dynamic debug enables (`ccp.dyndbg=+p`). */
  dyndbg?: string[];
}

export function boot(opts: RigOptions) {
  const profile: CcpProfile = { ...PROFILES[opts.release], ...opts.profile };
  const machine = createMachine({ cpu: 'genoa', memoryGiB: 8, ...opts.machine });
  const hs = hostSnpBoot(machine, {
    snpEnAtBoot: profile.snpPrepare === 'boot',
    rmpFixupE820Only: opts.rmpFixupE820Only ?? false,
  });
  const ctx = createKernelContext(machine, {
    hostSnp: hs.hostSnp,
    e820Reserved: hs.e820Reserved,
    kdump: opts.kdump ?? false,
  });
  for (const [path, data] of Object.entries(opts.files ?? {})) ctx.fs?.write(path, data);
  for (const m of opts.dyndbg ?? []) ctx.log.ddebug.setPrint(m, true);
  const version = opts.version ?? machine.preset.defaultFirmware;
  const psp = createPsp(machine, opts.svn === undefined ? { version } : { version, svn: opts.svn });
  const tap = new MailboxTap(psp, opts.pspSeconds);
  const probeMark = ctx.log.mark();
  const ccp = loadCcp(ctx, tap, profile, opts.params);
  return { machine, ctx, psp, tap, ccp, profile, probeLog: ctx.log.since(probeMark), bootLog: hs.log };
}

/** dmesg lines printed while running `fn`. */
export function logOf(
  rig: { ctx: { log: { mark(): number; since(m: number): string[] } } },
  fn: () => void,
): string[] {
  const m = rig.ctx.log.mark();
  fn();
  return rig.ctx.log.since(m);
}

export const DEV = 'ccp 0000:03:00.5';
