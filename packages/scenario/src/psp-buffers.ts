/**
 * Command buffers for raw `psp:` steps: which Linux struct each firmware command takes
 * (include/linux/psp-sev.h, as encoded by @sevsim/firmware's codecs). A step's keys other than
 * `cmd` are the struct's fields; unlisted fields and reserved bytes are zero.
 */
import { type AnyStructCodec, COMMAND_BUFFERS, Cmd, type CmdName, cmdName, struct } from '@sevsim/psp-abi';

/** Commands that take no buffer (the mailbox gets a zero-length one). */
const NONE = struct('(no buffer)', 0, {});
const NO_BUFFER: readonly CmdName[] = [
  'SHUTDOWN',
  'FACTORY_RESET',
  'PEK_GEN',
  'PDH_GEN',
  'DF_FLUSH',
  'SNP_INIT',
  'SNP_SHUTDOWN',
  'SNP_DF_FLUSH',
];

/** Every command a `psp:` step may name, in command-id order, with the struct its fields fill. */
export const PSP_BUFFERS: Readonly<Record<string, AnyStructCodec>> = Object.fromEntries(
  [...NO_BUFFER.map((name) => [Cmd[name], NONE] as const), ...COMMAND_BUFFERS]
    .sort(([a], [b]) => a - b)
    .map(([id, codec]) => [cmdName(id) ?? `0x${id.toString(16)}`, codec]),
);

/**
 * For the two download commands a step may name the image instead of its address:
 * `image: "1.55.30"` writes a simulated image into host memory and fills address and length.
 */
export const IMAGE_FIELD = 'image';
export const DOWNLOAD_COMMANDS = ['DOWNLOAD_FIRMWARE', 'SNP_DOWNLOAD_FIRMWARE_EX'] as const;

export function pspFieldNames(cmd: string): string[] | undefined {
  const codec = PSP_BUFFERS[cmd];
  if (!codec) return undefined;
  const names = Object.keys(codec.fields);
  return (DOWNLOAD_COMMANDS as readonly string[]).includes(cmd) ? [...names, IMAGE_FIELD] : names;
}

/** A field's width in bits: the bits its byte masks cover (`u32` 32, `bits(…, 0, 2)` 2, `u64` 64). */
export function pspFieldBits(cmd: string, field: string): number | undefined {
  const codec = PSP_BUFFERS[cmd];
  if (!codec || !Object.hasOwn(codec.fields, field)) return undefined;
  let n = 0;
  for (const byte of codec.fields[field]!.mask) for (let b = byte; b > 0; b >>= 1) n += b & 1;
  return n;
}
