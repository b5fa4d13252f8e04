/**
 * `modprobe` and `rmmod` (docs/contracts/scenario-v1.md "Steps"), and built-in modules at boot. Module dependencies and reference counts are
 * what the module loader enforces: kvm_amd uses ccp's exported symbols, so loading kvm_amd loads
 * ccp first; an open VM holds a reference on kvm_amd; a built-in module is not in the module
 * list, so removing it fails (ENOENT, kmod prints "Module X is builtin"). A module in use is
 * refused by delete_module() with -EWOULDBLOCK, which is EAGAIN (see unloadModule).
 */
import { CCP_PARAMS, type CcpParams, ccpModule, errnoName, loadCcp, spModInit } from '@sevsim/ccp';
import {
  type KernelParam,
  type ParamArg,
  type ParamValue,
  paramText,
  parseArgs,
  parseModuleArgs,
} from '@sevsim/kernel';
import {
  defaultKvmAmdParams,
  type KvmAmdParams,
  loadKvmAmd,
  paramsForRelease,
  parseKvmAmdParams,
} from '@sevsim/kvm-amd';
import type { ModuleName } from '../catalog';
import type { Json } from '../trace';
import { failed, OK, type Outcome } from './outcome';
import type { World } from './world';

const BOOT_ORDER: readonly ModuleName[] = ['ccp', 'kvm_amd'];

/**
 * What modprobe hands the kernel for `module`: the kernel command line's `module.param=value`
 * entries first (kmod reads /proc/cmdline), then the step's own; each value as text.
 */
export function moduleArgs(
  world: World,
  module: ModuleName,
  step: Readonly<Record<string, Json>>,
): ParamArg[] {
  const out: ParamArg[] = [];
  for (const [key, value] of Object.entries(world.kernel.params)) {
    if (key.startsWith(`${module}.`)) out.push([key.slice(module.length + 1), paramText(value as never)]);
  }
  for (const [key, value] of Object.entries(step)) out.push([key, paramText(value as never)]);
  return out;
}

function moduleParamTable(world: World, module: ModuleName): readonly KernelParam[] {
  return module === 'ccp' ? CCP_PARAMS : paramsForRelease(world.release.kvm);
}

/**
 * start_kernel() → parse_args("Booting kernel", command line, __param, …, unknown_bootoption):
 * a built-in module's parameters are named `module.param` and parsed at boot; a refused value
 * prints its line and the parameter keeps its default (the kernel boots on). Entries of modules
 * that are not built in are left for modprobe (unknown_bootoption ignores dotted names).
 * Returns each built-in module's values; prints the lines into `log`.
 */
export function parseBuiltinParams(
  world: World,
  log: { print(line: string): void },
): Map<ModuleName, Record<string, ParamValue>> {
  const table: KernelParam[] = [];
  for (const m of BOOT_ORDER) {
    if (!world.builtin.has(m)) continue;
    for (const p of moduleParamTable(world, m)) table.push({ ...p, name: `${m}.${p.name}` });
  }
  const args = Object.entries(world.kernel.params).map(([k, v]) => [k, paramText(v as never)] as const);
  const r = parseArgs('Booting kernel', args, table, world.release.kernel, () => 0);
  for (const line of r.log) log.print(line);
  const out = new Map<ModuleName, Record<string, ParamValue>>();
  for (const m of BOOT_ORDER) {
    if (!world.builtin.has(m)) continue;
    const values: Record<string, ParamValue> = {};
    for (const [k, v] of Object.entries(r.values))
      if (k.startsWith(`${m}.`)) values[k.slice(m.length + 1)] = v;
    out.set(m, values);
  }
  return out;
}

/** A built-in module's init at boot, with the values parseBuiltinParams found. */
export function initBuiltin(world: World, module: ModuleName, values: Record<string, ParamValue>): void {
  if (module === 'ccp') insertCcp(world, values as unknown as CcpParams);
  else insertKvmAmd(world, { ...defaultKvmAmdParams(), ...values } as KvmAmdParams);
}

/**
 * A built-in ccp before its own initcall has run: its symbols are linked into the kernel for a
 * built-in kvm_amd that initialises first, but no PSP is probed yet (≤6.13).
 */
export function linkBuiltinCcp(world: World, values: Record<string, ParamValue>): void {
  world.ccp = ccpModule(world.ctx, world.mailbox, world.release.ccp, values as unknown as CcpParams);
}

/** The device_initcall of a built-in ccp whose symbols linkBuiltinCcp provided. */
export function initLinkedCcp(world: World): void {
  world.issuer = 'ccp';
  spModInit(world.ccp!);
}

