/**
 * `modprobe` and `rmmod` (docs/contracts/scenario-v1.md "Steps"). Module dependencies and reference counts are
 * what the module loader enforces: kvm_amd uses ccp's exported symbols, so loading kvm_amd loads
 * ccp first and ccp cannot be removed while kvm_amd is loaded (EBUSY); an open VM holds a
 * reference on kvm_amd; a built-in module is not in the module list, so removing it fails
 * (ENOENT, kmod prints "Module X is builtin").
 */
import { loadCcp, resolveCcpParams } from '@sevsim/ccp';
import { loadKvmAmd, parseKvmAmdParams } from '@sevsim/kvm-amd';
import type { ModuleName } from '../catalog';
import type { Json } from '../trace';
import { failed, OK, type Outcome } from './outcome';
import type { World } from './world';

/** Kernel command line `module.param=value` entries for `module`, overridden by the step's own. */
export function moduleParams(world: World, module: ModuleName, step: Readonly<Record<string, Json>>) {
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(world.kernel.params)) {
    if (key.startsWith(`${module}.`)) out[key.slice(module.length + 1)] = value;
  }
  return { ...out, ...step };
}

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
    if (world.ccp) return OK;
    world.issuer = 'ccp';
    // The validator accepted every name and value, so resolving reports no errors here.
    const resolved = resolveCcpParams(moduleParams(world, 'ccp', params));
    world.ccp = loadCcp(world.ctx, world.psp, world.release.ccp, resolved.params);
    return OK;
  }
  if (world.kvm) return OK;
  world.issuer = 'kvm_amd';
  const parsed = parseKvmAmdParams(
    world.release.kvm,
    moduleParams(world, 'kvm_amd', params) as Record<string, string | number | boolean | null>,
  );
  world.kvm = loadKvmAmd(world.ctx, world.ccp!, world.release.kvm, parsed, {
    builtin: world.builtin.has('kvm_amd'),
  });
  return OK;
}

export function unloadModule(world: World, module: ModuleName): Outcome {
  const loaded = module === 'ccp' ? world.ccp : world.kvm;
  if (world.builtin.has(module))
    return failed('ENOENT', `${module} is built into the kernel and cannot be removed`);
  if (!loaded) return failed('ENOENT', `${module} is not loaded`);
  if (module === 'ccp' && world.kvm) return failed('EBUSY', 'kvm_amd is loaded and uses ccp');
  if (module === 'kvm_amd') {
    const open = [...world.vms.entries()].filter(([, r]) => r.vm && !r.destroyed).map(([id]) => id);
    if (open.length > 0) return failed('EBUSY', `VM ${open.join(', ')} is still open and holds kvm_amd`);
    world.issuer = 'kvm_amd';
    world.kvm!.unload();
    world.kvm = null;
    return OK;
  }
  world.issuer = 'ccp';
  world.ccp!.unload();
  world.ccp = null;
  return OK;
}
