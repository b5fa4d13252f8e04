import { Status } from '@sevsim/psp-abi';
import { describe, expect, it } from 'vitest';
import { Errno } from '../src/index';
import { DEV, boot, logOf } from './helpers';

const PROBE = { probe: true, maxSnpAsid: 0 } as const;

describe('sev_platform_init (docs/reference/linux-ccp.md §3.2–§3.4)', () => {
  it('fresh, host SNP, 7.2: SNP_INIT_EX, SNP_DF_FLUSH, INIT, DF_FLUSH with both API lines', () => {
    const rig = boot({ release: '7.2' });
    const m = rig.tap.mark();
    const log = logOf(rig, () => expect(rig.ccp.platformInit(PROBE)).toEqual({ rc: 0, error: 0 }));
    expect(rig.tap.names(m)).toEqual(['SNP_INIT_EX', 'SNP_DF_FLUSH', 'INIT', 'DF_FLUSH']);
    expect(log).toEqual([`${DEV}: SEV-SNP API:1.55 build:25`, `${DEV}: SEV API:1.55 build:25`]);
    expect(rig.psp.snapshot()).toMatchObject({ sev: 'INIT', snp: 'INIT', esConfigured: true });
    // docs/reference/linux-ccp.md §3.3 step 8 / docs/reference/linux-ccp.md §3.4 step 2: TMR is 2 MB and Firmware-owned when SNP is initialised.
    const v = rig.ccp.view();
    expect(v).toMatchObject({
      sevState: 'INIT',
      snpInitialized: true,
      tmrSize: 2 * 1024 * 1024,
      tmrAllocated: true,
    });
    const tmr = rig.ccp.dev.tmrPfn ?? -1;
    expect(tmr % 512).toBe(0);
    expect(rig.machine.rmp.state(tmr)).toBe('FIRMWARE');
    expect(rig.machine.rmp.state(tmr + 511)).toBe('FIRMWARE');
    // 7.1+: snp_prepare set SNPEn on every CPU.
    expect(rig.machine.snpEnAllCores()).toBe(true);
  });

  it('is idempotent: cached INIT returns 0 without a command (docs/reference/linux-ccp.md §3.2 step 3)', () => {
    const rig = boot({ release: '7.2' });
    rig.ccp.platformInit(PROBE);
    const m = rig.tap.mark();
    expect(
      logOf(rig, () => expect(rig.ccp.platformInit({ probe: false, maxSnpAsid: 0 }).rc).toBe(0)),
    ).toEqual([]);
    expect(rig.tap.names(m)).toEqual([]);
  });

  it('psp_init_on_probe=0 defers legacy INIT to the first non-probe call (docs/reference/linux-ccp.md §3.2 step 5)', () => {
    const rig = boot({ release: '7.2', params: { psp_init_on_probe: false } });
    const m = rig.tap.mark();
    expect(rig.ccp.platformInit(PROBE)).toEqual({ rc: 0, error: 0 });
    expect(rig.tap.names(m)).toEqual(['SNP_INIT_EX', 'SNP_DF_FLUSH']);
    expect(rig.psp.snapshot()).toMatchObject({ sev: 'UNINIT', snp: 'INIT' });
    const m2 = rig.tap.mark();
    expect(rig.ccp.platformInit({ probe: false, maxSnpAsid: 0 }).rc).toBe(0);
    expect(rig.tap.names(m2)).toEqual(['INIT', 'DF_FLUSH']);
  });

  it('host SNP off: -ENODEV from the SNP step is ignored, only INIT + DF_FLUSH with a 1 MB TMR (docs/reference/linux-ccp.md §3.9)', () => {
    const rig = boot({ release: '7.2', machine: { iommu: 'passthrough' } });
    const m = rig.tap.mark();
    expect(rig.ccp.platformInit(PROBE).rc).toBe(0);
    expect(rig.tap.names(m)).toEqual(['INIT', 'DF_FLUSH']);
    expect(rig.ccp.view().tmrSize).toBe(1024 * 1024);
    expect(rig.machine.rmp.state(rig.ccp.dev.tmrPfn ?? 0)).not.toBe('FIRMWARE');
  });

  it('kdump kernel: returns 0 and issues nothing (docs/reference/linux-ccp.md §3.2 step 2)', () => {
    const rig = boot({ release: '7.2', kdump: true });
    const m = rig.tap.mark();
    expect(rig.ccp.platformInit(PROBE)).toEqual({ rc: 0, error: -1 });
    expect(rig.tap.names(m)).toEqual([]);
  });

  it('ciphertext hiding: SNP_INIT_EX carries MAX_SNP_ASID when asked (docs/reference/linux-ccp.md §6) — Turin', () => {
    const rig = boot({
      release: '7.2',
      machine: { cpu: 'turin', bios: { ciphertextHiding: true } },
      version: '1.55.37',
    });
    expect(rig.ccp.isSnpCiphertextHidingSupported()).toBe(true);
    expect(rig.ccp.platformInit({ probe: true, maxSnpAsid: 50 }).rc).toBe(0);
    expect(rig.psp.snapshot()).toMatchObject({ ciphertextHiding: true, maxSnpAsid: 50 });
  });

  it('API 1.51 uses SNP_INIT without a buffer (docs/reference/linux-ccp.md §3.3 step 5)', () => {
    const rig = boot({ release: '7.2', version: '1.51.3' });
    const m = rig.tap.mark();
    expect(rig.ccp.platformInit(PROBE).rc).toBe(0);
    expect(rig.tap.names(m)).toEqual(['SNP_INIT', 'SNP_DF_FLUSH', 'INIT', 'DF_FLUSH']);
  });

  it('API < 1.51 on 6.16: -EOPNOTSUPP, nothing issued, legacy blocked too (docs/reference/linux-ccp.md §3.3 step 3, docs/reference/linux-ccp.md §3.10)', () => {
    const rig = boot({ release: '6.16', version: '1.49.3' });
    const m = rig.tap.mark();
    expect(rig.ccp.platformInit(PROBE)).toEqual({ rc: -Errno.EOPNOTSUPP, error: -1 });
    expect(rig.tap.names(m)).toEqual([]);
  });

  it('finding docs/reference/linux-ccp.md §9.16: on 6.18+ with host SNP, firmware < 1.51 fails SNP_PLATFORM_STATUS at probe and removes SEV', () => {
    const rig = boot({ release: '7.2', version: '1.49.3' });
    expect(rig.tap.names()).toEqual(['SNP_PLATFORM_STATUS:INVALID_COMMAND']);
    expect(rig.probeLog).toContain(`${DEV}: SNP PLATFORM_STATUS command failed, ret = -5, error = 0x11`);
    expect(rig.ccp.present).toBe(false);
    expect(rig.ccp.platformInit(PROBE).rc).toBe(-Errno.ENODEV);
  });

  it('API < 1.51 on ≤6.15: SNP skipped, then INIT fails 0x1 because SNPEn is on (AMDSEV#140 log)', () => {
    const rig = boot({ release: '6.15', version: '1.49.3' });
    expect(rig.tap.names()).toEqual(['PLATFORM_STATUS', 'INIT:INVALID_PLATFORM_STATE']);
    expect(rig.probeLog.slice(2)).toEqual([
      `${DEV}: SEV: failed to INIT error 0x1, rc -5`,
      `${DEV}: SEV API:1.49 build:3`,
    ]);
  });

  it('7.2 with an offline CPU: snp_prepare refuses with -EOPNOTSUPP and the masks (docs/reference/linux-ccp.md §3.3 step 4)', () => {
    const rig = boot({ release: '7.2', machine: { offlineCores: [3] } });
    const m = rig.tap.mark();
    const log = logOf(rig, () =>
      expect(rig.ccp.platformInit(PROBE)).toEqual({ rc: -Errno.EOPNOTSUPP, error: -1 }),
    );
    const present = rig.machine.cores.filter((c) => c.present).length;
    expect(log).toEqual([
      `SEV-SNP: SNP init failed: not all CPUs online. (0-2,4-${present - 1} online <-> 0-${present - 1} present masks).`,
    ]);
    expect(rig.tap.names(m)).toEqual([]);
    expect(rig.psp.snapshot()).toMatchObject({ sev: 'UNINIT', snp: 'UNINIT' });
  });

  it('7.1 with an offline CPU: SNP_INIT_EX fails 0x3 and aborts legacy init (docs/reference/linux-ccp.md §3.2 step 4, docs/reference/linux-ccp.md §7.2)', () => {
    const rig = boot({ release: '7.1', machine: { offlineCores: [3] } });
    const m = rig.tap.mark();
    const log = logOf(rig, () =>
      expect(rig.ccp.platformInit(PROBE)).toEqual({ rc: -Errno.EIO, error: Status.INVALID_CONFIG }),
    );
    expect(rig.tap.names(m)).toEqual(['SNP_INIT_EX:INVALID_CONFIG']);
    expect(log).toEqual([`${DEV}: SEV-SNP: SNP_INIT_EX failed rc -5, error 0x3`]);
    expect(rig.ccp.view()).toMatchObject({ sevState: 'UNINIT', snpInitialized: false });
  });

  it('≤6.15 with an offline CPU: SNP_INIT 0x3, then legacy INIT 0x1 (https://github.com/AMDESE/AMDSEV/issues/154)', () => {
    // CPU 3's sibling set SNPEn for their core at boot; CPU 3 missed the per-thread MFDM.
    const rig = boot({ release: '6.15', machine: { offlineCores: [3] } });
    expect(rig.tap.names()).toEqual([
      'PLATFORM_STATUS',
      'SNP_INIT_EX:INVALID_CONFIG',
      'INIT:INVALID_PLATFORM_STATE',
    ]);
    expect(rig.probeLog.slice(2)).toEqual([
      `${DEV}: SEV-SNP: failed to INIT rc -5, error 0x3`,
      `${DEV}: SEV: failed to INIT error 0x1, rc -5`,
      `${DEV}: SEV API:1.55 build:25`,
    ]);
    expect(rig.psp.snapshot()).toMatchObject({ sev: 'UNINIT', snp: 'UNINIT' });
  });

  it('retries INIT exactly once on SECURE_DATA_INVALID (docs/reference/linux-ccp.md §3.4 step 5)', () => {
    const rig = boot({ release: '7.2', machine: { iommu: 'passthrough' } });
    rig.tap.inject('INIT', Status.SECURE_DATA_INVALID);
    const m = rig.tap.mark();
    const log = logOf(rig, () => expect(rig.ccp.platformInit(PROBE)).toEqual({ rc: 0, error: 0 }));
    expect(rig.tap.names(m)).toEqual(['INIT:SECURE_DATA_INVALID', 'INIT', 'DF_FLUSH']);
    expect(log[0]).toBe(
      `${DEV}: SEV: retrying INIT command because of SECURE_DATA_INVALID error. Retrying once to reset PSP SEV state.`,
    );
  });

  it('a second SECURE_DATA_INVALID fails with "SEV: INIT failed 0x18, rc -5" (docs/reference/linux-ccp.md §3.4 step 6)', () => {
    const rig = boot({ release: '7.2', machine: { iommu: 'passthrough' } });
    rig.tap.inject('INIT', Status.SECURE_DATA_INVALID);
    rig.tap.inject('INIT', Status.SECURE_DATA_INVALID);
    const log = logOf(rig, () =>
      expect(rig.ccp.platformInit(PROBE)).toEqual({ rc: -Errno.EIO, error: 0x18 }),
    );
    expect(log.at(-1)).toBe(`${DEV}: SEV: INIT failed 0x18, rc -5`);
    expect(rig.ccp.view().sevState).toBe('UNINIT');
  });

  it('init_ex_path: INIT_EX with the NV file, created on first use (docs/reference/linux-ccp.md §3.7)', () => {
    const rig = boot({ release: '7.2', params: { init_ex_path: '/var/lib/sev_nv' } });
    const m = rig.tap.mark();
    const log = logOf(rig, () => expect(rig.ccp.platformInit(PROBE).rc).toBe(0));
    expect(rig.tap.names(m)).toEqual(['SNP_INIT_EX', 'SNP_DF_FLUSH', 'INIT_EX', 'DF_FLUSH']);
    expect(log).toContain(`${DEV}: SEV: /var/lib/sev_nv does not exist and will be created later.`);
    expect(rig.ctx.fs?.exists('/var/lib/sev_nv')).toBe(true);
    // The NV buffer is Firmware-owned while SNP is initialised (docs/reference/linux-ccp.md §3.4 step 3).
    expect(rig.machine.rmp.state(rig.ccp.dev.nvPfn ?? 0)).toBe('FIRMWARE');
  });
});
