/**
 * The state values the firmware reports: PLATFORM_STATUS `state` (enum sev_state of
 * include/linux/psp-sev.h), SNP_PLATFORM_STATUS `state`, and the guest states GUEST_STATUS and
 * SNP_GUEST_STATUS report (AMD SEV API 55766 and SEV-SNP ABI 56860, the state tables).
 */

/** enum sev_state: SEV_STATE_UNINIT / SEV_STATE_INIT / SEV_STATE_WORKING. */
export const SevState = { UNINIT: 0, INIT: 1, WORKING: 2 } as const;
/** SNP platform state (SNP_PLATFORM_STATUS `state`). */
export const SnpState = { UNINIT: 0, INIT: 1 } as const;
/** Legacy guest states (GUEST_STATUS `state`). */
export const LegacyGuestState = {
  INVALID: 0,
  LUPDATE: 1,
  LSECRET: 2,
  RUNNING: 3,
  SUPDATE: 4,
  RUPDATE: 5,
  SENT: 6,
} as const;
/** SNP guest states (SNP_GUEST_STATUS `state`). */
export const SnpGuestState = { INIT: 0, LAUNCH: 1, RUNNING: 2 } as const;
