/**
 * The `kernel` section against the layers' tables: the release, its patches, built-in modules
 * and the parameters that release has (docs/contracts/scenario-v1.md "File").
 */
import {
  type Catalog,
  commandLineParamNames,
  MODULE_DYNDBG,
  type ModuleName,
  type ParamInfo,
} from './catalog';
import type { InputPath, Problems } from './yaml-input';

export interface KernelFacts {
  readonly release: string;
  readonly patches: readonly string[];
  /** undefined when the release itself is invalid (parameters are then checked loosely). */
  readonly params: readonly ParamInfo[] | undefined;
}

export function checkKernel(raw: unknown, catalog: Catalog, problems: Problems): KernelFacts {
  const k = (raw !== null && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  let release = catalog.releases[catalog.releases.length - 1] ?? '';
  let releaseOk = true;
  if (typeof k.version === 'number') {
    problems.add(
      ['kernel', 'version'],
      `write the release in quotes: YAML reads it as the number ${k.version}`,
      {
        allowed: catalog.releases,
      },
    );
    releaseOk = false;
  } else if (typeof k.version === 'string') {
    if (!catalog.releases.includes(k.version)) {
      problems.add(['kernel', 'version'], `unknown kernel release "${k.version}"`, {
        allowed: catalog.releases,
      });
      releaseOk = false;
    } else {
      release = k.version;
    }
  }
  const patches: string[] = [];
  if (Array.isArray(k.patches)) {
    k.patches.forEach((p, i) => {
      if (typeof p !== 'string') return;
      if (!catalog.patches.includes(p)) {
        problems.add(['kernel', 'patches', i], `unknown patch "${p}"`, { allowed: catalog.patches });
      } else if (patches.includes(p)) {
        problems.add(['kernel', 'patches', i], `patch "${p}" is listed twice`);
      } else {
        patches.push(p);
      }
    });
  }
  if (releaseOk && patches.length > 0) {
    const why = catalog.releaseProblem(release, patches);
    if (why !== undefined) {
      problems.add(['kernel', 'patches'], why, { target: 'key' });
      releaseOk = false;
    }
  }
  if (Array.isArray(k.builtin) && k.builtin.includes('kvm_amd') && !k.builtin.includes('ccp')) {
    problems.add(
      ['kernel', 'builtin'],
      'kvm_amd built in needs ccp built in (Kconfig: KVM_AMD_SEV depends on !(KVM_AMD=y && CRYPTO_DEV_CCP_DD=m))',
      { target: 'key' },
    );
  }
  const params = releaseOk ? catalog.params(release, patches) : undefined;
  if (k.params !== null && typeof k.params === 'object' && !Array.isArray(k.params)) {
    const known = params ?? catalog.allParams;
    const names = commandLineParamNames(known);
    for (const [key, value] of Object.entries(k.params as Record<string, unknown>)) {
      // Core kernel parameters and `module.dyndbg` take any value as text (kernel/cpu.c
      // smt_cmdline_disable; lib/dynamic_debug.c); a dyndbg query must be one sevsim can decide.
      if (key === MODULE_DYNDBG || key.endsWith(`.${MODULE_DYNDBG}`))
        checkDyndbg(value, catalog, ['kernel', 'params', key], problems);
      if (!names.includes(key)) {
        const where = params ? `kernel ${release}` : 'any kernel';
        problems.add(['kernel', 'params', key], `${where} has no parameter "${key}"`, {
          target: 'key',
          allowed: names,
        });
      }
    }
  }
  return { release, patches, params };
}

/** A `dyndbg` value: a query whose match-specs sevsim models (dynamic-debug.ts). */
export function checkDyndbg(value: unknown, catalog: Catalog, path: InputPath, problems: Problems): void {
  if (typeof value !== 'string') return;
  const why = catalog.dyndbgQueryProblem(value);
  if (why) problems.add(path, why);
}

/** The parameter names `module` has in the scenario's release. */
export function paramNames(kernel: KernelFacts, module: ModuleName): string[] {
  return (kernel.params ?? []).filter((p) => p.module === module).map((p) => p.name);
}
