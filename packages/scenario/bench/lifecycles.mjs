// One `sevsim run` of N VM lifecycles (vm.create → vm.init → vm.launch → vm.destroy, SNP and SEV
// in turn, kvm_amd loaded once), as the CLI runs it without --trace (runLog), in this process:
// prints N, CPU seconds and peak RSS as JSON. bench/run.mjs starts one process per N.
import { defaultCatalog, parseScenario, runLog } from '../dist/index.js';

const n = Number(process.argv[2]);
const lines = [
  'version: 1',
  'name: lifecycles',
  'kernel: {version: "7.2"}',
  'steps:',
  '  - modprobe: kvm_amd',
];
for (let i = 1; i <= n; i++) {
  const id = `vm${i}`;
  lines.push(
    `  - vm.create: {id: ${id}, type: ${i % 2 ? 'snp' : 'sev'}}`,
    `  - vm.init: {id: ${id}}`,
    `  - vm.launch: {id: ${id}}`,
    `  - vm.destroy: {id: ${id}}`,
  );
}
lines.push('  - expect: {state: {kvm.snp.status: enabled}}');
const parsed = parseScenario(`${lines.join('\n')}\n`, 'lifecycles.yaml', defaultCatalog());
if (!parsed.ok) throw new Error(parsed.errors[0].message);
const t0 = process.cpuUsage();
const r = runLog(parsed.scenario);
const c = process.cpuUsage(t0);
if (!r.result.passed || r.result.steps.some((s) => !s.ok)) throw new Error('a lifecycle step failed');
console.log(
  JSON.stringify({
    lifecycles: n,
    steps: r.result.steps.length,
    cpuSeconds: (c.user + c.system) / 1e6,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  }),
);
