/**
 * Model-based check: random sequences of driver operations against the real firmware never
 * throw, and the driver's cached view agrees with the firmware afterwards
 * (docs/reference/linux-ccp.md §2.2: cached state INIT/UNINIT and snp_initialized track the firmware).
 */
import { Cmd, SevDataDecommission } from '@sevsim/psp-abi';
import { encodeFirmwareImage } from '@sevsim/firmware';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SevIoctlCmd } from '../src/index';
import { PROFILES, type Release, boot } from './helpers';

type Op =
  | { kind: 'init'; probe: boolean; maxSnpAsid: number }
  | { kind: 'shutdown' }
  | { kind: 'ioctl'; cmd: SevIoctlCmd; writable: boolean }
  | { kind: 'launch' }
  | { kind: 'decommission'; handle: number }
  | { kind: 'fwpage' }
  | { kind: 'fwupload' }
  | { kind: 'unload' };

const IOCTLS: SevIoctlCmd[] = [
  'SEV_FACTORY_RESET',
  'SEV_PLATFORM_STATUS',
  'SEV_PEK_GEN',
  'SEV_PEK_CSR',
  'SEV_PDH_GEN',
  'SEV_PDH_CERT_EXPORT',
  'SEV_GET_ID2',
  'SNP_PLATFORM_STATUS',
  'SNP_COMMIT',
  'SNP_SET_CONFIG',
];

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('init' as const),
      probe: fc.boolean(),
      maxSnpAsid: fc.constantFrom(0, 50),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'shutdown' as const }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('ioctl' as const),
      cmd: fc.constantFrom(...IOCTLS),
      writable: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'launch' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('decommission' as const),
      handle: fc.integer({ min: 1, max: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'fwpage' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'fwupload' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'unload' as const }) },
);

const scenario = fc.record({
  release: fc.constantFrom(...(Object.keys(PROFILES) as Release[])),
  fwUpload: fc.boolean(),
  initOnProbe: fc.boolean(),
  initEx: fc.boolean(),
  hostSnp: fc.boolean(),
  ops: fc.array(op, { minLength: 1, maxLength: 12 }),
});

describe('driver view == firmware state under random operation sequences (property)', () => {
  it('never throws; snp_initialized ⇔ firmware SNP INIT; cached INIT ⇔ firmware INIT|WORKING', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const rig = boot({
          release: s.release,
          profile: { fwUpload: s.fwUpload },
          machine: s.hostSnp ? {} : { iommu: 'passthrough' },
          params: { psp_init_on_probe: s.initOnProbe, init_ex_path: s.initEx ? '/var/lib/sev_nv' : null },
        });
        const pages: number[] = [];
        for (const o of s.ops) {
          switch (o.kind) {
            case 'init':
              rig.ccp.platformInit({ probe: o.probe, maxSnpAsid: o.maxSnpAsid });
              break;
            case 'shutdown':
              rig.ccp.platformShutdown();
              break;
            case 'ioctl':
              rig.ccp.ioctl(o.cmd, { writable: o.writable });
              break;
            case 'launch':
              rig.ccp.issueCmd(Cmd.LAUNCH_START, new Uint8Array(36));
              break;
            case 'decommission':
              rig.ccp.issueCmd(Cmd.DECOMMISSION, SevDataDecommission.encode({ handle: o.handle }));
              break;
            case 'fwpage': {
              const pfn = rig.ccp.snpAllocFirmwarePage();
              if (pfn !== null) pages.push(pfn);
              else if (pages.length) rig.ccp.snpFreeFirmwarePage(pages.pop() ?? 0);
              break;
            }
            case 'fwupload':
              rig.ccp.fwUpload(encodeFirmwareImage({ version: '1.55.25' }));
              break;
            case 'unload':
              rig.ccp.unload();
              break;
          }
          const fw = rig.psp.snapshot();
          const v = rig.ccp.view();
          if (!v.present) continue;
          expect(v.snpInitialized).toBe(fw.snp === 'INIT');
          expect(v.sevState === 'INIT').toBe(fw.sev === 'INIT' || fw.sev === 'WORKING');
        }
      }),
      { numRuns: 150, seed: 20260601 },
    );
  });

  it('documented divergence docs/reference/linux-ccp.md §9.8: an NV write-back failure after a successful INIT_EX leaves the cache UNINIT', () => {
    const rig = boot({
      release: '7.2',
      machine: { iommu: 'passthrough' },
      params: { init_ex_path: '/var/lib/sev_nv' },
    });
    if (rig.ctx.fs) rig.ctx.fs.readOnly = true;
    const m = rig.ctx.log.mark();
    expect(rig.ccp.platformInit({ probe: true, maxSnpAsid: 0 })).toEqual({ rc: -30, error: 0 });
    expect(rig.ctx.log.since(m).slice(-2)).toEqual([
      'ccp 0000:03:00.5: SEV: could not open file for write, error -30',
      'ccp 0000:03:00.5: SEV: INIT_EX failed 0x0, rc -30',
    ]);
    expect(rig.ccp.view().sevState).toBe('UNINIT');
    expect(rig.psp.snapshot().sev).toBe('INIT');
  });
});
