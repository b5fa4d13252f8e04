/**
 * `--host --root DIR`: the same inputs as a live host, read from a copied tree: /dev/kmsg records,
 * /proc/cmdline, /proc/cpuinfo, /sys/module/kvm_amd/parameters. The log is AMDSEV#88's (iommu=pt),
 * the command line and parameters as that host would show them.
 */
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { collectHost, diagnose } from '../src/index';

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'sevsim-host-'));
  const put = (p: string, text: string): void => {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  };
  put(
    'dev/kmsg',
    [
      '6,500,500541,-;AMD-Vi: SEV-SNP: IOMMU is either disabled or configured in passthrough mode.',
      '6,900,1458480,-;ccp 0000:47:00.1: sev enabled',
      '6,901,1551278,-;ccp 0000:47:00.1: SEV API:1.51 build:3',
      '6,950,1660986,-;SEV supported: 410 ASIDs',
      '6,951,1663654,-;SEV-ES supported: 99 ASIDs',
      '',
    ].join('\n'),
  );
  put(
    'proc/cmdline',
    'BOOT_IMAGE=/boot/vmlinuz-5.14.0-rc2-snp-host-6d4469b86f90 ro iommu=pt mem_encrypt=on kvm_amd.sev=1\n',
  );
  put(
    'proc/cpuinfo',
    'processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 1\nmodel name\t: AMD EPYC 7543 32-Core Processor\n\nprocessor\t: 1\n',
  );
  put('sys/module/kvm_amd/parameters/sev', 'Y\n');
  put('sys/module/kvm_amd/parameters/sev_snp', 'N\n');
  put('sys/module/ccp/parameters/psp_init_on_probe', 'Y\n');
  return root;
}

function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .sort()
    .map((p) => `${p}:${statSync(join(dir, p)).mtimeMs}`);
}

it('collects the log, command line, CPU and module parameters from a copied tree, read-only', () => {
  const root = tree();
  const before = snapshot(root);
  const host = collectHost(root);
  expect(snapshot(root)).toEqual(before);
  expect(host.log.relevant.map((l) => l.text)).toContain('ccp 0000:47:00.1: SEV API:1.51 build:3');
  const d = diagnose(host.log, { facts: host.facts }).json;
  const at = (p: string) => d.inferred.find((x) => x.path === p);
  expect(at('machine.cpu')).toMatchObject({ value: 'milan', note: expect.stringContaining('/proc/cpuinfo') });
  expect(at('machine.iommu')?.value).toBe('passthrough');
  expect(at('kernel.params.kvm_amd.sev_snp')).toMatchObject({
    value: 0,
    note: expect.stringContaining('/sys/module/kvm_amd/parameters/sev_snp'),
  });
  expect(at('machine.firmware')?.value).toBe('1.51.3');
  // SNP needs both the IOMMU translated and sev_snp back on: the smallest verified fix has both.
  expect(d.fixes[0]?.changes.map((c) => c.path).sort()).toEqual([
    'kernel.params.kvm_amd.sev_snp',
    'machine.iommu',
  ]);
});
