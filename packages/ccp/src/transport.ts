/**
 * __sev_do_cmd_locked(): one firmware command through the PSP mailbox, with the transport
 * facts of docs/reference/linux-ccp.md §3.12 (psp_dead, buffer-length check, -EIO on a non-zero status, the
 * nested command buffer, the legacy-command buffer handling while SNP is initialised) and the
 * INIT_EX NV write-back of docs/reference/linux-ccp.md §3.7. snp_reclaim_pages and
 * rmp_mark_pages_firmware live here too: the command path reclaims pages with SNP_PAGE_RECLAIM,
 * a command of its own, as sev-dev.c's functions call each other.
 */
import { PAGE_SIZE } from '@sevsim/hardware';
import { Cmd, type Field, type MailboxOptions, NV_LENGTH, SevDataSnpPageReclaim } from '@sevsim/psp-abi';
import { cmdBufDescs, cmdBufWritable, cmdBufferLen } from './command-buffers';
import { Errno } from '@sevsim/kernel';
import { kernelFs } from './kernel';
import { orderPages } from './page-allocator';
import { leakPages, rmpMakeFirmware, rmpMakeShared } from './rmp-pages';
import { type SevDevice, devLog, hex } from './sev-device';

export interface DoCmdResult {
  /** 0 or a negative errno. */
  readonly rc: number;
  /** The firmware status (psp_ret) when the driver wrote it; undefined when it never got that far. */
  readonly error: number | undefined;
  /** The command buffer as copied back to the caller (empty for buffer-less commands). */
  readonly buffer: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/** Commands after which the NV area is written back to init_ex_path (sev_write_init_ex_file_if_required). */
const NV_WRITERS = new Set<number>([
  Cmd.FACTORY_RESET,
  Cmd.INIT_EX,
  Cmd.PDH_GEN,
  Cmd.PEK_CERT_IMPORT,
  Cmd.PEK_GEN,
]);

interface MappedDesc {
  readonly pfnCount: number;
  readonly paddr: number;
  readonly orig: number;
  readonly len: number;
  readonly bounce: boolean;
  /** The descriptor's address field, restored in the command buffer after a bounce. */
  readonly addrField: Field<number>;
}

/** snp_legacy_handling_needed(): legacy command while SNP is initialised. */
function legacyHandling(dev: SevDevice, cmd: number): boolean {
  return cmd < Cmd.SNP_INIT && dev.snpInitialized;
}

/** snp_map_cmd_buf_desc_list(): bounce buffers / in-place pages moved to Firmware. */
function mapDescs(dev: SevDevice, cmd: number, buf: Uint8Array): MappedDesc[] | number {
  const mapped: MappedDesc[] = [];
  for (const d of cmdBufDescs(cmd)) {
    // The descriptor's two fields read (and the address written) where they are in cmd_buf,
    // which is always the command's full struct here.
    const len = d.lenField.get(buf);
    if (!len) continue;
    let paddr = d.addrField.get(buf);
    const orig = paddr;
    const npages = Math.ceil(len / 4096);
    if (!d.guestOwned) {
      paddr = dev.pages.alloc(orderPages(len)) * 4096;
      d.addrField.put(buf, paddr);
    }
    if (markPagesFirmware(dev, Math.floor(paddr / 4096), npages, true) !== 0) {
      dev.ctx.log.print('Error moving pages to firmware-owned state for SEV legacy command.');
      for (const m of mapped.reverse()) unmapDesc(dev, m, buf);
      return -Errno.EFAULT;
    }
    mapped.push({
      pfnCount: npages,
      paddr,
      orig,
      len,
      bounce: !d.guestOwned,
      addrField: d.addrField,
    });
  }
  return mapped;
}

/** snp_unmap_cmd_buf_desc(): reclaim, copy the bounce buffer back, restore the address. */
function unmapDesc(dev: SevDevice, m: MappedDesc, buf: Uint8Array): number {
  if (reclaimPages(dev, Math.floor(m.paddr / 4096), m.pfnCount, true) !== 0) {
    dev.ctx.log.print('Failed to reclaim firmware-owned pages while issuing SEV legacy command.');
    return -Errno.EFAULT;
  }
  if (m.bounce) {
    dev.ctx.machine.writePhys(m.orig, dev.ctx.machine.readPhys(m.paddr, m.len));
    dev.pages.release(Math.floor(m.paddr / 4096), orderPages(m.len));
    m.addrField.put(buf, m.orig);
  }
  return 0;
}

/** sev_write_init_ex_file(): the whole 32 KB NV area to init_ex_path. */
function writeNvFile(dev: SevDevice): number {
  if (dev.nvPfn === null || dev.params.init_ex_path === null) return 0;
  const data = dev.ctx.machine.readPhys(dev.nvPfn * 4096, NV_LENGTH);
  const rc = kernelFs(dev.ctx).write(dev.params.init_ex_path, data);
  if (rc) devLog(dev, `SEV: could not open file for write, error ${rc}`);
  return rc;
}

/**
 * __sev_do_cmd_locked(cmd, data, &psp_ret). `data` null (or empty) means no command buffer.
 * The caller holds sev_cmd_mutex (there is no concurrency in sevsim).
 */
export function sevDoCmdLocked(dev: SevDevice, cmd: number, data: Uint8Array | null): DoCmdResult {
  if (!dev.present) return { rc: -Errno.ENODEV, error: undefined, buffer: data ?? EMPTY };
  if (dev.pspDead) return { rc: -Errno.EBUSY, error: undefined, buffer: data ?? EMPTY };

  const hasData = data !== null && data.length > 0;
  const bufLen = cmdBufferLen(cmd);
  // WARN_ON_ONCE(!data != !buf_len); a size mismatch cannot happen with C types, so treat it alike.
  if (hasData !== bufLen > 0 || (hasData && data.length !== bufLen)) {
    return { rc: -Errno.EINVAL, error: undefined, buffer: data ?? EMPTY };
  }

  let nested: 'main' | 'backup' | null = null;
  let buf: Uint8Array = EMPTY;
  let descs: MappedDesc[] = [];
  const legacy = legacyHandling(dev, cmd);
  if (hasData) {
    if (!dev.cmdBufActive) {
      dev.cmdBufActive = true;
      nested = 'main';
    } else if (!dev.cmdBufBackupActive) {
      dev.cmdBufBackupActive = true;
      nested = 'backup';
    } else {
      devLog(dev, 'SEV: too many firmware commands in progress, no command buffers available.');
      return { rc: -Errno.EBUSY, error: undefined, buffer: data };
    }
    // memcpy into cmd_buf. The mailbox never writes the array it is given (the firmware works on
    // its own copy), so only a legacy command with address parameters, whose addresses the
    // legacy path patches into cmd_buf, needs a copy of its own (by construction: slice() costs
    // Node 20 twice as much).
    buf = legacy && cmdBufDescs(cmd).length > 0 ? new Uint8Array(data) : data;
    if (legacy) {
      // snp_prep_cmd_buf(): address parameters first, then the command buffer page itself.
      const mapped = mapDescs(dev, cmd, buf);
      let prep = typeof mapped === 'number' ? mapped : 0;
      if (typeof mapped !== 'number') {
        descs = mapped;
        if (cmdBufWritable(cmd) && markPagesFirmware(dev, cmdBufPfn(dev, nested), 1, true) !== 0) {
          prep = -Errno.EFAULT;
        }
      }
      if (prep) {
        devLog(dev, `SEV: failed to prepare buffer for legacy command ${hex(cmd)}. Error: ${prep}`);
        releaseCmdBuf(dev, nested);
        return { rc: prep, error: undefined, buffer: data };
      }
    }
  }

  // The PSP reads the buffer at CMDBUFF_ADDR, so the firmware sees the page it sits on.
  const res = hasData
    ? dev.mailbox.command(cmd, buf, cmdBufAddr(cmdBufPfn(dev, nested) * PAGE_SIZE))
    : dev.mailbox.command(cmd, buf);
  // sev_wait_cmd_ioc(): a PSP that does not answer within psp_timeout is given up on for good
  // (AMDESE/AMDSEV#184: "sev command 0x85 timed out, disabling PSP"); psp_ret is 0 and the command
  // buffer stays claimed, as the kernel returns straight away.
  if ((res.seconds ?? 0) > dev.pspTimeout) {
    devLog(dev, `sev command ${hex(cmd)} timed out, disabling PSP`);
    dev.pspDead = true;
    return { rc: -Errno.ETIMEDOUT, error: 0, buffer: data ?? EMPTY };
  }
  dev.pspTimeout = dev.params.psp_cmd_timeout;
  const status = res.status & 0xffff;
  let rc = 0;
  if (status) rc = -Errno.EIO;
  else if (NV_WRITERS.has(cmd)) rc = writeNvFile(dev);

  if (!hasData) return { rc, error: status, buffer: EMPTY };

  // memcpy(data, cmd_buf): the mailbox's result array is the caller's (the firmware's written-back
  // copy, or the array it was given when nothing was written back).
  const out = res.buffer.length === buf.length ? res.buffer : buf;
  if (legacy && cmdBufWritable(cmd)) {
    // snp_reclaim_cmd_buf(): the command buffer page back to hypervisor-owned.
    const r = reclaimPages(dev, cmdBufPfn(dev, nested), 1, true);
    if (r) {
      devLog(dev, `SEV: failed to reclaim buffer for legacy command ${hex(cmd)}. Error: ${r}`);
      return { rc: r, error: status, buffer: out };
    }
  }
  // The caller's copy is taken before the descriptors restore the original addresses (only
  // they write to `out` afterwards).
  const copied = descs.length > 0 ? new Uint8Array(out) : out;
  releaseCmdBuf(dev, nested);
  for (const m of descs) {
    if (unmapDesc(dev, m, out)) rc = -Errno.EFAULT;
  }
  return { rc, error: status, buffer: copied };
}

/** The mailbox options naming the last command buffer's address: one frozen object per address, not per command. */
let lastCmdBufAddr: MailboxOptions = Object.freeze({ bufferPaddr: -1 });

function cmdBufAddr(paddr: number): MailboxOptions {
  if (lastCmdBufAddr.bufferPaddr !== paddr) lastCmdBufAddr = Object.freeze({ bufferPaddr: paddr });
  return lastCmdBufAddr;
}

function cmdBufPfn(dev: SevDevice, which: 'main' | 'backup' | null): number {
  return dev.cmdBufPfn + (which === 'backup' ? 1 : 0);
}

function releaseCmdBuf(dev: SevDevice, which: 'main' | 'backup' | null): void {
  if (which === 'backup') dev.cmdBufBackupActive = false;
  else if (which === 'main') dev.cmdBufActive = false;
}

const RECLAIM_PADDR = SevDataSnpPageReclaim.fields.paddr;

/** snp_reclaim_pages(): SNP_PAGE_RECLAIM then rmp_make_shared per 4 KB page; leak the rest on failure. */
export function reclaimPages(dev: SevDevice, pfn: number, npages: number, _locked: boolean): number {
  // One struct sev_data_snp_page_reclaim, its paddr set per page, as the kernel's loop does (the
  // mailbox never writes a buffer SNP_PAGE_RECLAIM does not write back).
  const data = new Uint8Array(SevDataSnpPageReclaim.size);
  for (let i = 0; i < npages; i++) {
    RECLAIM_PADDR.put(data, (pfn + i) * 4096);
    const r = sevDoCmdLocked(dev, Cmd.SNP_PAGE_RECLAIM, data);
    const ret = r.rc || rmpMakeShared(dev, pfn + i);
    if (ret) {
      leakPages(dev, pfn + i, npages - i);
      return ret;
    }
  }
  return 0;
}

/** rmp_mark_pages_firmware(): on failure, unroll the pages already converted. */
export function markPagesFirmware(dev: SevDevice, pfn: number, npages: number, locked: boolean): number {
  for (let i = 0; i < npages; i++) {
    const rc = rmpMakeFirmware(dev, pfn + i);
    if (rc) {
      reclaimPages(dev, pfn, i, locked);
      return rc;
    }
  }
  return 0;
}
