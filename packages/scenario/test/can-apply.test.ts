/**
 * Session.canApply: the steps the engine answers by itself, without any layer (the module
 * loader's refusals of kernel/module/main.c delete_module and the missing /dev/kvm, /dev/sev
 * nodes), say so, and applying them leaves every layer as it was.
 */
import { describe, expect, it } from 'vitest';
import { openSession, type Session, type Step } from '../src/index';

const at = { line: 0 } as const;
const modprobe = (module: 'ccp' | 'kvm_amd'): Step => ({ ...at, op: 'modprobe', module, params: {} });
const rmmod = (module: 'ccp' | 'kvm_amd'): Step => ({ ...at, op: 'rmmod', module });
const create = (id: string): Step => ({ ...at, op: 'vm.create', id, type: 'sev' });
const commit: Step = { ...at, op: 'fw.commit' };

function session(builtin: ('ccp' | 'kvm_amd')[] = []): Session {
  return openSession({ machine: { cpu: 'genoa' }, kernel: { version: '6.18', builtin } });
}

/** A refused step: canApply says no, and applying it changes no layer. */
function expectNoOp(s: Session, step: Step, errno: string | null): void {
  expect(s.canApply(step)).toBe(false);
  const before = JSON.stringify(s.layers());
  const o = s.apply(step);
  expect(o.errno ?? null).toBe(errno);
  expect(JSON.stringify(s.layers())).toBe(before);
}

describe('Session.canApply', () => {
  it('nothing loaded: rmmod either module is ENOENT, vm.create has no /dev/kvm, fw.commit no /dev/sev', () => {
    const s = session();
    expectNoOp(s, rmmod('ccp'), 'ENOENT');
    expectNoOp(s, rmmod('kvm_amd'), 'ENOENT');
    expectNoOp(s, commit, 'ENOENT');
    expect(s.canApply(create('vm1'))).toBe(false);
    expect(s.apply(create('vm1')).errno).toBe('ENOENT');
    expect(s.canApply(modprobe('ccp'))).toBe(true);
    expect(s.canApply(modprobe('kvm_amd'))).toBe(true);
  });

  it('both loaded: modprobe again is a no-op success; ccp is held by kvm_amd, kvm_amd by an open VM (EAGAIN, delete_module -EWOULDBLOCK)', () => {
    const s = session();
    s.apply(modprobe('kvm_amd'));
    expectNoOp(s, modprobe('ccp'), null);
    expectNoOp(s, modprobe('kvm_amd'), null);
    expectNoOp(s, rmmod('ccp'), 'EAGAIN');
    expect(s.canApply(rmmod('kvm_amd'))).toBe(true);
    expect(s.canApply(create('vm1'))).toBe(true);
    expect(s.canApply(commit)).toBe(true);
    s.apply(create('vm1'));
    expectNoOp(s, rmmod('kvm_amd'), 'EAGAIN');
  });

  it('built-in modules cannot be removed (ENOENT, "Module X is builtin")', () => {
    const s = session(['ccp', 'kvm_amd']);
    expectNoOp(s, rmmod('kvm_amd'), 'ENOENT');
    expectNoOp(s, rmmod('ccp'), 'ENOENT');
  });
});
