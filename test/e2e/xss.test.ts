/**
 * Every known XSS payload, typed wherever a person can type something another will see — messages
 * both ways, the visitor's name, feedback, FAQ answers, article titles — is shown as text in the
 * widget and in the console of a real browser, and none of it runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { DEMO_ARTICLES } from '../../demo/articles.ts';
import { sites } from '../../server/db/schema.ts';
import { hmacHex } from '../../server/crypto.ts';
import { liftRateLimits } from '../support/limits.ts';
import type { SessionDTO } from '../../shared/types.ts';
import { XSS_PAYLOADS } from '../support/xss-payloads.ts';
import { ADMIN, agentSocket, api, clientId, connected, login, ok, startTestServer, visitorSocket, type TestServer } from '../support/server.ts';
import { browserAvailable, countDeep, launchBrowser, watchDialogs } from '../support/browser.ts';

const article = DEMO_ARTICLES.find((a) => a.language === 'en')!;

/** Groups payloads into strings of at most `max` characters. */
function packs(max: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const p of XSS_PAYLOADS) {
    if (cur && cur.length + p.length + 1 > max) {
      out.push(cur);
      cur = '';
    }
    cur = cur ? `${cur} ${p}` : p;
  }
  if (cur) out.push(cur);
  return out;
}

/** Whether anything a payload would do happened: a dialog, the marker, an injected element. */
async function ranNothing(page: Page, dialogs: string[]) {
  expect(dialogs).toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
  for (const sel of ['script:not([src])', 'img[src="x"]', 'svg[onload]', 'iframe', '[onerror]', '[onload]', '[onclick]', 'a[href^="javascript:" i]']) {
    expect(await countDeep(page, sel), sel).toBe(0);
  }
}

describe.skipIf(!browserAvailable)('known XSS payloads in a real browser', () => {
  let server: TestServer;
  let browser: Browser;
  let restoreLimits: (() => void) | undefined;
  beforeAll(async () => {
    // Every payload is one message: more than a person may send in a minute.
    restoreLimits = liftRateLimits();
    [server, browser] = await Promise.all([startTestServer('pglite'), launchBrowser()]);
  });
  afterAll(async () => {
    restoreLimits?.();
    await browser?.close();
    await server?.close();
  });

  it('has at least 30 payloads to try', () => {
    expect(new Set(XSS_PAYLOADS).size).toBeGreaterThanOrEqual(30);
  });

  it('shows every payload as text in the widget and the console, and runs none', { timeout: 120_000 }, async () => {
    const cookie = await login(server.url);
    const [site] = await server.database.db.select().from(sites).where(eq(sites.id, 'demo'));
    // FAQ answers and article titles written by a hostile (or careless) editor.
    const faq = await api(server.url, cookie, 'POST', '/api/faqs', {
      siteId: 'demo',
      question: 'Show me the zebra quantum answer',
      variants: ['zebra quantum answer please'],
      answer: XSS_PAYLOADS.join('\n').slice(0, 4000),
      language: 'en',
    });
    expect(faq.status).toBe(200);
    const titles = packs(300).slice(0, 3);
    const put = await api(server.url, cookie, 'PUT', '/api/articles', titles.map((title, i) => ({
      siteId: 'demo',
      url: `${server.url}/en/articles/xss-${i}`,
      title,
      summary: 'Walrus telescope maintenance guide',
      body: 'walrus telescope maintenance, walrus telescope lenses',
      language: 'en',
    })));
    expect(put.status).toBe(200);

    const context = await browser.newContext({ locale: 'en-US' });
    const visitor = await context.newPage();
    const agentPage = await (await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } })).newPage();
    visitor.setDefaultTimeout(15_000);
    agentPage.setDefaultTimeout(15_000);
    const visitorDialogs = watchDialogs(visitor);
    const agentDialogs = watchDialogs(agentPage);

    await visitor.goto(`${server.url}/en/articles/${article.slug}`);
    await visitor.getByRole('button', { name: 'Open support chat' }).click();
    const box = visitor.getByRole('textbox', { name: 'Message' });
    await box.fill('zebra quantum answer please');
    await box.press('Enter');
    await visitor.getByText(XSS_PAYLOADS[0], { exact: false }).first().waitFor();
    await box.fill('How do I maintain the walrus telescope?');
    await box.press('Enter');
    await visitor.getByRole('link', { name: new RegExp(titles[0].slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) }).first().waitFor();

    // The same visitor, from a script: a hostile name, every payload as a message, feedback.
    const token = await visitor.evaluate(() => localStorage.getItem('support-chat:demo:token'));
    expect(token).toBeTruthy();
    const v = visitorSocket(server.url, { token: token! });
    await connected(v);
    const ts = Math.floor(Date.now() / 1000);
    const name = XSS_PAYLOADS[1];
    await ok<SessionDTO>(v, 'session:identify', { id: 'user-1', name, ts, hash: hmacHex(site.secret, `user-1:${ts}`) });
    for (const p of XSS_PAYLOADS) await ok(v, 'message:send', { clientId: clientId(), body: p });
    for (const content of packs(4000).slice(0, 3)) await ok(v, 'feedback:submit', { content, contact: XSS_PAYLOADS[2].slice(0, 200), pageUrl: `${server.url}/en/articles/x`, pageTitle: XSS_PAYLOADS[3] });

    // The agent answers with every payload too.
    const agent = agentSocket(server.url, cookie);
    await connected(agent);
    const queue = await ok(agent, 'queue:list', {});
    const conv = queue.waiting[0];
    for (const p of XSS_PAYLOADS) await ok(agent, 'message:send', { conversationId: conv.id, clientId: clientId(), body: p });
    agent.disconnect();
    v.disconnect();

    await visitor.getByText(XSS_PAYLOADS.at(-1)!, { exact: true }).first().waitFor();
    for (const p of XSS_PAYLOADS) expect(await visitor.getByText(p, { exact: true }).count(), p).toBeGreaterThan(0);

    await agentPage.goto(`${server.url}/console`);
    await agentPage.getByLabel('Email').fill(ADMIN.email);
    await agentPage.getByLabel('Password').fill(ADMIN.password);
    await agentPage.getByRole('button', { name: 'Sign in' }).click();
    await agentPage.getByRole('button', { name: /Mine/ }).first().click().catch(() => {});
    await agentPage.locator('console-queue button.item').first().click();
    await agentPage.getByText(XSS_PAYLOADS.at(-1)!, { exact: true }).first().waitFor();
    for (const p of XSS_PAYLOADS) expect(await agentPage.getByText(p, { exact: true }).count(), p).toBeGreaterThan(0);
    await agentPage.getByRole('button', { name: 'Feedback' }).click();
    await agentPage.getByText(XSS_PAYLOADS[3]).first().waitFor();
    await agentPage.getByRole('button', { name: 'FAQ' }).click();
    await agentPage.getByText('Show me the zebra quantum answer').first().waitFor();

    await visitor.reload();
    await visitor.getByRole('button', { name: 'Open support chat' }).click();
    await visitor.getByRole('tab', { name: 'Leave feedback' }).click();
    await visitor.getByRole('tabpanel', { name: 'Leave feedback' }).getByText(XSS_PAYLOADS[0]).first().waitFor();

    await ranNothing(visitor, visitorDialogs);
    await ranNothing(agentPage, agentDialogs);
    await context.close();
  });
});
