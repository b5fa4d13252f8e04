/**
 * The ASID space 1 … CPUID 0x8000001F ECX as KVM partitioned it (docs/reference/linux-kvm-amd.md §2.5):
 * one lane per range (SNP, SEV-ES, SEV; the first two share a pool unless ciphertext hiding
 * split them), and one lane for KVM's bitmaps: allocated (in use) and reclaim (freed, dirty
 * until the next DF_FLUSH, docs/reference/linux-kvm-amd.md §4.7).
 */
import type { AsidRange, State } from '@sevsim/scenario/trace';
import { asidRanges } from './format.js';

const WIDTH = 560;
const LANE_H = 14;
const LABEL_W = 64;

interface Lane {
  readonly name: string;
  readonly range: AsidRange;
  readonly cls: string;
}

function rangeText(r: AsidRange): string {
  return r.min <= r.max && r.max > 0 ? `${r.min}–${r.max}` : `${r.min}–${r.max} (empty)`;
}

export function AsidBar({
  kvm,
  maxAsid,
  inUse,
  reclaim,
}: {
  kvm: State['kvm'];
  maxAsid: number;
  inUse: readonly number[];
  reclaim: readonly number[];
}) {
  const lanes: Lane[] = [
    { name: 'SNP', range: kvm.snp, cls: 'snp' },
    { name: 'SEV-ES', range: kvm.sevEs, cls: 'sev-es' },
    { name: 'SEV', range: kvm.sev, cls: 'sev' },
  ];
  const span = Math.max(maxAsid, 1);
  const px = (asid: number): number => LABEL_W + ((asid - 1) / span) * (WIDTH - LABEL_W);
  const tick = Math.max((WIDTH - LABEL_W) / span, 1.5);
  const held = new Set([...inUse, ...reclaim]);
  const free = Math.max(maxAsid - held.size, 0);
  const height = (lanes.length + 1) * (LANE_H + 6) + 16;
  return (
    <div className="asid-bar">
      <svg
        viewBox={`-2 0 ${WIDTH + 4} ${height}`}
        width="100%"
        preserveAspectRatio="xMinYMin meet"
        role="img"
        aria-label={`ASID space 1 to ${maxAsid}`}
      >
        {lanes.map((lane, i) => {
          const y = 4 + i * (LANE_H + 6);
          const usable =
            lane.range.status !== 'disabled' && lane.range.min <= lane.range.max && lane.range.max > 0;
          return (
            <g key={lane.name} className={`lane ${lane.cls} ${lane.range.status}`}>
              <text className="lane-label" x={0} y={y + LANE_H - 3}>
                {lane.name}
              </text>
              <rect className="track" x={LABEL_W} y={y} width={WIDTH - LABEL_W} height={LANE_H} />
              {usable && (
                <rect
                  className="range"
                  x={px(lane.range.min)}
                  y={y}
                  width={Math.max(px(lane.range.max + 1) - px(lane.range.min), 2)}
                  height={LANE_H}
                />
              )}
            </g>
          );
        })}
        <g className="lane used">
          <text x={0} y={4 + lanes.length * (LANE_H + 6) + LANE_H - 3}>
            ASIDs
          </text>
          <rect
            className="track"
            x={LABEL_W}
            y={4 + lanes.length * (LANE_H + 6)}
            width={WIDTH - LABEL_W}
            height={LANE_H}
          />
          {inUse.map((a) => (
            <rect
              key={`u${a}`}
              className="in-use"
              x={px(a)}
              y={4 + lanes.length * (LANE_H + 6)}
              width={tick}
              height={LANE_H}
            />
          ))}
          {reclaim.map((a) => (
            <rect
              key={`r${a}`}
              className="reclaim"
              x={px(a)}
              y={4 + lanes.length * (LANE_H + 6)}
              width={tick}
              height={LANE_H}
            />
          ))}
        </g>
        <text className="axis" x={LABEL_W} y={height - 2}>
          1
        </text>
        <text className="axis" x={WIDTH} y={height - 2} textAnchor="end">
          {maxAsid}
        </text>
      </svg>
      <dl className="asid-legend">
        {lanes.map((lane) => (
          <div key={lane.name} className={lane.cls}>
            <dt>{lane.name}</dt>
            <dd>
              {lane.range.status} {rangeText(lane.range)}
            </dd>
          </div>
        ))}
        <div className="in-use">
          <dt>allocated</dt>
          <dd data-testid="asids-in-use">{asidRanges(inUse)}</dd>
        </div>
        <div className="reclaim">
          <dt>reclaim (dirty)</dt>
          <dd data-testid="asids-reclaim">{asidRanges(reclaim)}</dd>
        </div>
        <div>
          <dt>free</dt>
          <dd data-testid="asids-free">{free}</dd>
        </div>
      </dl>
    </div>
  );
}
