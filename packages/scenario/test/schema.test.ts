import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultCatalog, SCHEMA_FILE, schemaText } from '../src/index';

describe('published JSON Schema', () => {
  it('schema/scenario-v1.schema.json is up to date (run `pnpm --filter @sevsim/scenario gen:schema`)', () => {
    const committed = readFileSync(join(import.meta.dirname, '..', SCHEMA_FILE), 'utf8');
    expect(committed).toBe(schemaText(defaultCatalog()));
  });

  it('lists the layer tables: CPU presets, releases, the step union and strict objects', () => {
    const s = JSON.parse(schemaText(defaultCatalog()));
    expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(s.required).toEqual(['version', 'name', 'steps']);
    expect(s.additionalProperties).toBe(false);
    expect(s.properties.machine.properties.cpu.enum).toEqual([
      'rome',
      'milan',
      'genoa',
      'bergamo',
      'siena',
      'turin',
    ]);
    expect(s.properties.kernel.properties.version.enum).toContain('6.18');
    expect(s.properties.steps.items.anyOf[0].enum).toEqual(['reboot', 'fw.commit', 'kdump']);
    expect(s.properties.steps.items.anyOf).toHaveLength(15);
  });
});
