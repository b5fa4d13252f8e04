/**
 * The host's root file system as far as the ccp driver touches it: the INIT_EX NV file
 * (init_ex_path, docs/reference/linux-ccp.md §3.7) and /lib/firmware/amd/*.sbin images (§5.1).
 * It outlives module reloads (it is the disk), so it lives in the KernelContext.
 */
import { Fingerprint, type ItemDigest } from '@sevsim/hardware';
import { Errno } from '@sevsim/kernel';

/** A file's contents, never changed in place, and its share of the fingerprint, hashed once at write. */
interface FsFile {
  readonly data: Uint8Array;
  readonly digest: ItemDigest;
}

export class KernelFs {
  /** A read-only mount: every open for write fails with -EROFS (models docs/reference/linux-ccp.md §9.8's write-back error). */
  readOnly = false;
  /** `files` is shared with a copy: the first write copies it (few forks write a file). */
  private shared = false;

  constructor(private files = new Map<string, FsFile>()) {}

  /** An independent copy. Contents are shared: a file is replaced on write, never changed in place. */
  fork(): KernelFs {
    this.shared = true;
    const c = new KernelFs(this.files);
    c.readOnly = this.readOnly;
    c.shared = true;
    return c;
  }

  /**
   * The files and their contents, in no order (what a later probe or NV read will find). Each
   * file's share was hashed when it was written: hashing a firmware image's bytes at every
   * explored transition cost more than the rest of ccp's fingerprint.
   */
  fingerprint(f: Fingerprint): void {
    f.bagOf(this.files, fileDigest);
  }

  /** File contents (a copy), or -ENOENT. */
  read(path: string): Uint8Array | number {
    const f = this.files.get(path);
    // Copies by construction here and in write(): slice() costs Node 20 about twice as much.
    return f ? new Uint8Array(f.data) : -Errno.ENOENT;
  }

  exists(path: string): boolean {
    return this.files.has(path);
  }

  /** O_CREAT|O_WRONLY + write: 0 or a negative errno. */
  write(path: string, data: Uint8Array): number {
    if (this.readOnly) return -Errno.EROFS;
    if (this.shared) {
      this.files = new Map(this.files);
      this.shared = false;
    }
    const copy = new Uint8Array(data);
    this.files.set(path, { data: copy, digest: Fingerprint.item((h) => h.str(path).bytes(copy)) });
    return 0;
  }
}

const fileDigest = (file: FsFile): ItemDigest => file.digest;
