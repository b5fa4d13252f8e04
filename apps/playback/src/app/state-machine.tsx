/**
 * The firmware's platform state machines as small diagrams, current state lit:
 * legacy SEV UNINIT → INIT → WORKING (docs/reference/psp-firmware.md §2.1 `state_tbl_sev`) and
 * SNP UNINIT ⇄ INIT (docs/reference/psp-firmware.md §3.1 `state_tbl_snp`).
 */

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
  /** Bend: 0 straight; positive arcs above, negative below. */
  readonly bend: number;
}

interface Machine {
  readonly title: string;
  readonly states: readonly string[];
  readonly edges: readonly Edge[];
}

export const SEV_MACHINE: Machine = {
  title: 'SEV platform',
  states: ['UNINIT', 'INIT', 'WORKING'],
  edges: [
    { from: 'UNINIT', to: 'INIT', label: 'INIT / INIT_EX', bend: 22 },
    { from: 'INIT', to: 'UNINIT', label: 'SHUTDOWN', bend: -22 },
    { from: 'INIT', to: 'WORKING', label: 'LAUNCH_START', bend: 22 },
    { from: 'WORKING', to: 'INIT', label: 'DECOMMISSION (last)', bend: -22 },
  ],
};

export const SNP_MACHINE: Machine = {
  title: 'SNP platform',
  states: ['UNINIT', 'INIT'],
  edges: [
    { from: 'UNINIT', to: 'INIT', label: 'SNP_INIT / SNP_INIT_EX', bend: 22 },
    { from: 'INIT', to: 'UNINIT', label: 'SNP_SHUTDOWN(_EX)', bend: -22 },
  ],
};

const NODE_W = 84;
const GAP = 80;
const Y = 52;

export function StateMachine({
  machine,
  current,
  changed,
}: {
  machine: Machine;
  current: string;
  changed: boolean;
}) {
  const x = (state: string): number => 10 + machine.states.indexOf(state) * (NODE_W + GAP);
  const width = 20 + machine.states.length * NODE_W + (machine.states.length - 1) * GAP;
  const id = machine.title.replace(/\W/g, '-');
  return (
    <figure className={`state-machine ${changed ? 'changed' : ''}`} data-current={current}>
      <figcaption>
        {machine.title}: <strong>{current}</strong>
      </figcaption>
      <svg
        viewBox={`0 0 ${width} 104`}
        width={width}
        height={104}
        role="img"
        aria-label={`${machine.title} state ${current}`}
      >
        <defs>
          <marker
            id={`arrow-${id}`}
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" className="arrow-head" />
          </marker>
        </defs>
        {machine.edges.map((e) => {
          const forward = x(e.to) > x(e.from);
          const x1 = x(e.from) + (forward ? NODE_W : 0);
          const x2 = x(e.to) + (forward ? 0 : NODE_W);
          const y = Y + (e.bend > 0 ? -8 : 8);
          const mid = (x1 + x2) / 2;
          const cy = y - e.bend;
          return (
            <g key={`${e.from}-${e.to}`} className="edge">
              <path d={`M${x1},${y} Q${mid},${cy} ${x2},${y}`} markerEnd={`url(#arrow-${id})`} />
              <text x={mid} y={e.bend > 0 ? cy + 4 : cy + 6} textAnchor="middle">
                {e.label}
              </text>
            </g>
          );
        })}
        {machine.states.map((s) => (
          <g key={s} className={s === current ? 'node current' : 'node'}>
            <rect x={x(s)} y={Y - 16} width={NODE_W} height={32} rx={8} />
            <text x={x(s) + NODE_W / 2} y={Y + 5} textAnchor="middle">
              {s}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}
