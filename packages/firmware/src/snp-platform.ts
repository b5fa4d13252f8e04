/**
 * SNP platform queries and settings (docs/reference/psp-firmware.md §3.4–§3.8): SNP_PLATFORM_STATUS,
 * SNP_FEATURE_INFO, SNP_CONFIG, SNP_COMMIT (SNP_DF_FLUSH shares DF_FLUSH's code, docs/reference/psp-firmware.md §3.5).
 */
import {
  Cmd,
  Status,
  SevDataSnpAddr,
  SevDataSnpCommit,
  SevDataSnpFeatureInfo,
  SevUserDataSnpConfig,
  SevUserDataSnpStatus,
  SnpFeatureInfo,
} from '@sevsim/psp-abi';
import { FEATURE_INFO_VERSION, SNP_MIN_VERSION } from './features';
import { type Firmware, isAligned, withinPage } from './firmware';
import { type BaseCtx, type CommandSpec, command } from './guard';
import { snpDfFlush } from './sev-platform';
import { ciphertextHidingCap } from './snp-init';
import { imageSlot } from './state';
import { currentTcb, tcbNotAbove } from './tcb';

export function runningTcb(fw: Firmware): bigint {
  return currentTcb(fw.machine.preset.tcbLayout, fw.state.running.svn);
}

/** The 32-byte sev_user_data_snp_status the firmware reports. */
export function snpStatusBytes(fw: Firmware): Uint8Array {
  const s = fw.state;
  const tcb = runningTcb(fw);
  return SevUserDataSnpStatus.encode({
    apiMajor: s.running.major,
    apiMinor: s.running.minor,
    state: s.snp.state,
    isRmpInitialized: fw.machine.rmp.initialised ? 1 : 0,
    buildId: s.running.build,
    maskChipId: s.snp.maskChipId ? 1 : 0,
    maskChipKey: s.snp.maskChipKey ? 1 : 0,
    vlekEn: s.snp.vlek ? 1 : 0,
    featureInfo: fw.features.featureInfo ? 1 : 0,
    raplDis: s.snp.raplDis ? 1 : 0,
    ciphertextHidingCap: ciphertextHidingCap(fw) ? 1 : 0,
    ciphertextHidingEn: s.snp.ciphertextHiding ? 1 : 0,
    guestCount: s.snp.guestCount,
    currentTcb: tcb,
    reportedTcb: s.snp.reportedTcb ?? tcb,
  });
}

interface AddrCtx extends BaseCtx {
  address: number;
}

const platformStatus = command<AddrCtx>({
  id: Cmd.SNP_PLATFORM_STATUS,
  name: 'SNP_PLATFORM_STATUS',
  since: SNP_MIN_VERSION,
  prepare: (b) => ({ address: SevDataSnpAddr.decode(b.buf).address }),
  guards: [
    {
      id: 'SNP_PLATFORM_STATUS.page-cross',
      fact: 'docs/reference/psp-firmware.md §3.4: the status buffer must not cross a 4 KB boundary, else INVALID_PARAM',
      check: ({ fw, address }) =>
        withinPage(address, SevUserDataSnpStatus.size) && fw.inDram(address, SevUserDataSnpStatus.size)
          ? undefined
          : Status.INVALID_PARAM,
    },
    {
      id: 'SNP_PLATFORM_STATUS.page-state',
      fact: 'docs/reference/psp-firmware.md §3.4: with SNP INIT the buffer page must be Firmware/Default, else INVALID_PAGE_STATE',
      check: ({ fw, address }) =>
        fw.snpInit() && !fw.firmwareWritable(address, SevUserDataSnpStatus.size)
          ? Status.INVALID_PAGE_STATE
          : undefined,
    },
  ],
  effect: ({ fw, address }) => {
    fw.write(address, snpStatusBytes(fw));
    return undefined;
  },
});

