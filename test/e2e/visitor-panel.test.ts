/**
 * Beside the conversation, in a real browser: a signed-in course buyer in Shanghai asks from a page whose
 * address holds a token; the agent sees who they are and what the signature covers, the page without the
 * token, their browser and local time, the site's attributes and an earlier conversation one click away.
 * A ticket left past the site's first-response target is marked overdue in Waiting and in Mine, in
 * English and Chinese.
 */
import { createHmac } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DEMO_ARTICLES } from '../../demo/articles.ts';
import { conversations, visitors } from '../../server/db/schema.ts';
import { findSite } from '../../server/sites/sites.repository.ts';
import { ADMIN, api, login, startTestServer, type TestServer } from '../support/server.ts';
import { axeViolations, browserAvailable, launchBrowser } from '../support/browser.ts';

const article = DEMO_ARTICLES.find((a) => a.language === 'en')!;
const QUESTION = 'My certificate shows my name misspelled as Jonh, can a person fix it?';
const EARLIER = 'Can I download the lessons for offline viewing?';
/** The shortest first-response target a site may set, in seconds. */
const TARGET_SEC = 10;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe.skipIf(!browserAvailable)('the visitor panel and the overdue mark in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let visitor: Page;
  let agent: Page;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer('pglite'), launchBrowser()]);
    const admin = await login(server.url);
    expect((await api(server.url, admin, 'PUT', '/api/sites/demo', { firstResponseTargetSec: TARGET_SEC })).status).toBe(200);
    visitor = await (await browser.newContext({ locale: 'en-US', timezoneId: 'Asia/Shanghai' })).newPage();
    agent = await (await browser.newContext({ locale: 'en-US', viewport: { width: 1440, height: 900 }, bypassCSP: true /* axe is injected */ })).newPage();
    // A step that fails says which one, before the test's own timeout.
    for (const page of [visitor, agent]) page.setDefaultTimeout(15_000);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('a signed-in visitor asks from a page whose address holds a token', async () => {
    const secret = (await findSite(server.database.db, 'demo'))!.secret;
    const ts = Math.floor(Date.now() / 1000);
    const identity = {
      id: 'buyer-17',
      name: 'Wang Fang',
      email: 'wang.fang@example.com',
      ts,
      hash: createHmac('sha256', secret).update(`buyer-17:${ts}`).digest('hex'),
      attributes: { courses: 'Calculus I', progress: '40%', memberUntil: '2027-06-30', renews: false },
    };
    await visitor.goto(`${server.url}/en/articles/${article.slug}?token=s3cr3t-access#session=s3cr3t-fragment`);
    // As a site's page does: identify at once, before the widget has loaded.
    await visitor.evaluate((i) => window.SupportChat!.identify(i), identity);
    await visitor.getByRole('button', { name: 'Open support chat' }).click();
    const box = visitor.getByRole('textbox', { name: 'Message' });
    await box.fill(QUESTION);
    await box.press('Enter');
    await visitor.getByText(/No agent is online|A person will reply/).first().waitFor();
    // An earlier, resolved conversation of the same visitor, once the widget has passed the identity on.
    const signedVisitor = async () => (await server.database.db.select().from(visitors).where(and(eq(visitors.siteId, 'demo'), eq(visitors.externalId, 'buyer-17'))))[0];
    await expect.poll(signedVisitor).toBeTruthy();
    const v = (await signedVisitor())!;
    const weekAgo = new Date(Date.now() - 7 * 86_400_000);
    await server.database.db
      .insert(conversations)
      .values({ siteId: 'demo', visitorId: v.id, status: 'resolved', question: EARLIER, createdAt: weekAgo, escalatedAt: weekAgo, resolvedAt: weekAgo, updatedAt: weekAgo });
  });

  it('marks the waiting ticket overdue once it passes the target, in words', async () => {
    await agent.goto(`${server.url}/console`);
    await agent.getByLabel('Email').fill(ADMIN.email);
    await agent.getByLabel('Password').fill(ADMIN.password);
    await agent.getByRole('button', { name: 'Sign in' }).click();
    const waiting = agent.getByRole('region', { name: /^Waiting/ });
    const item = waiting.getByRole('button', { name: /certificate shows my name/ });
    await item.waitFor();
    // The console's own clock turns it overdue: nothing is pushed when the target passes.
    await item.getByText(/Overdue: no first reply for .+ \(target 10 s\)$/).waitFor({ timeout: 40_000 });
  }, 60_000);

  it('shows the visitor beside the conversation', async () => {
    await agent.getByRole('region', { name: /^Waiting/ }).getByRole('button', { name: /certificate shows my name/ }).click();
    const panel = agent.getByRole('complementary', { name: 'About the visitor' });
    await panel.getByText('Verified by the site\'s signature (user id buyer-17)').waitFor();
    await panel.getByText(/The signature covers the user id and the time only/).waitFor();
    await panel.getByText('wang.fang@example.com').waitFor();
    // The page, stored without the token in its query string and fragment.
    const page = panel.getByRole('link', { name: new RegExp(article.title.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) });
    expect(await page.getAttribute('href')).toBe(`${server.url}/en/articles/${article.slug}`);
    expect(await panel.textContent()).not.toContain('s3cr3t');
    await panel.getByText(/^Chrome/).waitFor();
    await panel.getByText(/^Linux/).waitFor();
    await panel.getByText('Computer').waitFor();
    await panel.getByText('(Asia/Shanghai)').waitFor();
    const card = panel.getByRole('region', { name: 'From the site' });
    for (const text of ['courses', 'Calculus I', 'progress', '40%', 'memberUntil', '2027-06-30', 'renews', 'No']) await card.getByText(text, { exact: true }).waitFor();
    // axe on the console as it is now (the panel, the queue with its overdue mark): no serious or critical violation.
    expect(await axeViolations(agent, 'body')).toEqual([]);

    // One click opens the earlier conversation (in History, where resolved ones are); its panel leads back.
    await panel.getByRole('button', { name: new RegExp(EARLIER.slice(0, 20)) }).click();
    await agent.getByRole('heading', { name: EARLIER }).waitFor();
    await agent.getByRole('complementary', { name: 'About the visitor' }).getByRole('button', { name: /certificate shows my name/ }).click();
    await agent.getByRole('heading', { name: QUESTION }).waitFor();
    await agent.getByRole('button', { name: 'Queue' }).click();
  });

  it('keeps the mark in Mine until the first reply, and says it in Chinese', async () => {
    await agent.getByRole('button', { name: 'Claim' }).click();
    const mine = agent.getByRole('region', { name: /^Mine/ });
    await mine.getByText(/Overdue: no first reply/).waitFor();
    await agent.getByRole('button', { name: 'Switch to 中文' }).click();
    await agent.getByRole('region', { name: /^我的/ }).getByText(/已超时：.+ 未首次回复（目标 10 秒）$/).waitFor();
    await agent.getByRole('complementary', { name: '访客信息' }).getByText('已由站点签名验证（用户 ID buyer-17）').waitFor();
    expect(await axeViolations(agent, 'body')).toEqual([]);
    await agent.getByRole('button', { name: '切换到 English' }).click();

    const reply = agent.getByRole('textbox', { name: 'Reply' });
    await reply.fill('We are fixing the certificate now.');
    await reply.press('Enter');
    await visitor.getByText('We are fixing the certificate now.').first().waitFor();
    await expect.poll(() => agent.getByRole('region', { name: /^Mine/ }).getByText(/Overdue/).count()).toBe(0);
  });

  it('takes the messages off the agent’s screen when an admin erases the visitor, and says why, in English and Chinese', async () => {
    const [v] = await server.database.db.select().from(visitors).where(and(eq(visitors.siteId, 'demo'), eq(visitors.externalId, 'buyer-17')));
    const log = agent.getByRole('log', { name: 'Messages' });
    await log.getByText('We are fixing the certificate now.').waitFor();
    const admin = await login(server.url);
    expect((await api(server.url, admin, 'DELETE', `/api/visitors/${v.id}`)).status).toBe(200);
    await log.getByText('The visitor’s data was erased: their messages are gone.').waitFor();
    expect(await log.getByText('We are fixing the certificate now.').count()).toBe(0);
    expect(await log.getByText(QUESTION).count()).toBe(0);
    await agent.getByRole('button', { name: 'Switch to 中文' }).click();
    await agent.getByRole('log', { name: '消息记录' }).getByText('该访客的数据已删除，消息已不在。').waitFor();
    // On a phone too: the notice where the messages were, and the reply box still reached by keyboard.
    await agent.setViewportSize({ width: 360, height: 740 });
    const notice = agent.getByRole('log', { name: '消息记录' }).getByText('该访客的数据已删除，消息已不在。');
    await notice.waitFor();
    expect(await notice.isVisible()).toBe(true);
    const reply = agent.getByRole('textbox', { name: '回复' });
    await reply.focus();
    await agent.keyboard.press('Shift+Tab');
    expect(await agent.getByRole('checkbox', { name: '内部备注' }).evaluate((el) => el.matches(':focus'))).toBe(true);
    expect(await axeViolations(agent, 'body')).toEqual([]);
    if (process.env.UPDATE_SCREENSHOTS) {
      await notice.scrollIntoViewIfNeeded();
      await agent.screenshot({ path: path.join(root, 'docs/console-erased-zh-360.png') });
    }
    await agent.setViewportSize({ width: 1440, height: 900 });
    await agent.getByRole('button', { name: '切换到 English' }).click();
  });
});
