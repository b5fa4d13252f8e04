/**
 * _sev_platform_init_locked(): the core of sev_platform_init() (docs/reference/linux-ccp.md §3.2) — kdump,
 * the cached-INIT shortcut, SNP first, the abort rule, the probe deferral, then legacy init.
 */
import { NO_FW_CALL, SevState } from '@sevsim/psp-abi';
import { Errno } from '@sevsim/kernel';
import { sevPlatformInitLocked } from './legacy-init';
import { type SevDevice, devLog, hex } from './sev-device';
import { type ErrorOut, snpInitLocked } from './snp-init';

export interface InitResult {
  readonly rc: number;
  readonly error: number;
}

export function sevPlatformInitArgs(
  dev: SevDevice,
  probe: boolean,
  maxSnpAsid: number,
  out: ErrorOut,
): number {
  // Step 1.
  if (!dev.present) return -Errno.ENODEV;
  // Step 2: a kdump kernel initialises nothing.
  if (dev.profile.kdumpSkip && dev.ctx.kdump) return 0;
  // Step 3: the cached state is INIT — this skips the SNP step too.
  if (dev.sevState === SevState.INIT) return 0;

  // A deliberate bug for the explorer (CcpMutations): legacy INIT ahead of step 4.
  if (dev.profile.mutationLegacyInitFirst && !(probe && !dev.params.psp_init_on_probe)) {
    const legacy = sevPlatformInitLocked(dev, out);
    if (legacy) return legacy;
  }

  // Step 4: SNP first (SNP_INIT needs SEV UNINIT); -ENODEV means "host SNP off".
  const rc = snpInitLocked(dev, out, maxSnpAsid);
  if (rc && rc !== -Errno.ENODEV) {
    if (dev.profile.snpFailureAbortsLegacy) return rc;
    // ≤6.15: log and go on with legacy init.
    devLog(dev, `SEV-SNP: failed to INIT rc ${rc}, error ${hex(out.error)}`);
  }

  // Step 5: legacy init deferred to the first guest / ioctl.
  if (probe && !dev.params.psp_init_on_probe) return 0;

  // Step 6.
  return sevPlatformInitLocked(dev, out);
}

/** sev_platform_init(args): `error` starts as NO_FW_CALL and holds the last firmware status written. */
export function sevPlatformInit(dev: SevDevice, probe: boolean, maxSnpAsid: number): InitResult {
  const out: ErrorOut = { error: NO_FW_CALL };
  const rc = sevPlatformInitArgs(dev, probe, maxSnpAsid, out);
  return { rc, error: out.error };
}
