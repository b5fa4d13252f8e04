/**
 * kernel/module/main.c: what the module loader does with a module's parameters. load_module()
 * runs parse_args() with the module's name as `doing` and unknown_module_param_cb() for names
 * the module does not have: those are ignored with a warning and the load goes on, while a value
 * the parameter's parser refuses fails the load with the parser's error (modprobe reports it:
 * EINVAL "Invalid argument", ERANGE "Numerical result out of range").
 */
import { type DynamicDebug, ddebugDyndbgParam } from './dynamic-debug';
import { type KernelParam, type ParamArg, type ParseArgsResult, parseArgs } from './params';
import type { KernelProfile } from './profile';

/**
 * load_module() → parse_args(mod->name, mod->args, mod->kp, …, unknown_module_param_cb). The
 * callback first offers the name to dynamic debug (`dyndbg`, every module's tacit parameter,
 * applied to `dd`'s tables; a failing query never fails the load), then warns.
 */
export function parseModuleArgs(
  module: string,
  args: readonly ParamArg[],
  params: readonly KernelParam[],
  profile: KernelProfile,
  dd?: DynamicDebug,
): ParseArgsResult {
  return parseArgs(module, args, params, profile, (param, val, print) => {
    const dyndbg = dd ? ddebugDyndbgParam(dd, param, val, module) : undefined;
    if (dyndbg) {
      for (const line of dyndbg) print(line);
      return 0;
    }
    print(`${module}: unknown parameter '${param}' ignored`);
    return 0;
  });
}
