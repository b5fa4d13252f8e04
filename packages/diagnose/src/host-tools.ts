/**
 * What people paste beside the kernel log: the output of `sevctl ok` (virtee/sevctl) and `snphost
 * ok` (virtee/snphost), one check a line (`[ PASS ]   - Secure Encrypted Virtualization (SEV)`),
 * and the shell prompts before each command. None of it is a kernel line: it never shows the SEV
 * stack at work (a log of only these lines gets exit 2) nor SNP activity, and the replay does not
 * align it. Two checks print a CPUID value the scenario has (virtee/snphost src/ok.rs: CPUID
 * 0x8000001F ECX and EDX, the same values kvm_amd's ASID ranges come from); those are read.
 */
import type { Proof } from './wording';

/** A check line (`[ PASS ]`, `[ FAIL ]`, `[ SKIP ]` then the indented `- name[: value]`). */
const CHECK = /^\[ (?:PASS|FAIL|SKIP) \]\s+- (.*)$/;
/** A shell prompt with its command (`$ sudo sevctl ok`, `root@host:~# dmesg | grep sev`). */
const PROMPT = /^(?:\S+@\S+?:\S*\s?)?[$#] \S/;

/** A line of tool output or a shell prompt, not a kernel message. */
export function isToolLine(text: string): boolean {
  return CHECK.test(text) || PROMPT.test(text);
}

const READ: readonly { readonly re: RegExp; readonly proves: (n: number) => Proof }[] = [
  {
    // CPUID 0x8000001F ECX: the ASIDs the CPU has for encrypted guests.
    re: /^Number of encrypted guests supported simultaneously: (\d+)$/,
    proves: (n) => ({
      path: 'machine.asids',
      value: n,
      note: 'CPUID 0x8000001F ECX, as sevctl/snphost ok print it',
    }),
  },
  {
    // CPUID 0x8000001F EDX: the first SEV-only ASID, the BIOS's SEV-ES ASID space limit.
    re: /^Minimum ASID value for SEV-enabled, SEV-ES disabled guest: (\d+)$/,
    proves: (n) => ({
      path: 'machine.bios.minSevAsid',
      value: n,
      note: 'CPUID 0x8000001F EDX, as sevctl/snphost ok print it',
    }),
  },
];

/** The values a check line proves (none for the other checks and for prompts). */
export function toolProofs(text: string): readonly Proof[] {
  const check = CHECK.exec(text)?.[1]?.trim();
  if (check === undefined) return [];
  for (const r of READ) {
    const m = r.re.exec(check);
    if (m) return [r.proves(Number(m[1]))];
  }
  return [];
}
