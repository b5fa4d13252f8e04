/**
 * `servePlayback`: the built app and one trace on 127.0.0.1, for `sevsim playback TRACE`.
 * Loopback only, GET/HEAD only, a Host check against DNS rebinding, and a fixed file table
 * (request-path.ts), so the server hands out nothing but its own files.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { findAppDir } from './app-dir.js';
import { appFileTable, CONTENT_TYPES } from './app-files.js';
import { lookupRequest } from './request-path.js';
import { loadTraceFile } from './trace-file.js';
import { type TraceInput, traceList } from './trace-input.js';

export interface ServeOptions {
  /** 0 or absent: a free port chosen by the OS. */
  readonly port?: number;
  /** The only address served on; the type admits nothing else. */
  readonly host?: '127.0.0.1';
  /** The built app; by default dist/app of this package. */
  readonly appDir?: string;
}

export interface PlaybackServer {
  /** e.g. `http://127.0.0.1:41234/` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** The URL path the app fetches the trace from (src/app/load-trace.ts). */
export const TRACE_URL_PATH = '/trace.json';
/** Run B of a side-by-side view. */
export const TRACE_B_URL_PATH = '/trace-b.json';
/** The list of trace URLs the app fetches first: one trace or two. */
export const TRACE_LIST_PATH = '/traces.json';

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

function refuse(res: ServerResponse, status: number, reason: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${status} ${reason}\n`);
}

/**
 * Serve the playback app for `tracePath` (or two traces side by side). Each trace is read and
 * checked once, at start (a bad file is an error for the caller, not a page), and served from
 * memory: what the page shows is the trace that was checked, whatever happens to the file later
 * (issue 13: the server re-read the path on every request).
 */
export async function servePlayback(
  tracePath: TraceInput,
  options: ServeOptions = {},
): Promise<PlaybackServer> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new Error(`servePlayback listens on 127.0.0.1 only, not ${String(host)}`);
  const paths = traceList(tracePath);
  const texts: string[] = [];
  for (const p of paths) texts.push((await loadTraceFile(p)).text);
  const files = appFileTable(findAppDir(options.appDir));
  const urls = [TRACE_URL_PATH, TRACE_B_URL_PATH].slice(0, paths.length);
  // The answers that are not files: the traces as read at start, and which of them the page is to fetch.
  const inMemory = new Map<string, string>([
    [TRACE_LIST_PATH, JSON.stringify(urls.map((u) => u.slice(1)))],
    ...urls.map((u, i) => [u, texts[i]!] as const),
  ]);

  let port = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return refuse(res, 405, 'method not allowed');
    }
    const hostHeader = req.headers.host ?? '';
    if (hostHeader !== `127.0.0.1:${port}` && hostHeader !== `localhost:${port}`) {
      return refuse(res, 403, 'unexpected Host header');
    }
    const found = lookupRequest(req.url ?? '', files);
    const body = found.status === 404 ? inMemory.get(req.url?.split(/[?#]/, 1)[0] ?? '') : undefined;
    if (body !== undefined) {
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': CONTENT_TYPES['.json']!,
        'Content-Length': Buffer.byteLength(body),
      });
      return void res.end(req.method === 'HEAD' ? undefined : body);
    }
    if (found.status !== 200) return refuse(res, found.status, found.reason);
    let size: number;
    try {
      size = (await stat(found.file)).size;
    } catch {
      return refuse(res, 404, 'not found');
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': CONTENT_TYPES[extname(found.file)] ?? 'application/octet-stream',
      'Content-Length': size,
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(found.file)
      .on('error', () => res.destroy())
      .pipe(res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) refuse(res, 500, 'internal error');
      else res.destroy();
    });
  });
  await new Promise<void>((ok, bad) => {
    server.once('error', bad);
    server.listen(options.port ?? 0, host, () => ok());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () =>
      new Promise<void>((ok, bad) => {
        server.close((e) => (e ? bad(e) : ok()));
        server.closeAllConnections();
      }),
  };
}
