/**
 * kernel/module/main.c: what the module loader does with a module's parameters. load_module()
 * runs parse_args() with the module's name as `doing` and unknown_module_param_cb() for names
 * the module does not have: those are ignored with a warning and the load goes on, while a value
 * the parameter's parser refuses fails the load with the parser's error (modprobe reports it:
 * EINVAL "Invalid argument", ERANGE "Numerical result out of range").
 */
import { type KernelParam, type ParamArg, type ParseArgsResult, parseArgs } from './params';
import type { KernelProfile } from './profile';

/** load_module() → parse_args(mod->name, mod->args, mod->kp, …, unknown_module_param_cb). */
export function parseModuleArgs(
  module: string,
  args: readonly ParamArg[],
  params: readonly KernelParam[],
  profile: KernelProfile,
): ParseArgsResult {
  return parseArgs(module, args, params, profile, (param, _val, print) => {
    print(`${module}: unknown parameter '${param}' ignored`);
    return 0;
  });
}
