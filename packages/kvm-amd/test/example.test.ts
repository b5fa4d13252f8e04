/** The README example, verbatim, proven to run. */
import { createKernelContext, loadCcp } from '@sevsim/ccp';
import { createPsp } from '@sevsim/firmware';
import { createMachine } from '@sevsim/hardware';
import { hostSnpBoot } from '@sevsim/kernel';
import { expect, it } from 'vitest';
import { launchVm, loadKvmAmd, parseKvmAmdParams, resolveRelease } from '../src/index';

it('README example: boot 7.2 on Genoa, load kvm_amd, launch an SNP guest', () => {
  // --- example start
  const release = resolveRelease('7.2', []);
  const machine = createMachine({ cpu: 'genoa' });
  const { hostSnp } = hostSnpBoot(machine, release.host);
  const ctx = createKernelContext(machine, { hostSnp });
  const psp = createPsp(machine, { version: '1.55.25', svn: 0x1a });
  const ccp = loadCcp(ctx, psp, release.ccp, {});
  const kvm = loadKvmAmd(ctx, ccp, release.kvm, parseKvmAmdParams(release, { sev_es: '1' }).params, {
    builtin: false,
  });

  const vm = kvm.createVm(4);
  if ('errno' in vm) throw new Error(`KVM_CREATE_VM: ${vm.errno}`);
  kvm.memEncryptOp(vm, { id: 'KVM_SEV_INIT2', data: {} });
  const launched = launchVm(kvm, vm); // { rc: 0, error: 0, steps: [...] }
  console.log(ctx.log.lines.filter((l) => l.startsWith('kvm_amd: ')));
  // [ 'kvm_amd: SEV enabled (ASIDs 100 - 1006)', 'kvm_amd: SEV-ES enabled (ASIDs 1 - 99)',
  //   'kvm_amd: SEV-SNP enabled (ASIDs 1 - 99)' ]
  kvm.destroyVm(vm);
  kvm.unload();
  // --- example end

  expect(launched.rc).toBe(0);
  expect(launched.steps.map((st) => st.cmd)).toEqual([
    'KVM_SEV_SNP_LAUNCH_START',
    'KVM_SEV_SNP_LAUNCH_UPDATE',
    'KVM_SEV_SNP_LAUNCH_FINISH',
  ]);
  expect(vm.state).toBe('destroyed');
  expect(psp.snapshot()).toMatchObject({ sev: 'UNINIT', snp: 'UNINIT' });
});
