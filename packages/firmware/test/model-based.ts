/**
 * The model-based runs' world: random command sequences (valid, plausible and garbage) against the
 * PSP and the invariants of docs/reference/psp-firmware.md Appendix A, checked after every step. The runs are in
 * `model-based-long.test.ts` (2,000 runs × 50 steps from fresh platforms) and
 * `model-based-short.test.ts` (100,000 short sequences back to back), two files so vitest runs them
 * on two workers.
 */
import { type Machine, createMachine } from '@sevsim/hardware';
import { hostSnpBoot } from '@sevsim/kernel';
import fc from 'fast-check';
import { expect } from 'vitest';
import {
  Cmd,
  SevDataActivate,
  SevDataDeactivate,
  SevDataDecommission,
  SevDataInit,
  SevDataLaunchFinish,
  SevDataLaunchMeasure,
  SevDataLaunchStart,
  SevDataSnpActivate,
  SevDataSnpAddr,
  SevDataSnpInitEx,
  SevDataSnpLaunchFinish,
  SevDataSnpLaunchStart,
  SevDataSnpLaunchUpdate,
  SevDataSnpPageReclaim,
  SevDataSnpShutdownEx,
  statusName,
} from '@sevsim/psp-abi';
import { type Psp, createPsp } from '../src/index';
import { SNP_POLICY, type Platform, sevInit, snpInit } from './helpers';

export const RUNS = 2000;
export const STEPS = 50;
const POOL = 4; // host pages the sequence plays with
const ASIDS = [0, 1, 2, 3, 50, 99, 100, 101, 1006, 1007];

export type Action =
  | { k: 'fw'; id: number; buf: Uint8Array }
  | { k: 'snpInit'; rmp: boolean; cth: boolean; max: number }
  | { k: 'shutdownEx'; iommu: boolean; x86: boolean }
  | { k: 'init'; es: boolean }
  | { k: 'simple'; id: number }
  | { k: 'launchStart'; policy: number }
  | { k: 'handle'; id: number; handle: number; asid: number }
  | { k: 'gctx'; id: number; page: number; asid: number; policy: boolean }
  | { k: 'snpUpdate'; page: number; target: number; type: number }
  | { k: 'reclaim'; page: number; large: boolean }
  | { k: 'rmp'; page: number; op: 'firmware' | 'preguest' | 'shared'; asid: number }
  | { k: 'wbinvd' }
  | { k: 'snpFlow'; page: number; target: number; asid: number }
  | { k: 'sevFlow'; policy: number; asid: number };

const page = fc.integer({ min: 0, max: POOL - 1 });
const asid = fc.constantFrom(...ASIDS);
export const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('fw' as const),
      id: fc.integer({ min: 0, max: 0xff }),
      buf: fc.uint8Array({ maxLength: 72 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('snpInit' as const),
      rmp: fc.boolean(),
      cth: fc.boolean(),
      max: asid,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('shutdownEx' as const), iommu: fc.boolean(), x86: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('init' as const), es: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('simple' as const),
      id: fc.constantFrom(
        Cmd.SHUTDOWN,
        Cmd.DF_FLUSH,
        Cmd.SNP_DF_FLUSH,
        Cmd.SNP_SHUTDOWN,
        Cmd.PDH_GEN,
        Cmd.PEK_GEN,
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant('launchStart' as const), policy: fc.constantFrom(0, 1, 4, 5) }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('handle' as const),
      id: fc.constantFrom(
        Cmd.ACTIVATE,
        Cmd.DEACTIVATE,
        Cmd.DECOMMISSION,
        Cmd.LAUNCH_MEASURE,
        Cmd.LAUNCH_FINISH,
      ),
      handle: fc.integer({ min: 0, max: 4 }),
      asid,
    }),
  },
  {
    weight: 10,
    arbitrary: fc.record({
      k: fc.constant('gctx' as const),
      id: fc.constantFrom(
        Cmd.SNP_GCTX_CREATE,
        Cmd.SNP_LAUNCH_START,
        Cmd.SNP_ACTIVATE,
        Cmd.SNP_LAUNCH_FINISH,
        Cmd.SNP_DECOMMISSION,
      ),
      page,
      asid,
      policy: fc.constantFrom(true, true, true, false),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('snpUpdate' as const),
      page,
      target: page,
      type: fc.integer({ min: 0, max: 7 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('reclaim' as const), page, large: fc.boolean() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('rmp' as const),
      page,
      op: fc.constantFrom('firmware' as const, 'preguest' as const, 'shared' as const),
      asid: fc.constantFrom(1, 2, 3, 50),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ k: 'wbinvd' as const }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('snpFlow' as const), page, target: page, asid }) },
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant('sevFlow' as const), policy: fc.constantFrom(0, 4), asid }),
  },
);

