import type { RmpUnaligned, SnpMemoryCoverage } from './config.js';

export const PAGE_SIZE = 4096;
export const PAGES_PER_2M = 512;
/** First 16 KB at RMP_BASE: CPU bookkeeping and the firmware's per-ASID counters (docs/reference/psp-firmware.md §5.1). */
export const RMP_BOOKKEEPING_BYTES = 0x4000;
/** One 16-byte RMP entry per 4 KB page (docs/reference/psp-firmware.md §5.1). */
export const RMP_ENTRY_BYTES = 16;
/** Segmented RMP: the 4 KB RMP Segment Table follows the bookkeeping area (docs/reference/psp-firmware.md §5.1). */
export const RST_BYTES = 4096;
export const RST_MAX_ENTRIES = 512;
const MB = 1 << 20;
const GIB = 2 ** 30;

/** Segment shift the modelled BIOS programs into RMP_CFG[13:8] (0x24 = 64 GB, docs/reference/psp-firmware.md §5.1). */
export const DEFAULT_SEGMENT_SHIFT = 0x24;
/** CPUID 0x80000025 EAX bounds of the modelled Zen 5 (see README Decisions). */
export const SEGMENT_SHIFT_MIN = 30;
export const SEGMENT_SHIFT_MAX = 52;

export interface RmpSegment {
  /** RST index; the segment covers [index << shift, index << shift + coveredBytes). */
  readonly index: number;
  readonly coveredBase: number;
  readonly coveredBytes: number;
  /** Physical address of this segment's RMP entries (1 MB aligned). */
  readonly rmpPa: number;
  readonly rmpBytes: number;
}

/** Host RAM as the BIOS's e820 map lists it: [start, end) in bytes. */
export interface RamRange {
  readonly start: number;
  readonly end: number;
}

export interface RmpPlacement {
  readonly reserved: boolean;
  readonly segmented: boolean;
  /** Reserved region [base, end] (inclusive); for a contiguous RMP these are the MSR values. */
  readonly base: number;
  readonly end: number;
  readonly coveredBytes: number;
  readonly segmentShift: number;
  readonly segments: readonly RmpSegment[];
  readonly msrBase: bigint;
  readonly msrEnd: bigint;
  readonly msrCfg: bigint;
  /** Host RAM around the reserved region, in address order (the e820 RAM entries). */
  readonly ram: readonly RamRange[];
}

function roundUp(v: number, to: number): number {
  return Math.ceil(v / to) * to;
}

function rmpBytesFor(coveredBytes: number): number {
  return (coveredBytes / PAGE_SIZE) * RMP_ENTRY_BYTES;
}

/**
 * Where the BIOS puts the RMP: carved from the top of DRAM, a multiple of 1 MB as the firmware
 * requires (docs/reference/psp-firmware.md §5.1) and 2 MB aligned at both ends unless `unaligned`
 * names an end to put on an odd megabyte: an unaligned end leaves 1 MB of RAM above the table, an
 * unaligned start makes the table an odd number of megabytes (docs/reference/linux-ccp.md §7.3).
 * 'partial' reserves a table for only half of DRAM.
 */
export function placeRmp(
  dramBytes: number,
  coverage: SnpMemoryCoverage,
  reserve: boolean,
  segmented: boolean,
  unaligned: RmpUnaligned = 'none',
): RmpPlacement {
  if (!reserve || coverage === 'none') {
    return {
      reserved: false,
      segmented: false,
      base: 0,
      end: 0,
      coveredBytes: 0,
      segmentShift: 0,
      segments: [],
      msrBase: 0n,
      msrEnd: 0n,
      msrCfg: 0n,
      ram: [{ start: 0, end: dramBytes }],
    };
  }
  if (!segmented) {
    const coverTarget = coverage === 'full' ? dramBytes : dramBytes / 2;
    const endOdd = unaligned === 'end' || unaligned === 'both';
    const startOdd = unaligned === 'start' || unaligned === 'both';
    // One extra MB makes the size odd: with an aligned top the start lands on an odd MB, with an
    // odd top (1 MB of RAM above) it brings the start back to an even one.
    const size =
      roundUp(RMP_BOOKKEEPING_BYTES + rmpBytesFor(coverTarget), 2 * MB) + (startOdd !== endOdd ? MB : 0);
    const top = dramBytes - (endOdd ? MB : 0);
    const base = top - size;
    const coveredBytes = ((size - RMP_BOOKKEEPING_BYTES) / RMP_ENTRY_BYTES) * PAGE_SIZE;
    return {
      reserved: true,
      segmented: false,
      base,
      end: top - 1,
      coveredBytes,
      segmentShift: 52,
      segments: [
        {
          index: 0,
          coveredBase: 0,
          coveredBytes,
          rmpPa: base + RMP_BOOKKEEPING_BYTES,
          rmpBytes: size - RMP_BOOKKEEPING_BYTES,
        },
      ],
      msrBase: BigInt(base),
      msrEnd: BigInt(top - 1),
      msrCfg: 0n,
      ram:
        top < dramBytes
          ? [
              { start: 0, end: base },
              { start: top, end: dramBytes },
            ]
          : [{ start: 0, end: base }],
    };
  }
  const shift = DEFAULT_SEGMENT_SHIFT;
  const segSize = 2 ** shift;
  const coverTarget = coverage === 'full' ? dramBytes : Math.floor(dramBytes / 2 / GIB) * GIB;
  const spans: { index: number; coveredBase: number; coveredBytes: number }[] = [];
  for (let index = 0; index * segSize < coverTarget; index++) {
    const coveredBase = index * segSize;
    spans.push({ index, coveredBase, coveredBytes: Math.min(segSize, coverTarget - coveredBase) });
  }
  // Layout inside the region: bookkeeping + RST (rounded to 1 MB), then each segment 1 MB aligned.
  let offset = roundUp(RMP_BOOKKEEPING_BYTES + RST_BYTES, MB);
  const offsets: number[] = [];
  for (const s of spans) {
    offsets.push(offset);
    offset = roundUp(offset + rmpBytesFor(s.coveredBytes), MB);
  }
  const size = roundUp(offset, 2 * MB);
  const base = dramBytes - size;
  const segments = spans.map((s, i) => ({
    ...s,
    rmpPa: base + (offsets[i] as number),
    rmpBytes: rmpBytesFor(s.coveredBytes),
  }));
  return {
    reserved: true,
    segmented: true,
    base,
    end: dramBytes - 1,
    coveredBytes: coverTarget,
    segmentShift: shift,
    segments,
    msrBase: BigInt(base),
    // RMP_END should be 0 with a segmented RMP (docs/reference/psp-firmware.md §5.1).
    msrEnd: 0n,
    msrCfg: 1n | (BigInt(shift) << 8n),
    ram: [{ start: 0, end: base }],
  };
}

/** RST entry: bits 19:0 = GB mapped by the segment, bits 51:20 = segment PA (docs/reference/psp-firmware.md §5.1). */
export function encodeRstEntry(s: RmpSegment): bigint {
  return BigInt(s.rmpPa) | BigInt(Math.ceil(s.coveredBytes / GIB));
}
