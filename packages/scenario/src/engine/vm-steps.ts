/**
 * `vm.create`, `vm.init`, `vm.launch`, `vm.destroy` and `host.read` (docs/contracts/scenario-v1.md "Steps"):
 * the VMM's ioctls on /dev/kvm, through kvm-amd's own entry points.
 */
import { PAGE_SIZE } from '@sevsim/hardware';
import { launchVm } from '@sevsim/kvm-amd';
import type { Step, VmType } from '../scenario';
import { failed, fromRc, OK, type Outcome, withCause } from './outcome';
import type { World } from './world';

/** KVM_X86_DEFAULT_VM 0, KVM_X86_SEV_VM 2, KVM_X86_SEV_ES_VM 3, KVM_X86_SNP_VM 4 (docs/reference/linux-kvm-amd.md §4.1). */
export const VM_TYPE_IDS: Readonly<Record<VmType, 0 | 2 | 3 | 4>> = {
  default: 0,
  sev: 2,
  'sev-es': 3,
  snp: 4,
};

function openVm(
  world: World,
  id: string,
): Outcome | { vm: NonNullable<NonNullable<ReturnType<World['vms']['get']>>['vm']> } {
  const rec = world.vms.get(id);
  if (!rec?.vm)
    return failed(
      'EBADF',
      `VM "${id}" has no open file descriptor (KVM_CREATE_VM failed or the machine rebooted)`,
    );
  if (rec.destroyed) return failed('EBADF', `VM "${id}" was destroyed`);
  return { vm: rec.vm };
}

export function vmCreate(world: World, step: Extract<Step, { op: 'vm.create' }>): Outcome {
  if (!world.kvm) {
    world.vms.set(step.id, { type: step.type, vm: null, destroyed: false });
    return failed('ENOENT', 'kvm_amd is not loaded, so /dev/kvm does not exist');
  }
  world.issuer = 'kvm_amd';
  const r = world.kvm.createVm(VM_TYPE_IDS[step.type]);
  if ('errno' in r) {
    world.vms.set(step.id, { type: step.type, vm: null, destroyed: false });
    return fromRc(-Math.abs(r.errno), 0);
  }
  world.vms.set(step.id, { type: step.type, vm: r, destroyed: false });
  return OK;
}

export function vmInit(world: World, step: Extract<Step, { op: 'vm.init' }>): Outcome {
  const o = openVm(world, step.id);
  if (!('vm' in o)) return o;
  world.issuer = 'kvm_amd';
  const r = step.legacy
    ? world.kvm!.memEncryptOp(o.vm, { id: step.es ? 'KVM_SEV_ES_INIT' : 'KVM_SEV_INIT' })
    : world.kvm!.memEncryptOp(o.vm, {
        id: 'KVM_SEV_INIT2',
        data: {
          flags: step.flags ?? 0,
          vmsaFeatures: BigInt(step.vmsaFeatures ?? 0),
          ghcbVersion: step.ghcbVersion ?? 0,
        },
      });
  return withCause(fromRc(r.rc, r.error), r.why);
}

export function vmLaunch(world: World, step: Extract<Step, { op: 'vm.launch' }>): Outcome {
  const o = openVm(world, step.id);
  if (!('vm' in o)) return o;
  world.issuer = 'kvm_amd';
  const r = launchVm(world.kvm!, o.vm, step.policy !== undefined ? { policy: BigInt(step.policy) } : {});
  const out = fromRc(r.rc, r.error);
  return r.rc === 0 ? out : withCause(out, `${r.failedCmd} failed`);
}

export function vmDestroy(world: World, step: Extract<Step, { op: 'vm.destroy' }>): Outcome {
  const o = openVm(world, step.id);
  if (!('vm' in o)) return o;
  world.issuer = 'kvm_amd';
  world.kvm!.destroyVm(o.vm);
  world.vms.get(step.id)!.destroyed = true;
  return OK;
}

/** The hypervisor reads guest page `page` of the VM's memory (private once launched). */
export function hostRead(world: World, step: Extract<Step, { op: 'host.read' }>): Outcome {
  const rec = world.vms.get(step.id);
  if (!rec?.vm)
    return failed('EBADF', `VM "${step.id}" has no memory (KVM_CREATE_VM failed or the machine rebooted)`);
  if (step.page >= rec.vm.memoryPages) {
    return failed(
      'EFAULT',
      `VM "${step.id}" has ${rec.vm.memoryPages} guest pages (0..${rec.vm.memoryPages - 1})`,
    );
  }
  return {
    ok: true,
    errno: null,
    fwError: null,
    read: world.machine.hostRead((rec.vm.memoryPfn + step.page) * PAGE_SIZE),
  };
}
