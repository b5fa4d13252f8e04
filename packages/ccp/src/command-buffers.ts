/**
 * sev_cmd_buffer_len() and the legacy-command buffer descriptors of sev-dev.c
 * (snp_populate_cmd_buf_desc_list, sev_cmd_buf_writable): which commands take a buffer of
 * which size, which buffers the firmware writes, and which address fields point at memory the
 * firmware must own while SNP is initialised (docs/reference/linux-ccp.md §3.12).
 */
import {
  COMMAND_BUFFERS,
  Cmd,
  type StructCodec,
  SevDataDbg,
  SevDataGetId,
  SevDataLaunchMeasure,
  SevDataLaunchSecret,
  SevDataLaunchUpdateData,
  SevDataLaunchUpdateVmsa,
  SevDataPdhCertExport,
  SevDataPekCsr,
} from '@sevsim/psp-abi';

/** sev_cmd_buffer_len(): 0 for commands that take no buffer (and for ids the driver does not know). */
export function cmdBufferLen(cmd: number): number {
  return COMMAND_BUFFERS.get(cmd)?.size ?? 0;
}

/** sev_cmd_buf_writable(): legacy commands whose command buffer the firmware writes back. */
const WRITABLE = new Set<number>([
  Cmd.PLATFORM_STATUS,
  Cmd.GUEST_STATUS,
  Cmd.LAUNCH_START,
  Cmd.RECEIVE_START,
  Cmd.LAUNCH_MEASURE,
  Cmd.SEND_START,
  Cmd.SEND_UPDATE_DATA,
  Cmd.SEND_UPDATE_VMSA,
  Cmd.PEK_CSR,
  Cmd.PDH_CERT_EXPORT,
  Cmd.GET_ID,
  Cmd.ATTESTATION_REPORT,
]);

export function cmdBufWritable(cmd: number): boolean {
  return WRITABLE.has(cmd);
}

/** One address parameter of a legacy command that the firmware may write (struct cmd_buf_desc). */
export interface BufDescSpec {
  // biome-ignore lint/suspicious/noExplicitAny: a field pair of any command struct
  readonly codec: StructCodec<any>;
  readonly addr: string;
  readonly len: string;
  /** Guest-owned pages are moved to Firmware in place; others go through a bounce buffer. */
  readonly guestOwned: boolean;
}

/**
 * snp_populate_cmd_buf_desc_list(). SEND_* and ATTESTATION_REPORT, which sevsim's firmware does
 * not implement, have no codec and are left out.
 */
export function cmdBufDescs(cmd: number): readonly BufDescSpec[] {
  switch (cmd) {
    case Cmd.PDH_CERT_EXPORT:
      return [
        { codec: SevDataPdhCertExport, addr: 'pdhCertAddress', len: 'pdhCertLen', guestOwned: false },
        { codec: SevDataPdhCertExport, addr: 'certChainAddress', len: 'certChainLen', guestOwned: false },
      ];
    case Cmd.GET_ID:
      return [{ codec: SevDataGetId, addr: 'address', len: 'len', guestOwned: false }];
    case Cmd.PEK_CSR:
      return [{ codec: SevDataPekCsr, addr: 'address', len: 'len', guestOwned: false }];
    case Cmd.LAUNCH_UPDATE_DATA:
      return [{ codec: SevDataLaunchUpdateData, addr: 'address', len: 'len', guestOwned: true }];
    case Cmd.LAUNCH_UPDATE_VMSA:
      return [{ codec: SevDataLaunchUpdateVmsa, addr: 'address', len: 'len', guestOwned: true }];
    case Cmd.LAUNCH_MEASURE:
      return [{ codec: SevDataLaunchMeasure, addr: 'address', len: 'len', guestOwned: false }];
    case Cmd.LAUNCH_UPDATE_SECRET:
      return [{ codec: SevDataLaunchSecret, addr: 'guestAddress', len: 'guestLen', guestOwned: true }];
    case Cmd.DBG_DECRYPT:
    case Cmd.DBG_ENCRYPT:
      return [{ codec: SevDataDbg, addr: 'dstAddr', len: 'len', guestOwned: true }];
    default:
      return [];
  }
}
