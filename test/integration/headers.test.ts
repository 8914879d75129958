/**
 * Pages we serve run under a strict Content-Security-Policy and the usual security headers; the
 * widget files are served to any site; the session cookie is out of reach of scripts and of
 * requests from other sites.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../shared/http.ts';
import { DEMO_ARTICLES, demoArticleUrl } from '../../demo/articles.ts';
import { ADMIN, startTestServer, type TestServer } from '../support/server.ts';

/** `default-src 'self'; script-src …` -> { 'default-src': ["'self'"], … } */
function parseCsp(header: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of header.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out[name.toLowerCase()] = values;
  }
  return out;
}

describe('security headers', () => {
  let server: TestServer;
  let pages: string[];
  beforeAll(async () => {
    server = await startTestServer('pglite');
    pages = ['/console', '/', new URL(demoArticleUrl(server.url, DEMO_ARTICLES[0])).pathname, '/en/articles/no-such-article'];
  });
  afterAll(() => server?.close());

  it('serves the console and the demo pages under a strict Content-Security-Policy', async () => {
    for (const path of pages) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
      const header = res.headers.get('content-security-policy');
      expect(header, path).toBeTruthy();
      expect(header).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|strict-dynamic|\*/);
      const csp = parseCsp(header!);
      expect(csp['default-src'], path).toEqual(["'self'"]);
      expect(csp['object-src'], path).toEqual(["'none'"]);
      expect(csp['frame-ancestors'], path).toEqual(["'none'"]);
      expect(csp['base-uri'], path).toEqual(["'none'"]);
      // Scripts: this server only ('self', and its public address, which a page opened under
      // another name of the host, 127.0.0.1 for localhost, needs to load the widget).
      expect(csp['script-src'], path).toEqual(["'self'", new URL(server.url).origin]);
      expect(csp['style-src'] ?? ["'self'"], path).toEqual(["'self'"]);
      for (const [directive, sources] of Object.entries(csp)) {
        for (const source of sources) expect(['http:', 'https:', 'data:', 'blob:'].includes(source) && directive !== 'img-src', `${path} ${directive} ${source}`).toBe(false);
      }
    }
  });

  it('serves pages that need no inline script, inline style or event handler attribute', async () => {
    for (const path of pages) {
      const html = await (await fetch(`${server.url}${path}`)).text();
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
      expect(scripts.length, path).toBeGreaterThan(0);
      for (const [, attrs, body] of scripts) {
        expect(attrs, path).toMatch(/\bsrc=/);
        expect(body.trim(), path).toBe('');
      }
      expect(html, path).not.toMatch(/<style\b/i);
      expect(html, path).not.toMatch(/\sstyle\s*=/i);
      expect(html, path).not.toMatch(/<[^>]+\son[a-z]+\s*=/i);
      expect(html, path).not.toMatch(/javascript:/i);
    }
  });

  it('sends the usual security headers with every page', async () => {
    for (const path of pages) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toMatch(/^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/);
      expect(res.headers.get('strict-transport-security'), path).toMatch(/max-age=\d{7,}/);
      expect(res.headers.get('x-frame-options'), path).toMatch(/^(DENY|SAMEORIGIN)$/);
      expect(res.headers.get('x-powered-by'), path).toBeNull();
    }
  });

  it('serves the widget files to any site, as JavaScript', async () => {
    for (const path of ['/widget.js', '/widget/support-chat.js']) {
      const res = await fetch(`${server.url}${path}`, { headers: { origin: 'https://customer.example' } });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('access-control-allow-origin'), path).toBe('*');
      expect(res.headers.get('access-control-allow-credentials'), path).toBeNull();
      expect(res.headers.get('content-type'), path).toMatch(/^(text|application)\/javascript\b/);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      // The classic script may be loaded by a page that requires CORP; modules load in cors mode, where CORP is not read.
      expect(res.headers.get('cross-origin-resource-policy'), path).toBe(path === '/widget.js' ? 'cross-origin' : null);
      expect((await res.text()).length, path).toBeGreaterThan(0);
    }
  });

  it('answers a missing widget file with NOT_FOUND, not an error', async () => {
    const res = await fetch(`${server.url}/widget/no-such-file.js`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('keeps the console API out of other sites’ reach', async () => {
    const res = await fetch(`${server.url}/api/auth/me`, { headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${server.url}/api/faqs`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('sets the session cookie HttpOnly and SameSite=Strict, for the whole site', async () => {
    const res = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie.startsWith(`${SESSION_COOKIE}=`)).toBe(true);
    const attrs = cookie.split(';').slice(1).map((a) => a.trim().toLowerCase());
    expect(attrs).toContain('httponly');
    expect(attrs).toContain('samesite=strict');
    expect(attrs).toContain('path=/');
    expect(attrs.some((a) => a.startsWith('domain='))).toBe(false);
  });
});

describe('the session cookie behind an HTTPS proxy', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('pglite', { trustProxy: 1 });
  });
  afterAll(() => server?.close());

  it('is marked Secure', async () => {
    const res = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify(ADMIN),
    });
    const attrs = res.headers.get('set-cookie')!.split(';').map((a) => a.trim().toLowerCase());
    expect(attrs).toContain('secure');
    expect(attrs).toContain('httponly');
    expect(attrs).toContain('samesite=strict');
  });
});
