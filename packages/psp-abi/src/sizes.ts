/**
 * Sizes both sides of the mailbox agree on. The kernel spells them in include/linux/psp-sev.h
 * (SEV_FW_BLOB_MAX_SIZE) and drivers/crypto/ccp/sev-dev.c (SEV_TMR_SIZE, SNP_TMR_SIZE,
 * NV_LENGTH); the firmware checks the same numbers (AMD SEV API 55766, INIT and INIT_EX).
 */

/** SEV_FW_BLOB_MAX_SIZE: the largest blob a /dev/sev or KVM ioctl hands the firmware (16 KB). */
export const SEV_FW_BLOB_MAX_SIZE = 0x4000;
/** SEV_TMR_SIZE: the SEV-ES trusted memory region, 1 MB and 1 MB aligned. */
export const SEV_TMR_SIZE = 0x10_0000;
/** SNP_TMR_SIZE: with SNP initialised the TMR is 2 MB and 2 MB aligned. */
export const SNP_TMR_SIZE = 0x20_0000;
/** NV_LENGTH: the INIT_EX non-volatile area, 32 KB (INIT_EX `nv_len` must be exactly this). */
export const NV_LENGTH = 0x8000;
