/**
 * The simulated SEV firmware image (sevsim's own format, not AMD's). DOWNLOAD_FIRMWARE and
 * SNP_DOWNLOAD_FIRMWARE_EX read it from host memory at `address`/`fw_paddr`.
 *
 * Layout (32 bytes, little endian): u32 magic 'SEVF', u8 major, u8 minor, u16 build,
 * u32 svn, u32 flags (bit 0 signed, bit 1 fail-continue), 16 bytes padding. The real image
 * is 32-byte aligned and authenticated; we keep only what the state machine reads.
 */
import { bits, struct, u8, u16, u32 } from '@sevsim/psp-abi';
import type { TcbLayout } from '@sevsim/hardware';

export const FIRMWARE_IMAGE_MAGIC = 0x46564553; // 'SEVF'
export const FIRMWARE_IMAGE_SIZE = 32;

const Header = struct('sevsim_firmware_image', FIRMWARE_IMAGE_SIZE, {
  magic: u32(0),
  major: u8(4),
  minor: u8(5),
  build: u16(6),
  svn: u32(8),
  signed: bits(12, 0),
  failContinue: bits(12, 1),
});

export interface FirmwareVersion {
  major: number;
  minor: number;
  build: number;
}

export interface FirmwareImageSpec {
  /** 'major.minor.build', e.g. '1.55.25'. */
  version: string;
  /** Security version; default: `defaultSvn` for the CPU's TCB layout. */
  svn?: number;
  /** The TCB layout of the CPU the image is for (picks the default SVN); default 'zen3-4'. */
  tcbLayout?: TcbLayout;
  /** Signed by AMD; default true. Unsigned → BAD_SIGNATURE. */
  signed?: boolean;
  /** The new image's DLFW_CONTINUE fails (deterministic trigger for UPDATE_FAILED). */
  failContinue?: boolean;
}

export interface FirmwareImage extends FirmwareVersion {
  svn: number;
  signed: boolean;
  failContinue: boolean;
}

/** The largest value of each version part: the widths of the firmware's version fields. */
export const VERSION_PART_MAX: Readonly<FirmwareVersion> = { major: 0xff, minor: 0xff, build: 0xffff };

/**
 * Versions already parsed, by their text: a search builds an image for every `fw.update` it
 * tries, from the few versions its space names. Frozen, so every caller can share one.
 */
const PARSED = new Map<string, Readonly<FirmwareVersion> | undefined>();

/** Parse 'major.minor.build'; undefined when malformed. */
export function parseVersion(version: string): Readonly<FirmwareVersion> | undefined {
  if (PARSED.has(version)) return PARSED.get(version);
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  let v: Readonly<FirmwareVersion> | undefined;
  if (m) {
    const [major, minor, build] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const max = VERSION_PART_MAX;
    if (major <= max.major && minor <= max.minor && build <= max.build)
      v = Object.freeze({ major, minor, build });
  }
  if (PARSED.size >= 256) PARSED.clear(); // texts from user input: keep the cache small
  PARSED.set(version, v);
  return v;
}

export function formatVersion(v: FirmwareVersion): string {
  return `${v.major}.${v.minor}.${v.build}`;
}

/** Compare two versions: negative, zero or positive. */
export function compareVersion(a: FirmwareVersion, b: FirmwareVersion): number {
  return a.major - b.major || a.minor - b.minor || a.build - b.build;
}

/**
 * The SNP SVN an image carries when none is given. It rises with every API minor, and sits where
 * real images sit relative to the AMD-SB-3023 SEV-ES cut-off that Linux 7.2 checks
 * (docs/reference/linux-ccp.md §3.5): Zen 3/4 images at minor − 30 (1.55.x → 0x19, below 0x1B; 1.57+ at or
 * above it), Zen 5 images at minor − 55 (1.58.x → 0x03, below 0x04; 1.59+ at or above it).
 */
export function defaultSvn(v: FirmwareVersion, layout: TcbLayout = 'zen3-4'): number {
  return Math.max(0, v.minor - (layout === 'zen5' ? 55 : 30));
}

export function encodeFirmwareImage(spec: FirmwareImageSpec): Uint8Array {
  const v = parseVersion(spec.version);
  if (!v) throw new RangeError(`firmware image version must be 'major.minor.build', got '${spec.version}'`);
  return Header.encode({
    magic: FIRMWARE_IMAGE_MAGIC,
    major: v.major,
    minor: v.minor,
    build: v.build,
    svn: spec.svn ?? defaultSvn(v, spec.tcbLayout),
    signed: spec.signed === false ? 0 : 1,
    failContinue: spec.failContinue ? 1 : 0,
  });
}

/** The image header, or undefined when the bytes are too short or the magic is wrong. */
export function decodeFirmwareImage(bytes: Uint8Array): FirmwareImage | undefined {
  if (bytes.length < FIRMWARE_IMAGE_SIZE) return undefined;
  const h = Header.decode(bytes);
  if (h.magic !== FIRMWARE_IMAGE_MAGIC) return undefined;
  return {
    major: h.major,
    minor: h.minor,
    build: h.build,
    svn: h.svn,
    signed: h.signed === 1,
    failContinue: h.failContinue === 1,
  };
}