/**
 * `modprobe module`: dependencies first (kvm_amd uses ccp's symbols), then load_module(), whose
 * parse_args() fails the load with the parser's error when a value is refused
 * (kernel/module/main.c; kernel/params.c prints "`VALUE' invalid for parameter `NAME'").
 */
export function loadModule(
  world: World,
  module: ModuleName,
  params: Readonly<Record<string, Json>>,
): Outcome {
  if (module === 'kvm_amd' && !world.ccp) {
    const dep = loadModule(world, 'ccp', {});
    if (!dep.ok) return dep;
  }
  if (module === 'ccp') {
    if (moduleLoaded(world, 'ccp')) return OK;
    world.issuer = 'ccp';
    const dd = world.ctx.log.ddebug;
    // The module's dynamic-debug table exists before its parameters are parsed (MODULE_STATE_COMING).
    dd.addModule('ccp');
    const r = parseModuleArgs('ccp', moduleArgs(world, 'ccp', params), CCP_PARAMS, world.release.kernel, dd);
    for (const line of r.log) world.ctx.log.print(line);
    if (r.rc !== 0) {
      dd.removeModule('ccp');
      return failed(errnoName(r.rc), r.log[r.log.length - 1]);
    }
    insertCcp(world, r.values as unknown as CcpParams);
    return OK;
  }
  if (moduleLoaded(world, 'kvm_amd')) return OK;
  world.issuer = 'kvm_amd';
  const dd = world.ctx.log.ddebug;
  dd.addModule('kvm_amd');
  const r = parseKvmAmdParams(world.release, moduleArgs(world, 'kvm_amd', params), dd);
  for (const line of r.log) world.ctx.log.print(line);
  if (r.rc !== 0) {
    dd.removeModule('kvm_amd');
    return failed(errnoName(r.rc), r.log[r.log.length - 1]);
  }
  insertKvmAmd(world, r.params);
  return OK;
}

function insertCcp(world: World, params: CcpParams): void {
  world.issuer = 'ccp';
  world.ccp = loadCcp(world.ctx, world.mailbox, world.release.ccp, params);
}

function insertKvmAmd(world: World, params: KvmAmdParams): void {
  world.issuer = 'kvm_amd';
  world.kvm = loadKvmAmd(world.ctx, world.ccp!, world.release.kvm, params, {
    builtin: world.builtin.has('kvm_amd'),
  });
}

/** What the module loader answers to `rmmod module` without calling the module's exit, or undefined. */
export function unloadRefusal(world: World, module: ModuleName): Outcome | undefined {
  const loaded = module === 'ccp' ? world.ccp : world.kvm;
  if (world.builtin.has(module))
    return failed('ENOENT', `${module} is built into the kernel and cannot be removed`);
  if (!loaded) return failed('ENOENT', `${module} is not loaded`);
  // kernel/module/main.c delete_module(): a module other modules use (its source_list not empty)
  // and a module whose refcount try_stop_module() cannot drop both fail with -EWOULDBLOCK (EAGAIN,
  // 11); -EBUSY is only for a module not MODULE_STATE_LIVE (still loading or already going away),
  // which a step never sees. kmod's rmmod checks holders and refcount itself before the call and
  // prints "rmmod: ERROR: Module NAME is in use…" instead; the errno is the system call's.
  if (module === 'ccp' && world.kvm)
    return failed('EAGAIN', 'kvm_amd uses ccp\'s symbols ("rmmod: ERROR: Module ccp is in use by: kvm_amd")');
  if (module === 'kvm_amd') {
    const open = [...world.vms.entries()].filter(([, r]) => r.vm && !r.destroyed).map(([id]) => id);
    // kvm_create_vm() takes a reference on the vendor module (kvm_chardev_ops.owner) per VM fd.
    if (open.length > 0)
      return failed(
        'EAGAIN',
        `VM ${open.join(', ')} is still open and holds a reference on kvm_amd ("rmmod: ERROR: Module kvm_amd is in use")`,
      );
  }
  return undefined;
}

/** `modprobe` of a module that is already loaded (or built in) succeeds without loading anything. */
export function moduleLoaded(world: World, module: ModuleName): boolean {
  return (module === 'ccp' ? world.ccp : world.kvm) !== null;
}

export function unloadModule(world: World, module: ModuleName): Outcome {
  const refused = unloadRefusal(world, module);
  if (refused) return refused;
  if (module === 'kvm_amd') {
    world.issuer = 'kvm_amd';
    world.kvm!.unload();
    world.kvm = null;
    world.ctx.log.ddebug.removeModule('kvm_amd');
    return OK;
  }
  world.issuer = 'ccp';
  world.ccp!.unload();
  world.ccp = null;
  world.ctx.log.ddebug.removeModule('ccp');
  return OK;
}
