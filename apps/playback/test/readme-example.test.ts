/** The README's example, run as written (with the test's freshly built app). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, inject, it } from 'vitest';
import { servePlayback, writeReport } from '../src/index.js';
import { tempDir } from './fixtures/files.js';
import { generatedTraceFiles } from './fixtures/generated.js';

it('README example: serve a trace, then write the one-file report', async () => {
  const trace = generatedTraceFiles.ciphertextHiding;
  const appDir = inject('appDir');
  const out = join(tempDir(), 'report.html');
  // --- README example ---
  const server = await servePlayback(trace, { appDir });
  console.log(`playback at ${server.url}`);
  const page = await fetch(server.url);
  await server.close();
  const { bytes, scenario, steps } = await writeReport(trace, out, { appDir });
  console.log(`${out}: ${scenario}, ${steps} steps, ${bytes} bytes`);
  // --- end ---
  expect(page.status).toBe(200);
  expect([scenario, steps]).toEqual(['ciphertext-hiding-asid-split', 12]);
  expect(readFileSync(out, 'utf8')).toMatch(/"scenario": ?"ciphertext-hiding-asid-split"/);
});
