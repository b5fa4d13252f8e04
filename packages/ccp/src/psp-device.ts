/**
 * The PSP's PCI identity, which prefixes every dev_err/dev_info line as "<driver> <BDF>: ".
 * The driver is "ccp" (drivers/crypto/ccp/sp-pci.c). One master PSP per machine.
 */
import type { CpuModel } from '@sevsim/hardware';

/**
 * Per-model PCI address of the master PSP (function 1 of the PSP/CCP device). Genoa's comes
 * from the scenario contract's example; Milan's from AMDESE/AMDSEV#140 logs; Turin's is a
 * sevsim choice (README "Decisions").
 */
export const PSP_PCI_ADDRESS: Readonly<Record<CpuModel, string>> = {
  milan: '0000:47:00.1',
  genoa: '0000:22:00.1',
  turin: '0000:a2:00.1',
};

export function pspDeviceName(model: CpuModel): string {
  return `ccp ${PSP_PCI_ADDRESS[model]}`;
}

/** The kernel's `%#x`: "0x" + lower-case hex of the value as a u32 (so -1 → 0xffffffff, 0 → 0x0). */
export function hex(v: number): string {
  return `0x${(v >>> 0).toString(16)}`;
}
