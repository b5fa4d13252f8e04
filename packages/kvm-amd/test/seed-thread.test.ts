/**
 * Claims of the seed thread (Ashish Kalra on LKML, 7 Dec 2024, "Re: [PATCH v2 3/3] x86/sev: Add
 * SEV-SNP CipherTextHiding support") checked against the whole modelled stack.
 */
import { encodeFirmwareImage } from '@sevsim/firmware';
import { describe, expect, it } from 'vitest';
import { launchVm, type Vm } from '../src/index';
import { bootStack } from './stack';

const noReclaim = (cmds: string[]) => cmds.filter((c) => c !== 'SNP_PAGE_RECLAIM');

describe('(a) SNPEn set + kvm_amd.sev_snp=0 (docs/reference/linux-ccp.md §3.11)', () => {
  for (const release of ['6.18', '7.0']) {
    it(`${release}: SNP_INIT_EX still runs before SEV INIT; SEV VMs work; SNP VMs refused`, () => {
      const s = bootStack({ release });
      expect(s.machine.snpEnAllCores()).toBe(true);
      s.take();
      const kvm = s.loadKvm({ sev_snp: 0 });
      const load = noReclaim(s.take());
      expect(load.indexOf('SNP_INIT_EX')).toBeGreaterThanOrEqual(0);
      expect(load.indexOf('SNP_INIT_EX')).toBeLessThan(load.indexOf('INIT'));
      // KVM does not ask SNP_PLATFORM_STATUS when its own SNP support is off (docs/reference/linux-kvm-amd.md §2.3).
      expect(load).toEqual(['SNP_INIT_EX', 'SNP_DF_FLUSH', 'INIT', 'DF_FLUSH']);
      expect(kvm.view().snp.status).toBe('disabled');
      expect(kvm.view().params.sev_snp).toBe(false);
      expect(kvm.view().vmTypes).toEqual([0, 2, 3]);
      expect(kvm.createVm(4)).toEqual({ errno: -22 });

      const vm = kvm.createVm(2) as Vm;
      expect(kvm.memEncryptOp(vm, { id: 'KVM_SEV_INIT2', data: {} }).rc).toBe(0);
      expect(launchVm(kvm, vm).rc).toBe(0);
      expect(s.psp.snapshot().sev).toBe('WORKING');
    });
  }

  it("ASID recycling uses legacy DF_FLUSH because KVM's sev_snp is off (docs/reference/linux-ccp.md §3.11, docs/reference/linux-kvm-amd.md §4.7)", () => {
    const s = bootStack({ release: '7.0', machine: { cpu: 'genoa', asids: 101, bios: { minSevAsid: 100 } } });
    const kvm = s.loadKvm({ sev_snp: 0 });
    const a = kvm.createVm(2) as Vm;
    kvm.memEncryptOp(a, { id: 'KVM_SEV_INIT2', data: {} });
    const b = kvm.createVm(2) as Vm;
    kvm.memEncryptOp(b, { id: 'KVM_SEV_INIT2', data: {} });
    kvm.destroyVm(a);
    s.take();
    const c = kvm.createVm(2) as Vm;
    expect(kvm.memEncryptOp(c, { id: 'KVM_SEV_INIT2', data: {} }).rc).toBe(0);
    expect(noReclaim(s.take())).toEqual(['DF_FLUSH']);
    expect(c.asid).toBe(100);
  });
});

