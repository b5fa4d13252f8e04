// Benchmarks for @sevsim/hardware (run after build: `pnpm bench`). Prints numbers, asserts nothing.
import { createMachine } from '../dist/index.js';

function rmpupdateOpsPerSecond() {
  const m = createMachine({ cpu: 'genoa' });
  const first = m.allocPages(4096);
  const ops = 400_000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) {
    const pfn = first + (i % 4096);
    // Alternate private (GUEST_INVALID) and shared so every call really writes the entry.
    if ((i >> 12) % 2 === 0)
      m.rmp.rmpupdate(pfn, { assigned: true, immutable: false, asid: 1 + (i % 99), gpa: 0 });
    else m.rmp.rmpupdate(pfn, { assigned: false, immutable: false });
  }
  const ns = Number(process.hrtime.bigint() - start);
  return (ops / ns) * 1e9;
}

function bytesPerMachine(count) {
  globalThis.gc();
  const before = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const keep = [];
  for (let i = 0; i < count; i++) keep.push(createMachine({ cpu: i % 2 === 0 ? 'genoa' : 'turin' }));
  globalThis.gc();
  const after = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  return { bytes: (after - before) / keep.length, machines: keep.length };
}

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const rate = rmpupdateOpsPerSecond();
console.log(`rmpupdate: ${Math.round(rate).toLocaleString('en-US')} ops/s`);
const mem = bytesPerMachine(1000);
console.log(
  `machine: ${Math.round(mem.bytes).toLocaleString('en-US')} bytes each (${mem.machines} machines, genoa/turin defaults, after gc)`,
);
