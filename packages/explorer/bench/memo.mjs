// Per-layer transition memoisation, measured before it is built (prints numbers, asserts nothing;
// run after `pnpm build`, imports ../dist). Memoising a layer step means: key = the state of the
// layer and of every layer below it that the step can read, plus the step's input; on a hit, the
// recorded effect is restored instead of running the step. It can only pay where a step meets a
// (state, input) pair it has met before in the same configuration. This counts, per layer, how
// often that happens in the real search of the sampled configurations (breadth-first over
// `actionsAt`, each distinct state expanded once: the states and transitions of `exploreConfig`,
// printed side by side), and which share of the layer's time those repeated calls take (the most
// a memo could save, before the cost of its key and of restoring the effect).
//
// Two keys. The layers' own `fingerprint()`s are symmetric (handles, page numbers and VM ids left
// out) and partly counts (the RMP enters as page-state counts): two calls with one fingerprint key
// may still differ, so its rate is an upper bound for any exact key. The structural key hashes
// every value reachable from the layers' objects (insertion orders and object identity included):
// equal keys mean identical inputs to deterministic code, what a sound memo could use.
//
// Layers and keys: the scenario step (the whole world); kvm-amd (`KvmAmd` methods: kvm-amd + ccp
// + firmware + machine); ccp (`Ccp` methods: ccp + firmware + machine); firmware (the mailbox,
// `Psp.command`: firmware + machine). Only a layer's outermost calls count (a call within the same
// layer is part of the step). The machine's methods are single register or table operations with
// nothing below them to save. Keys are computed in a first pass and the CPU time measured in a
// second, identical pass without them, so hashing does not distort the times.
import { Fingerprint } from '@sevsim/hardware';
import { openSession } from '@sevsim/scenario';
import {
  actionsAt,
  configsOf,
  defaultSpace,
  exploreConfig,
  LAYER_FACTS,
  parseKernelChoice,
} from '../dist/index.js';

/** CPU milliseconds of this process (the machine may be shared: wall time would count others' work). */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const KERNEL = process.env.MEMO_KERNEL ?? '7.2';
const STEP = Number(process.env.MEMO_STEP ?? 16);
const LAYERS = [
  { name: 'scenario step', below: ['kvm', 'ccp', 'psp', 'machine', 'ctx'] },
  { name: 'kvm-amd', below: ['kvm', 'ccp', 'psp', 'machine'], world: 'kvm' },
  { name: 'ccp', below: ['ccp', 'psp', 'machine'], world: 'ccp' },
  { name: 'firmware', below: ['psp', 'machine'], world: 'psp' },
];

const argsText = (args) =>
  JSON.stringify(args, (_, v) =>
    typeof v === 'bigint'
      ? `${v}n`
      : ArrayBuffer.isView(v)
        ? [...new Uint8Array(v.buffer, v.byteOffset, v.byteLength)]
        : v,
  );

function fingerprintKey(session, layer, method, args) {
  const world = session.world;
  const f = new Fingerprint();
  if (layer.world === undefined) f.str(session.fingerprint().join(':'));
  else
    for (const l of layer.below) {
      if (world[l]) world[l].fingerprint(f.int(1));
      else f.int(0);
    }
  return f.str(method).str(argsText(args)).digest().join(':');
}

/** Frozen values are never changed (the fork contract shares them): hashed once. */
const frozenDigests = new WeakMap();

