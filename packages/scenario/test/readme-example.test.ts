// The example of README.md "Use it from code", verbatim, so the README cannot rot.
import { expect, it } from 'vitest';
import { defaultCatalog, formatError, parseScenario, run } from '../src/index';

it('README example runs: SNP VMs refused with kvm_amd.sev_snp=0 (docs/reference/linux-ccp.md §3.11)', () => {
  const text = `
version: 1
name: readme
kernel: {version: "6.18", params: {kvm_amd.sev_snp: 0}}
steps:
  - modprobe: kvm_amd
  - vm.create: {id: a, type: snp}
  - expect: {ok: false, errno: EINVAL}
`;
  const parsed = parseScenario(text, 'readme.yaml', defaultCatalog());
  if (!parsed.ok) throw new Error(parsed.errors.map(formatError).join('\n'));
  const trace = run(parsed.scenario);
  console.log(trace.result.passed, trace.result.steps[1]);
  // → true { op: 'vm.create', ok: false, errno: 'EINVAL', fwError: null, psp: [] }
  expect(trace.result.passed).toBe(true);
  expect(trace.result.steps[1]).toEqual({
    op: 'vm.create',
    ok: false,
    errno: 'EINVAL',
    fwError: null,
    psp: [],
  });
});
