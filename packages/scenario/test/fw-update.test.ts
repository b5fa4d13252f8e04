/**
 * A failed `fw.update` through the pending firmware-upload series (patch `sev-fw-upload`): the
 * step's errno is the fw_upload error the interface reports (drivers/base/firmware_loader/
 * sysfs_upload.c `error` attribute; no system call fails), the firmware status is its fwError.
 */
import { describe, expect, it } from 'vitest';
import { defaultCatalog, formatError, parseScenario, run } from '../src/index';

function runSteps(steps: string[]) {
  const text = [
    'version: 1',
    'name: fw',
    'kernel: {version: "7.2", patches: [sev-fw-upload]}',
    'steps:',
    ...steps,
  ];
  const r = parseScenario(text.join('\n'), 'fw.yaml', defaultCatalog());
  if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
  return run(r.scenario);
}

describe('fw.update through fw_upload: errno is the fw_upload error, fwError the firmware status (issue #9 item 5)', () => {
  it('bad signature: FW_UPLOAD_ERR_FW_INVALID, fwError BAD_SIGNATURE (0x0a), not a firmware status as errno', () => {
    const t = runSteps(['  - modprobe: kvm_amd', '  - fw.update: {version: "1.55.30", signed: false}']);
    const step = t.result.steps[1]!;
    expect(step).toMatchObject({
      op: 'fw.update',
      ok: false,
      errno: 'FW_UPLOAD_ERR_FW_INVALID',
      fwError: 0x0a,
    });
    expect(step.psp?.map((c) => c.cmd)).toContain('SNP_DOWNLOAD_FIRMWARE_EX');
    expect(t.steps[1]?.dmesg).toContain('ccp 0000:03:00.5: SEV firmware upgrade bad signature');
    expect(t.steps[1]?.explanation).toContain('SNP_DOWNLOAD_FIRMWARE_EX returned BAD_SIGNATURE (0xa)');
  });

  it('SEV WORKING (a legacy guest running): FW_UPLOAD_ERR_BUSY before any download, no firmware status', () => {
    const t = runSteps([
      '  - modprobe: kvm_amd',
      '  - vm.create: {id: a, type: sev}',
      '  - vm.init: {id: a}',
      '  - vm.launch: {id: a}',
      '  - fw.update: {version: "1.55.30"}',
    ]);
    expect(t.result.steps[3]).toMatchObject({ op: 'vm.launch', ok: true });
    const step = t.result.steps[4]!;
    expect(step).toMatchObject({ op: 'fw.update', ok: false, errno: 'FW_UPLOAD_ERR_BUSY', fwError: null });
    expect(step.psp?.map((c) => c.cmd)).not.toContain('SNP_DOWNLOAD_FIRMWARE_EX');
    expect(t.steps[4]?.explanation).toBe(
      'fw.update returned FW_UPLOAD_ERR_BUSY: /sys/class/firmware/sev/error reads "transferring:device-busy".',
    );
  });

  it('an expect may name the fw_upload error like an errno', () => {
    const t = runSteps([
      '  - modprobe: kvm_amd',
      '  - fw.update: {version: "1.55.30", signed: false}',
      '  - expect: {ok: false, errno: FW_UPLOAD_ERR_FW_INVALID, fwError: BAD_SIGNATURE}',
    ]);
    expect(t.result.passed).toBe(true);
  });
});