function structuralKey(world, layer, method, args) {
  const digestOf = (root) => {
    const f = new Fingerprint();
    const ids = new Map();
    const walk = (v) => {
      if (v === null || v === undefined) return f.int(v === null ? 1 : 2);
      switch (typeof v) {
        case 'number':
          return Number.isInteger(v) ? f.int(3).num(v) : f.int(4).str(String(v));
        case 'string':
          return f.int(5).str(v);
        case 'boolean':
          return f.int(6).bool(v);
        case 'bigint':
          return f.int(7).str(v.toString());
        case 'function':
          return f.int(8);
      }
      const id = ids.get(v);
      if (id !== undefined) return f.int(9).int(id);
      ids.set(v, ids.size);
      if (v !== root && Object.isFrozen(v)) {
        let d = frozenDigests.get(v);
        if (!d) {
          d = digestOf(v);
          frozenDigests.set(v, d);
        }
        return f.int(16).int(d[0]).int(d[1]);
      }
      if (v instanceof ArrayBuffer) return f.int(10).bytes(new Uint8Array(v));
      if (ArrayBuffer.isView(v)) {
        f.int(11).str(v.constructor.name).int(v.byteOffset).int(v.byteLength);
        return walk(v.buffer);
      }
      if (v instanceof Map) {
        f.int(12).int(v.size);
        for (const [k, x] of v) {
          walk(k);
          walk(x);
        }
        return f;
      }
      if (v instanceof Set) {
        f.int(13).int(v.size);
        for (const x of v) walk(x);
        return f;
      }
      if (Array.isArray(v)) {
        f.int(14).int(v.length);
        for (const x of v) walk(x);
        return f;
      }
      f.int(15).str(Object.getPrototypeOf(v)?.constructor?.name ?? '');
      for (const k of Object.keys(v)) {
        f.str(k);
        walk(v[k]);
      }
      return f;
    };
    walk(root);
    return f.digest();
  };
  const d = digestOf(layer.below.map((l) => world[l]));
  return new Fingerprint().int(d[0]).int(d[1]).str(method).str(argsText(args)).digest().join(':');
}

/** Per layer: calls, repeats by each key, time in all calls and in repeated ones. */
const stats = LAYERS.map(() => ({ calls: 0, ms: 0, hits: [], exactHits: [], hitMs: 0, exactMs: 0 }));
let pass = 'keys';
let current = null;
/** True while keys are computed: the layers' `fingerprint()`s may call their own methods. */
let keying = false;
let keyUs = 0;
let keys = 0;
const seenKeys = LAYERS.map(() => [new Set(), new Set()]);

/** Counts one outermost call of layer `i` and runs it (keys in the first pass, time in the second). */
function count(i, method, args, run) {
  const st = stats[i];
  if (pass === 'keys') {
    const [fp, ex] = seenKeys[i];
    keying = true;
    const a = fingerprintKey(current, LAYERS[i], method, args);
    const t = cpuMs();
    const b = structuralKey(current.world, LAYERS[i], method, args);
    keyUs += (cpuMs() - t) * 1000;
    keying = false;
    keys++;
    st.hits.push(fp.has(a));
    st.exactHits.push(ex.has(b));
    fp.add(a);
    ex.add(b);
    return run();
  }
  const n = st.calls++;
  const t0 = cpuMs();
  try {
    return run();
  } finally {
    const ms = cpuMs() - t0;
    st.ms += ms;
    if (st.hits[n]) st.hitMs += ms;
    if (st.exactHits[n]) st.exactMs += ms;
  }
}

