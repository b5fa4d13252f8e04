// The compact YAML of N VM lifecycles, as bench/lifecycles.mjs builds them, for timing the CLI
// itself (`sevsim run` parses and reports too): ids in letters keep 10,000 lifecycles under the
// 1 MB scenario-file limit. Usage: node bench/lifecycles-yaml.mjs N > lifecycles.yaml
const n = Number(process.argv[2]);
/** Bijective base 26 in letters (a, b, …, z, aa, …): never a YAML number or boolean. */
const letters = (i) => {
  let s = '';
  for (; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(97 + ((i - 1) % 26)) + s;
  return s;
};
const out = ['version: 1', 'name: lifecycles', 'kernel: {version: "7.2"}', 'steps:', '- modprobe: kvm_amd'];
for (let i = 1; i <= n; i++) {
  const id = letters(i);
  out.push(
    `- vm.create: {id: ${id}, type: ${i % 2 ? 'snp' : 'sev'}}`,
    `- vm.init: {id: ${id}}`,
    `- vm.launch: {id: ${id}}`,
    `- vm.destroy: {id: ${id}}`,
  );
}
out.push('- expect: {state: {kvm.snp.status: enabled}}');
process.stdout.write(`${out.join('\n')}\n`);
