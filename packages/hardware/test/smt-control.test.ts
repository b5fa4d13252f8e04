import { describe, expect, test } from 'vitest';
import { resolveConfig, smtControlFromCmdline, smtControlLog, smtOfflineCpus } from '@sevsim/hardware';

// kernel/cpu.c: smt_cmdline_disable() → cpu_smt_disable(str && !strcmp(str, "force")).
describe('nosmt on the kernel command line (kernel/cpu.c)', () => {
  test('absent → SMT on; "force" → forced off; a bare nosmt or any other value → off', () => {
    expect(smtControlFromCmdline(undefined)).toBe('on');
    expect(smtControlFromCmdline('force')).toBe('forceoff');
    expect(smtControlFromCmdline(null)).toBe('off');
    expect(smtControlFromCmdline('1')).toBe('off');
    expect(smtControlFromCmdline('Force')).toBe('off');
  });

  test('cpu_smt_disable() prints "SMT: Force disabled" or "SMT: disabled"', () => {
    expect(smtControlLog('forceoff')).toEqual(['SMT: Force disabled']);
    expect(smtControlLog('off')).toEqual(['SMT: disabled']);
    expect(smtControlLog('on')).toEqual([]);
  });

  test('cpu_bootable(): every secondary thread of both sockets stays offline', () => {
    const cfg = resolveConfig({ cpu: 'milan', sockets: 2, cores: 2 });
    expect(smtOfflineCpus(cfg, 'off')).toEqual([4, 5, 6, 7]);
    expect(smtOfflineCpus(cfg, 'on')).toEqual([]);
  });
});
