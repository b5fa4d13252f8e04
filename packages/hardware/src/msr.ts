/** MSR numbers the SEV stack touches (docs/reference/psp-firmware.md §8.1, §5.1). */
export const MSR = {
  SYSCFG: 0xc0010010,
  HWCR: 0xc0010015,
  VM_HSAVE_PA: 0xc0010117,
  RMP_BASE: 0xc0010132,
  RMP_END: 0xc0010133,
  RMP_CFG: 0xc0010136,
} as const;

/** SYSCFG bits (docs/reference/psp-firmware.md §8.1). */
export const SYSCFG = {
  MTRR_FIX_DRAM_EN: 1n << 18n,
  MFDM: 1n << 19n,
  MTRR_VAR_DRAM_EN: 1n << 20n,
  MTRR_TOM2_EN: 1n << 21n,
  TOM2_FORCE_MEM_TYPE_WB: 1n << 22n,
  MEM_ENCRYPT: 1n << 23n,
  SNP_EN: 1n << 24n,
  VMPL_EN: 1n << 25n,
} as const;

/**
 * The SYSCFG bits an EPYC BIOS leaves set for the OS besides MemEncryptionModEn: MtrrFixDramEn,
 * MtrrVarDramEn, MtrrTom2En, Tom2ForceMemTypeWB (AMD 24593 §7.9.1; a Genoa host's faulting SNPEn
 * write was 0x3fc0000 = these, MFDM, MemEncryptionModEn, SNPEn and VMPLEn: docs/reference/linux-ccp.md §7.4).
 */
export const SYSCFG_BIOS_MTRR =
  SYSCFG.MTRR_FIX_DRAM_EN | SYSCFG.MTRR_VAR_DRAM_EN | SYSCFG.MTRR_TOM2_EN | SYSCFG.TOM2_FORCE_MEM_TYPE_WB;

/** HWCR bit 0 SMMLock (docs/reference/psp-firmware.md §8.1; docs/reference/linux-ccp.md §7.1 step 1). */
export const HWCR_SMMLOCK = 1n;

/** RMP_CFG: bit 0 segmented-RMP enable, bits 13:8 segment shift (docs/reference/psp-firmware.md §5.1). */
export const RMP_CFG_SEGMENTED = 1n;
export const RMP_CFG_SHIFT_BIT = 8n;
