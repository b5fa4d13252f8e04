/**
 * TCB_VERSION of the running image (docs/reference/psp-firmware.md §3.4): Milan/Genoa [0] boot_loader, [1] tee,
 * [6] snp, [7] microcode; Turin [0] fmc, [1] boot_loader, [2] tee, [3] snp, [7] microcode.
 * sevsim's SNP SPL is the image SVN; the other components are fixed per CPU (README Decisions).
 */
import type { TcbLayout } from '@sevsim/hardware';

export interface TcbParts {
  fmc: number;
  bootLoader: number;
  tee: number;
  snp: number;
  microcode: number;
}

const byteAt = (v: number, i: number): bigint => BigInt(v & 0xff) << BigInt(8 * i);

export function encodeTcb(layout: TcbLayout, p: TcbParts): bigint {
  if (layout === 'zen5') {
    return (
      byteAt(p.fmc, 0) |
      byteAt(p.bootLoader, 1) |
      byteAt(p.tee, 2) |
      byteAt(p.snp, 3) |
      byteAt(p.microcode, 7)
    );
  }
  return byteAt(p.bootLoader, 0) | byteAt(p.tee, 1) | byteAt(p.snp, 6) | byteAt(p.microcode, 7);
}

/** Per-component comparison: every SPL of `a` ≤ that of `b` (SNP_CONFIG reported_tcb rule). */
export function tcbNotAbove(a: bigint, b: bigint): boolean {
  for (let i = 0n; i < 8n; i++) if (((a >> (8n * i)) & 0xffn) > ((b >> (8n * i)) & 0xffn)) return false;
  return true;
}

export function currentTcb(layout: TcbLayout, svn: number): bigint {
  return encodeTcb(layout, {
    fmc: layout === 'zen5' ? 1 : 0,
    bootLoader: 9,
    tee: 0,
    snp: svn,
    microcode: 0xd1,
  });
}
