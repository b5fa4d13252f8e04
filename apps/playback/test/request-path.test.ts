import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lookupRequest } from '../src/request-path.js';

const files = new Map([
  ['/index.html', '/srv/app/index.html'],
  ['/assets/index-AbC_1-2.js', '/srv/app/assets/index-AbC_1-2.js'],
  ['/trace.json', '/home/u/run.json'],
]);

describe('server path safety: only the table of own files, traversal spellings refused', () => {
  it('serves / as index.html and the files of the table', () => {
    expect(lookupRequest('/', files)).toEqual({ status: 200, file: '/srv/app/index.html' });
    expect(lookupRequest('/assets/index-AbC_1-2.js?v=1', files)).toEqual({
      status: 200,
      file: '/srv/app/assets/index-AbC_1-2.js',
    });
    expect(lookupRequest('/trace.json', files)).toEqual({ status: 200, file: '/home/u/run.json' });
  });

  it.each([
    ['/../package.json', 400],
    ['/assets/../../etc/passwd', 400],
    ['/%2e%2e/%2e%2e/etc/passwd', 400],
    ['/%2E%2E%2Fetc%2Fpasswd', 400],
    ['/assets/..%2f..%2fpackage.json', 400],
    ['/..\\..\\etc\\passwd', 400],
    ['/assets%5c..%5cindex.html', 400],
    ['//etc/passwd', 400],
    ['http://127.0.0.1/etc/passwd', 400],
    ['C:\\Windows\\win.ini', 400],
    ['*', 400],
    ['/index.html%00.js', 400],
    ['/./index.html', 400],
    ['/etc/passwd', 404],
    ['/src/index.ts', 404],
    ['/.git/config', 404],
    ['/assets/', 404],
  ])('%s → %i', (target, status) => {
    expect(lookupRequest(target, files).status).toBe(status);
  });

  it('never answers 200 for a target with a dot-dot segment, a percent sign or a backslash (property)', () => {
    const nasty = fc.constantFrom('..', '%2e%2e', '%2E%2e', '\\', '%5c', '%2f', '%00');
    // Segments without ? or #: what follows those is the query, not the path.
    const segments = fc.array(
      fc.string().filter((s) => !/[?#]/.test(s)),
      { maxLength: 4 },
    );
    fc.assert(
      fc.property(segments, nasty, segments, (a, bad, b) => {
        const target = `/${[...a, bad, ...b].join('/')}`;
        expect(lookupRequest(target, files).status).not.toBe(200);
      }),
    );
  });

  it('answers 200 only with a file from the table, for any target (property)', () => {
    const own = new Set(files.values());
    fc.assert(
      fc.property(fc.string(), (target) => {
        const r = lookupRequest(target, files);
        if (r.status === 200) expect(own.has(r.file)).toBe(true);
      }),
    );
  });
});
