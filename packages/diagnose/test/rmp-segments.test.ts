/**
 * A segmented RMP's layout read from the 6.14+ lines (x86/sev segmented-RMP series; Linux v6.14
 * arch/x86/virt/svm/sev.c prints RMP_BASE, RMP_CFG's segment size and each RST entry with the
 * memory it maps, docs/reference/linux-ccp.md §7.1 step 2) into machine.bios.rmpSegments. Real log:
 * AMD's README "Verify" output (fixtures/amdsev-readme-turin-segmented-rmp.log). The model's DRAM
 * is one range from 0, so a layout with a table above the memory the segments map from 0 is not
 * read (a note says why) rather than making the reconstructed scenario invalid (exit 2).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnose, readLog } from '../src/index';
import { FIXTURES } from './corpus';

const README = readFileSync(`${FIXTURES}amdsev-readme-turin-segmented-rmp.log`, 'utf8');

describe('segmented RMP layout from the log', () => {
  it("reads AMD's README layout: RMP_BASE, 128 GB segments, segments 0, 8 and 9", () => {
    const d = diagnose(readLog(README)).json;
    expect(d.inferred.find((x) => x.path === 'machine.bios.rmpSegments')).toMatchObject({
      value: {
        segmentGiB: 128,
        base: 0x9ba00000,
        segments: [
          { index: 0, at: 0x8800000, mappedGiB: 34 },
          { index: 8, at: 0x55b00000, mappedGiB: 128 },
          { index: 9, at: 0x35a00000, mappedGiB: 128 },
        ],
      },
      from: { line: 5 },
    });
    expect(d.inferred.find((x) => x.path === 'machine.memoryGiB')).toMatchObject({
      value: 34,
      assumed: true,
    });
    expect(d.replay.matched).toBe(9);
  });

  it('leaves a layout the model cannot hold to the preset, with a note, instead of exit 2', () => {
    // Segment 9's table moved to 40 GB, above the 34 GB segment 0 maps from 0.
    const moved = README.replace(
      'RMP segment 9 physical address [0x35a00000 - 0x559fffff]',
      'RMP segment 9 physical address [0xa00000000 - 0xa1fffffff]',
    );
    expect(moved).not.toBe(README);
    const d = diagnose(readLog(moved)).json;
    expect(d.inferred.some((x) => x.path === 'machine.bios.rmpSegments')).toBe(false);
    expect(d.notes).toContain(
      "the segmented-RMP lines (line 5, line 6, line 7) are not read into machine.bios.rmpSegments: a table lies above the 34 GB the segments map from 0, where the model has no DRAM; the replay uses the CPU preset's layout",
    );
  });
});
