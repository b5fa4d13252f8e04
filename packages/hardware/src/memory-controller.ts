import { HardwareAccessError } from './errors.js';

export interface MemoryControllerView {
  readonly ciphertextHiding: boolean;
  readonly maxSnpAsid: number;
  readonly keys: ReadonlySet<number>;
  /** BIOS enabled the capability on a CPU that has it (SNP_PLATFORM_STATUS ciphertext_hiding_cap). */
  readonly ciphertextHidingCapable: boolean;
}

/** The UMCs: guest key slots (one per ASID) and the ciphertext-hiding setting (docs/reference/psp-firmware.md §6). */
export class MemoryController implements MemoryControllerView {
  private hiding = false;
  private maxSnp = 0;
  /** `installed` is shared with a copy: the first change copies it (few forks install a key). */
  private shared = false;

  constructor(
    readonly ciphertextHidingCapable: boolean,
    private readonly maxAsid: number,
    private installed = new Set<number>(),
  ) {}

  fork(): MemoryController {
    this.shared = true;
    const c = new MemoryController(this.ciphertextHidingCapable, this.maxAsid, this.installed);
    c.hiding = this.hiding;
    c.maxSnp = this.maxSnp;
    c.shared = true;
    return c;
  }

  /** Before a change: a set shared with a copy is copied first. */
  private own(): void {
    if (!this.shared) return;
    this.installed = new Set(this.installed);
    this.shared = false;
  }

  get ciphertextHiding(): boolean {
    return this.hiding;
  }

  get maxSnpAsid(): number {
    return this.maxSnp;
  }

  get keys(): ReadonlySet<number> {
    return this.installed;
  }

  checkAsid(asid: number, what: string): void {
    if (!Number.isInteger(asid) || asid < 1 || asid > this.maxAsid) {
      throw new HardwareAccessError(`${what}: ASID ${asid} is outside 1..${this.maxAsid}`);
    }
  }

  installKey(asid: number): void {
    this.checkAsid(asid, 'fwInstallKey');
    this.own();
    this.installed.add(asid);
  }

  wipeKeys(): void {
    this.own();
    this.installed.clear();
  }

  setCiphertextHiding(enabled: boolean, maxSnpAsid: number): void {
    if (!enabled) {
      this.hiding = false;
      this.maxSnp = 0;
      return;
    }
    if (!this.ciphertextHidingCapable) {
      throw new HardwareAccessError(
        'fwSetCiphertextHiding: the platform has no ciphertext-hiding capability',
      );
    }
    this.checkAsid(maxSnpAsid, 'fwSetCiphertextHiding');
    this.hiding = true;
    this.maxSnp = maxSnpAsid;
  }
}
