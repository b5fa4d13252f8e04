/** docs/contracts/scenario-v1.md "`sevsim run`": 0 / 1 / 2; 3 is ours for a bug in sevsim itself (https://clig.dev, "Exit codes"). */
export const Exit = {
  OK: 0,
  EXPECTATION_FAILED: 1,
  INVALID_INPUT: 2,
  INTERNAL_ERROR: 3,
} as const;
export type ExitCode = (typeof Exit)[keyof typeof Exit];

/** Several files: invalid input outranks a failed expectation, which outranks success. */
export function worst(codes: readonly ExitCode[]): ExitCode {
  if (codes.includes(Exit.INVALID_INPUT)) return Exit.INVALID_INPUT;
  if (codes.includes(Exit.EXPECTATION_FAILED)) return Exit.EXPECTATION_FAILED;
  return Exit.OK;
}
