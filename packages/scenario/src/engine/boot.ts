/**
 * Power-on and kernel boot (docs/contracts/scenario-v1.md "The machine is powered on and the kernel booted
 * before the first step"): the machine, the kernel's early SNP decision chain (hostSnpEarlyBoot,
 * docs/reference/linux-ccp.md §7.1), the PSP running the committed image, then the device-level
 * initcalls in the release's order (deviceInitcalls, docs/reference/linux-ccp.md §7.4).
 */
import { createKernelContext, KernelLog } from '@sevsim/ccp';
import { createPsp, type Psp } from '@sevsim/firmware';
import {
  createMachine,
  deepFreeze,
  type Machine,
  type MachineConfig,
  resolveConfig,
  smtControlFromCmdline,
  smtControlLog,
  smtOfflineCpus,
} from '@sevsim/hardware';
import {
  ddebugBootParams,
  type HostSnpBootResult,
  hostSnpEarlyBoot,
  type ParamValue,
  paramText,
  snpRmptableInitcall,
} from '@sevsim/kernel';
import type { ReleaseProfile } from '@sevsim/kvm-amd';
import type { ModuleName } from '../catalog';
import type { Json } from '../trace';
import { type ResolvedKernel, type ResolvedMachine, toMachineConfig } from '../resolve';
import { initBuiltin, initLinkedCcp, linkBuiltinCcp, parseBuiltinParams } from './modules';
import { pspMailbox } from './psp-timing';
import type { World } from './world';

/**
 * Each world's recorder unsubscribe, kept on the world under a symbol key: a fork lists the
 * world's fields one by one, so the recorder never travels to a copy. (A WeakMap registry did
 * the same, but its entries for the explorer's many short-lived forks cost the GC more than the
 * copy itself.)
 */
const RECORDER = Symbol('psp recorder');
type Recorded = World & { [RECORDER]?: () => void };

/**
 * Attach the recorder to what ccp talks to (the PSP, or the mailbox of a PSP with faults, which
 * also reports the commands it answers itself): every command lands in the current step's list.
 */
export function watchPsp(world: World, mailbox: Pick<Psp, 'onCommand'>): void {
  unwatchPsp(world);
  if (world.quiet) return;
  const off = mailbox.onCommand((e) => {
    world.calls.push({
      cmd: e.name,
      id: e.id,
      status: e.status,
      statusName: e.statusName,
      by: world.issuer,
      ...(e.guard ? { guard: { id: e.guard.id, fact: e.guard.fact } } : {}),
    });
  });
  (world as Recorded)[RECORDER] = off;
}

/** Detach the recorder (before the world is copied: a copy must not report into this world). */
export function unwatchPsp(world: World): void {
  (world as Recorded)[RECORDER]?.();
  (world as Recorded)[RECORDER] = undefined;
}

/**
 * The kernel's CPU bring-up as far as the command line decides it: `nosmt` / `nosmt=force`
 * (kernel/cpu.c cpu_smt_disable, cpu_bootable) leave every secondary thread offline, on top of
 * the CPUs the machine keeps offline.
 */
function bringUpCpus(
  config: MachineConfig,
  params: Readonly<Record<string, Json>>,
  log: KernelLog,
): MachineConfig {
  const raw = params.nosmt;
  const control = smtControlFromCmdline(raw === undefined ? undefined : raw === null ? null : String(raw));
  for (const line of smtControlLog(control)) log.print(line);
  const siblings = smtOfflineCpus(resolveConfig(config), control);
  if (siblings.length === 0) return config;
  const offline = new Set([...(config.offlineCores ?? []), ...siblings]);
  return { ...config, offlineCores: [...offline].sort((a, b) => a - b) };
}

/**
 * dynamic_debug_init() (an early initcall, before any module's init): the new kernel has the
 * built-in modules' tables only, and applies `dyndbg=` and `module.dyndbg=` from the command line
 * to them (docs/reference/linux-ccp.md §9.18).
 */
function bootDynamicDebug(world: World, log: KernelLog): void {
  log.ddebug.clear();
  for (const m of world.builtin) log.ddebug.addModule(m);
  const args = Object.entries(world.kernel.params).map(([k, v]) => [k, paramText(v as never)] as const);
  for (const line of ddebugBootParams(log.ddebug, args)) log.print(line);
}

/** dmesg of a quiet world: lines are printed and dropped. */
class DiscardedLog extends KernelLog {
  override print(): void {}
}

/** A new world for a resolved configuration, powered on with its firmware running and committed. */
export function bootWorld(
  machineConfig: ResolvedMachine,
  kernel: ResolvedKernel,
  release: ReleaseProfile,
  options: { readonly quiet: boolean } = { quiet: false },
): World {
  // powerOn fills machine, psp and ctx before anything reads them. The configuration never
  // changes after boot: frozen, so forks share it instead of copying it.
  const world = {
    machineConfig: deepFreeze(machineConfig),
    kernel: deepFreeze(kernel),
    release: deepFreeze(release),
    quiet: options.quiet,
    builtin: new Set<ModuleName>(kernel.builtin),
    vms: new Map(),
    issuer: 'ccp',
    calls: [],
    ccp: null,
    kvm: null,
  } as unknown as World;
  powerOn(world, { running: machineConfig.firmware, committed: machineConfig.firmware });
  return world;
}

