/**
 * The canonical state key: everything in the live system that decides what the next action does,
 * and nothing that only names things. Two paths that reach the same key are one state.
 *
 * - Kept: the contract State's platform facts, the firmware's platform and guest states with
 *   their ASIDs and activation, its ASID bookkeeping counts, the ccp driver's cached view, KVM's
 *   ranges, ASID bitmaps (in use and awaiting reclaim), the hardware's SNPEn/IOMMU/RMP counts,
 *   the firmware images on disk, and the open VMs.
 * - Dropped (symmetry): VM ids, firmware handles, GCTX and memory page numbers, the dmesg text:
 *   counters and bump allocations that differ between paths but never change an outcome.
 * - Open VMs are a sorted multiset of (type, state, ASID): swapping two VMs' ids is one state.
 *   ASIDs are not renamed: KVM takes the lowest free ASID of a range, so the values themselves
 *   decide later allocations (README "Decisions").
 */
import type { Session } from '@sevsim/scenario';

/** KernelFs keeps files in a private map; the key needs which images are installed (README "Decisions"). */
function diskImages(session: Session): string {
  const files = (session.world.ctx.fs as unknown as { files?: Map<string, Uint8Array> }).files;
  if (!files) return '';
  const out: string[] = [];
  for (const [path, bytes] of files) {
    let h = 0x811c9dc5;
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    out.push(`${path}#${(h >>> 0).toString(36)}`);
  }
  return out.sort().join(',');
}

export function stateKey(session: Session): string {
  const w = session.world;
  const fw = w.psp.snapshot();
  const hw = w.machine.snapshot();
  const ccp = w.ccp ? w.ccp.view() : null;
  const kvm = w.kvm ? w.kvm.view() : null;
  const parts: (string | number | boolean)[] = [
    w.ctx.hostSnp,
    hw.snpEn.map((b) => (b ? 1 : 0)).join(''),
    hw.iommu.snpEnforced,
    hw.rmp.initialised,
    Object.entries(hw.rmp.counts)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k}:${n}`)
      .join(','),
    hw.ciphertextHiding.enabled,
    hw.ciphertextHiding.maxSnpAsid,
    fw.version,
    fw.committedVersion,
    fw.sev,
    fw.snp,
    fw.rmpInitialised,
    fw.ciphertextHiding,
    fw.maxSnpAsid,
    fw.esConfigured,
    fw.snpGuestCount,
    `${fw.asids.dirty}/${fw.asids.clean}/${fw.asids.allocated}/${fw.asids.inUse}`,
    fw.legacyGuests
      .map((g) => `${g.state}:${g.asid}:${g.activation}:${g.policy}`)
      .sort()
      .join(','),
    fw.snpGuests
      .map((g) => `${g.state}:${g.asid}:${g.activation}:${g.policy}`)
      .sort()
      .join(','),
    ccp
      ? `${ccp.present}:${ccp.sevState}:${ccp.snpInitialized}:${ccp.api}:${ccp.pspDead}:${ccp.tmrAllocated}:${ccp.nvAllocated}:${ccp.leakedPages}`
      : '-',
    kvm
      ? [
          `${kvm.sev.status}${kvm.sev.min}-${kvm.sev.max}`,
          `${kvm.sevEs.status}${kvm.sevEs.min}-${kvm.sevEs.max}`,
          `${kvm.snp.status}${kvm.snp.min}-${kvm.snp.max}`,
          kvm.vmTypes.join('.'),
          kvm.asids.inUse.join('.'),
          kvm.asids.reclaim.join('.'),
        ].join(';')
      : '-',
    diskImages(session),
  ];
  const vms: string[] = [];
  for (const rec of w.vms.values()) {
    const vm = rec.vm;
    if (!vm || rec.destroyed) continue;
    vms.push(`${vm.type}:${vm.state}:${vm.asidAssigned ? vm.asid : '-'}:${vm.vcpus.length}`);
  }
  parts.push(vms.sort().join(','));
  return parts.join('|');
}

/**
 * Two independent 32-bit hashes of the key (FNV-1a and a multiply-xorshift), stored instead of
 * the key. Two different states collide with probability about n²/2⁶⁵ (n = states), below 10⁻⁵
 * for 10⁷ states.
 */
export function hashKey(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  b = Math.imul(b ^ (b >>> 13), 0xc2b2ae35);
  return [a >>> 0, (b ^ (b >>> 16)) >>> 0];
}
