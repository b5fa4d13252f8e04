/**
 * sev_cmd_buffer_len() and the legacy-command buffer descriptors of sev-dev.c
 * (snp_populate_cmd_buf_desc_list, sev_cmd_buf_writable): which commands take a buffer of
 * which size, which buffers the firmware writes, and which address fields point at memory the
 * firmware must own while SNP is initialised (docs/reference/linux-ccp.md §3.12).
 */
import {
  COMMAND_BUFFERS,
  Cmd,
  type Field,
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
  /** The codec's fields named by `addr` and `len`, read and written where they are in the buffer. */
  readonly addrField: Field<number>;
  readonly lenField: Field<number>;
  /** Guest-owned pages are moved to Firmware in place; others go through a bounce buffer. */
  readonly guestOwned: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: a field pair of any command struct
function desc(codec: StructCodec<any>, addr: string, len: string, guestOwned: boolean): BufDescSpec {
  return Object.freeze({
    codec,
    addr,
    len,
    addrField: codec.fields[addr] as Field<number>,
    lenField: codec.fields[len] as Field<number>,
    guestOwned,
  });
}

/**
 * snp_populate_cmd_buf_desc_list(), one frozen list per command. SEND_* and ATTESTATION_REPORT,
 * which sevsim's firmware does not implement, have no codec and are left out.
 */
const DESCS: ReadonlyMap<number, readonly BufDescSpec[]> = new Map(
  (
    [
      [
        Cmd.PDH_CERT_EXPORT,
        [
          desc(SevDataPdhCertExport, 'pdhCertAddress', 'pdhCertLen', false),
          desc(SevDataPdhCertExport, 'certChainAddress', 'certChainLen', false),
        ],
      ],
      [Cmd.GET_ID, [desc(SevDataGetId, 'address', 'len', false)]],
      [Cmd.PEK_CSR, [desc(SevDataPekCsr, 'address', 'len', false)]],
      [Cmd.LAUNCH_UPDATE_DATA, [desc(SevDataLaunchUpdateData, 'address', 'len', true)]],
      [Cmd.LAUNCH_UPDATE_VMSA, [desc(SevDataLaunchUpdateVmsa, 'address', 'len', true)]],
      [Cmd.LAUNCH_MEASURE, [desc(SevDataLaunchMeasure, 'address', 'len', false)]],
      [Cmd.LAUNCH_UPDATE_SECRET, [desc(SevDataLaunchSecret, 'guestAddress', 'guestLen', true)]],
      [Cmd.DBG_DECRYPT, [desc(SevDataDbg, 'dstAddr', 'len', true)]],
      [Cmd.DBG_ENCRYPT, [desc(SevDataDbg, 'dstAddr', 'len', true)]],
    ] as const
  ).map(([cmd, list]) => [cmd, Object.freeze(list)] as const),
);

const NONE: readonly BufDescSpec[] = Object.freeze([]);

/** snp_populate_cmd_buf_desc_list(): the address parameters of `cmd` (none for most commands). */
export function cmdBufDescs(cmd: number): readonly BufDescSpec[] {
  return DESCS.get(cmd) ?? NONE;
}
