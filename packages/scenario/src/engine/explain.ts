/**
 * One sentence per failing step for `sevsim explain`: the rule that refused it (the firmware
 * guard and the fact it models, or the kernel check), the state that caused it, and what would
 * make it pass. Hints are a table keyed by `COMMAND:STATUS` (firmware refusals) or by the step's
 * errno (kernel refusals); the state comes from the system before the step.
 */
import type { PspCall, StepOutcome } from '../trace';
import type { PlatformState } from './state';

type Hint = (s: PlatformState, call: PspCall) => string;

const hex = (n: number): string => `0x${n.toString(16)}`;

const sevInitFirst: Hint = (s) =>
  `legacy SEV is ${s.firmware.sev}, and SNP_INIT must run before SEV INIT — load kvm_amd with ccp.psp_init_on_probe=0 so SEV INIT waits for the first VM, or shut SEV down (rmmod kvm_amd ccp) and let the driver run SNP_INIT first`;

/** Firmware refusals: `CMD:STATUS` → what caused it and the fix. */
const FIRMWARE_HINTS: Readonly<Record<string, Hint>> = {
  'SNP_INIT:INVALID_PLATFORM_STATE': sevInitFirst,
  'SNP_INIT_EX:INVALID_PLATFORM_STATE': sevInitFirst,
  'SNP_INIT:INVALID_CONFIG': snpConfig,
  'SNP_INIT_EX:INVALID_CONFIG': snpConfig,
  'INIT:INVALID_PLATFORM_STATE': (s) => legacyInit(s),
  'INIT_EX:INVALID_PLATFORM_STATE': (s) => legacyInit(s),
  'SNP_DOWNLOAD_FIRMWARE_EX:INVALID_PLATFORM_STATE': (s) =>
    `legacy SEV is ${s.firmware.sev} and DOWNLOAD_FIRMWARE_EX needs it UNINIT (SNP may stay INIT) — load ccp with psp_init_on_probe=0 so SEV INIT is deferred to the first SEV VM, and update before starting one`,
  'DOWNLOAD_FIRMWARE:INVALID_PLATFORM_STATE': (s) =>
    `legacy DOWNLOAD_FIRMWARE needs both SEV and SNP UNINIT (SEV ${s.firmware.sev}, SNP ${s.firmware.snp}) — it only runs at ccp probe; use SNP_DOWNLOAD_FIRMWARE_EX for a live update`,
  'SNP_DOWNLOAD_FIRMWARE_EX:BAD_SIGNATURE': () => 'the image is not signed by AMD — use a signed image',
  'SNP_DOWNLOAD_FIRMWARE_EX:BAD_SVN': (s) =>
    `the image's SVN is below the committed one (committed ${s.firmware.committedVersion}) — a committed update cannot be rolled back`,
  'ACTIVATE:INVALID_ASID': (s) => asidRanges(s),
  'SNP_ACTIVATE:INVALID_ASID': (s) => asidRanges(s),
  'DF_FLUSH:WBINVD_REQUIRED': () =>
    'DF_FLUSH needs a WBINVD on every core since the last DEACTIVATE — run WBINVD on all CPUs first',
  'SNP_SHUTDOWN_EX:DFFLUSH_REQUIRED': () =>
    'some ASID is not clean — issue SNP_DF_FLUSH, then retry the shutdown',
};

/**
 * SNP_INIT(_EX) INVALID_CONFIG has many causes; the guard that refused says which one
 * (the part of its id after the command name).
 */
const SNP_INIT_CONFIG_HINTS: Readonly<Record<string, Hint>> = {
  'memory-map': () =>
    'the memory map the boot loader handed over does not pass the firmware check, as after a legacy (CSM) boot — switch the BIOS boot mode to UEFI',
  'iommu-snp': () =>
    'the IOMMU is off or does not advertise SNP support — enable the IOMMU (and its SNP support) in the BIOS',
  'hsave-pa': () =>
    'VM_HSAVE_PA is not 0 on some core, so a VM may be running — SNP_INIT must run before any VM (the kernel clears it at SNP init)',
  'syscfg-mfdm': () =>
    'SYSCFG differs between cores or lacks MFDM — the kernel sets MFDM on every CPU before SNPEn; bring every CPU online',
  'hwcr-smmlock': () => 'HWCR.SMMLock is not set on every core — the BIOS must lock SMM before hand-off',
  'rmp-bounds': () =>
    'the RMP the BIOS reserved is not 1 MB aligned or not a multiple of 1 MB — fix the SNP memory coverage setting in the BIOS',
};

function snpConfig(s: PlatformState, call: PspCall): string {
  const cause = call.guard
    ? SNP_INIT_CONFIG_HINTS[call.guard.id.slice(call.guard.id.indexOf('.') + 1)]
    : undefined;
  if (cause) return cause(s, call);
  if (!s.host.snpEn && !s.host.snp) {
    return 'SNP_INIT needs SYSCFG.SNPEn, MemEncryptionModEn and VMPLEn on every core and SNPEn is not set on all cores (host.snp false) — enable SMEE, SEV-SNP and full SNP memory coverage in the BIOS, bring every CPU online, and boot with the IOMMU translated';
  }
  if (!s.host.snpEn) {
    // The kernel did set SNPEn (host SNP on) and it did not take everywhere: docs/reference/linux-ccp.md §7.4, §7.5.
    return 'SNP_INIT needs SYSCFG.SNPEn on every core and SNPEn is not set on all cores although host SNP is on — either a CPU was offline when the kernel set it, or the WRMSR faulted: on Family 19h models 10h–1Fh it does while a thread of the core has VM_HSAVE_PA set by KVM, and dmesg then shows `unchecked MSR access error: WRMSR to 0xc0010010` — bring every CPU online, and let SNP initialise before KVM enables virtualization (a 6.14+ kernel for built-in kvm_amd; from 6.16 kvm_amd with sev=1 initialises SNP at load)';
  }
  return 'SNP_INIT found the platform configuration inconsistent (SNPEn, MFDM, VM_HSAVE_PA or SMM lock on some core) — check the BIOS SNP settings and that every CPU is online';
}

