/**
 * One copy of a whole simulated system under way (the explorer forks a system instead of
 * replaying a path from power-on). Each layer copies its own fields in its own `fork(f)` method,
 * so no one reads another package's private fields; an object several owners hold (the machine,
 * the PSP, the kernel context, a VM) is copied once, so the copy keeps the original's sharing.
 * Frozen values (configuration, presets, RMP entries) are shared, never copied.
 */
export class Fork {
  /**
   * Originals and their copies, by position: a fork copies a dozen shared objects at most (the
   * machine, the PSP, the kernel context, ccp, open VMs), and a linear search over them costs
   * less than a Map's allocation and hashing.
   */
  private readonly originals: object[] = [];
  private readonly copies: object[] = [];

  /** The copy of `x` in this fork: made by `copy` the first time any owner asks for it. */
  once<T extends object>(x: T, copy: () => T): T {
    const i = this.originals.indexOf(x);
    if (i >= 0) return this.copies[i] as T;
    const c = copy();
    this.originals.push(x);
    this.copies.push(c);
    return c;
  }

  /**
   * The copy another layer made of `x` earlier in this fork: for an owner that sees `x` only
   * through an interface (ccp sees the PSP as its mailbox, kvm-amd sees ccp as its driver).
   */
  copied<T extends object>(x: T): T {
    const i = this.originals.indexOf(x);
    if (i < 0) throw new Error('fork: an object was reached before its owner copied it');
    return this.copies[i] as T;
  }
}

/**
 * `T` with its public readonly fields writable: what a class's own `fork()` fills in on a copy it
 * made with `Object.create(T.prototype)`, listing every field (a copy written per class is
 * monomorphic; a spread plus `Object.setPrototypeOf` took about five times as long).
 */
export type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** Freeze `v` and everything it holds: configuration that copies of a system share. */
export function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
