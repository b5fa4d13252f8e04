/**
 * ccp module parameters (drivers/crypto/ccp/sev-dev.c module_param lines; docs/reference/linux-ccp.md §3.1).
 * `CCP_PARAMS` is the table the module loader parses `ccp.NAME=value` against with the kernel's
 * own parsers (@sevsim/kernel parseModuleArgs); the scenario layer checks names against it.
 */
import type { KernelParam } from '@sevsim/kernel';

export interface CcpParams {
  /** bool, default true, 0444: initialise the platform at probe (≤6.15) / at kvm_amd load (6.16+). */
  readonly psp_init_on_probe: boolean;
  /** charp, default NULL, 0444: legacy init uses INIT_EX with this NV file. */
  readonly init_ex_path: string | null;
  /** int, default 100, 0644: seconds the driver waits for a PSP command (after the first at probe). */
  readonly psp_cmd_timeout: number;
  /** int, default 5, 0644: seconds the driver waits for the first PSP command of sev_pci_init(). */
  readonly psp_probe_timeout: number;
}

export type CcpParamName = keyof CcpParams;

export interface CcpParamSpec extends KernelParam {
  readonly name: CcpParamName;
  readonly type: 'bool' | 'int' | 'charp';
  readonly default: boolean | number | null;
  /** sysfs permission bits (0o444 read-only, 0o644 runtime-writable). */
  readonly mode: number;
  readonly description: string;
}

export const CCP_PARAMS: readonly CcpParamSpec[] = [
  {
    name: 'psp_cmd_timeout',
    type: 'int',
    default: 100,
    mode: 0o644,
    description: 'default timeout value, in seconds, for PSP commands',
  },
  {
    name: 'psp_probe_timeout',
    type: 'int',
    default: 5,
    mode: 0o644,
    description: 'default timeout value, in seconds, during PSP device probe',
  },
  {
    name: 'init_ex_path',
    type: 'charp',
    default: null,
    mode: 0o444,
    description: 'Path for INIT_EX data; if set try INIT_EX',
  },
  {
    name: 'psp_init_on_probe',
    type: 'bool',
    default: true,
    mode: 0o444,
    description: 'if true, the PSP will be initialized on module init',
  },
];

export const DEFAULT_CCP_PARAMS: CcpParams = {
  psp_init_on_probe: true,
  init_ex_path: null,
  psp_cmd_timeout: 100,
  psp_probe_timeout: 5,
};
