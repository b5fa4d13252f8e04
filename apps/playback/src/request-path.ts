/**
 * Which of the server's own files a request names. The server never joins a URL onto a directory:
 * it looks the path up in a fixed table of the files it was started with, so nothing outside them
 * can be reached. The checks below refuse the usual traversal spellings outright (400) instead of
 * letting them fall through to "not found", so a probe is visible as such in the status.
 */
export type RequestLookup =
  | { readonly status: 200; readonly file: string }
  | { readonly status: 400 | 404; readonly reason: string };

/** Characters our file names use (Vite's hashed asset names, index.html, trace.json). */
const SAFE_PATH = /^\/[A-Za-z0-9._\-/]*$/;

export function lookupRequest(target: string, files: ReadonlyMap<string, string>): RequestLookup {
  // Only origin-form targets ("/path"): no absolute URLs, authority form or "*".
  if (!target.startsWith('/')) return { status: 400, reason: 'request target must be a path' };
  const path = target.split(/[?#]/, 1)[0] ?? '';
  if (path.includes('\\')) return { status: 400, reason: 'backslash in path' };
  // No percent-encoding at all: our names never need it, and it is how %2e%2e / %2f / %5c / %00 hide.
  if (path.includes('%')) return { status: 400, reason: 'encoded characters in path' };
  if (path.startsWith('//')) return { status: 400, reason: 'absolute path' };
  const segments = path.split('/').slice(1);
  if (segments.some((s) => s === '..' || s === '.')) return { status: 400, reason: 'dot segment in path' };
  if (!SAFE_PATH.test(path)) return { status: 400, reason: 'unexpected characters in path' };
  const key = path === '/' ? '/index.html' : path;
  const file = files.get(key);
  return file === undefined ? { status: 404, reason: 'not found' } : { status: 200, file };
}
