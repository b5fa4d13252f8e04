/**
 * The root README's "Diagnose your machine" section shows a real log (AMDSEV#154) and, in a
 * `console` block, what `sevsim diagnose` prints on it (tools/readme runs that command and compares
 * the output). This test checks the other half: the log the README shows is the corpus excerpt the
 * command reads, byte for byte, so the section cannot drift from the real report.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { FIXTURES } from './corpus';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

function block(marker: string): string {
  const at = README.indexOf(`<!-- diagnose-example:${marker}`);
  expect(at).toBeGreaterThan(0);
  const open = README.indexOf('\n', README.indexOf('```', at)) + 1;
  return README.slice(open, README.indexOf('```\n', open));
}

it('README "Diagnose your machine": the log shown is the AMDSEV#154 corpus excerpt, and the command reads it', () => {
  const files = ['amdsev-154-nosmt-milan.log', 'amdsev-154-nosmt-milan.2.log'];
  expect(block('log')).toBe(files.map((f) => readFileSync(FIXTURES + f, 'utf8')).join(''));
  const command = block('output').split('\n')[0];
  expect(command).toBe(
    `$ npx -y pnpm@10.34.8 --silent sevsim diagnose ${files.map((f) => `packages/diagnose/fixtures/${f}`).join(' ')}`,
  );
});
