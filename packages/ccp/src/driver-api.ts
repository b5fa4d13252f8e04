/**
 * What kvm-amd may use of the ccp driver: the symbols sev-dev.c exports
 * (EXPORT_SYMBOL_GPL in drivers/crypto/ccp/sev-dev.c). Nothing else crosses this boundary.
 */

/** `struct sev_platform_init_args` (include/linux/psp-sev.h). */
export interface PlatformInitArgs {
  /** true when called at kvm-amd load (6.16+) or ccp probe (≤ 6.15). */
  readonly probe: boolean;
  /** Non-zero enables ciphertext hiding with this MAX_SNP_ASID (6.18+). */
  readonly maxSnpAsid: number;
}

export interface FwCallResult {
  /** 0 or a negative errno (`Errno`). */
  readonly rc: number;
  /** Firmware status of the failing command, or NO_FW_CALL (-1) when none was issued. */
  readonly error: number;
}

export interface CmdResult extends FwCallResult {
  /** The command buffer after the command (written back by the firmware where it writes back). */
  readonly buffer: Uint8Array;
}

export interface SevDriver {
  /** psp_master->sev_data exists (probe found an SEV-capable PSP and read its version). */
  readonly present: boolean;
  /** sev_platform_init(). */
  platformInit(args: PlatformInitArgs): FwCallResult;
  /** sev_platform_shutdown() (exported from 6.16). */
  platformShutdown(): void;
  /** sev_do_cmd / sev_issue_cmd_external_user: one firmware command under sev_cmd_mutex. */
  issueCmd(id: number, buffer: Uint8Array): CmdResult;
  /** sev_is_snp_ciphertext_hiding_supported() (6.18+). */
  isSnpCiphertextHidingSupported(): boolean;
  /** sev_get_snp_policy_bits(). */
  snpPolicyBits(): bigint;
  /** sev_firmware_supported_vm_types() (7.2): a bit mask of BIT(KVM_X86_*_VM). */
  firmwareSupportedVmTypes(): number;
  /** snp_alloc_firmware_page(): a page moved to the RMP Firmware state; its pfn, or null. */
  snpAllocFirmwarePage(): number | null;
  /** snp_free_firmware_page(): reclaim, make shared, free (leak on failure). */
  snpFreeFirmwarePage(pfn: number): void;
  /** snp_reclaim_pages(): SNP_PAGE_RECLAIM then RMPUPDATE to shared; returns 0 or -errno. */
  snpReclaimPages(pfn: number, npages: number): number;
}
