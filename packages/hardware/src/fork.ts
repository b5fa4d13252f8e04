/**
 * One copy of a whole simulated system under way (the explorer forks a system instead of
 * replaying a path from power-on). Each layer copies its own fields in its own `fork(f)` method,
 * so no one reads another package's private fields; an object several owners hold (the machine,
 * the PSP, the kernel context, a VM) is copied once, so the copy keeps the original's sharing.
 * Frozen values (configuration, presets, RMP entries) are shared, never copied.
 */
export class Fork {
  private readonly copies = new Map<object, object>();

  /** The copy of `x` in this fork: made by `copy` the first time any owner asks for it. */
  once<T extends object>(x: T, copy: () => T): T {
    let c = this.copies.get(x) as T | undefined;
    if (c === undefined) {
      c = copy();
      this.copies.set(x, c);
    }
    return c;
  }

  /**
   * The copy another layer made of `x` earlier in this fork: for an owner that sees `x` only
   * through an interface (ccp sees the PSP as its mailbox, kvm-amd sees ccp as its driver).
   */
  copied<T extends object>(x: T): T {
    const c = this.copies.get(x);
    if (c === undefined) throw new Error('fork: an object was reached before its owner copied it');
    return c as T;
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