function legacyInit(s: PlatformState): string {
  if (s.firmware.sev !== 'UNINIT') return `legacy SEV is already ${s.firmware.sev}`;
  if (s.host.snpEn && s.firmware.snp === 'UNINIT') {
    return 'SNPEn is set on every core, so legacy INIT needs the RMP initialised by SNP_INIT, and SNP is UNINIT — make SNP_INIT succeed first (see the SNP_INIT failure before it) or boot with SNP disabled in the BIOS';
  }
  return `the firmware refuses INIT in this state (SEV ${s.firmware.sev}, SNP ${s.firmware.snp})`;
}

function asidRanges(s: PlatformState): string {
  const r = (n: string, x: { status: string; min: number; max: number }): string =>
    `${n} ${x.status === 'disabled' ? 'disabled' : `${x.min}-${x.max}`}`;
  return `the ASID is outside the range the firmware allows for the guest type (${r('SNP', s.kvm.snp)}, ${r('SEV-ES', s.kvm.sevEs)}, ${r('SEV', s.kvm.sev)}; ciphertext hiding ${s.firmware.ciphertextHiding ? `on, MAX_SNP_ASID ${s.firmware.maxSnpAsid}` : 'off'})`;
}

/** Kernel refusals without a firmware error: errno (+ step op) → explanation. */
function kernelHint(
  op: string,
  o: StepOutcome,
  before: PlatformState,
  cause: string | undefined,
): string | undefined {
  const errno = o.errno ?? '';
  const because = cause ? `${cause}` : '';
  if (op === 'vm.create' && errno === 'EINVAL') {
    return `KVM_CREATE_VM returned EINVAL: the VM type is not in KVM_CAP_VM_TYPES [${before.kvm.vmTypes.join(', ')}] (SEV ${before.kvm.sev.status}, SEV-ES ${before.kvm.sevEs.status}, SNP ${before.kvm.snp.status}) — enable the type with its kvm_amd parameter on a host that supports it`;
  }
  if (op === 'vm.init' && errno === 'ENOTTY') {
    // Three kernel checks return ENOTTY here; kvm-amd says which one refused.
    const fix = cause?.includes('(sev_es_enabled')
      ? 'load kvm_amd with sev_es=1 on a host with SEV-ES ASIDs, or use KVM_SEV_INIT for a plain SEV guest'
      : cause?.includes('(sev_enabled)')
        ? 'load kvm_amd with sev=1 on a host with SEV enabled'
        : 'lower minSevAsid in the BIOS or kvm_amd.ciphertext_hiding_asids';
    return `the SEV init ioctl (KVM_SEV_INIT2, or KVM_SEV_INIT / KVM_SEV_ES_INIT) returned ENOTTY: ${cause ?? 'the ASID range for this VM type is empty (min > max)'} — ${fix}`;
  }
  if (op === 'modprobe' && cause?.includes(' for parameter `')) {
    return `modprobe returned ${errno}: the kernel's parameter parser refused a value (${cause}; kernel/params.c parse_args, load_module fails with the parser's error) — a bool takes y/n/t/f/1/0/on/off, an int or uint a number in decimal, 0x hex or 0-prefixed octal (a uint without a minus sign, below 2^32)`;
  }
  if (errno === 'EOPNOTSUPP') {
    return `${op} returned EOPNOTSUPP: the firmware is too old for SEV-SNP (ccp requires firmware version >= 1:51; running ${before.firmware.version}) — update the firmware`;
  }
  if (because !== '') return `${op} returned ${errno}: ${because}`;
  return undefined;
}

/** The sentence for a failing step, or undefined when it did not fail. */
export function explainStep(
  op: string,
  outcome: StepOutcome,
  psp: readonly PspCall[],
  before: PlatformState,
  cause: string | undefined,
): string | undefined {
  const refused = psp.filter((c) => c.status !== 0);
  if (outcome.ok && refused.length === 0) return undefined;
  const first = refused[0];
  if (first) {
    const rule = first.guard ? ` [${first.guard.id}: ${first.guard.fact}]` : '';
    const hint = FIRMWARE_HINTS[`${first.cmd}:${first.statusName}`];
    const why = hint
      ? hint(before, first)
      : `the firmware refused it in this state (SEV ${before.firmware.sev}, SNP ${before.firmware.snp})`;
    const then =
      refused.length > 1
        ? `; then ${refused
            .slice(1)
            .map((c) => `${c.cmd} returned ${c.statusName} (${hex(c.status)})`)
            .join(', ')}`
        : '';
    return `${first.cmd} returned ${first.statusName} (${hex(first.status)})${rule}: ${why}${then}.`;
  }
  const k = kernelHint(op, outcome, before, cause);
  return k ? `${k}.` : `${op} failed with ${outcome.errno ?? 'an error'}.`;
}
