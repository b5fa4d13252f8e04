// Benchmarks of sevsim diagnose (prints numbers, asserts nothing). Run after `pnpm build`:
//  1. every corpus log diagnosed warm (second pass in one process): CPU seconds per log, the
//     fix-search replays it ran, and the ratio to the slowest;
//  2. a 100 MB log streamed through the reader: CPU seconds and the heap growth.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diagnose, readLog, readLogStreams } from '../dist/index.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../fixtures');
const sidecars = readdirSync(fixtures)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ name: f.slice(0, -5), side: JSON.parse(readFileSync(join(fixtures, f), 'utf8')) }));
const cpuSeconds = (f) => {
  const t = process.cpuUsage();
  const r = f();
  const d = process.cpuUsage(t);
  return { r, s: (d.user + d.system) / 1e6 };
};
const run = ({ side }) => {
  const log = readLog(side.logs.map((n) => ({ name: n, text: readFileSync(join(fixtures, n), 'utf8') })));
  return diagnose(log, side.options);
};

for (const c of sidecars) run(c); // warm-up
const rows = sidecars.map((c) => {
  const { r, s } = cpuSeconds(() => run(c));
  return { name: c.name, s, tried: r.fixesTried };
});
const max = Math.max(...rows.map((r) => r.s));
console.log('diagnose, warm, per corpus log (CPU seconds, fix-search replays, share of the slowest):');
for (const r of rows)
  console.log(
    `  ${r.name.padEnd(36)} ${r.s.toFixed(3)} s  ${String(r.tried).padStart(3)} replays  ${(r.s / max).toFixed(2)}`,
  );
const total = rows.reduce((a, r) => a + r.s, 0);
console.log(
  `  median ${[...rows].sort((a, b) => a.s - b.s)[Math.floor(rows.length / 2)].s.toFixed(3)} s, total ${total.toFixed(2)} s`,
);

globalThis.gc?.();
const heap0 = process.memoryUsage().heapUsed;
const filler = `${'[ 1.000000] usb 1-1: unrelated line of a busy host '.padEnd(120, '.')}\n`.repeat(8000);
async function* chunks() {
  for (let i = 0; i < 105; i++) {
    yield filler;
    yield 'kvm_amd: SEV-SNP requires private memory support via guest_memfd.\n';
  }
}
const t0 = process.cpuUsage();
const big = await readLogStreams([{ name: '100MB', stream: chunks() }]);
const d0 = process.cpuUsage(t0);
globalThis.gc?.();
const grew = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
console.log(
  `reader, 100 MB streamed (${big.lines} lines, ${big.relevant.length} kept): ${((d0.user + d0.system) / 1e6).toFixed(2)} CPU s, heap +${grew.toFixed(1)} MiB`,
);
