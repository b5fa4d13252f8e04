/**
 * Regenerates schema/scenario-v1.schema.json from the validator's zod schemas and the layers'
 * tables (`pnpm --filter @sevsim/scenario gen:schema`). test/schema.test.ts fails when the
 * committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCatalog, SCHEMA_FILE, schemaText } from '../src/index';

const out = join(process.cwd(), SCHEMA_FILE);
writeFileSync(out, schemaText(defaultCatalog()));
process.stdout.write(`wrote ${out}\n`);
