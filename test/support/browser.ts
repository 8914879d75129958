/**
 * Debian's Chromium driven by playwright-core (`npx playwright install` cannot work on these
 * machines). Outside CI a missing browser skips the browser tests with a printed reason; in CI
 * (CI=true) it fails them.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { Config } from '../../server/config.ts';
import { ADMIN, startTestServer, type TestServer } from './server.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const browserAvailable = existsSync(CHROMIUM_PATH);
const inCi = process.env.CI === 'true' || process.env.CI === '1';

if (!browserAvailable) {
  const reason = `Chromium not found at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  if (inCi) throw new Error(`browser tests are required in CI: ${reason}`);
  console.warn(`skipping browser tests: ${reason}`);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/**
 * A test server (PGlite) and Chromium, started together before the suite's tests and closed after
 * them, the browser first. Call it in a describe block; read `server` and `browser` inside hooks and tests.
 * @example const env = serverAndBrowser(); it('…', async () => { const page = await env.browser.newPage(); await page.goto(env.server.url); });
 */
export function serverAndBrowser(overrides: Partial<Config> = {}): { readonly server: TestServer; readonly browser: Browser } {
  const env = {} as { server: TestServer; browser: Browser };
  beforeAll(async () => {
    [env.server, env.browser] = await Promise.all([startTestServer('pglite', overrides), launchBrowser()]);
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

/** Signs in to the console at `url` as `email` (the page in English). */
export async function signInToConsole(page: Page, url: string, email: string, password: string): Promise<void> {
  await page.goto(`${url}/console`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** A new page of `ctx`, signed in to the console at `url` as the admin in Chinese, on its FAQ view. */
export async function faqViewInChinese(ctx: BrowserContext, url: string): Promise<Page> {
  const page = await ctx.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${url}/console`);
  await page.getByLabel('邮箱').fill(ADMIN.email);
  await page.getByLabel('密码').fill(ADMIN.password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('button', { name: '常见问题', exact: true }).click();
  return page;
}

/** Records any dialog (alert, confirm…) a page opens: an XSS payload that runs shows up here. */
export function watchDialogs(page: Page): string[] {
  const opened: string[] = [];
  page.on('dialog', (d) => {
    opened.push(d.message());
    void d.dismiss();
  });
  return opened;
}

/** Counts elements matching a selector in the document and in every open shadow root. */
export function countDeep(page: Page, selector: string): Promise<number> {
  return page.evaluate((sel) => {
    let n = 0;
    const walk = (root: Document | ShadowRoot) => {
      n += root.querySelectorAll(sel).length;
      for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
    };
    walk(document);
    return n;
  }, selector);
}

// axe is injected as a script tag: a page's Content-Security-Policy is bypassed (bypassCSP) for that alone.
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Moderate, serious and critical axe violations inside the widget (or `include`), as "rule: target" lines. */
export async function axeViolations(page: Page, include = 'support-chat'): Promise<string[]> {
  if ((await page.evaluate('typeof window.axe')) === 'undefined') await page.addScriptTag({ path: AXE });
  return page.evaluate(`axe.run({ include: [[${JSON.stringify(include)}]] }, { resultTypes: ['violations'] }).then((r) =>
    r.violations.filter((v) => v.impact !== 'minor')
      .flatMap((v) => v.nodes.map((n) => v.id + ': ' + JSON.stringify(n.target))))`);
}
