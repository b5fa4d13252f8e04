/**
 * Psp.activationRange is the rule the ACTIVATE guards check (docs/reference/psp-firmware.md §2.5
 * step 7, docs/reference/psp-firmware.md §4 item 6): the first and last ASID of each range
 * activate, the ones just outside are refused by `asid-range` or `cth-split`.
 */
import {
  SevDataActivate,
  SevDataSnpActivate,
  SevDataSnpAddr,
  SevDataSnpLaunchStart,
  SevPolicy,
  Status,
} from '@sevsim/psp-abi';
import { describe, expect, it } from 'vitest';
import type { GuestKind } from '../src/index';
import {
  type Platform,
  SNP_POLICY,
  firmwarePage,
  lastGuard,
  platform,
  sevGuest,
  sevInit,
  snpInit,
} from './helpers';

/** Activate a fresh guest of `kind` with `asid`; the status and the deciding guard. */
function activate(p: Platform, kind: GuestKind, asid: number): { status: number; guard?: string } {
  let status: number;
  if (kind === 'snp') {
    const gctx = firmwarePage(p);
    p.run('SNP_GCTX_CREATE', SevDataSnpAddr.encode({ address: gctx }));
    p.run('SNP_LAUNCH_START', SevDataSnpLaunchStart.encode({ gctxPaddr: gctx, policy: SNP_POLICY }));
    status = p.run('SNP_ACTIVATE', SevDataSnpActivate.encode({ gctxPaddr: gctx, asid }));
  } else {
    const handle = sevGuest(p, kind === 'sev-es' ? SevPolicy.ES : 0);
    status = p.run('ACTIVATE', SevDataActivate.encode({ handle, asid }));
  }
  const guard = lastGuard(p);
  return guard ? { status, guard } : { status };
}

function ready(cth: boolean): Platform {
  const p = cth ? platform({ cpu: 'turin', bios: { ciphertextHiding: true } }) : platform();
  expect(cth ? snpInit(p, { ciphertextHidingEn: 1, maxSnpAsid: 50 }) : snpInit(p)).toBe(0);
  expect(sevInit(p)).toBe(0);
  return p;
}

describe('Psp.activationRange: the ASIDs ACTIVATE accepts, as its guards check them', () => {
  const cases: [string, boolean, Record<GuestKind, [number, number]>][] = [
    ['MIN_SEV_ASID 100, no ciphertext hiding', false, { sev: [100, 1006], 'sev-es': [1, 99], snp: [1, 99] }],
    ['ciphertext hiding, MAX_SNP_ASID 50', true, { sev: [100, 1006], 'sev-es': [51, 99], snp: [1, 50] }],
  ];
  for (const [what, cth, expected] of cases) {
    for (const kind of ['sev', 'sev-es', 'snp'] as const) {
      it(`${what}: ${kind} ${expected[kind].join('–')}, the ends activate, one beyond is refused`, () => {
        const p = ready(cth);
        const r = p.psp.activationRange(kind);
        expect([r.min, r.max]).toEqual(expected[kind]);
        for (const asid of [r.min, r.max]) expect(activate(p, kind, asid).status).toBe(0);
        for (const asid of [r.min - 1, r.max + 1]) {
          if (asid < 1 || asid > 1006) continue;
          const refused = activate(p, kind, asid);
          expect(refused.status).toBe(Status.INVALID_ASID);
          expect(refused.guard).toMatch(/ACTIVATE\.(asid-range|cth-split)$/);
        }
      });
    }
  }
});
