/** Two-socket machines: GET_ID per socket and the firmware's all-core checks over both sockets. */
import { MSR, SYSCFG } from '@sevsim/hardware';
import { describe, expect, it } from 'vitest';
import { Cmd, SevDataGetId, Status } from '@sevsim/psp-abi';
import { hostPage, lastGuard, platform, snpInit } from './helpers';

describe('two sockets', () => {
  it('GET_ID returns one 64-byte ID per socket: 128 bytes on two sockets (docs/reference/psp-firmware.md §2.3)', () => {
    const p = platform({ sockets: 2, cores: 2 });
    let r = p.psp.command(Cmd.GET_ID, SevDataGetId.encode({ address: 0, len: 64 }));
    expect(r.status).toBe(Status.INVALID_LEN);
    expect(SevDataGetId.decode(r.buffer).len).toBe(128);
    r = p.psp.command(Cmd.GET_ID, SevDataGetId.encode({ address: hostPage(p), len: 128 }));
    expect(r.status).toBe(Status.SUCCESS);
    expect(SevDataGetId.decode(r.buffer).len).toBe(128);
  });

  it('SNP_INIT checks SNPEn on the cores of the second socket too (AMD-ASPFW sev_mcmd.c snp_mcmd_init_common)', () => {
    // A 7.1+ kernel sets SNPEn itself; here only socket 0 gets it.
    const p = platform({ sockets: 2, cores: 2 }, { snpEnAtBoot: false });
    const m = p.machine;
    for (const c of m.cores.filter((c) => c.socket === 0)) {
      const v = m.rdmsr(c.id, MSR.SYSCFG) | SYSCFG.MFDM;
      m.wrmsr(c.id, MSR.SYSCFG, v);
      m.wrmsr(c.id, MSR.SYSCFG, v | SYSCFG.SNP_EN | SYSCFG.VMPL_EN);
    }
    expect(snpInit(p)).toBe(Status.INVALID_CONFIG);
    expect(lastGuard(p)).toBe('SNP_INIT_EX.cores-snp-enabled');
  });

  it('with SNPEn on both sockets SNP_INIT succeeds', () => {
    const p = platform({ sockets: 2, cores: 2 });
    expect(snpInit(p)).toBe(Status.SUCCESS);
  });
});
