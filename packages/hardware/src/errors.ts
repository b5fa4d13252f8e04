/** Thrown by `createMachine` for a machine that cannot exist (bad preset, ASID counts, core ids …). */
export class HardwareConfigError extends Error {
  override readonly name = 'HardwareConfigError';
}

/**
 * Thrown when a caller uses the hardware in a way no real software could: running an instruction on
 * an offline CPU, touching memory that does not exist, or a firmware-only operation with impossible
 * arguments. These are simulator bugs in the calling layer, so they fail loudly instead of returning
 * an architectural result.
 */
export class HardwareAccessError extends Error {
  override readonly name = 'HardwareAccessError';
}
