import { formatError } from '@sevsim/scenario';
import { describe, expect, it } from 'vitest';
import { configsOf } from '../src/space';
import { LAYER_FACTS } from '../src/facts';
import { parseSpace } from '../src/space-file';

describe('parseSpace (--space FILE)', () => {
  it('reads a valid space and fills the rest from the default space', () => {
    const r = parseSpace(
      'name: two\nmachine: {snp: [true, false]}\nkernel: {releases: ["6.14"], builtin: [[]]}\nparams: {ccp.psp_init_on_probe: [true], kvm_amd.sev_snp: [true], kvm_amd.ciphertext_hiding_asids: [none]}\ndepth: 3\n',
      'two.yaml',
    );
    if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
    expect(r.space.depth).toBe(3);
    expect(r.space.kernel.releases).toEqual([{ version: '6.14', patches: [] }]);
    // Default axes of the newest release's space: cpu genoa/turin x firmware 1.50.0/default, x snp on/off.
    expect(configsOf(r.space, LAYER_FACTS)).toHaveLength(8);
  });

  it('reports every problem with file:line:col and the allowed values', () => {
    const r = parseSpace(
      'name: bad\nmachine:\n  cpu: [genoa, zen9]\nkernel: {releases: ["5.4"]}\nactions: {maxVms: -1, colour: red}\n',
      'bad.yaml',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = r.errors.map(formatError);
    expect(lines[0]).toBe(
      'bad.yaml:3:16: machine.cpu[1]: "zen9" is not allowed (allowed: rome, milan, genoa, bergamo, siena, turin)',
    );
    expect(lines[1]).toBe(
      "bad.yaml:4:21: kernel.releases[0]: unknown kernel release '5.4' (known: 6.11, 6.12, 6.13, 6.14, 6.15, 6.16, 6.17, 6.18, 7.0, 7.1, 7.2)",
    );
    expect(lines.slice(2)).toEqual([
      'bad.yaml:5:19: actions.maxVms: -1 is not an integer 0..8',
      'bad.yaml:5:31: actions.colour: unknown key "colour" (allowed: maxVms, vmTypes, fwUpdate, fwCommit, hostRead, modules)',
    ]);
  });

  it("rejects YAML syntax errors and duplicate keys with a position, in the scenario reader's words", () => {
    const dup = parseSpace('name: a\nname: b\n', 'dup.yaml');
    expect(dup.ok ? [] : dup.errors.map(formatError)).toEqual(['dup.yaml:2:1: name: duplicate key']);
    // The same reader as scenario files (readYamlMap of @sevsim/scenario): same words for the same fault.
    for (const [text, line] of [
      ['', 'empty.yaml: the file is empty'],
      ['- a\n', 'empty.yaml:1:1: a space is a map'],
      ['{"name": "x",}', 'empty.yaml:1:14: invalid JSON'],
    ] as const) {
      const file = text.startsWith('{') ? 'empty.json' : 'empty.yaml';
      const r = parseSpace(text, file);
      expect(r.ok ? '' : formatError(r.errors[0]!)).toContain(line.replace('empty.yaml', file));
    }
  });
});
