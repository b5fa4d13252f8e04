import type { RmpSegmentLayout, RmpUnaligned, SnpMemoryCoverage } from './config.js';

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
  /** The memory the BIOS reserved for the table, in address order: one region, or its pieces. */
  readonly tables: readonly RamRange[];
  /** Host RAM around the reserved region, in address order (the e820 RAM entries). */
  readonly ram: readonly RamRange[];
}

/** DRAM [0, dramBytes) less the reserved ranges (sorted, disjoint). */
function ramAround(dramBytes: number, tables: readonly RamRange[]): RamRange[] {
  const ram: RamRange[] = [];
  let at = 0;
  for (const t of tables) {
    if (t.start > at) ram.push({ start: at, end: t.start });
    at = t.end;
  }
  if (at < dramBytes) ram.push({ start: at, end: dramBytes });
  return ram;
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
  layout?: RmpSegmentLayout,
): RmpPlacement {
  if (layout !== undefined) return placeSegmentedRmp(dramBytes, layout);
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
      tables: [],
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
      tables: [{ start: base, end: top }],
      ram: ramAround(dramBytes, [{ start: base, end: top }]),
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
    tables: [{ start: base, end: dramBytes }],
    ram: [{ start: 0, end: base }],
  };
}

/**
 * A segmented RMP where the BIOS put it (`bios.rmpSegments`): the bookkeeping area and the RST
 * take the 2 MB at RMP_BASE (AMD's reference Turin log shows no RAM in the 2 MB chunk of the RST's
 * end), each segment's entries lie where its RST entry says, and the RAM between the pieces stays
 * RAM. The table covers memory from PA 0 as far as the segments from index 0 map it without a gap.
 */
function placeSegmentedRmp(dramBytes: number, layout: RmpSegmentLayout): RmpPlacement {
  const segSize = layout.segmentGiB * GIB;
  const segments = [...layout.segments]
    .sort((a, b) => a.index - b.index)
    .map((s) => ({
      index: s.index,
      coveredBase: s.index * segSize,
      coveredBytes: s.mappedGiB * GIB,
      rmpPa: s.at,
      rmpBytes: rmpBytesFor(s.mappedGiB * GIB),
    }));
  let coveredBytes = 0;
  for (const s of segments) {
    if (s.coveredBase !== coveredBytes) break;
    coveredBytes += s.coveredBytes;
    if (s.coveredBytes < segSize) break;
  }
  const tables = [
    { start: layout.base, end: layout.base + 2 * MB },
    ...segments.map((s) => ({ start: s.rmpPa, end: s.rmpPa + s.rmpBytes })),
  ].sort((a, b) => a.start - b.start);
  return {
    reserved: true,
    segmented: true,
    base: layout.base,
    end: layout.base + 2 * MB - 1,
    coveredBytes,
    segmentShift: Math.log2(segSize),
    segments,
    msrBase: BigInt(layout.base),
    msrEnd: 0n,
    msrCfg: 1n | (BigInt(Math.log2(segSize)) << 8n),
    tables,
    ram: ramAround(dramBytes, tables),
  };
}

/** RST entry: bits 19:0 = GB mapped by the segment, bits 51:20 = segment PA (docs/reference/psp-firmware.md §5.1). */
export function encodeRstEntry(s: RmpSegment): bigint {
  return BigInt(s.rmpPa) | BigInt(Math.ceil(s.coveredBytes / GIB));
}