export interface World {
  machine: Machine;
  psp: Psp;
  pages: number[];
}

export type Prologue = 'none' | 'snp' | 'snp+sev' | 'sev';
export const prologue = fc.constantFrom<Prologue>('none', 'snp', 'snp+sev', 'snp+sev', 'sev');

/** A fresh platform, brought by the Linux init order to a starting state so runs reach deep states. */
export function world(cpu: 'genoa' | 'turin', start: Prologue): World {
  const machine = createMachine({ cpu, memoryGiB: 1, cores: 2 });
  hostSnpBoot(machine, { snpEnAtBoot: start !== 'sev' });
  const psp = createPsp(machine, { version: machine.preset.defaultFirmware });
  const p = {
    machine,
    psp,
    run: (name: keyof typeof Cmd, b = new Uint8Array(0)) => psp.command(Cmd[name], b).status,
  };
  if (start.startsWith('snp')) snpInit(p as Platform);
  if (start.endsWith('sev')) sevInit(p as Platform);
  const first = machine.allocPages(POOL);
  return { machine, psp, pages: Array.from({ length: POOL }, (_, i) => (first + i) * 4096) };
}

/** Issue one action; returns the firmware status, or undefined for a host-only action. */
export function step(w: World, a: Action): number | undefined {
  const { psp, machine, pages } = w;
  // The caller's bytes never change: a write-back goes to the result's buffer (docs/reference/psp-firmware.md §2.2).
  const cmd = (id: number, buf: Uint8Array) => {
    const sent = new Uint8Array(buf);
    const status = psp.command(id, buf).status;
    if (buf.some((b, i) => b !== sent[i]))
      throw new Error(`command 0x${id.toString(16)} wrote its caller's buffer`);
    return status;
  };
  switch (a.k) {
    case 'fw':
      return cmd(a.id, a.buf);
    case 'snpInit':
      return cmd(
        Cmd.SNP_INIT_EX,
        SevDataSnpInitEx.encode({
          initRmp: a.rmp ? 1 : 0,
          ciphertextHidingEn: a.cth ? 1 : 0,
          maxSnpAsid: a.max,
        }),
      );
    case 'shutdownEx':
      return cmd(
        Cmd.SNP_SHUTDOWN_EX,
        SevDataSnpShutdownEx.encode({
          len: 8,
          iommuSnpShutdown: a.iommu ? 1 : 0,
          x86SnpShutdown: a.x86 ? 1 : 0,
        }),
      );
    case 'init':
      return cmd(
        Cmd.INIT,
        SevDataInit.encode({ flags: a.es ? 1 : 0, tmrAddress: 0x40000000 - 0x200000, tmrLen: 0x200000 }),
      );
    case 'simple':
      return cmd(a.id, new Uint8Array(8));
    case 'launchStart':
      return cmd(Cmd.LAUNCH_START, SevDataLaunchStart.encode({ policy: a.policy }));
    case 'handle': {
      const bufs: Record<number, Uint8Array> = {
        [Cmd.ACTIVATE]: SevDataActivate.encode({ handle: a.handle, asid: a.asid }),
        [Cmd.DEACTIVATE]: SevDataDeactivate.encode({ handle: a.handle }),
        [Cmd.DECOMMISSION]: SevDataDecommission.encode({ handle: a.handle }),
        [Cmd.LAUNCH_MEASURE]: SevDataLaunchMeasure.encode({ handle: a.handle, address: pages[0]!, len: 48 }),
        [Cmd.LAUNCH_FINISH]: SevDataLaunchFinish.encode({ handle: a.handle }),
      };
      return cmd(a.id, bufs[a.id]!);
    }
    case 'gctx': {
      const g = pages[a.page]!;
      const bufs: Record<number, Uint8Array> = {
        [Cmd.SNP_GCTX_CREATE]: SevDataSnpAddr.encode({ address: g }),
        [Cmd.SNP_LAUNCH_START]: SevDataSnpLaunchStart.encode({
          gctxPaddr: g,
          policy: a.policy ? SNP_POLICY : 0n,
        }),
        [Cmd.SNP_ACTIVATE]: SevDataSnpActivate.encode({ gctxPaddr: g, asid: a.asid }),
        [Cmd.SNP_LAUNCH_FINISH]: SevDataSnpLaunchFinish.encode({ gctxPaddr: g }),
        [Cmd.SNP_DECOMMISSION]: SevDataSnpAddr.encode({ address: g }),
      };
      return cmd(a.id, bufs[a.id]!);
    }
    case 'snpUpdate':
      return cmd(
        Cmd.SNP_LAUNCH_UPDATE,
        SevDataSnpLaunchUpdate.encode({
          gctxPaddr: pages[a.page]!,
          address: pages[a.target]!,
          pageType: a.type,
        }),
      );
    case 'reclaim':
      return cmd(
        Cmd.SNP_PAGE_RECLAIM,
        SevDataSnpPageReclaim.encode({ paddr: pages[a.page]! + (a.large ? 1 : 0) }),
      );
    case 'rmp': {
      // A host RMPUPDATE never changes an immutable entry (docs/reference/psp-firmware.md §5.4).
      const pfn = pages[a.page]! / 4096;
      const before = machine.rmp.entry(pfn);
      const fields =
        a.op === 'firmware'
          ? { assigned: true, immutable: true }
          : a.op === 'preguest'
            ? { assigned: true, immutable: true, asid: a.asid, gpa: 0x1000 * (a.page + 1) }
            : { assigned: false, immutable: false };
      const rc = machine.rmp.rmpupdate(pfn, fields);
      if (before?.immutable) {
        expect(rc).toBe(2);
        expect(machine.rmp.entry(pfn)).toEqual(before);
      }
      return undefined;
    }
    case 'wbinvd':
      machine.wbinvdAll();
      return undefined;
    case 'snpFlow': {
      // KVM's SNP launch: gctx, LAUNCH_START, ACTIVATE, a Pre-Guest page, LAUNCH_UPDATE, FINISH.
      const g = pages[a.page]!;
      const t = pages[a.target]!;
      machine.rmp.rmpupdate(g / 4096, { assigned: true, immutable: true });
      const statuses = [
        cmd(Cmd.SNP_GCTX_CREATE, SevDataSnpAddr.encode({ address: g })),
        cmd(Cmd.SNP_LAUNCH_START, SevDataSnpLaunchStart.encode({ gctxPaddr: g, policy: SNP_POLICY })),
        cmd(Cmd.SNP_ACTIVATE, SevDataSnpActivate.encode({ gctxPaddr: g, asid: a.asid })),
      ];
      machine.rmp.rmpupdate(t / 4096, { assigned: true, immutable: true, asid: a.asid, gpa: 0 });
      statuses.push(
        cmd(Cmd.SNP_LAUNCH_UPDATE, SevDataSnpLaunchUpdate.encode({ gctxPaddr: g, address: t, pageType: 1 })),
      );
      statuses.push(cmd(Cmd.SNP_LAUNCH_FINISH, SevDataSnpLaunchFinish.encode({ gctxPaddr: g })));
      for (const st of statuses.slice(0, -1)) expect(statusName(st)).not.toMatch(/^UNKNOWN/);
      return statuses.at(-1);
    }
    case 'sevFlow': {
      const r = psp.command(Cmd.LAUNCH_START, SevDataLaunchStart.encode({ policy: a.policy }));
      const { handle } = SevDataLaunchStart.decode(r.buffer);
      cmd(Cmd.ACTIVATE, SevDataActivate.encode({ handle, asid: a.asid }));
      cmd(Cmd.LAUNCH_MEASURE, SevDataLaunchMeasure.encode({ handle, address: pages[0]!, len: 48 }));
      return cmd(Cmd.LAUNCH_FINISH, SevDataLaunchFinish.encode({ handle }));
    }
  }
}

export function checkInvariants(w: World, status: number | undefined): void {
  if (status !== undefined) expect(statusName(status)).not.toMatch(/^UNKNOWN/);
  const s = w.psp.snapshot();
  // Appendix A: sevState == WORKING ⇔ |sevGuests| > 0 (when not UNINIT); UNINIT has no guests.
  if (s.sev === 'UNINIT') expect(s.legacyGuests).toEqual([]);
  else expect(s.sev === 'WORKING').toBe(s.legacyGuests.length > 0);
  // An ASID is owned by at most one guest; the table agrees with the guests.
  const held = [...s.legacyGuests, ...s.snpGuests].filter((g) => g.activation !== 'none').map((g) => g.asid);
  expect(new Set(held).size).toBe(held.length);
  expect(s.asids.allocated + s.asids.inUse).toBe(held.length);
  // SNP guests exist only while their gctx page is a Context page.
  for (const g of s.snpGuests) expect(w.machine.rmp.state(g.gctx / 4096)).toBe('CONTEXT');
}
