/**
 * sev_asid_new(), sev_asid_free() and sev_flush_asids() (docs/reference/linux-kvm-amd.md §4.7, §3 step 2).
 */
import { Errno } from '@sevsim/ccp';
import { Cmd } from '@sevsim/psp-abi';
import type { KvmSev } from './kvm-sev';
import { hexAlt } from './sev-hardware-setup';
import { type Vm, VmTypeId } from './vm';

/**
 * sev_flush_asids(min, max): only when a reclaimable ASID lies in range; WBINVD on all CPUs, then
 * SNP_DF_FLUSH if KVM's (effective) sev_snp is on, else DF_FLUSH. Returns 0 or -errno.
 */
export function sevFlushAsids(k: KvmSev, min: number, max: number): number {
  const table = k.setup.asids;
  if (!table?.hasReclaimable(min, max)) return -Errno.EBUSY;
  k.ctx.machine.wbinvdAll();
  const snp = k.setup.snpEnabled;
  const res = k.driver.issueCmd(snp ? Cmd.SNP_DF_FLUSH : Cmd.DF_FLUSH, new Uint8Array(0));
  if (res.rc !== 0) {
    k.ctx.log.print(
      `kvm_amd: SEV${snp ? '-SNP' : ''}: DF_FLUSH failed, ret=${res.rc}, error=${hexAlt(res.error)}`,
    );
  }
  return res.rc;
}

/** The ASID range of a VM by type (6.18+ per-type ranges; before, ES and SNP share [1, min_sev_asid-1]). */
export function asidRange(k: KvmSev, vm: Vm): { min: number; max: number } {
  const s = k.setup;
  if (vm.type === VmTypeId.SNP) return { min: s.minSnpAsid, max: s.maxSnpAsid };
  if (vm.esActive) return { min: s.minSevEsAsid, max: s.maxSevEsAsid };
  return { min: s.minSevAsid, max: s.maxSevAsid };
}

/** sev_asid_new(): returns 0 (vm.asid set) or -ENOTTY / -EINVAL / -EBUSY (docs/reference/linux-kvm-amd.md §4.7). */
export function sevAsidNew(k: KvmSev, vm: Vm): number {
  const { min, max } = asidRange(k, vm);
  // "unusable" range: zero SEV ASIDs, or SEV-ES with every joint ASID given to SNP.
  if (min > max) return -Errno.ENOTTY;
  // SNP VMs are charged to MISC_CG_RES_SEV_ES (charge type is es_active ? SEV_ES : SEV).
  const res = vm.esActive ? 'sev_es' : 'sev';
  const charge = k.cgroup.tryCharge(res);
  if (charge !== 0) return charge;
  const table = k.setup.asids;
  let asid = table?.findFree(min, max);
  // One recycle attempt when the range is exhausted: flush, then return every reclaimed ASID.
  if (asid === undefined && table && sevFlushAsids(k, min, max) === 0) {
    table.recycle();
    asid = table.findFree(min, max);
  }
  if (asid === undefined || !table) {
    k.cgroup.uncharge(res);
    return -Errno.EBUSY;
  }
  table.take(asid);
  vm.asid = asid;
  vm.asidAssigned = true;
  vm.charged = res;
  return 0;
}

/** sev_asid_free(): into the reclaim bitmap (not reusable until a flush), cgroup uncharged. */
export function sevAsidFree(k: KvmSev, vm: Vm): void {
  k.setup.asids?.free(vm.asid);
  if (vm.charged) k.cgroup.uncharge(vm.charged);
  vm.charged = null;
}
