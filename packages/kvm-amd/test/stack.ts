/**
 * Test rig: the whole modelled stack for one release — a machine, the kernel's boot-time SNP
 * decision, a real PSP firmware, the real ccp driver and kvm_amd — with a tap on the mailbox that
 * records every firmware command by name and status.
 */
import { createKernelContext, loadCcp, type Ccp, type CcpParams, type KernelContext } from '@sevsim/ccp';
import { cmdName, type Mailbox } from '@sevsim/psp-abi';
import { createPsp } from '@sevsim/firmware';
import { createMachine, type Machine, type MachineConfig } from '@sevsim/hardware';
import { hostSnpBoot } from '@sevsim/kernel';
import {
  type KvmAmd,
  loadKvmAmd,
  parseKvmAmdParams,
  type ReleaseProfile,
  resolveRelease,
} from '../src/index';

export interface Stack {
  readonly release: ReleaseProfile;
  readonly machine: Machine;
  readonly ctx: KernelContext;
  readonly ccp: Ccp;
  readonly psp: ReturnType<typeof createPsp>;
  /** Firmware commands since the last `take()`, as `NAME` or `NAME=0xSTATUS` on failure. */
  readonly trace: string[];
  take(): string[];
  loadKvm(params?: Record<string, string | number | boolean>, builtin?: boolean): KvmAmd;
}

export interface StackOptions {
  release: string;
  patches?: string[];
  machine?: MachineConfig;
  firmware?: string;
  /** SNP SVN of the firmware image; default just below the 7.2 SEV-ES cut-off (Zen3/4 0x1B, Zen5 0x04; docs/reference/linux-ccp.md §8.3). */
  svn?: number;
  ccpParams?: Partial<CcpParams>;
}

export function bootStack(opts: StackOptions): Stack {
  const release = resolveRelease(opts.release, opts.patches ?? []);
  const machine = createMachine(opts.machine ?? { cpu: 'genoa' });
  const boot = hostSnpBoot(machine, release.host);
  const ctx = createKernelContext(machine, { hostSnp: boot.hostSnp });
  for (const line of boot.log) ctx.log.print(line);
  const psp = createPsp(machine, {
    version: opts.firmware ?? machine.preset.defaultFirmware,
    svn: opts.svn ?? (machine.preset.tcbLayout === 'zen5' ? 0x03 : 0x1a),
  });
  const trace: string[] = [];
  const tap: Mailbox = {
    command(id, buffer, options) {
      const res = psp.command(id, buffer, options);
      const name = cmdName(id) ?? `0x${id.toString(16)}`;
      trace.push(res.status === 0 ? name : `${name}=0x${res.status.toString(16)}`);
      return res;
    },
  };
  const ccp = loadCcp(ctx, tap, release.ccp, opts.ccpParams ?? {});
  return {
    release,
    machine,
    ctx,
    ccp,
    psp,
    trace,
    take() {
      return trace.splice(0, trace.length);
    },
    loadKvm(params = {}, builtin = false) {
      return loadKvmAmd(ctx, ccp, release.kvm, parseKvmAmdParams(release, params).params, { builtin });
    },
  };
}
