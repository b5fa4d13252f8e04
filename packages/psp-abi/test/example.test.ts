/** The README example, proven to run. */
import { expect, it } from 'vitest';

it('README example: the SNP_INIT_EX buffer (sev_data_snp_init_ex, include/linux/psp-sev.h) and status names', async () => {
  // --- README example start
  const { Cmd, COMMAND_BUFFERS, SevDataSnpInitEx, Status, statusName } = await import('../src/index');

  // What ccp's __sev_snp_init_locked() puts in the SNP_INIT_EX buffer on a 6.14 kernel.
  const buffer = SevDataSnpInitEx.encode({ initRmp: 1, listPaddrEn: 1, listPaddr: 0x1_0000_0000 });
  console.log(buffer.length, COMMAND_BUFFERS.get(Cmd.SNP_INIT_EX)?.name); // 64 sev_data_snp_init_ex
  console.log(SevDataSnpInitEx.decode(buffer).listPaddr.toString(16)); // 100000000
  console.log(statusName(Status.INVALID_CONFIG), statusName(0x5a)); // INVALID_CONFIG INVALID_PAGE_STATE+0x40
  // --- README example end

  // psp-sev.h: `u32 init_rmp:1; u32 list_paddr_en:1; …; u64 list_paddr;` at offset 8, 64 bytes packed.
  expect(buffer.length).toBe(64);
  expect(buffer[0]).toBe(0b11);
  expect([...buffer.subarray(8, 16)]).toEqual([0, 0, 0, 0, 1, 0, 0, 0]);
  expect(COMMAND_BUFFERS.get(Cmd.SNP_INIT_EX)?.name).toBe('sev_data_snp_init_ex');
  expect(statusName(Status.INVALID_CONFIG)).toBe('INVALID_CONFIG');
  expect(statusName(0x5a)).toBe('INVALID_PAGE_STATE+0x40');
});