/**
 * Build a fresh machine and kernel on `world` (first boot and `reboot`). The PSP boots the
 * committed image: `firmware` is the version to boot, `committed` what is committed.
 */
export function powerOn(world: World, firmware: { running: string; committed: string }): void {
  const log = world.ctx?.log ?? (world.quiet ? new DiscardedLog() : new KernelLog());
  const machine = createMachine(bringUpCpus(toMachineConfig(world.machineConfig), world.kernel.params, log));
  const boot = bootKernel(world, machine, log, false);
  world.psp = createPsp(machine, { version: firmware.running, committedVersion: firmware.committed });
  world.mailbox = pspMailbox(world.psp, world.machineConfig);
  watchPsp(world, world.mailbox);
  deviceInitcalls(world, boot);
}

/**
 * The device-level initcalls that matter here, in link order: arch/x86/kvm (a built-in kvm_amd),
 * arch/x86/virt (≤6.13 snp_rmptable_init()), drivers/crypto/ccp (a built-in ccp). Up to 6.13 a
 * built-in kvm_amd therefore set up SEV, and with `enable_virt_at_load` (6.12) wrote VM_HSAVE_PA on
 * every CPU, before the RMP was set up and before the PSP was probed; from 6.14 it probes the PSP
 * itself first (sev_module_init()) and the RMP was set up with the IOMMU
 * (docs/reference/linux-ccp.md §7.4). A built-in kvm_amd implies a built-in ccp (Kconfig).
 */
function deviceInitcalls(world: World, boot: KernelBoot): void {
  const ccp = boot.builtinParams.get('ccp');
  const kvm = boot.builtinParams.get('kvm_amd');
  const linkedOnly = kvm !== undefined && ccp !== undefined && !world.release.kvm.builtinInitsPsp;
  if (kvm && ccp) {
    // sev_module_init() (6.14+) probes the PSP before the rest of sev_hardware_setup().
    if (linkedOnly) linkBuiltinCcp(world, ccp);
    else initBuiltin(world, 'ccp', ccp);
    initBuiltin(world, 'kvm_amd', kvm);
  }
  const rmp = snpRmptableInitcall(world.machine, world.release.host, boot.host);
  for (const line of rmp.log) world.ctx.log.print(line);
  world.ctx.hostSnp = rmp.hostSnp;
  if (linkedOnly) initLinkedCcp(world);
  else if (ccp && !kvm) initBuiltin(world, 'ccp', ccp);
}

/**
 * The `kdump` step: the running kernel panics and kexec boots the crash kernel loaded with
 * `kexec -p`. panic() enters __crash_kexec() before it calls the panic notifiers (kernel/panic.c,
 * unless `crash_kexec_post_notifiers`, not modelled), so ccp's SNP shutdown-on-panic notifier does
 * not run: nothing is reset, the CPUs keep SYSCFG (SNPEn), the RMP keeps its entries and the PSP
 * stays in whatever state the crashed kernel left. The capture kernel boots with `elfcorehdr=`,
 * which makes is_kdump_kernel() true (include/linux/crash_dump.h); the same release and command
 * line are modelled, and its ring buffer continues the scenario's dmesg.
 */
export function kdumpBoot(world: World): void {
  deviceInitcalls(world, bootKernel(world, world.machine, world.ctx.log, true));
}

/** What the boot up to the device initcalls leaves: the built-in modules' parameters and the host SNP state. */
interface KernelBoot {
  readonly builtinParams: Map<ModuleName, Record<string, ParamValue>>;
  readonly host: HostSnpBootResult;
}

/**
 * A kernel boots on `machine` up to its device initcalls: command line, the early SNP set-up, a
 * new kernel context, no module loaded yet.
 */
function bootKernel(world: World, machine: Machine, log: KernelLog, kdump: boolean): KernelBoot {
  const fs = world.ctx?.fs;
  // The command line is parsed first thing in start_kernel(), before the SNP set-up prints.
  const builtinParams = parseBuiltinParams(world, log);
  const boot = hostSnpEarlyBoot(machine, world.release.host);
  for (const line of boot.log) log.print(line);
  bootDynamicDebug(world, log);
  world.machine = machine;
  world.ctx = createKernelContext(machine, {
    hostSnp: boot.hostSnp,
    kdump,
    e820Reserved: boot.e820Reserved,
    snpFeature: !boot.snpFeatureCleared,
    log,
    ...(fs ? { fs } : {}),
  });
  world.ccp = null;
  world.kvm = null;
  // Records are replaced, not changed: a destroyed VM's record is shared by forks (session.ts).
  for (const [id, rec] of world.vms) world.vms.set(id, { type: rec.type, vm: null, destroyed: true });
  return { builtinParams, host: boot };
}
