/**
 * The root README's "Diagnose your machine" section shows a real log (AMDSEV#154) and the output
 * of `sevsim diagnose` on it. The output is generated, not written by hand: this test runs the
 * diagnosis on the log as the README shows it and compares the text.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { diagnose, formatDiagnosis, readLog } from '../src/index';
import { FIXTURES } from './corpus';

const README_FILE = new URL('../../../README.md', import.meta.url);
const README = readFileSync(README_FILE, 'utf8');

function block(marker: string): string {
  const at = README.indexOf(`<!-- diagnose-example:${marker}`);
  expect(at).toBeGreaterThan(0);
  const open = README.indexOf('```\n', at) + 4;
  return README.slice(open, README.indexOf('```\n', open));
}

it('README "Diagnose your machine": the log is the corpus excerpt and the output is what diagnose prints', () => {
  const files = ['amdsev-154-nosmt-milan.log', 'amdsev-154-nosmt-milan.2.log'];
  const texts = files.map((f) => readFileSync(FIXTURES + f, 'utf8'));
  expect(block('log')).toBe(texts.join(''));
  const d = diagnose(readLog(files.map((name, i) => ({ name, text: texts[i]! }))));
  const output = formatDiagnosis(d.json);
  if (process.env.UPDATE_README === '1') {
    const at = README.indexOf('<!-- diagnose-example:output');
    const open = README.indexOf('```\n', at) + 4;
    writeFileSync(README_FILE, README.slice(0, open) + output + README.slice(README.indexOf('```\n', open)));
  } else expect(block('output'), 'the README output is generated: UPDATE_README=1 rewrites it').toBe(output);
});
