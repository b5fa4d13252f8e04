/**
 * The PSP's PCI identity, which prefixes every dev_err/dev_info line as "<driver> <BDF>: ". The
 * driver is "ccp" (drivers/crypto/ccp/sp-pci.c); the addresses are the machine's (`Machine.pspPci`:
 * the preset's, or the board's).
 */
import type { Machine } from '@sevsim/hardware';

/**
 * What sp-pci.c's `dev_vdata` gives each PSP device id the model's presets use: whether the
 * function also carries a CCP crypto engine (`ccp_vdata`), probed before the PSP by sp_init().
 */
export const SP_DEVICES: Readonly<Record<number, { readonly ccp: boolean }>> = {
  /** dev_vdata[3]: ccpv5a + pspv2 (Rome, Milan). */
  5254: { ccp: true },
  /** dev_vdata[5]: PSP only (Genoa family). */
  5322: { ccp: false },
};

/** "ccp BDF" of each PSP, in probe order (the first is the master). */
export function pspDeviceNames(machine: Pick<Machine, 'pspPci'>): string[] {
  return machine.pspPci.map((bdf) => `ccp ${bdf}`);
}

/** The kernel's `%#x`: "0x" + lower-case hex of the value as a u32 (so -1 → 0xffffffff, 0 → 0x0). */
export function hex(v: number): string {
  return `0x${(v >>> 0).toString(16)}`;
}
