/**
 * PSP commands that the PSP answers late or never: __sev_do_cmd_locked() waits psp_timeout seconds
 * (sev_wait_cmd_ioc), then prints "sev command %#x timed out, disabling PSP", sets psp_dead and
 * returns -ETIMEDOUT with psp_ret 0; every later command is -EBUSY without reaching the PSP.
 * psp_timeout is psp_probe_timeout (default 5) from sev_pci_init() until a command completes,
 * then psp_cmd_timeout (default 100). drivers/crypto/ccp/sev-dev.c, v6.11 to v7.x.
 */
import { describe, expect, it } from 'vitest';
import { boot } from './helpers';

describe('PSP timeouts (psp_probe_timeout, psp_cmd_timeout, psp_dead)', () => {
  it('SNP_INIT_EX never answered on a two-socket Genoa: the AMDESE/AMDSEV#184 lines, word for word', () => {
    const rig = boot({ release: '6.15', machine: { sockets: 2 }, pspSeconds: { SNP_INIT_EX: Infinity } });
    // #184 (AMD's snp-latest kernel, which prints the ≤6.15 wording): rc -110 = ETIMEDOUT with
    // error 0x0, then legacy INIT refused by psp_dead (-EBUSY) with psp_ret never written (-1).
    expect(rig.probeLog.slice(3)).toEqual([
      'ccp 0000:01:00.5: sev command 0x85 timed out, disabling PSP',
      'ccp 0000:01:00.5: SEV-SNP: failed to INIT rc -110, error 0x0',
      'ccp 0000:01:00.5: SEV: failed to INIT error 0xffffffff, rc -16',
      'ccp 0000:01:00.5: SEV API:1.55 build:25',
    ]);
    expect(rig.tap.names()).toEqual(['PLATFORM_STATUS', 'SNP_INIT_EX']);
    expect(rig.ccp.view().pspDead).toBe(true);
  });

  it('an answer later than psp_cmd_timeout is a timeout; ccp.psp_cmd_timeout above it lets the command complete', () => {
    const late = boot({ release: '6.15', pspSeconds: { SNP_INIT_EX: 120 } });
    expect(late.probeLog).toContain('ccp 0000:03:00.5: sev command 0x85 timed out, disabling PSP');
    const patient = boot({
      release: '6.15',
      pspSeconds: { SNP_INIT_EX: 120 },
      params: { psp_cmd_timeout: 121 },
    });
    expect(patient.probeLog.some((l) => l.includes('timed out'))).toBe(false);
    expect(patient.ccp.view()).toMatchObject({ pspDead: false, snpInitialized: true, sevState: 'INIT' });
  });

  it('the first command at probe waits only psp_probe_timeout: PLATFORM_STATUS after 6 s times out (AMDSEV#184, "sev command 0x4 timed out" 5 s after probe)', () => {
    const rig = boot({ release: '6.15', pspSeconds: { PLATFORM_STATUS: 6 } });
    expect(rig.probeLog).toContain('ccp 0000:03:00.5: sev command 0x4 timed out, disabling PSP');
    expect(rig.ccp.present).toBe(false);
    const patient = boot({
      release: '6.15',
      pspSeconds: { PLATFORM_STATUS: 6 },
      params: { psp_probe_timeout: 6 },
    });
    expect(patient.ccp.present).toBe(true);
  });
});
