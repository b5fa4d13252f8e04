// Firmware benchmark: commands per second over a realistic init + SNP/SEV guest lifecycle loop,
// and bytes per Psp+Machine instance. Prints numbers, asserts nothing. Run after `pnpm build`.
import { createMachine, PAGE_SIZE as PAGE } from '@sevsim/hardware';
import { hostSnpBoot } from '@sevsim/kernel';
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
} from '@sevsim/psp-abi';
import { createPsp } from '../dist/index.js';

const POLICY = (1n << 17n) | (1n << 16n);

function boot() {
  const machine = createMachine({ cpu: 'genoa', memoryGiB: 4 });
  hostSnpBoot(machine, { snpEnAtBoot: true });
  const psp = createPsp(machine, { version: machine.preset.defaultFirmware });
  return { machine, psp };
}

function platformInit({ machine, psp }) {
  machine.wbinvdAll();
  psp.command(Cmd.SNP_INIT_EX, SevDataSnpInitEx.encode({ initRmp: 1 }));
  machine.wbinvdAll();
  psp.command(Cmd.SNP_DF_FLUSH, new Uint8Array(0));
  const tmr = machine.allocPages(512, 512);
  machine.rmp.rmpupdate(tmr, { assigned: true, immutable: true, pageSize: '2M' });
  psp.command(Cmd.INIT, SevDataInit.encode({ flags: 1, tmrAddress: tmr * PAGE, tmrLen: 0x200000 }));
  psp.command(Cmd.SNP_DF_FLUSH, new Uint8Array(0));
}

let commands = 0;
function cmd(psp, id, buf) {
  commands++;
  const r = psp.command(id, buf);
  if (r.status !== 0) throw new Error(`command 0x${id.toString(16)} failed: 0x${r.status.toString(16)}`);
  return r;
}

/** One SNP guest and one SEV-ES guest, launched and torn down the way KVM does it. */
function lifecycle({ machine, psp }, gctxPfn, dataPfn, measurePa) {
  const gctx = gctxPfn * PAGE;
  machine.rmp.rmpupdate(gctxPfn, { assigned: true, immutable: true });
  cmd(psp, Cmd.SNP_GCTX_CREATE, SevDataSnpAddr.encode({ address: gctx }));
  cmd(psp, Cmd.SNP_LAUNCH_START, SevDataSnpLaunchStart.encode({ gctxPaddr: gctx, policy: POLICY }));
  cmd(psp, Cmd.SNP_ACTIVATE, SevDataSnpActivate.encode({ gctxPaddr: gctx, asid: 1 }));
  machine.rmp.rmpupdate(dataPfn, { assigned: true, immutable: true, asid: 1, gpa: 0 });
  cmd(
    psp,
    Cmd.SNP_LAUNCH_UPDATE,
    SevDataSnpLaunchUpdate.encode({ gctxPaddr: gctx, address: dataPfn * PAGE, pageType: 1 }),
  );
  cmd(psp, Cmd.SNP_LAUNCH_FINISH, SevDataSnpLaunchFinish.encode({ gctxPaddr: gctx }));
  cmd(psp, Cmd.SNP_DECOMMISSION, SevDataSnpAddr.encode({ address: gctx }));
  cmd(psp, Cmd.SNP_PAGE_RECLAIM, SevDataSnpPageReclaim.encode({ paddr: gctx }));
  machine.rmp.rmpupdate(gctxPfn, { assigned: false, immutable: false });
  machine.rmp.rmpupdate(dataPfn, { assigned: false, immutable: false });

  const { handle } = SevDataLaunchStart.decode(
    cmd(psp, Cmd.LAUNCH_START, SevDataLaunchStart.encode({ policy: 4 })).buffer,
  );
  cmd(psp, Cmd.ACTIVATE, SevDataActivate.encode({ handle, asid: 2 }));
  cmd(psp, Cmd.LAUNCH_MEASURE, SevDataLaunchMeasure.encode({ handle, address: measurePa, len: 48 }));
  cmd(psp, Cmd.LAUNCH_FINISH, SevDataLaunchFinish.encode({ handle }));
  cmd(psp, Cmd.DEACTIVATE, SevDataDeactivate.encode({ handle }));
  cmd(psp, Cmd.DECOMMISSION, SevDataDecommission.encode({ handle }));
  machine.wbinvdAll();
  cmd(psp, Cmd.SNP_DF_FLUSH, new Uint8Array(0));
}

const p = boot();
platformInit(p);
const gctxPfn = p.machine.allocPages(1);
const dataPfn = p.machine.allocPages(1);
const measurePfn = p.machine.allocPages(1);
p.machine.rmp.rmpupdate(measurePfn, { assigned: true, immutable: true });
for (let i = 0; i < 2000; i++) lifecycle(p, gctxPfn, dataPfn, measurePfn * PAGE); // warm-up
commands = 0;
const t0 = process.hrtime.bigint();
for (let i = 0; i < 20000; i++) lifecycle(p, gctxPfn, dataPfn, measurePfn * PAGE);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`firmware commands/s (SNP + SEV-ES guest lifecycle): ${Math.round(commands / seconds)}`);

const initT0 = process.hrtime.bigint();
const N = 200;
global.gc?.();
const before = process.memoryUsage().heapUsed;
const keep = [];
for (let i = 0; i < N; i++) {
  const q = boot();
  platformInit(q);
  keep.push(q);
}
const initSeconds = Number(process.hrtime.bigint() - initT0) / 1e9;
global.gc?.();
const after = process.memoryUsage().heapUsed;
console.log(`boot + SNP_INIT_EX + INIT per platform: ${((initSeconds / N) * 1000).toFixed(2)} ms`);
console.log(
  `bytes per Psp+Machine (4 GiB Genoa, SNP and SEV INIT): ${Math.round((after - before) / keep.length)}`,
);
