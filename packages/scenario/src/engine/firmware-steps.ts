/**
 * `fw.update`, `fw.commit`, `sev.ioctl` and raw `psp:` steps.
 *
 * fw.update goes through whatever interface the running kernel has: with patch `sev-fw-upload`
 * the fw_upload device "sev" (ccp.fwUpload, SNP_DOWNLOAD_FIRMWARE_EX; docs/reference/linux-ccp.md §5.2). A
 * mainline kernel has no runtime interface: writing /sys/class/firmware/sev/loading fails with
 * ENOENT; the image is still installed where ccp's probe looks for it
 * (/lib/firmware/amd/amd_sev_fam19h_model1xh.sbin, docs/reference/linux-ccp.md §5.1), so the next `modprobe ccp` or `reboot`
 * loads it with DOWNLOAD_FIRMWARE. See README "Decisions".
 */
import { PAGE_SIZE } from '@sevsim/hardware';
import { FW_UPLOAD_ERRORS, firmwareFileNames, fwUploadErrorText, type SevIoctlCmd } from '@sevsim/ccp';
import { Cmd } from '@sevsim/psp-abi';
import { encodeFirmwareImage, type FirmwareImageSpec } from '@sevsim/firmware';
import { DOWNLOAD_COMMANDS, IMAGE_FIELD, PSP_BUFFERS } from '../psp-buffers';
import type { Step } from '../scenario';
import { failed, fromRc, OK, type Outcome } from './outcome';
import type { World } from './world';

function image(world: World, step: { version: string; svn?: number; signed?: boolean }): Uint8Array {
  // Optional fields by stores: Node 20 copies `{ a, ...(c ? { b } : {}) }` through a slow path.
  const spec: FirmwareImageSpec = { version: step.version, tcbLayout: world.machine.preset.tcbLayout };
  if (step.svn !== undefined) spec.svn = step.svn;
  if (step.signed !== undefined) spec.signed = step.signed;
  return encodeFirmwareImage(spec);
}

export function fwUpdate(world: World, step: Extract<Step, { op: 'fw.update' }>): Outcome {
  const img = image(world, step);
  if (world.release.ccp.fwUpload) {
    if (!world.ccp) return failed('ENOENT', 'ccp is not loaded, so /sys/class/firmware/sev does not exist');
    world.issuer = 'ccp';
    const r = world.ccp.fwUpload(img);
    if (r.result === 'ok') return OK;
    if (r.result === 'NO_INTERFACE') return failed('ENOENT', 'no SEV device, so no /sys/class/firmware/sev');
    // No system call fails: the fw_upload error is what the interface reports (issue #9 item 5),
    // the firmware's own status (when it got that far) goes to fwError.
    return failed(
      FW_UPLOAD_ERRORS[r.result].name,
      `/sys/class/firmware/sev/error reads "${fwUploadErrorText(r.result)}"`,
      r.error !== 0 ? r.error : null,
    );
  }
  const { family, modelId } = world.machine.preset;
  // The family/model-range name distributions ship (amd_sev_fam19h_model1xh.sbin), docs/reference/linux-ccp.md §5.1.
  world.ctx.fs!.write(firmwareFileNames(family, modelId)[1]!, img);
  return failed(
    'ENOENT',
    `kernel ${world.release.version} has no runtime firmware update interface (/sys/class/firmware/sev needs patch sev-fw-upload); the image was installed for ccp's probe`,
  );
}

export function fwCommit(world: World): Outcome {
  if (!world.ccp) return failed('ENOENT', 'ccp is not loaded, so /dev/sev does not exist');
  world.issuer = 'ccp';
  const r = world.ccp.ioctl('SNP_COMMIT', {});
  return fromRc(r.rc, r.error);
}

/**
 * `sev.ioctl`: one SEV_ISSUE_CMD on /dev/sev through ccp's sev_ioctl(), with whatever the release
 * initialises and shuts down around it (docs/reference/linux-ccp.md §3.8, §9.5). The step's errno
 * is the ioctl's, its fwError argp->error when a firmware command wrote one.
 */
export function sevIoctlStep(world: World, step: Extract<Step, { op: 'sev.ioctl' }>): Outcome {
  if (!world.ccp) return failed('ENOENT', 'ccp is not loaded, so /dev/sev does not exist');
  world.issuer = 'ccp';
  const { cmd, writable, length, pdhCertLen, certChainLen, reportedTcb, maskChipId, maskChipKey } = step;
  const config =
    reportedTcb !== undefined || maskChipId !== undefined || maskChipKey !== undefined
      ? {
          ...(reportedTcb !== undefined ? { reportedTcb: BigInt(reportedTcb) } : {}),
          ...(maskChipId !== undefined ? { maskChipId } : {}),
          ...(maskChipKey !== undefined ? { maskChipKey } : {}),
        }
      : undefined;
  const r = world.ccp.ioctl(cmd as SevIoctlCmd, {
    ...(writable !== undefined ? { writable } : {}),
    ...(length !== undefined ? { length } : {}),
    ...(pdhCertLen !== undefined ? { pdhCertLen } : {}),
    ...(certChainLen !== undefined ? { certChainLen } : {}),
    ...(config ? { config } : {}),
  });
  return fromRc(r.rc, r.error);
}

/** Parse a field value: numbers as written, booleans as 0/1, "0x…" strings as hex. */
function fieldValue(v: number | boolean | string): number | bigint {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  const n = BigInt(v);
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

export function rawPsp(world: World, step: Extract<Step, { op: 'psp' }>): Outcome {
  const codec = PSP_BUFFERS[step.cmd]!;
  const values: Record<string, number | bigint> = {};
  for (const [k, v] of Object.entries(step.fields)) {
    if (k === IMAGE_FIELD) continue;
    const field = codec.fields[k] as { read(view: DataView): unknown };
    const value = fieldValue(v);
    // u64 policy/TCB fields are bigint in the codecs, the rest are numbers.
    const sample = field.read(new DataView(new ArrayBuffer(codec.size)));
    values[k] = typeof sample === 'bigint' ? BigInt(value) : Number(value);
  }
  const img = step.fields[IMAGE_FIELD];
  if (typeof img === 'string' && (DOWNLOAD_COMMANDS as readonly string[]).includes(step.cmd)) {
    const bytes = image(world, { version: img });
    const pfn = world.machine.allocPages(Math.ceil(bytes.length / PAGE_SIZE));
    world.machine.writePhys(pfn * PAGE_SIZE, bytes);
    if (step.cmd === 'DOWNLOAD_FIRMWARE') {
      values.address ??= pfn * PAGE_SIZE;
      values.len ??= bytes.length;
    } else {
      values.length ??= codec.size;
      values.fwPaddr ??= pfn * PAGE_SIZE;
      values.fwLen ??= bytes.length;
    }
  }
  world.issuer = 'raw';
  const r = world.psp.command(Cmd[step.cmd as keyof typeof Cmd], codec.encode(values));
  return r.status === 0 ? OK : { ok: false, errno: null, fwError: r.status };
}
