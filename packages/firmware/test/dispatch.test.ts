/** The dispatcher (docs/reference/psp-firmware.md §2.2, Appendix A steps 1–2) and write-back rules. */
import { describe, expect, it } from 'vitest';
import {
  CMD_BUF_PAGE_STATE_OFFSET,
  Cmd,
  SevDataGetId,
  SevUserDataStatus,
  Status,
  statusName,
} from '@sevsim/psp-abi';
import { COMMANDS } from '../src/index';
import { firmwarePage, hostPage, platform, snpInit } from './helpers';

describe('dispatch', () => {
  it('unknown or unmodelled id → INVALID_COMMAND 0x11, with the dispatch guard', () => {
    const p = platform();
    for (const id of [0x00, 0x99, 0xffff, Cmd.SNP_GUEST_REQUEST, Cmd.DLFW_CONTINUE, -1, 1.5]) {
      expect(p.psp.command(id, new Uint8Array(8)).status).toBe(Status.INVALID_COMMAND);
    }
    expect(p.events.at(-1)).toMatchObject({ name: 'UNKNOWN_0x1.8', statusName: 'INVALID_COMMAND' });
  });

  it('every listener event names the command and status; refusals carry the guard and its fact', () => {
    const p = platform();
    p.run('INIT', new Uint8Array(20));
    expect(p.events.at(-1)).toEqual({
      id: 1,
      name: 'INIT',
      status: 1,
      statusName: 'INVALID_PLATFORM_STATE',
      guard: {
        id: 'INIT.snpen-needs-rmp',
        fact: expect.stringContaining('docs/reference/psp-firmware.md §2.3 INIT step 4'),
      },
    });
  });

  it('with SNP INIT a write-back command buffer in Hypervisor state → INVALID_PAGE_STATE+0x40 = 0x5A', () => {
    const p = platform();
    snpInit(p);
    const page = hostPage(p);
    const r = p.psp.command(Cmd.PLATFORM_STATUS, new Uint8Array(12), { bufferPaddr: page });
    expect(r.status).toBe(0x5a);
    expect(r.status).toBe(Status.INVALID_PAGE_STATE + CMD_BUF_PAGE_STATE_OFFSET);
    expect(statusName(r.status)).toBe('INVALID_PAGE_STATE+0x40');
  });

  it('after a write-back command the Firmware buffer page becomes Reclaim (docs/reference/psp-firmware.md §2.2)', () => {
    const p = platform();
    snpInit(p);
    const page = firmwarePage(p);
    expect(p.psp.command(Cmd.PLATFORM_STATUS, new Uint8Array(12), { bufferPaddr: page }).status).toBe(0);
    expect(p.machine.rmp.state(page / 4096)).toBe('RECLAIM');
  });

  it('the buffer check does not apply before SNP INIT nor to non-write-back commands', () => {
    const p = platform();
    expect(p.psp.command(Cmd.PLATFORM_STATUS, new Uint8Array(12), { bufferPaddr: hostPage(p) }).status).toBe(
      0,
    );
    snpInit(p);
    expect(p.psp.command(Cmd.SNP_DF_FLUSH, new Uint8Array(0), { bufferPaddr: hostPage(p) }).status).not.toBe(
      0x5a,
    );
  });

  it('write-back: output only on success (PLATFORM_STATUS) or also on INVALID_LENGTH (GET_ID)', () => {
    const p = platform();
    const input = new Uint8Array(12).fill(0xaa);
    expect(SevUserDataStatus.decode(p.psp.command(Cmd.PLATFORM_STATUS, input).buffer).apiMinor).toBe(55);
    expect(input[1]).toBe(0xaa); // the caller's buffer is not mutated
    const r = p.psp.command(Cmd.GET_ID, SevDataGetId.encode({ len: 1 }));
    expect(SevDataGetId.decode(r.buffer).len).toBe(64);
    const refused = p.psp.command(Cmd.PEK_GEN, new Uint8Array(4).fill(7));
    expect([...refused.buffer]).toEqual([7, 7, 7, 7]);
  });

  it('every command in the table has guards with an id and a reference fact', () => {
    for (const spec of COMMANDS.values()) {
      for (const g of spec.guards) {
        expect(g.id.startsWith(`${spec.name}.`), g.id).toBe(true);
        // A reference section, or a primary source in the citation grammar (docs/reference/README.md).
        expect(g.fact).toMatch(
          /^docs\/reference\/(psp-firmware|linux-ccp)\.md §\d|^FW [a-z_]+|^AMD-ASPFW [a-z_]+\.c [a-z_]+/,
        );
      }
    }
    expect(COMMANDS.size).toBe(43);
  });

  it('short buffers read as zero-padded; the returned buffer keeps the caller length', () => {
    const p = platform();
    const r = p.psp.command(Cmd.PLATFORM_STATUS, new Uint8Array(3));
    expect(r.status).toBe(0);
    expect(r.buffer.length).toBe(3);
  });
});
