/**
 * Every log of the corpus (fixtures/: verbatim excerpts from public reports, each with a sidecar
 * naming its source, what the thread established and the fix it found): the values the log
 * proves, the refused commands the replay reproduces, which guests run, the fix the thread found
 * among the verified ones, and how much of the log the replay reproduces. Where the model cannot
 * reproduce a line yet, the sidecar lists it under `fidelityGaps`, so a fix in the layers shows
 * up here as a change to review rather than passing silently.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { defaultCatalog } from '@sevsim/scenario';
import { describe, expect, it } from 'vitest';
import { nearestRelease } from '../src/index';
import { corpus, diagnoseFixture, type ExpectedChange, FIXTURES } from './corpus';

/** `UPDATE_CORPUS=1`: rewrite each sidecar's replay counts (after a model fix, review the diff). */
const UPDATE = process.env.UPDATE_CORPUS === '1';

describe.each(corpus())('$name', ({ name, side }) => {
  const d = diagnoseFixture(side).json;

  it(`infers what the log proves (${side.source})`, () => {
    for (const [path, value] of Object.entries(side.expect.inferred)) {
      expect(d.inferred.find((x) => x.path === path)?.value, path).toEqual(value);
    }
    for (const x of d.inferred)
      expect(x.from !== undefined || x.assumed === true || x.note !== undefined, x.path).toBe(true);
    // The release: the nearest modelled one to what the log or the sidecar names.
    const logs = side.logs.map((f) => readFileSync(FIXTURES + f, 'utf8')).join('\n');
    const named = side.options.kernel ?? /(?:Linux version |vmlinuz-)(\d+\.\d+)/.exec(logs)?.[1];
    const release = d.inferred.find((x) => x.path === 'kernel.version')?.value;
    if (named) expect(release).toBe(nearestRelease(named, defaultCatalog().releases));
  });

  it('reproduces the refused firmware commands the log reports, each tied to its line', () => {
    for (const f of side.expect.findings) {
      const hit = d.findings.find(
        (x) => x.cmd?.replace(/_EX$/, '') === f.cmd.replace(/_EX$/, '') && x.status === f.status,
      );
      expect(hit, `${f.cmd} status ${f.status}`).toBeDefined();
      expect(hit?.line).not.toBeNull();
      expect(hit?.why).toMatch(/returned/);
    }
  });

  it('says which guests reach RUNNING in the replay', () => {
    for (const [k, v] of Object.entries(side.expect.capabilities))
      expect(d.capabilities[k as 'sev'], k).toBe(v);
  });

  it(
    side.fix === null
      ? 'records that the thread found no modelled fix'
      : side.fixUnmodelled
        ? `records that the thread's fix is not modelled (${side.fixUnmodelled})`
        : `proposes the fix the thread found, verified (${side.source})`,
    () => {
      for (const f of d.fixes) expect(f.verified).toBe(true);
      const sizes = d.fixes.map((f) => f.changes.length);
      expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
      if (side.expect.fixPaths) {
        const want = [...side.expect.fixPaths].sort();
        expect(d.fixes.map((f) => f.changes.map((c) => c.path).sort())).toContainEqual(want);
      }
      if (side.fix !== null && side.fix.length === 0) expect(d.fixes).toEqual([]);
      if (side.fix !== null && side.fix.length > 0 && !side.fixUnmodelled) {
        // The thread's changes, each with its value, in one verified fix; anything else that fix
        // changes is a value the log could not show (marked assumed), never a proven one.
        const want = side.fix;
        const assumed = new Set(d.inferred.filter((x) => x.assumed).map((x) => x.path));
        const hit = d.fixes.find(
          (f) =>
            want.every((w) => f.changes.some((c) => c.path === w.path && changeMatches(w, c.value))) &&
            f.changes.every((c) => want.some((w) => w.path === c.path) || assumed.has(c.path)),
        );
        expect(
          hit,
          `${JSON.stringify(want)} among ${JSON.stringify(d.fixes.map((f) => f.changes))}`,
        ).toBeDefined();
        expect(hit?.capabilities[d.goal === 'sev-es' ? 'sevEs' : d.goal]).toBe(true);
      }
    },
  );

  it('aligns the real log with the replay (gaps recorded, each with its kind)', () => {
    const got = {
      matched: d.replay.matched,
      aligned: d.replay.aligned,
      fidelityGaps: d.replay.onlyInLog.filter((g) => g.kind === 'fidelity').map((g) => g.line),
    };
    if (UPDATE) {
      const file = `${FIXTURES}${name}.json`;
      const s = JSON.parse(readFileSync(file, 'utf8'));
      s.expect.replay = got;
      writeFileSync(file, `${JSON.stringify(s, null, 2)}\n`);
    } else
      expect(
        got,
        `${name}: the replay changed; if the model got better, UPDATE_CORPUS=1 rewrites the sidecar`,
      ).toEqual(side.expect.replay);
    for (const text of side.expect.onlyInLog ?? []) {
      expect(d.replay.onlyInLog.some((g) => g.text.endsWith(text) && g.kind === 'unmodelled')).toBe(true);
    }
  });
});

/** A proposed value meets the thread's change: equal, or a firmware version at least `atLeast`. */
function changeMatches(want: ExpectedChange, got: unknown): boolean {
  if (want.atLeast === undefined) return JSON.stringify(got) === JSON.stringify(want.value);
  const a = String(got).split('.').map(Number);
  const b = want.atLeast.split('.').map(Number);
  for (let i = 0; i < b.length; i++) {
    if ((a[i] ?? 0) !== b[i]) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}
