/**
 * The firmware's platform state machines as small diagrams, current state lit, drawn from the
 * tables the firmware runs on (`STATE_MACHINES`, passed on as data by `@sevsim/scenario/trace`):
 * legacy SEV (docs/reference/psp-firmware.md §2.1 `state_tbl_sev`) and SNP
 * (docs/reference/psp-firmware.md §3.1 `state_tbl_snp`). Only state changes are drawn; a command
 * accepted without changing the state (PDH_GEN, SNP_GCTX_CREATE, …) is not an edge.
 */
import { STATE_MACHINES, type StateMachine as StateTable } from '@sevsim/scenario/trace';

export interface Edge {
  readonly from: string;
  readonly to: string;
  /** The commands taking `from` to `to`, each with its condition (`when`) if it has one. */
  readonly commands: readonly string[];
}

export interface Diagram {
  readonly title: string;
  /** In the order of the values the status commands report (UNINIT = 0, …). */
  readonly states: readonly string[];
  readonly edges: readonly Edge[];
}

/** One edge per (from, to) pair of the table's rows that change the state, in row order. */
export function diagramOf<S extends string>(m: StateTable<S>): Diagram {
  const states = (Object.entries(m.states) as [S, number][]).sort((a, b) => a[1] - b[1]).map(([s]) => s);
  const edges = new Map<string, { from: S; to: S; commands: string[] }>();
  for (const t of m.transitions) {
    if (t.to === undefined) continue;
    const command = t.when ? `${t.cmd} (${t.when})` : t.cmd;
    for (const from of t.from) {
      const key = `${from}→${t.to}`;
      const edge = edges.get(key) ?? { from, to: t.to, commands: [] };
      edge.commands.push(command);
      edges.set(key, edge);
    }
  }
  return { title: m.name, states, edges: [...edges.values()] };
}

export const SEV_DIAGRAM = diagramOf(STATE_MACHINES.SEV_PLATFORM);
export const SNP_DIAGRAM = diagramOf(STATE_MACHINES.SNP_PLATFORM);

const NODE_W = 84;
const NODE_H = 32;
const GAP = 96;
/** Node row centre: room above for self-loops and their labels. */
const Y = 80;
const LINE = 11;
/** How far an edge between non-adjacent states dips below the row per state it passes under. */
const DIP = 40;

interface Drawn {
  readonly d: string;
  /** Label anchor; lines stack up from it (`up`) or down from it. */
  readonly lx: number;
  readonly ly: number;
  readonly up: boolean;
}

/**
 * Adjacent states: an arc between facing sides, above going right, below going left. Further
 * apart: bottom to bottom, under the states between. Same state: a loop over the node.
 */
function draw(e: Edge, x: (s: string) => number, index: (s: string) => number): Drawn {
  const span = index(e.to) - index(e.from);
  if (span === 0) {
    const cx = x(e.from) + NODE_W / 2;
    const top = Y - NODE_H / 2;
    return {
      d: `M${cx - 14},${top} C${cx - 34},${top - 38} ${cx + 34},${top - 38} ${cx + 14},${top}`,
      lx: cx,
      ly: top - 34,
      up: true,
    };
  }
  if (Math.abs(span) === 1) {
    const forward = span > 0;
    const x1 = x(e.from) + (forward ? NODE_W : 0);
    const x2 = x(e.to) + (forward ? 0 : NODE_W);
    const y = Y + (forward ? -8 : 8);
    const cy = forward ? y - 22 : y + 22;
    return {
      d: `M${x1},${y} Q${(x1 + x2) / 2},${cy} ${x2},${y}`,
      lx: (x1 + x2) / 2,
      ly: forward ? cy + 4 : cy + 6,
      up: forward,
    };
  }
  const bottom = Y + NODE_H / 2;
  const toward = span > 0 ? 12 : -12;
  const x1 = x(e.from) + NODE_W / 2 + toward;
  const x2 = x(e.to) + NODE_W / 2 - toward;
  // A quadratic curve's apex lies halfway to its control point.
  const apex = bottom + DIP * (Math.abs(span) - 1);
  return {
    d: `M${x1},${bottom} Q${(x1 + x2) / 2},${2 * apex - bottom} ${x2},${bottom}`,
    lx: (x1 + x2) / 2,
    ly: apex + LINE,
    up: false,
  };
}

export function StateMachine({
  machine,
  current,
  changed,
}: {
  machine: Diagram;
  current: string;
  changed: boolean;
}) {
  const index = (state: string): number => machine.states.indexOf(state);
  const x = (state: string): number => 10 + index(state) * (NODE_W + GAP);
  const width = 20 + machine.states.length * NODE_W + (machine.states.length - 1) * GAP;
  const drawn = machine.edges.map((e) => ({ e, ...draw(e, x, index) }));
  const height = Math.max(
    Y + NODE_H,
    ...drawn.map(({ e, ly, up }) => (up ? 0 : ly + (e.commands.length - 1) * LINE + 4)),
  );
  const id = machine.title.replace(/\W/g, '-');
  return (
    <figure className={`state-machine ${changed ? 'changed' : ''}`} data-current={current}>
      <figcaption>
        {machine.title}: <strong>{current}</strong>
      </figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
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
        {drawn.map(({ e, d, lx, ly, up }) => {
          const n = e.commands.length;
          return (
            <g key={`${e.from}-${e.to}`} className="edge" data-from={e.from} data-to={e.to}>
              <title>{`${e.from} → ${e.to}: ${e.commands.join(', ')}`}</title>
              <path d={d} markerEnd={`url(#arrow-${id})`} />
              <text x={lx} y={ly} textAnchor="middle">
                {e.commands.map((c, i) => (
                  <tspan key={c} x={lx} y={up ? ly - (n - 1 - i) * LINE : ly + i * LINE}>
                    {c}
                  </tspan>
                ))}
              </text>
            </g>
          );
        })}
        {machine.states.map((s) => (
          <g key={s} className={s === current ? 'node current' : 'node'}>
            <rect x={x(s)} y={Y - NODE_H / 2} width={NODE_W} height={NODE_H} rx={8} />
            <text x={x(s) + NODE_W / 2} y={Y + 5} textAnchor="middle">
              {s}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}
