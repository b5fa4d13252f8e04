/**
 * `rmmod` of a module in use: kernel/module/main.c delete_module() returns -EWOULDBLOCK (EAGAIN,
 * 11) both when other modules use it (kvm_amd holds ccp's symbols) and when its refcount cannot be
 * dropped (an open VM fd holds kvm_amd); -EBUSY is only for a module not MODULE_STATE_LIVE.
 */
import { describe, expect, it } from 'vitest';
import { defaultCatalog, formatError, parseScenario, run } from '../src/index';

function runText(text: string) {
  const r = parseScenario(text, 'rmmod.yaml', defaultCatalog());
  if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
  return run(r.scenario);
}

describe('rmmod of a module in use → EAGAIN (delete_module: -EWOULDBLOCK)', () => {
  const t = runText(
    [
      'version: 1',
      'name: rmmod',
      'kernel: {version: "6.18"}',
      'steps:',
      '  - modprobe: kvm_amd',
      '  - rmmod: ccp',
      '  - vm.create: {id: a, type: sev}',
      '  - rmmod: kvm_amd',
    ].join('\n'),
  );

  it('ccp while kvm_amd uses its symbols: EAGAIN, no firmware command, ccp stays loaded', () => {
    expect(t.result.steps[1]).toEqual({ op: 'rmmod', ok: false, errno: 'EAGAIN', fwError: null, psp: [] });
    expect(t.steps[1]?.explanation).toContain('rmmod: ERROR: Module ccp is in use by: kvm_amd');
  });

  it('kvm_amd while a VM is open: EAGAIN, kvm_amd stays loaded and keeps its ASIDs', () => {
    expect(t.result.steps[3]).toEqual({ op: 'rmmod', ok: false, errno: 'EAGAIN', fwError: null, psp: [] });
    const s = t.result.state as unknown as { modules: { kvm_amd: { loaded: boolean } } };
    expect(s.modules.kvm_amd.loaded).toBe(true);
  });
});
