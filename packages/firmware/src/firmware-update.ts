/**
 * Firmware update (docs/reference/psp-firmware.md §2.3 DOWNLOAD_FIRMWARE, §3.6 SNP_DOWNLOAD_FIRMWARE_EX, §4
 * item 5). DOWNLOAD_FIRMWARE loads and commits with SEV and SNP UNINIT. DLFW_EX needs only SEV
 * UNINIT, keeps SNP guests running, and is provisional until committed. The image is sevsim's
 * format (abi/firmware-image.ts) read from host memory.
 */
import {
  Cmd,
  Status,
  SevDataDownloadFirmware,
  SevDataDownloadFirmwareEx,
  SevState,
  SnpState,
} from '@sevsim/psp-abi';
import {
  FIRMWARE_IMAGE_SIZE,
  type FirmwareImage,
  compareVersion,
  decodeFirmwareImage,
} from './firmware-image';
import { SNP_MIN_VERSION } from './features';
import type { Firmware } from './firmware';
import { type BaseCtx, type CommandSpec, type Guard, command, fail } from './guard';
import { freshState, imageSlot } from './state';

/** The image address must be 32-byte aligned (docs/reference/psp-firmware.md §2.3, §3.6). */
const IMAGE_ALIGN = 32;

interface ImageCtx extends BaseCtx {
  address: number;
  len: number;
  image: FirmwareImage | undefined;
}

function readImage(fw: Firmware, address: number, len: number): FirmwareImage | undefined {
  if (len < FIRMWARE_IMAGE_SIZE || !fw.inDram(address, FIRMWARE_IMAGE_SIZE)) return undefined;
  return decodeFirmwareImage(fw.read(address, FIRMWARE_IMAGE_SIZE));
}

/** Image checks shared by both commands, after the state and buffer checks. */
function imageGuards<C extends ImageCtx>(name: 'DOWNLOAD_FIRMWARE' | 'SNP_DOWNLOAD_FIRMWARE_EX'): Guard<C>[] {
  return [
    {
      id: `${name}.align`,
      fact: 'docs/reference/psp-firmware.md §3.6: the image address must be 32-byte aligned, else INVALID_ADDRESS',
      check: ({ address }) => (address % IMAGE_ALIGN !== 0 ? Status.INVALID_ADDRESS : undefined),
    },
    {
      id: `${name}.image-length`,
      fact: 'docs/reference/psp-firmware.md §2.3: an image shorter than its header → INVALID_LENGTH',
      check: ({ fw, address, len }) =>
        len < FIRMWARE_IMAGE_SIZE || !fw.inDram(address, len) ? Status.INVALID_LEN : undefined,
    },
    {
      id: `${name}.signature`,
      fact: 'docs/reference/psp-firmware.md §3.6: image authentication failure → BAD_SIGNATURE',
      check: ({ image }) => (image?.signed ? undefined : Status.BAD_SIGNATURE),
    },
    {
      id: `${name}.svn`,
      fact: 'docs/reference/psp-firmware.md §3.6: image SVN below the committed SVN → BAD_SVN',
      check: ({ fw, image }) => (image && image.svn < fw.state.committed.svn ? Status.BAD_SVN : undefined),
    },
    {
      id: `${name}.version`,
      fact: 'docs/reference/linux-ccp.md §5.2: image older than CommittedVersion → BAD_VERSION',
      check: ({ fw, image }) =>
        image && compareVersion(image, fw.state.committed) < 0 ? Status.BAD_VERSION : undefined,
    },
  ];
}

const downloadFirmware = command<ImageCtx>({
  id: Cmd.DOWNLOAD_FIRMWARE,
  name: 'DOWNLOAD_FIRMWARE',
  prepare: (b) => {
    const { address, len } = SevDataDownloadFirmware.decode(b.buf);
    return { address, len, image: readImage(b.fw, address, len) };
  },
  guards: [
    {
      id: 'DOWNLOAD_FIRMWARE.platform-uninit',
      fact: 'docs/reference/psp-firmware.md §2.3 DOWNLOAD_FIRMWARE: needs SEV UNINIT and SNP UNINIT, else INVALID_PLATFORM_STATE',
      check: ({ fw }) =>
        fw.state.sev.state !== SevState.UNINIT || fw.state.snp.state !== SnpState.UNINIT
          ? Status.INVALID_PLATFORM_STATE
          : undefined,
    },
    ...imageGuards<ImageCtx>('DOWNLOAD_FIRMWARE'),
  ],
  effect: ({ fw, image }) => {
    // Load and commit in one step; nothing live to preserve (both UNINIT).
    const slot = imageSlot(image!);
    const rmpBuiltBySvn = fw.state.snp.rmpBuiltBySvn;
    fw.state = freshState(slot, slot);
    fw.state.snp.rmpBuiltBySvn = rmpBuiltBySvn;
    fw.refreshFeatures();
    return undefined;
  },
});

interface DlfwExCtx extends ImageCtx {
  length: number;
  commit: boolean;
}

const downloadFirmwareEx = command<DlfwExCtx>({
  id: Cmd.SNP_DOWNLOAD_FIRMWARE_EX,
  name: 'SNP_DOWNLOAD_FIRMWARE_EX',
  since: SNP_MIN_VERSION,
  prepare: (b) => {
    const d = SevDataDownloadFirmwareEx.decode(b.buf);
    return {
      address: d.fwPaddr,
      len: d.fwLen,
      length: d.length,
      commit: d.commit === 1,
      image: readImage(b.fw, d.fwPaddr, d.fwLen),
    };
  },
  guards: [
    {
      id: 'SNP_DOWNLOAD_FIRMWARE_EX.sev-uninit',
      fact: 'docs/reference/psp-firmware.md §3.6: legacy SEV must be UNINIT (SNP may be INIT), else INVALID_PLATFORM_STATE',
      check: ({ fw }) => (fw.state.sev.state !== SevState.UNINIT ? Status.INVALID_PLATFORM_STATE : undefined),
    },
    {
      id: 'SNP_DOWNLOAD_FIRMWARE_EX.reserved',
      fact: 'docs/reference/psp-firmware.md §3.6: reserved fields → INVALID_PARAM',
      check: ({ buf }) => (SevDataDownloadFirmwareEx.reservedNonZero(buf) ? Status.INVALID_PARAM : undefined),
    },
    {
      id: 'SNP_DOWNLOAD_FIRMWARE_EX.length',
      fact: 'docs/reference/psp-firmware.md §3.6: the command-buffer length must be its size, else INVALID_LENGTH',
      check: ({ length }) => (length !== SevDataDownloadFirmwareEx.size ? Status.INVALID_LEN : undefined),
    },
    ...imageGuards<DlfwExCtx>('SNP_DOWNLOAD_FIRMWARE_EX'),
  ],
  effect: ({ fw, image, commit }) => {
    // The new image runs DLFW_CONTINUE to carry the live SNP state over; if it fails the
    // firmware rolls back to the old image (sevsim trigger: the image's failContinue flag).
    if (image!.failContinue) {
      return fail(
        Status.UPDATE_FAILED,
        'SNP_DOWNLOAD_FIRMWARE_EX.dlfw-continue',
        'docs/reference/psp-firmware.md §3.6: DLFW_CONTINUE failed; the firmware rolled back → UPDATE_FAILED',
      );
    }
    fw.state.running = imageSlot(image!);
    if (commit) fw.state.committed = imageSlot(image!);
    fw.refreshFeatures();
    return undefined;
  },
});

export const firmwareUpdateCommands: CommandSpec[] = [downloadFirmware, downloadFirmwareEx];
