/**
 * The mailbox carries CMDBUFF_ADDR (the command buffer's physical address) as the real PSP
 * mailbox does, so the firmware's command-buffer page check runs on every command Linux sends.
 * Source facts: sev-dev.c __sev_do_cmd_locked() writes __psp_pa(cmd_buf) to the mailbox and,
 * with SNP initialised, snp_prep_cmd_buf() makes the buffer page firmware-owned for a legacy
 * command that writes back, snp_reclaim_cmd_buf() gives it back afterwards (docs/reference/linux-ccp.md §3.12);
 * the firmware refuses a write-back buffer on any other page with INVALID_PAGE_STATE+0x40
 * (docs/reference/psp-firmware.md §2.2).
 */
import { createPsp } from '@sevsim/firmware';
import { createMachine } from '@sevsim/hardware';
import { hostSnpBoot } from '@sevsim/kernel';
import { CMD_BUF_PAGE_STATE_OFFSET, type Mailbox, Status } from '@sevsim/psp-abi';
import { describe, expect, it } from 'vitest';
import { Errno, createKernelContext, loadCcp } from '../src/index';
import { PROFILES, boot } from './helpers';

const PROBE = { probe: true, maxSnpAsid: 0 } as const;

describe('CMDBUFF_ADDR travels with every command (sev-dev.c __sev_do_cmd_locked)', () => {
  it('SNP up: PLATFORM_STATUS goes out on the firmware-owned cmd_buf page, which is hypervisor-owned again after', () => {
    const rig = boot({ release: '7.2' });
    expect(rig.ccp.platformInit(PROBE)).toEqual({ rc: 0, error: 0 });
    const m = rig.tap.mark();
    expect(rig.ccp.ioctl('SEV_PLATFORM_STATUS')).toMatchObject({ rc: 0, error: 0 });
    expect(rig.tap.names(m)).toEqual(['PLATFORM_STATUS', 'SNP_PAGE_RECLAIM']);
    const paddr = rig.tap.addresses[m]!;
    expect(paddr % 4096).toBe(0);
    // The firmware moved it Firmware → Reclaim (dispatcher), the driver reclaimed it to the hypervisor.
    expect(rig.machine.rmp.state(paddr / 4096)).toBe('HYPERVISOR');
  });

  it('a buffer-less command carries no address (SNP_DF_FLUSH)', () => {
    const rig = boot({ release: '7.2' });
    const m = rig.tap.mark();
    rig.ccp.platformInit(PROBE);
    const i = rig.tap.sent.slice(m).findIndex((s) => s.name === 'SNP_DF_FLUSH');
    expect(i).toBeGreaterThanOrEqual(0);
    expect(rig.tap.addresses[m + i]).toBeUndefined();
  });

  it('a driver pointing CMDBUFF_ADDR at a page it never gave the firmware gets 0x5A and -EIO', () => {
    const machine = createMachine({ cpu: 'genoa', memoryGiB: 8 });
    const ctx = createKernelContext(machine, {
      hostSnp: hostSnpBoot(machine, { snpEnAtBoot: false }).hostSnp,
    });
    const psp = createPsp(machine, { version: machine.preset.defaultFirmware });
    let stray: number | undefined;
    const skewed: Mailbox = {
      command: (id, buffer, options) =>
        psp.command(id, buffer, stray !== undefined && options ? { bufferPaddr: stray } : options),
    };
    const ccp = loadCcp(ctx, skewed, PROFILES['7.2'], {});
    expect(ccp.platformInit(PROBE)).toEqual({ rc: 0, error: 0 });
    stray = machine.allocPages(1) * 4096; // hypervisor-owned: the driver never handed it over
    expect(ccp.ioctl('SEV_PLATFORM_STATUS')).toMatchObject({
      rc: -Errno.EIO,
      error: Status.INVALID_PAGE_STATE + CMD_BUF_PAGE_STATE_OFFSET,
    });
    stray = undefined;
    expect(ccp.ioctl('SEV_PLATFORM_STATUS')).toMatchObject({ rc: 0, error: 0 });
  });
});
