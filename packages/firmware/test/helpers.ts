/** Test fixtures: a machine booted the way Linux ≤7.0 leaves it, and command shorthands. */
import { type Machine, type MachineConfig, createMachine } from '@sevsim/hardware';
import { hostSnpBoot } from '@sevsim/kernel';
import {
  Cmd,
  type CmdName,
  SevDataActivate,
  SevDataInit,
  SevDataLaunchStart,
  SevDataSnpActivate,
  SevDataSnpAddr,
  SevDataSnpInitEx,
  SevDataSnpLaunchFinish,
  SevDataSnpLaunchStart,
  SevDataSnpLaunchUpdate,
  SevDataSnpShutdownEx,
  SnpPolicy,
} from '@sevsim/psp-abi';
import { type CommandEvent, type Psp, createPsp } from '../src/index';

export const PAGE = 4096;
export const MB2 = 0x200000;

export interface Platform {
  machine: Machine;
  psp: Psp;
  events: CommandEvent[];
  run(name: CmdName, buffer?: Uint8Array): number;
}

export function platform(
  config: Partial<MachineConfig> = {},
  opts: { version?: string; snpEnAtBoot?: boolean; committedVersion?: string } = {},
): Platform {
  const machine = createMachine({ cpu: 'genoa', memoryGiB: 4, ...config });
  hostSnpBoot(machine, { snpEnAtBoot: opts.snpEnAtBoot ?? true });
  const psp = createPsp(machine, {
    version: opts.version ?? machine.preset.defaultFirmware,
    ...(opts.committedVersion ? { committedVersion: opts.committedVersion } : {}),
  });
  const events: CommandEvent[] = [];
  psp.onCommand((e) => events.push(e));
  return {
    machine,
    psp,
    events,
    run: (name, buffer = new Uint8Array(0)) => psp.command(Cmd[name], buffer).status,
  };
}

/** The guard id of the last command. */
export const lastGuard = (p: Platform): string | undefined => p.events.at(-1)?.guard?.id;

/** A host page moved to the Firmware RMP state (rmp_make_private(pfn, 0, 4K, 0, true)). */
export function firmwarePage(p: Platform): number {
  const pfn = p.machine.allocPages(1);
  expectOk(p.machine.rmp.rmpupdate(pfn, { assigned: true, immutable: true }));
  return pfn * PAGE;
}

export function hostPage(p: Platform): number {
  return p.machine.allocPages(1) * PAGE;
}

function expectOk(rc: number): void {
  if (rc !== 0) throw new Error(`RMPUPDATE failed: ${rc}`);
}

/** Linux's SNP init: WBINVD, SNP_INIT_EX (INIT_RMP), WBINVD, SNP_DF_FLUSH (docs/reference/linux-ccp.md §3.3). */
export function snpInit(p: Platform, fields: Parameters<typeof SevDataSnpInitEx.encode>[0] = {}): number {
  p.machine.wbinvdAll();
  const s = p.run('SNP_INIT_EX', SevDataSnpInitEx.encode({ initRmp: 1, ...fields }));
  if (s !== 0) return s;
  p.machine.wbinvdAll();
  return p.run('SNP_DF_FLUSH');
}

/** Legacy INIT with an ES TMR (2 MB firmware pages when the RMP is initialised), then DF_FLUSH. */
export function sevInit(p: Platform, es = true): number {
  let tmrAddress = 0;
  let tmrLen = 0;
  if (es) {
    const rmpOn = p.machine.rmp.initialised;
    tmrLen = rmpOn ? MB2 : 0x100000;
    const pfn = p.machine.allocPages(tmrLen / PAGE, tmrLen / PAGE);
    tmrAddress = pfn * PAGE;
    if (p.psp.snapshot().snp === 'INIT') {
      expectOk(p.machine.rmp.rmpupdate(pfn, { assigned: true, immutable: true, pageSize: '2M' }));
    }
  }
  const s = p.run('INIT', SevDataInit.encode({ flags: es ? 1 : 0, tmrAddress, tmrLen }));
  if (s !== 0) return s;
  p.machine.wbinvdAll();
  return p.run(p.psp.snapshot().snp === 'INIT' ? 'SNP_DF_FLUSH' : 'DF_FLUSH');
}

export const SNP_POLICY = SnpPolicy.RSVD_MBO | SnpPolicy.SMT;

/** An SNP guest up to RUNNING with one measured page; returns its gctx and page. */
export function snpGuest(
  p: Platform,
  asid: number,
  opts: { finish?: boolean } = {},
): { gctx: number; page: number } {
  const gctx = firmwarePage(p);
  const steps: [CmdName, Uint8Array][] = [
    ['SNP_GCTX_CREATE', SevDataSnpAddr.encode({ address: gctx })],
    ['SNP_LAUNCH_START', SevDataSnpLaunchStart.encode({ gctxPaddr: gctx, policy: SNP_POLICY })],
    ['SNP_ACTIVATE', SevDataSnpActivate.encode({ gctxPaddr: gctx, asid })],
  ];
  for (const [name, buf] of steps) {
    const s = p.run(name, buf);
    if (s !== 0) throw new Error(`${name} failed: 0x${s.toString(16)}`);
  }
  const pfn = p.machine.allocPages(1);
  expectOk(p.machine.rmp.rmpupdate(pfn, { assigned: true, immutable: true, asid, gpa: 0x1000 }));
  const up = p.psp.command(Cmd.SNP_LAUNCH_UPDATE, launchUpdate(gctx, pfn * PAGE, 1)).status;
  if (up !== 0) throw new Error(`SNP_LAUNCH_UPDATE failed: 0x${up.toString(16)}`);
  if (opts.finish !== false) {
    const f = p.run('SNP_LAUNCH_FINISH', SevDataSnpLaunchFinish.encode({ gctxPaddr: gctx }));
    if (f !== 0) throw new Error(`SNP_LAUNCH_FINISH failed: 0x${f.toString(16)}`);
  }
  return { gctx, page: pfn * PAGE };
}

export function launchUpdate(gctx: number, address: number, pageType: number): Uint8Array {
  return SevDataSnpLaunchUpdate.encode({ gctxPaddr: gctx, address, pageType });
}

/** A legacy guest: LAUNCH_START (+ ACTIVATE when asid given). Returns the handle. */
export function sevGuest(p: Platform, policy: number, asid?: number): number {
  const r = p.psp.command(Cmd.LAUNCH_START, SevDataLaunchStart.encode({ policy }));
  if (r.status !== 0) throw new Error(`LAUNCH_START failed: 0x${r.status.toString(16)}`);
  const { handle } = SevDataLaunchStart.decode(r.buffer);
  if (asid !== undefined) {
    const s = p.run('ACTIVATE', SevDataActivate.encode({ handle, asid }));
    if (s !== 0) throw new Error(`ACTIVATE failed: 0x${s.toString(16)}`);
  }
  return handle;
}

export const shutdownEx = (iommu: boolean, x86 = false) =>
  SevDataSnpShutdownEx.encode({ len: 8, iommuSnpShutdown: iommu ? 1 : 0, x86SnpShutdown: x86 ? 1 : 0 });
