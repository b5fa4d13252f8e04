import { request } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type PlaybackServer, servePlayback, TraceFileError } from '../src/index.js';
import { tempDir, writeTrace } from './fixtures/files.js';
import { seedThreadTrace } from './fixtures/seed-thread.js';

/** A raw request: `fetch` would normalise `..` and encodings away before they reach the server. */
function raw(
  port: number,
  path: string,
  options: { method?: string; host?: string } = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((ok, bad) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: { host: options.host ?? `127.0.0.1:${port}` },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => ok({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', bad);
    req.end();
  });
}

describe('servePlayback', () => {
  const dir = tempDir();
  const tracePath = writeTrace(dir, 'run.json', seedThreadTrace);
  let server: PlaybackServer;

  beforeAll(async () => {
    server = await servePlayback(tracePath, { appDir: inject('appDir'), host: '127.0.0.1' });
  });
  afterAll(() => server.close());

  it('listens on 127.0.0.1 at a free port', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(server.port).toBeGreaterThan(0);
  });

  it('serves the app, its assets and the trace', async () => {
    const index = await raw(server.port, '/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['content-security-policy']).toContain("default-src 'none'");
    const asset = /src="\.(\/assets\/[^"]+\.js)"/.exec(index.body)![1]!;
    expect((await raw(server.port, asset)).status).toBe(200);
    const trace = await raw(server.port, '/trace.json');
    expect(trace.status).toBe(200);
    expect(JSON.parse(trace.body)).toEqual(seedThreadTrace);
    // The page learns from /traces.json which traces to fetch: here one.
    const list = await raw(server.port, '/traces.json');
    expect([list.status, list.headers['content-type'], JSON.parse(list.body)]).toEqual([
      200,
      'application/json; charset=utf-8',
      ['trace.json'],
    ]);
    expect((await raw(server.port, '/trace-b.json')).status).toBe(404);
  });

  it('two traces: serves both for the side-by-side view, and checks both at start', async () => {
    const other = writeTrace(dir, 'other.json', { ...seedThreadTrace, file: 'other.yaml' });
    const pair = await servePlayback([tracePath, other], { appDir: inject('appDir') });
    try {
      expect(JSON.parse((await raw(pair.port, '/traces.json')).body)).toEqual(['trace.json', 'trace-b.json']);
      expect(JSON.parse((await raw(pair.port, '/trace-b.json')).body).file).toBe('other.yaml');
    } finally {
      await pair.close();
    }
    const bad = writeTrace(dir, 'bad-b.json', '{"format":"chrome"}');
    await expect(servePlayback([tracePath, bad], { appDir: inject('appDir') })).rejects.toThrow(
      /bad-b\.json: This is not a sevsim trace/,
    );
  });

  it.each([
    ['/../package.json', 400],
    ['/assets/../../../../etc/passwd', 400],
    ['/%2e%2e/%2e%2e/%2e%2e/etc/passwd', 400],
    ['/assets/%2e%2e%2f%2e%2e%2fpackage.json', 400],
    ['/..\\..\\package.json', 400],
    ['//etc/passwd', 400],
    ['http://127.0.0.1/etc/passwd', 400],
    ['/etc/passwd', 404],
    ['/package.json', 404],
    ['/run.json', 404],
  ])('refuses %s with %i, never a file outside its own', async (path, status) => {
    const r = await raw(server.port, path);
    expect(r.status).toBe(status);
    expect(r.body).not.toContain('root:');
    expect(r.body).not.toContain('"name"');
  });

  it('refuses other methods (405) and foreign Host headers (403, DNS rebinding)', async () => {
    expect((await raw(server.port, '/', { method: 'POST' })).status).toBe(405);
    expect((await raw(server.port, '/', { host: 'evil.example:80' })).status).toBe(403);
    expect((await raw(server.port, '/', { host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('reads the trace once at start: the file changed or cut afterwards is not what it serves (issue 13)', async () => {
    const before = (await raw(server.port, '/trace.json')).body;
    writeFileSync(tracePath, JSON.stringify(seedThreadTrace).slice(0, 500));
    const after = await raw(server.port, '/trace.json');
    writeFileSync(tracePath, JSON.stringify(seedThreadTrace));
    expect(after.status).toBe(200);
    expect(after.body).toBe(before);
    expect(JSON.parse(after.body).result.scenario).toBe(seedThreadTrace.result.scenario);
  });

  it('refuses to start on a missing or malformed trace, naming the file', async () => {
    const bad = writeTrace(dir, 'cut.json', JSON.stringify(seedThreadTrace).slice(0, 500));
    await expect(servePlayback(bad, { appDir: inject('appDir') })).rejects.toThrow(TraceFileError);
    await expect(servePlayback(bad, { appDir: inject('appDir') })).rejects.toThrow(
      /cut\.json: The trace is not valid JSON \(is the file truncated\?\)/,
    );
    await expect(servePlayback(`${dir}/absent.json`, { appDir: inject('appDir') })).rejects.toThrow(
      /absent\.json: cannot read the trace/,
    );
  });

  it('says how to build the app when it is missing', async () => {
    await expect(servePlayback(tracePath, { appDir: dir })).rejects.toThrow(/playback app is not built/);
    expect(readFileSync(tracePath, 'utf8')).toContain('sevsim-trace');
  });
});
