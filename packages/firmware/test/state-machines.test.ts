/** The state tables drive the firmware (docs/reference/psp-firmware.md §2.1: SHUTDOWN takes any state to UNINIT). */
import { createMachine } from '@sevsim/hardware';
import { Cmd, SevDataInit, SevDataLaunchStart, SevState, Status } from '@sevsim/psp-abi';
import { expect, it } from 'vitest';
import { COMMANDS, SEV_PLATFORM, STATE_MACHINES, createPsp, nextState } from '../src/index';

it('SHUTDOWN from WORKING goes to UNINIT, as the SEV platform table says', () => {
  const psp = createPsp(createMachine({ cpu: 'milan' }), { version: '1.55.25' });
  expect(psp.command(Cmd.INIT, SevDataInit.encode({})).status).toBe(Status.SUCCESS);
  expect(psp.command(Cmd.LAUNCH_START, SevDataLaunchStart.encode({ policy: 0x1 })).status).toBe(
    Status.SUCCESS,
  );
  expect(psp.snapshot().sev).toBe('WORKING');
  expect(SEV_PLATFORM.transitions.find((t) => t.cmd === 'SHUTDOWN')?.from).toContain('WORKING');
  expect(psp.command(Cmd.SHUTDOWN, new Uint8Array(0)).status).toBe(Status.SUCCESS);
  expect(psp.snapshot().sev).toBe('UNINIT');
  expect(nextState(SEV_PLATFORM, 'SHUTDOWN')).toBe(SevState.UNINIT);
});

it('every row names a command the firmware implements, and a refused state is refused', () => {
  for (const m of Object.values(STATE_MACHINES))
    for (const t of m.transitions)
      expect(
        [...COMMANDS.values()].some((c) => c.name === t.cmd),
        `${m.name} ${t.cmd}`,
      ).toBe(true);
  // PEK_GEN's row accepts only INIT: in UNINIT the firmware refuses it.
  const psp = createPsp(createMachine({ cpu: 'milan' }), { version: '1.55.25' });
  expect(psp.command(Cmd.PEK_GEN, new Uint8Array(0)).status).toBe(Status.INVALID_PLATFORM_STATE);
});
