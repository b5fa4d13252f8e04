/**
 * The firmware panel's diagrams are drawn from the firmware's own state tables
 * (`STATE_MACHINES`, passed on by `@sevsim/scenario/trace`), so every state change the firmware
 * makes is an edge and nothing else is.
 */
import { STATE_MACHINES, type StateMachine } from '@sevsim/scenario/trace';
import { describe, expect, it } from 'vitest';
import { diagramOf, SEV_DIAGRAM, SNP_DIAGRAM } from '../src/app/state-machine.js';

const edges = (d: typeof SEV_DIAGRAM) => d.edges.map((e) => `${e.from} → ${e.to}: ${e.commands.join(', ')}`);

describe('state diagrams from the firmware tables', () => {
  it('SEV platform: SHUTDOWN from every state, LAUNCH_START from INIT and WORKING (docs/reference/psp-firmware.md §2.1)', () => {
    expect(SEV_DIAGRAM.states).toEqual(['UNINIT', 'INIT', 'WORKING']);
    expect(edges(SEV_DIAGRAM)).toEqual([
      'UNINIT → INIT: INIT, INIT_EX',
      'UNINIT → UNINIT: SHUTDOWN',
      'INIT → UNINIT: SHUTDOWN',
      'WORKING → UNINIT: SHUTDOWN',
      'INIT → WORKING: LAUNCH_START',
      'WORKING → WORKING: LAUNCH_START',
      'WORKING → INIT: DECOMMISSION (last legacy guest)',
    ]);
  });

  it('SNP platform: SNP_INIT(_EX) from UNINIT, SNP_SHUTDOWN(_EX) from either state (docs/reference/psp-firmware.md §3.1)', () => {
    expect(SNP_DIAGRAM.states).toEqual(['UNINIT', 'INIT']);
    expect(edges(SNP_DIAGRAM)).toEqual([
      'UNINIT → INIT: SNP_INIT, SNP_INIT_EX',
      'UNINIT → UNINIT: SNP_SHUTDOWN, SNP_SHUTDOWN_EX',
      'INIT → UNINIT: SNP_SHUTDOWN, SNP_SHUTDOWN_EX',
    ]);
  });

  it('every row that changes the state is an edge, from each state it is accepted in', () => {
    for (const m of Object.values(STATE_MACHINES) as StateMachine<string>[]) {
      const d = diagramOf(m);
      const rows = m.transitions.flatMap((t) =>
        t.to === undefined ? [] : t.from.map((from) => `${from}→${t.to}:${t.cmd}`),
      );
      const drawn = d.edges.flatMap((e) => e.commands.map((c) => `${e.from}→${e.to}:${c.split(' ')[0]}`));
      expect(drawn.sort()).toEqual(rows.sort());
    }
  });
});
