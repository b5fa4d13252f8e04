import type { IommuMode } from './config.js';

export interface IommuView {
  readonly mode: IommuMode;
  /** EFR bit 63 SNPSup (docs/reference/psp-firmware.md §8.3). */
  readonly snpCapable: boolean;
  /** RMP checks on DMA, switched by the firmware at SNP_INIT / SNP_SHUTDOWN_EX (docs/reference/psp-firmware.md §8.3). */
  readonly snpEnforced: boolean;
  /** PFNs of the event log (8 KB), PPR log (8 KB) and completion-wait semaphore (4 KB), in order. */
  readonly logPages: readonly number[];
}

/** Pages the IOMMU driver allocates: event log 2, PPR log 2, completion-wait semaphore 1. */
export const IOMMU_LOG_PAGES = { eventLog: 2, pprLog: 2, completionWait: 1 } as const;

/** One AMD IOMMU (the model keeps a single unit; see README Decisions). */
export class Iommu implements IommuView {
  private enforced = false;

  constructor(
    readonly mode: IommuMode,
    readonly snpCapable: boolean,
    readonly logPages: readonly number[],
  ) {}

  /** An independent copy (the log pages are frozen, shared). */
  fork(): Iommu {
    const c = new Iommu(this.mode, this.snpCapable, this.logPages);
    c.enforced = this.enforced;
    return c;
  }

  get snpEnforced(): boolean {
    return this.enforced;
  }

  setEnforcement(on: boolean): void {
    this.enforced = on;
  }
}
