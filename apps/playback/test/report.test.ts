import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, inject, it } from 'vitest';
import {
  escapeJsonForScript,
  escapeScriptText,
  renderReport,
  TraceFileError,
  writeReport,
} from '../src/index.js';
import { tempDir, writeTrace } from './fixtures/files.js';
import { HOSTILE_LINE, HOSTILE_NAME, hostileTrace } from './fixtures/hostile.js';
import { seedThreadTrace } from './fixtures/seed-thread.js';

/** The markup with the bodies of script elements taken out, the way an HTML parser ends each
 *  one at the first `</script` (so this also shows where an unescaped one would break out). */
function outsideScripts(html: string): { markup: string; scripts: number } {
  let scripts = 0;
  const markup = html.replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/gi, (_m, open: string) => {
    scripts++;
    return `${open}</script>`;
  });
  return { markup, scripts };
}

function inlinedTrace(html: string): unknown {
  const m = /<script type="application\/json" id="sevsim-trace">([\s\S]*?)<\/script>/.exec(html);
  return JSON.parse(m![1]!);
}

describe('writeReport: one self-contained HTML file', () => {
  const dir = tempDir();

  it('inlines the app, the CSS and the trace; refers to no other file', async () => {
    const out = join(dir, 'report.html');
    const summary = await writeReport(writeTrace(dir, 'seed.json', seedThreadTrace), out, {
      appDir: inject('appDir'),
    });
    const html = readFileSync(out, 'utf8');
    expect(summary).toEqual({
      outPath: out,
      bytes: Buffer.byteLength(html),
      scenario: 'snp-init-invalid-config-then-sev-init-fails',
      steps: 6,
    });
    const { markup, scripts } = outsideScripts(html);
    expect(scripts).toBe(2);
    // The one link is the inline icon (so no request for /favicon.ico), a data: URL.
    expect(markup).not.toMatch(/\s(src|href)="(?!data:)/);
    expect(markup.match(/<link\b[^>]*>/g)).toEqual([
      expect.stringMatching(/^<link rel="icon" href="data:image\/svg\+xml,/),
    ]);
    expect(markup).toMatch(/<style>[\s\S]*\.panel/);
    expect(markup).toContain('<script type="module"></script>');
    expect(inlinedTrace(html)).toEqual(seedThreadTrace);
  });

  it('two traces: both inlined, run A then run B, for the side-by-side view', async () => {
    const out = join(dir, 'pair.html');
    const other = { ...seedThreadTrace, file: 'other.yaml' };
    const summary = await writeReport(
      [writeTrace(dir, 'a.json', seedThreadTrace), writeTrace(dir, 'b.json', other)],
      out,
      { appDir: inject('appDir') },
    );
    expect(summary.scenario).toBe(
      'snp-init-invalid-config-then-sev-init-fails vs snp-init-invalid-config-then-sev-init-fails',
    );
    const html = readFileSync(out, 'utf8');
    const ids = [...html.matchAll(/<script type="application\/json" id="([^"]+)">([\s\S]*?)<\/script>/g)];
    expect(ids.map((m) => [m[1], JSON.parse(m[2]!).file])).toEqual([
      ['sevsim-trace', seedThreadTrace.file],
      ['sevsim-trace-b', 'other.yaml'],
    ]);
  });

  it('forbids every fetch with a CSP that pins the inline script by hash', async () => {
    const html = await renderReport(JSON.stringify(seedThreadTrace), { appDir: inject('appDir') });
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe');
  });

  it('keeps </script> inside the trace from ending its element (HTML-injection trace)', async () => {
    const html = await renderReport(JSON.stringify(hostileTrace), { appDir: inject('appDir') });
    // Still exactly two script elements (the trace and the app), and nothing of the trace's
    // markup outside them.
    const { markup, scripts } = outsideScripts(html);
    expect(scripts).toBe(2);
    expect(markup).not.toContain('<img');
    expect(markup).not.toContain('__pwned');
    const back = inlinedTrace(html) as typeof hostileTrace;
    expect(back.result.scenario).toBe(HOSTILE_NAME);
    expect(back.boot.dmesg[0]).toBe(HOSTILE_LINE);
  });

  it('refuses a malformed trace and writes nothing', async () => {
    const out = join(dir, 'never.html');
    const cut = writeTrace(dir, 'cut.json', JSON.stringify(seedThreadTrace).slice(0, 300));
    await expect(writeReport(cut, out, { appDir: inject('appDir') })).rejects.toThrow(TraceFileError);
    expect(existsSync(out)).toBe(false);
  });
});

describe('escaping for inline scripts', () => {
  it('JSON: reads back the same value and contains no <, > or & (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string(), (value, s) => {
        for (const v of [value, s, `</script>${s}<!--`]) {
          const escaped = escapeJsonForScript(JSON.stringify(v));
          expect(escaped).not.toMatch(/[<>&]/);
          expect(JSON.parse(escaped)).toEqual(JSON.parse(JSON.stringify(v)));
        }
      }),
    );
  });

  it('JavaScript: no </script or <!-- left, and string literals keep their value', () => {
    const js = 'const a = "</script><!-- x"; const b = `</SCRIPT>`;';
    const escaped = escapeScriptText(js);
    expect(escaped).not.toMatch(/<\/script|<!--/i);
    // Evaluating the escaped code shows it still means the same.
    expect(new Function(`${escaped}; return [a, b];`)()).toEqual(['</script><!-- x', '</SCRIPT>']);
  });
});