const depth = LAYERS.map(() => 0);
function hook(proto, i) {
  for (const name of Object.getOwnPropertyNames(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    if (name === 'constructor' || name === 'fingerprint' || typeof d.value !== 'function') continue;
    const original = d.value;
    proto[name] = function (...args) {
      if (current === null || keying || depth[i] > 0) return original.apply(this, args);
      depth[i]++;
      try {
        return count(i, name, args, () => original.apply(this, args));
      } finally {
        depth[i]--;
      }
    };
  }
}

const kindOf = (label) => {
  const w = label.split(' ');
  return w[0] === 'vm.start' ? `${w[0]} ${w[1]}` : w[0] === 'modprobe' || w[0] === 'rmmod' ? label : w[0];
};

const space = defaultSpace(parseKernelChoice(KERNEL));
const configs = configsOf(space, LAYER_FACTS).filter((_, i) => i % STEP === 0);
let hooked = false;

/** The search of one configuration, every step counted; returns states and per-action figures. */
function search(c, byAction) {
  for (const s of seenKeys) for (const x of s) x.clear();
  const root = openSession({ machine: c.machine, kernel: c.kernel }, { quiet: true });
  const seen = new Set([root.fingerprint().join(':')]);
  const queue = [root];
  let transitions = 0;
  while (queue.length > 0) {
    const here = queue.shift();
    const from = here.fingerprint().join(':');
    let t = cpuMs();
    const acts = actionsAt(here, space);
    if (pass === 'time') engine.actions += cpuMs() - t;
    for (const act of acts) {
      t = cpuMs();
      const s = here.fork();
      if (pass === 'time') engine.fork += cpuMs() - t;
      const kind = kindOf(act.label);
      byAction[kind] ??= { n: 0, self: 0, known: 0, ms: 0 };
      const a = byAction[kind];
      transitions++;
      const t0 = cpuMs();
      current = s;
      try {
        for (const step of act.steps) {
          if (!hooked && s.world.kvm && s.world.ccp) {
            hook(Object.getPrototypeOf(s.world.kvm), 1);
            hook(Object.getPrototypeOf(s.world.ccp), 2);
            hook(Object.getPrototypeOf(s.world.psp), 3);
            hooked = true;
          }
          count(0, step.op, [step], () => s.apply(step));
        }
      } catch {
        continue;
      } finally {
        current = null;
        if (pass === 'time') a.ms += cpuMs() - t0;
      }
      t = cpuMs();
      const k = s.fingerprint().join(':');
      if (pass === 'time') engine.fingerprint += cpuMs() - t;
      if (pass === 'time') {
        a.n++;
        if (k === from) a.self++;
        if (seen.has(k)) a.known++;
      }
      if (!seen.has(k)) {
        seen.add(k);
        queue.push(s);
      }
    }
  }
  return { states: seen.size, transitions };
}

const byAction = {};
/** The engine's own work in the timed pass: milliseconds in `actionsAt`, `fork()` and `fingerprint()`. */
const engine = { actions: 0, fork: 0, fingerprint: 0 };
const total = { states: 0, transitions: 0, engineStates: 0, engineTransitions: 0 };
for (const c of configs) {
  pass = 'keys';
  search(c, {});
  pass = 'time';
  for (const st of stats) st.calls = 0;
  const r = search(c, byAction);
  for (const st of stats) {
    st.total = (st.total ?? 0) + st.calls;
    st.hitCount = (st.hitCount ?? 0) + st.hits.filter(Boolean).length;
    st.exactCount = (st.exactCount ?? 0) + st.exactHits.filter(Boolean).length;
    st.hits = [];
    st.exactHits = [];
  }
  total.states += r.states;
  total.transitions += r.transitions;
  const e = exploreConfig(space, c);
  total.engineStates += e.states;
  total.engineTransitions += e.transitions;
}

const pct = (n, of) => `${((n / of) * 100).toFixed(1).padStart(5)} %`;
console.log(
  `\nper-layer memoisation, measured (mainline-${KERNEL}, every ${STEP}th configuration: ${configs.length}; this search: ${total.states} states, ${total.transitions} transitions; exploreConfig: ${total.engineStates} states, ${total.engineTransitions} transitions)`,
);
console.log(
  '  layer              calls   repeated (state, input) and their share of the layer time   layer time',
);
console.log('                             fingerprint key          structural (exact) key');
for (const [i, l] of LAYERS.entries()) {
  const s = stats[i];
  console.log(
    `  ${l.name.padEnd(14)} ${String(s.total).padStart(8)}   ${pct(s.hitCount, s.total)} (${pct(s.hitMs, s.ms)})      ${pct(s.exactCount, s.total)} (${pct(s.exactMs, s.ms)})         ${s.ms.toFixed(0)} ms`,
  );
}
console.log(
  `  an exact key costs ${(keyUs / keys).toFixed(0)} µs per call (mean of ${keys} calls; a transition makes ${(keys / total.transitions).toFixed(1)})`,
);
const actMs = Object.values(byAction).reduce((t, a) => t + a.ms, 0);
const us = (ms) => ((ms / total.transitions) * 1000).toFixed(0);
console.log(
  `  per transition: layers ${us(actMs)} µs, fork ${us(engine.fork)} µs, fingerprint ${us(engine.fingerprint)} µs, actionsAt ${us(engine.actions)} µs`,
);
console.log(
  '  action             transitions   self-loops   to a known state   share of layer time   µs each',
);
for (const [kind, a] of Object.entries(byAction).sort((x, y) => y[1].ms - x[1].ms))
  console.log(
    `  ${kind.padEnd(17)} ${String(a.n).padStart(11)}      ${pct(a.self, a.n)}        ${pct(a.known, a.n)}             ${pct(a.ms, actMs)}    ${((a.ms / a.n) * 1000).toFixed(0).padStart(6)}`,
  );
