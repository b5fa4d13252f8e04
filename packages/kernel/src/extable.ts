/**
 * arch/x86/mm/extable.c ex_handler_msr(): the exception fixup of an unchecked RDMSR/WRMSR that
 * faulted. The kernel carries on as if the write had happened and reports it once per boot (the
 * report is behind a once-only flag of the handler, shared by every call site).
 */

const hex16 = (v: bigint) => `0x${v.toString(16).padStart(16, '0')}`;

/**
 * The fixup's line for a WRMSR that raised #GP. rIP is the faulting instruction; KASLR moves it
 * every boot and the function it falls in depends on the build, so sevsim prints the address and
 * symbol of the one public report, a v6.13 Genoa host (docs/reference/linux-ccp.md §7.4).
 */
export function uncheckedWrmsrLine(msr: number, value: bigint): string {
  return `unchecked MSR access error: WRMSR to 0x${msr.toString(16)} (tried to write ${hex16(value)}) at rIP: 0xffffffffaf5d5c28 (native_write_msr+0x8/0x30)`;
}
