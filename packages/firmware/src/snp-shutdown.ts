/**
 * SNP_SHUTDOWN (0x82) and SNP_SHUTDOWN_EX (0x86), in the order of FW snp_mcmd_shutdown_common
 * (docs/reference/psp-firmware.md §3.3), with the IOMMU and x86 SNP shutdown effects of §3.3 and §8.3.
 */
import { Cmd, type CmdName, Status, SevDataSnpShutdownEx, SevState, SnpState } from '@sevsim/psp-abi';
import { RmpEntries } from './firmware';
import { type BaseCtx, type CommandSpec, type Guard, command } from './guard';
import { SNP_PLATFORM, nextState } from './state-machines';

interface ShutdownCtx extends BaseCtx {
  ex: boolean;
  len: number;
  iommu: boolean;
  x86: boolean;
}

function guards(name: CmdName): Guard<ShutdownCtx>[] {
  return [
    {
      id: `${name}.sev-uninit`,
      fact: 'docs/reference/psp-firmware.md §3.3 step 1: SEV state ≠ UNINIT → INVALID_PLATFORM_STATE',
      check: ({ fw }) => (fw.state.sev.state !== SevState.UNINIT ? Status.INVALID_PLATFORM_STATE : undefined),
    },
    {
      id: `${name}.already-uninit`,
      fact: 'docs/reference/psp-firmware.md §3.3 step 2: SNP already UNINIT → SUCCESS, no action',
      check: ({ fw }) => (fw.state.snp.state === SnpState.UNINIT ? Status.SUCCESS : undefined),
    },
    {
      id: `${name}.asids-clean`,
      fact: 'docs/reference/psp-firmware.md §3.3 step 3: any ASID not clean on every CCX → DFFLUSH_REQUIRED',
      check: ({ fw }) => (fw.state.asids.allClean() ? undefined : Status.DFFLUSH_REQUIRED),
    },
    {
      id: `${name}.len`,
      fact: 'docs/reference/psp-firmware.md §3.3 step 4: len ≠ 8 → INVALID_PARAM',
      check: ({ ex, len }) => (ex && len !== SevDataSnpShutdownEx.size ? Status.INVALID_PARAM : undefined),
    },
    {
      id: `${name}.reserved`,
      fact: 'docs/reference/psp-firmware.md §3.3 step 4: reserved bits ≠ 0 → INVALID_PARAM',
      check: ({ ex, buf }) =>
        ex && SevDataSnpShutdownEx.reservedNonZero(buf) ? Status.INVALID_PARAM : undefined,
    },
    {
      id: `${name}.x86-needs-iommu`,
      fact: 'docs/reference/psp-firmware.md §3.3 step 4: X86_SNP_SHUTDOWN needs IOMMU_SNP_SHUTDOWN and FEATURE_INFO ECX bit 1, else INVALID_PARAM',
      check: ({ fw, x86, iommu }) =>
        x86 && (!iommu || !fw.features.x86SnpShutdown) ? Status.INVALID_PARAM : undefined,
    },
  ];
}

function shutdownCommand(ex: boolean): CommandSpec {
  const name: CmdName = ex ? 'SNP_SHUTDOWN_EX' : 'SNP_SHUTDOWN';
  return command<ShutdownCtx>({
    id: ex ? Cmd.SNP_SHUTDOWN_EX : Cmd.SNP_SHUTDOWN,
    name,
    prepare: (base) => {
      if (!ex) return { ex, len: 0, iommu: false, x86: false };
      const d = SevDataSnpShutdownEx.decode(base.buf);
      return { ex, len: d.len, iommu: d.iommuSnpShutdown === 1, x86: d.x86SnpShutdown === 1 };
    },
    guards: guards(name),
    effect: ({ fw, iommu, x86 }) => {
      const m = fw.machine;
      const s = fw.state.snp;
      s.state = nextState(SNP_PLATFORM, name);
      if (iommu) {
        // The next SNP_INIT must rebuild the RMP; IOMMU enforcement off; its pages released.
        m.rmp.fwMarkInitialised(false);
        s.rmpBuiltBySvn = undefined;
        m.fwSetIommuSnpEnforcement(false);
        const released = fw.features.iommuReclaim
          ? RmpEntries.reclaim // FW ≥ 1.53
          : RmpEntries.hypervisor;
        for (const pfn of m.rmp.pfnsInState('FIRMWARE_IOMMU')) m.rmp.fwSetEntry(pfn, released());
        m.fwWipeKeys();
        if (x86) m.fwClearSnpEn();
      }
      // Non-persistent SNP context cleared, VLEK wiped (docs/reference/psp-firmware.md §3.3 "Always").
      s.guests.clear();
      s.guestCount = 0;
      s.vlek = false;
      s.ciphertextHiding = false;
      s.maxSnpAsid = 0;
      s.raplDis = false;
      m.fwSetCiphertextHiding(false, 0);
      return undefined;
    },
  });
}

export const snpShutdownCommands: CommandSpec[] = [shutdownCommand(false), shutdownCommand(true)];
