/**
 * The misc cgroup resources MISC_CG_RES_SEV and MISC_CG_RES_SEV_ES, modelled for the root cgroup
 * only (docs/reference/linux-kvm-amd.md §2.2 steps 6 and 9, §4.7).
 */
import { Errno } from '@sevsim/ccp';

export type MiscResource = 'sev' | 'sev_es';

export class MiscCgroup {
  constructor(
    private readonly capacity: Record<MiscResource, number> = { sev: 0, sev_es: 0 },
    private readonly usage: Record<MiscResource, number> = { sev: 0, sev_es: 0 },
  ) {}

  fork(): MiscCgroup {
    const { capacity: c, usage: u } = this;
    return new MiscCgroup({ sev: c.sev, sev_es: c.sev_es }, { sev: u.sev, sev_es: u.sev_es });
  }

  setCapacity(res: MiscResource, n: number): void {
    this.capacity[res] = n;
  }

  /** misc_cg_try_charge(): -EINVAL when the capacity is 0, -EBUSY when usage would exceed it (docs/reference/linux-kvm-amd.md §4.7). */
  tryCharge(res: MiscResource): number {
    if (this.capacity[res] === 0) return -Errno.EINVAL;
    if (this.usage[res] + 1 > this.capacity[res]) return -Errno.EBUSY;
    this.usage[res] += 1;
    return 0;
  }

  uncharge(res: MiscResource): void {
    this.usage[res] -= 1;
  }

  view(): { capacity: Record<MiscResource, number>; usage: Record<MiscResource, number> } {
    return { capacity: { ...this.capacity }, usage: { ...this.usage } };
  }
}
