/**
 * The browser bundles go out precompressed: brotli when the browser takes it, else gzip, else as they
 * are, always with `Vary: Accept-Encoding`; content-hashed files are cached for a year, while widget.js
 * (the URL sites embed) and the console's page are re-read soon after a deploy.
 * Builds into a folder of its own, so that other test runs rebuilding dist/public cannot move its files.
 */
import { request } from 'node:http';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPublic } from '../../scripts/build.ts';
import { createApp, type App } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { ADMIN } from '../support/server.ts';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET whose body is left as it came over the wire (fetch would decode it). */
function get(url: string, acceptEncoding?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const headers = { origin: 'https://customer.example', ...(acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding }) };
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject).end();
  });
}

const decode = (r: Raw) => (r.headers['content-encoding'] === 'br' ? brotliDecompressSync(r.body) : r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.body) : r.body);

describe('precompressed browser bundles', () => {
  let dir: string;
  let publicDir: string;
  let database: TestDatabase;
  let app: App;
  let url: string;
  let elementPath: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sc-public-'));
    [publicDir, database] = await Promise.all([buildPublic(path.join(dir, 'public')), createTestDatabase('pglite')]);
    const config = { ...loadConfig({ LOG_LEVEL: 'silent', DEMO: '0' }), adminEmail: ADMIN.email, adminPassword: ADMIN.password, host: '127.0.0.1' };
    app = createApp({ db: database.db, config, log: createLogger('silent'), publicDir });
    url = await app.listen(0, '127.0.0.1');
    const loader = await readFile(path.join(publicDir, 'widget.js'), 'utf8');
    elementPath = `/${/"(widget\/support-chat-[A-Z2-7]{8}\.js)"/.exec(loader)![1]}`;
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const widgetFiles = async () => ['/widget.js', elementPath, ...(await readdir(path.join(publicDir, 'widget'))).filter((f) => f.startsWith('chunk-') && f.endsWith('.js')).map((f) => `/widget/${f}`)];

  it('sends brotli when asked for it, gzip when only gzip is accepted, and the file as is otherwise', async () => {
    const consoleHtml = await readFile(path.join(publicDir, 'console/index.html'), 'utf8');
    const appPath = /src="(\/console\/app-[A-Z2-7]{8}\.js)"/.exec(consoleHtml)![1];
    for (const file of [...(await widgetFiles()), appPath]) {
      const onDisk = await readFile(path.join(publicDir, file === '/widget.js' ? 'widget.js' : file.replace(/^\//, '')));
      const cases: [string | undefined, string | undefined][] = [
        ['gzip, deflate, br, zstd', 'br'],
        ['gzip, deflate', 'gzip'],
        ['br;q=0, gzip', 'gzip'],
        ['identity', undefined],
        ['br;q=0, gzip;q=0', undefined],
        [undefined, undefined],
      ];
      for (const [accept, encoding] of cases) {
        const res = await get(`${url}${file}`, accept);
        const what = `${file} (${accept})`;
        expect(res.status, what).toBe(200);
        expect(res.headers['content-encoding'], what).toBe(encoding);
        expect(res.headers.vary, what).toMatch(/accept-encoding/i);
        expect(res.headers['content-type'], what).toMatch(/^(text|application)\/javascript\b/);
        expect(Number(res.headers['content-length']), what).toBe(res.body.length);
        expect(decode(res).equals(onDisk), what).toBe(true);
        if (encoding) expect(res.body.length, what).toBeLessThan(onDisk.length);
      }
    }
  });

  it('caches content-hashed files for a year and widget.js for minutes, and lets any site load the widget with few headers', async () => {
    for (const file of await widgetFiles()) {
      const res = await get(`${url}${file}`, 'br');
      expect(res.headers['cache-control'], file).toBe(file === '/widget.js' ? 'public, max-age=300' : 'public, max-age=31536000, immutable');
      expect(res.headers['access-control-allow-origin'], file).toBe('*');
      // Only the classic script needs CORP (no-cors load); the modules are fetched in cors mode, where it is not read.
      expect(res.headers['cross-origin-resource-policy'], file).toBe(file === '/widget.js' ? 'cross-origin' : undefined);
      expect(res.headers['x-content-type-options'], file).toBe('nosniff');
      // A page's policies mean nothing on a script: they would only add bytes to every embed.
      expect(res.headers['content-security-policy'], file).toBeUndefined();
      expect(res.headers['x-frame-options'], file).toBeUndefined();
    }
    // The element's stable name, for pages that import it directly, follows the build too.
    const alias = await get(`${url}/widget/support-chat.js`, 'br');
    expect(alias.headers['cache-control']).toBe('public, max-age=300');
    expect(decode(alias).toString()).toContain(path.posix.basename(elementPath));
  });

  it('serves the console page, compressed and never stale, naming the current console bundle', async () => {
    const page = await get(`${url}/console`, 'gzip, deflate, br');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toBeTruthy();
    const html = decode(page).toString();
    const src = /<script type="module" src="(\/console\/app-[A-Z2-7]{8}\.js)"><\/script>/.exec(html)?.[1];
    expect(src).toBeTruthy();
    const bundle = await get(`${url}${src}`, 'gzip, deflate, br');
    expect(bundle.status).toBe(200);
    expect(bundle.headers['content-encoding']).toBe('br');
    expect(bundle.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('builds safely while another build of the same folder runs, leaving no half-built folders behind', async () => {
    const target = path.join(dir, 'concurrent');
    await Promise.all([buildPublic(target), buildPublic(target), buildPublic(target)]);
    const loader = await readFile(path.join(target, 'widget.js'), 'utf8');
    const element = /"widget\/(support-chat-[A-Z2-7]{8}\.js)"/.exec(loader)![1];
    const files = await readdir(path.join(target, 'widget'));
    expect(files).toContain(element);
    expect(files).toContain(`${element}.br`);
    expect(files).toContain(`${element}.gz`);
    // Each build's folder and its esbuild metafile (scripts/size.ts reads it); no staging folder is left.
    expect((await readdir(dir)).sort()).toEqual(['concurrent', 'concurrent.widget-meta.json', 'public', 'public.widget-meta.json']);
  });
});
