/** Linux errno numbers (include/uapi/asm-generic/errno-base.h, errno.h, include/linux/errno.h). */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  EBADF: 9,
  /** Also EWOULDBLOCK (same number; delete_module returns it for a module in use). */
  EAGAIN: 11,
  ENOMEM: 12,
  EFAULT: 14,
  EBUSY: 16,
  ENODEV: 19,
  EINVAL: 22,
  ENOTTY: 25,
  ENOSPC: 28,
  EROFS: 30,
  ERANGE: 34,
  EOPNOTSUPP: 95,
  ETIMEDOUT: 110,
  /** Kernel-internal (include/linux/errno.h), distinct from EOPNOTSUPP. */
  ENOTSUPP: 524,
} as const;

export type ErrnoName = keyof typeof Errno;

const namesByNumber = new Map<number, ErrnoName>(
  Object.entries(Errno).map(([name, value]) => [value, name as ErrnoName]),
);

/** Name of an errno; accepts the kernel's negative return value (-22) or the number (22). */
export function errnoName(rc: number): string {
  if (rc === 0) return 'OK';
  return namesByNumber.get(Math.abs(rc)) ?? `E${Math.abs(rc)}`;
}