describe('(b) deferred SEV INIT: ccp psp_init_on_probe=0 (docs/reference/linux-ccp.md §3.2 step 5, §3.6)', () => {
  it('after load SEV is UNINIT and SNP INIT; the first VM init does INIT (and DF_FLUSH)', () => {
    const s = bootStack({ release: '7.2', ccpParams: { psp_init_on_probe: false } });
    s.take();
    const kvm = s.loadKvm();
    expect(noReclaim(s.take())).toEqual([
      'SNP_INIT_EX',
      'SNP_DF_FLUSH',
      'SNP_PLATFORM_STATUS',
      'SNP_PLATFORM_STATUS',
    ]);
    expect(s.psp.snapshot()).toMatchObject({ sev: 'UNINIT', snp: 'INIT' });
    expect(kvm.view().sev.status).toBe('enabled');

    const vm = kvm.createVm(4) as Vm;
    expect(kvm.memEncryptOp(vm, { id: 'KVM_SEV_INIT2', data: {} }).rc).toBe(0);
    // Mainline issues the legacy INIT at the first VM init of any type, SNP included (docs/reference/linux-ccp.md §5.2 note).
    expect(noReclaim(s.take())).toEqual(['INIT', 'DF_FLUSH']);
    expect(s.psp.snapshot().sev).toBe('INIT');
  });

  it('hotload is possible between load and the first VM (sev-fw-upload on 7.2): SEV UNINIT', () => {
    const s = bootStack({
      release: '7.2',
      patches: ['sev-fw-upload'],
      ccpParams: { psp_init_on_probe: false },
    });
    s.loadKvm();
    s.take();
    const out = s.ccp.fwUpload(encodeFirmwareImage({ version: '1.55.29', svn: 0x1a }));
    expect(out.result).toBe('ok');
    // No SHUTDOWN was needed: legacy SEV was never initialised.
    expect(noReclaim(s.take())).not.toContain('SHUTDOWN');
    expect(s.psp.snapshot()).toMatchObject({ version: '1.55.29', sev: 'UNINIT', snp: 'INIT' });
  });

  it('without the deferral SEV is INIT after load and DLFW_EX needs a SHUTDOWN first', () => {
    const s = bootStack({ release: '7.2', patches: ['sev-fw-upload'] });
    s.loadKvm();
    expect(s.psp.snapshot().sev).toBe('INIT');
    s.take();
    expect(s.ccp.fwUpload(encodeFirmwareImage({ version: '1.55.29', svn: 0x1a })).result).toBe('ok');
    // The RFC queries the firmware state first, then shuts legacy SEV down (docs/reference/linux-ccp.md §5.2).
    expect(noReclaim(s.take()).slice(0, 3)).toEqual([
      'PLATFORM_STATUS',
      'SHUTDOWN',
      'SNP_DOWNLOAD_FIRMWARE_EX',
    ]);
  });
});

describe('SNP_INIT must precede SEV INIT (seed claim 1/2, docs/reference/psp-firmware.md §4 item 1)', () => {
  it('6.16+: when SNP init fails KVM disables SEV, SEV-ES and SNP entirely (docs/reference/linux-ccp.md §3.10)', () => {
    // Firmware 1.50: below SNP_MIN_API 1.51 → -EOPNOTSUPP aborts the legacy INIT (docs/reference/linux-ccp.md §3.3 step 3).
    const s = bootStack({ release: '7.0', firmware: '1.50.3' });
    const mark = s.ctx.log.mark();
    const kvm = s.loadKvm();
    expect(kvm.view().params).toMatchObject({ sev: false, sev_es: false, sev_snp: false });
    expect(s.ctx.log.since(mark).filter((l) => l.startsWith('kvm_amd: '))).toEqual([
      'kvm_amd: SEV disabled (ASIDs 100 - 1006)',
      'kvm_amd: SEV-ES disabled (ASIDs 1 - 99)',
      'kvm_amd: SEV-SNP disabled (ASIDs 1 - 99)',
    ]);
    expect(kvm.view().vmTypes).toEqual([0]);
    const plain = kvm.createVm(0) as Vm;
    expect(kvm.memEncryptOp(plain, null).rc).toBe(-25);
    // A live VM holds a module reference: delete_module() → -EWOULDBLOCK (EAGAIN), kernel/module/main.c.
    expect(kvm.unload().rc).toBe(-11);
    kvm.destroyVm(plain);
    // Effective sev off: unload does no flush and no platform shutdown (docs/reference/linux-kvm-amd.md §3 step 1).
    s.take();
    expect(kvm.unload().rc).toBe(0);
    expect(s.take()).toEqual([]);
  });
});
