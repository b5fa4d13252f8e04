/**
 * lib/dynamic_debug.c as sevsim models it: the `p` flag per module, set by queries
 * (Linux v6.18 lib/dynamic_debug.c ddebug_exec_queries(), ddebug_parse_flags(), ddebug_parse_query(),
 * ddebug_tokenize(), ddebug_dyndbg_param_cb(); Documentation/admin-guide/dynamic-debug-howto.rst).
 */
import { describe, expect, it } from 'vitest';
import {
  DynamicDebug,
  ddebugBootParams,
  ddebugDyndbgParam,
  ddebugExecQueries,
  dyndbgQueryProblem,
} from '../src/index';

function tables(...modules: string[]): DynamicDebug {
  const dd = new DynamicDebug();
  for (const m of modules) dd.addModule(m);
  return dd;
}

describe('ddebug_exec_queries', () => {
  it('a query without a module applies to every table; with modname to that module only', () => {
    const all = tables('ccp', 'kvm_amd');
    expect(ddebugExecQueries(all, '+p', null)).toEqual([]);
    expect([...all.print].sort()).toEqual(['ccp', 'kvm_amd']);
    const one = tables('ccp', 'kvm_amd');
    ddebugExecQueries(one, '+p', 'ccp');
    expect([...one.print]).toEqual(['ccp']);
  });

  it('a query naming a module wins over modname; `*` and `?` are wildcards (match_wildcard)', () => {
    const dd = tables('ccp', 'kvm_amd');
    ddebugExecQueries(dd, 'module kvm_* +p', 'ccp');
    expect([...dd.print]).toEqual(['kvm_amd']);
    ddebugExecQueries(dd, 'module c?p +p', null);
    expect([...dd.print].sort()).toEqual(['ccp', 'kvm_amd']);
  });

  it('+ adds, - removes, = sets exactly; flags other than p leave p alone', () => {
    const dd = tables('ccp');
    ddebugExecQueries(dd, '+mf', null);
    expect(dd.print.has('ccp')).toBe(false);
    ddebugExecQueries(dd, '+p', null);
    ddebugExecQueries(dd, '-m', null);
    expect(dd.print.has('ccp')).toBe(true);
    ddebugExecQueries(dd, '=_', null);
    expect(dd.print.has('ccp')).toBe(false);
    ddebugExecQueries(dd, '=pl', null);
    ddebugExecQueries(dd, '-p', null);
    expect(dd.print.has('ccp')).toBe(false);
  });

  it('queries split on ; and newlines, in order; # comments and blank queries are skipped', () => {
    const dd = tables('ccp');
    expect(ddebugExecQueries(dd, '+p; # off next\n-p;+p', null)).toEqual([]);
    expect(dd.print.has('ccp')).toBe(true);
  });

  it('a module without a table is untouched: a query only reaches loaded modules', () => {
    const dd = tables();
    ddebugExecQueries(dd, 'module ccp +p', null);
    dd.addModule('ccp');
    expect(dd.print.has('ccp')).toBe(false);
  });

  it("the kernel's own error lines; a failing query changes nothing and the next one runs", () => {
    const dd = tables('ccp');
    expect(ddebugExecQueries(dd, 'p', null)).toEqual([
      'dyndbg: bad flag-op p, at start of p',
      'dyndbg: flags parse failed',
    ]);
    expect(ddebugExecQueries(dd, '+x', null)).toEqual([
      "dyndbg: unknown flag 'x'",
      'dyndbg: flags parse failed',
    ]);
    expect(ddebugExecQueries(dd, 'module +p', null)).toEqual([
      'dyndbg: expecting pairs of match-spec <value>',
      'dyndbg: query parse failed',
    ]);
    expect(ddebugExecQueries(dd, 'mod ccp +p', null)).toEqual([
      'dyndbg: unknown keyword "mod"',
      'dyndbg: query parse failed',
    ]);
    expect(ddebugExecQueries(dd, 'module ccp module kvm_amd +p', null)).toEqual([
      'dyndbg: match-spec:module val:ccp overridden by kvm_amd',
      'dyndbg: query parse failed',
    ]);
    expect(ddebugExecQueries(dd, '"module ccp +p', null)).toEqual([
      'dyndbg: unclosed quote: module ccp +p',
      'dyndbg: tokenize failed',
    ]);
    expect(dd.print.size).toBe(0);
    expect(ddebugExecQueries(dd, 'bad; +p', null)).toEqual([
      'dyndbg: bad flag-op b, at start of bad',
      'dyndbg: flags parse failed',
    ]);
    expect(dd.print.has('ccp')).toBe(true);
  });

  it('`class NAME` matches only classed call sites, which ccp and kvm_amd do not have', () => {
    const dd = tables('ccp');
    ddebugExecQueries(dd, 'class DRM_UT_CORE +p', null);
    expect(dd.print.size).toBe(0);
  });
});

describe('the dyndbg parameters', () => {
  it("a bare `dyndbg` is +p; any other name is not dyndbg's", () => {
    const dd = tables('ccp');
    expect(ddebugDyndbgParam(dd, 'psp_init_on_probe', '0', 'ccp')).toBeUndefined();
    expect(ddebugDyndbgParam(dd, 'dyndbg', null, 'ccp')).toEqual([]);
    expect(dd.print.has('ccp')).toBe(true);
  });

  it('at boot: dyndbg= for every table, module.dyndbg= for its module, other parameters ignored', () => {
    const dd = tables('ccp', 'kvm_amd');
    ddebugBootParams(dd, [
      ['nosmt', null],
      ['kvm_amd.dyndbg', '+p'],
      ['ccp.sev_es', '1'],
    ]);
    expect([...dd.print]).toEqual(['kvm_amd']);
    ddebugBootParams(dd, [['dyndbg', 'module ccp +p']]);
    expect([...dd.print].sort()).toEqual(['ccp', 'kvm_amd']);
  });

  it('removeModule drops the flags with the table', () => {
    const dd = tables('ccp');
    ddebugExecQueries(dd, '+p', null);
    dd.removeModule('ccp');
    dd.addModule('ccp');
    expect(dd.print.has('ccp')).toBe(false);
  });
});

describe('what sevsim does not model', () => {
  it('queries selecting single call sites are named, and refused at run time too', () => {
    expect(dyndbgQueryProblem('module ccp +p')).toBeUndefined();
    expect(dyndbgQueryProblem('file sev-dev.c +p')).toMatch(
      /^the dyndbg match-spec "file" selects single call sites/,
    );
    expect(dyndbgQueryProblem('+p; format "SEV-SNP" +p')).toMatch(/"format"/);
    expect(() => ddebugExecQueries(tables('ccp'), 'func sev_pci_init +p', 'ccp')).toThrow(/"func"/);
  });
});

describe('DynamicDebug.fork (a fork of the whole system)', () => {
  it('a copy and its original change tables and flags independently: the sets are shared until one side writes', () => {
    const a = tables('ccp', 'kvm_amd');
    ddebugExecQueries(a, '+p', 'ccp');
    const b = a.fork();
    ddebugExecQueries(b, '+p', 'kvm_amd');
    a.removeModule('ccp');
    const c = b.fork();
    b.clear();
    c.addModule('sev_guest');
    expect([[...a.tables], [...a.print]]).toEqual([['kvm_amd'], []]);
    expect([[...b.tables], [...b.print]]).toEqual([[], []]);
    expect([[...c.tables].sort(), [...c.print].sort()]).toEqual([
      ['ccp', 'kvm_amd', 'sev_guest'],
      ['ccp', 'kvm_amd'],
    ]);
  });
});