type FeatureInfoCtx = BaseCtx & ReturnType<typeof SevDataSnpFeatureInfo.decode>;
const featureInfo = command<FeatureInfoCtx>({
  id: Cmd.SNP_FEATURE_INFO,
  name: 'SNP_FEATURE_INFO',
  since: FEATURE_INFO_VERSION,
  prepare: (b) => SevDataSnpFeatureInfo.decode(b.buf),
  guards: [
    {
      id: 'SNP_FEATURE_INFO.length',
      fact: 'docs/reference/psp-firmware.md §3.8: length must be 0x10, else INVALID_PARAM',
      check: ({ length }) => (length !== SevDataSnpFeatureInfo.size ? Status.INVALID_PARAM : undefined),
    },
    {
      id: 'SNP_FEATURE_INFO.address',
      fact: 'docs/reference/psp-firmware.md §3.8: output 4-byte aligned and within one page, else INVALID_ADDRESS',
      check: ({ fw, featureInfoPaddr: pa }) =>
        isAligned(pa, 4) && withinPage(pa, SnpFeatureInfo.size) && fw.inDram(pa, SnpFeatureInfo.size)
          ? undefined
          : Status.INVALID_ADDRESS,
    },
    {
      id: 'SNP_FEATURE_INFO.page-state',
      fact: 'docs/reference/psp-firmware.md §3.8: with SNP INIT the output page must be Firmware/Default, else INVALID_PAGE_STATE',
      check: ({ fw, featureInfoPaddr: pa }) =>
        fw.snpInit() && !fw.firmwareWritable(pa, SnpFeatureInfo.size) ? Status.INVALID_PAGE_STATE : undefined,
    },
    {
      id: 'SNP_FEATURE_INFO.subfunction',
      fact: 'docs/reference/psp-firmware.md §3.8: ecx_in other than 0 or 1 → INVALID_PARAM',
      check: ({ ecxIn }) => (ecxIn > 1 ? Status.INVALID_PARAM : undefined),
    },
  ],
  effect: ({ fw, ecxIn, featureInfoPaddr }) => {
    // Sub-function 1: EAX = supported guest-message types, bits 0–8 in 1.55.25 (docs/reference/psp-firmware.md §3.8).
    const out = ecxIn === 0 ? fw.features.featureInfo0 : { eax: 0x1ff, ebx: 0, ecx: 0, edx: 0 };
    fw.write(featureInfoPaddr, SnpFeatureInfo.encode(out));
    return undefined;
  },
});

type ConfigCtx = BaseCtx & ReturnType<typeof SevUserDataSnpConfig.decode>;
const config = command<ConfigCtx>({
  id: Cmd.SNP_CONFIG,
  name: 'SNP_CONFIG',
  since: SNP_MIN_VERSION,
  prepare: (b) => SevUserDataSnpConfig.decode(b.buf),
  guards: [
    {
      id: 'SNP_CONFIG.reserved',
      fact: 'docs/reference/psp-firmware.md §3.7: reserved ≠ 0 → INVALID_PARAM',
      check: ({ buf }) => (SevUserDataSnpConfig.reservedNonZero(buf) ? Status.INVALID_PARAM : undefined),
    },
    {
      id: 'SNP_CONFIG.reported-tcb',
      fact: 'docs/reference/psp-firmware.md §3.7: reported_tcb above the current TCB → INVALID_PARAM',
      check: ({ fw, reportedTcb }) =>
        tcbNotAbove(reportedTcb, runningTcb(fw)) ? undefined : Status.INVALID_PARAM,
    },
  ],
  effect: ({ fw, reportedTcb, maskChipId, maskChipKey }) => {
    const s = fw.state.snp;
    s.reportedTcb = reportedTcb === 0n ? undefined : reportedTcb; // 0 means "use current"
    s.maskChipId = maskChipId === 1;
    s.maskChipKey = maskChipKey === 1;
    return undefined;
  },
});

type CommitCtx = BaseCtx & ReturnType<typeof SevDataSnpCommit.decode>;
const commit = command<CommitCtx>({
  id: Cmd.SNP_COMMIT,
  name: 'SNP_COMMIT',
  since: SNP_MIN_VERSION,
  prepare: (b) => SevDataSnpCommit.decode(b.buf),
  guards: [
    {
      id: 'SNP_COMMIT.len',
      fact: 'docs/reference/psp-firmware.md §3.6 SNP_COMMIT: len ≠ 4 → INVALID_PARAM (not INVALID_LENGTH) [FW]',
      check: ({ len }) => (len !== SevDataSnpCommit.size ? Status.INVALID_PARAM : undefined),
    },
  ],
  effect: ({ fw }) => {
    fw.state.committed = imageSlot(fw.state.running);
    fw.state.snp.reportedTcb = undefined; // a TCB lowered by SNP_CONFIG returns to current
    return undefined;
  },
});

export const snpPlatformCommands: CommandSpec[] = [
  platformStatus,
  { ...snpDfFlush, since: SNP_MIN_VERSION },
  featureInfo,
  config,
  commit,
];
