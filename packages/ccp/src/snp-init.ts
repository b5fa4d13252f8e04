/**
 * __sev_snp_init_locked() (docs/reference/linux-ccp.md §3.3, 7.2 order, with the per-release differences of
 * the CcpProfile): SNP_INIT_EX with the range list and ciphertext hiding from API 1.52, SNP_INIT
 * on 1.51, WBINVD on all CPUs around it, then SNP_DF_FLUSH.
 */
import { Cmd, SevDataSnpInitEx, encodeRangeList, SNP_TMR_SIZE } from '@sevsim/psp-abi';
import { Errno } from '@sevsim/kernel';
import { buildRangeList, hostIomemResources } from './range-list';
import { type SevDevice, apiString, devDbg, devLog, hex, versionAtLeast } from './sev-device';
import { clearHsavePa, snpPrepare } from './snp-x86';
import { sevDoCmdLocked } from './transport';

/** SNP_MIN_API_MAJOR / SNP_MIN_API_MINOR. */
export const SNP_MIN_API = { major: 1, minor: 51 } as const;

/** The firmware status out-parameter (`int *error`); stays untouched until a command writes it. */
export interface ErrorOut {
  error: number;
}

function setError(out: ErrorOut, e: number | undefined): void {
  if (e !== undefined) out.error = e;
}

export function snpInitLocked(dev: SevDevice, out: ErrorOut, maxSnpAsid: number): number {
  const { ctx, profile } = dev;
  const m = ctx.machine;
  // docs/reference/linux-ccp.md §3.3 step 1: host SNP not enabled system-wide.
  if (!ctx.hostSnp) return -Errno.ENODEV;
  // Step 2: idempotent.
  if (dev.snpInitialized) return 0;
  // Step 3: API < 1.51. Up to 6.15 this returned 0 (legacy init went ahead); 6.16 made it an
  // error that aborts legacy init too (same patch as the abort rule, README "Decisions").
  if (!versionAtLeast(dev, SNP_MIN_API.major, SNP_MIN_API.minor)) {
    // dev_dbg in mainline: users see it only with `ccp.dyndbg=+p` (docs/reference/linux-ccp.md §3.3 step 3).
    devDbg(dev, `SEV-SNP support requires firmware version >= ${SNP_MIN_API.major}:${SNP_MIN_API.minor}`);
    return profile.snpFailureAbortsLegacy ? -Errno.EOPNOTSUPP : 0;
  }
  // Step 4: SNPEn/MFDM/HSAVE_PA. ≤7.0 did SNPEn at boot and cleared HSAVE_PA from the ccp.
  if (profile.snpPrepare === 'boot') {
    clearHsavePa(m);
  } else {
    const rc = snpPrepare(m, ctx.log, ctx.hostSnp, profile.snpPrepare === 'snp-init-checked');
    if (rc && profile.snpPrepare === 'snp-init-checked') return rc;
  }

  // Step 5: the command. The range list is a function-local page (freed on return since 2026).
  let cmd: number = Cmd.SNP_INIT;
  let buffer: Uint8Array | null = null;
  let listPfn: number | null = null;
  if (versionAtLeast(dev, SNP_MIN_API.major, 52)) {
    const ranges = buildRangeList(hostIomemResources(m.config.memoryGiB, ctx.e820Reserved));
    if (typeof ranges === 'number') {
      devLog(dev, `SEV: SNP_INIT_EX walk_iomem_res_desc failed rc = ${ranges}`);
      return ranges;
    }
    listPfn = dev.pages.alloc(1);
    const list = new Uint8Array(4096);
    list.set(encodeRangeList(ranges));
    m.writePhys(listPfn * 4096, list);
    const useCth = profile.ciphertextHiding && maxSnpAsid !== 0;
    buffer = SevDataSnpInitEx.encode({
      initRmp: 1,
      listPaddrEn: 1,
      listPaddr: listPfn * 4096,
      ciphertextHidingEn: useCth ? 1 : 0,
      maxSnpAsid: useCth ? maxSnpAsid & 0xffff : 0,
    });
    cmd = Cmd.SNP_INIT_EX;
  }

  // Step 6: WBINVD on all CPUs, then the command.
  m.wbinvdAll();
  const init = sevDoCmdLocked(dev, cmd, buffer);
  if (listPfn !== null) dev.pages.release(listPfn, 1);
  setError(out, init.error);
  if (init.rc) {
    if (!profile.legacyLogFormat) {
      const name = cmd === Cmd.SNP_INIT_EX ? 'SNP_INIT_EX' : 'SNP_INIT';
      devLog(dev, `SEV-SNP: ${name} failed rc ${init.rc}, error ${hex(out.error)}`);
    }
    return init.rc;
  }

  // Step 7: prepare for the first SNP guest.
  m.wbinvdAll();
  const flush = sevDoCmdLocked(dev, Cmd.SNP_DF_FLUSH, null);
  setError(out, flush.error);
  if (flush.rc) {
    if (!profile.legacyLogFormat)
      devLog(dev, `SEV-SNP: SNP_DF_FLUSH failed rc ${flush.rc}, error ${hex(out.error)}`);
    return flush.rc;
  }

  // Step 8: bookkeeping.
  dev.snpInitialized = true;
  if (!profile.legacyLogFormat) devLog(dev, `SEV-SNP ${apiString(dev)}`);
  dev.panicNotifier = true;
  dev.tmrSize = SNP_TMR_SIZE;
  return 0;
}
