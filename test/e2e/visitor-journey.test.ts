/**
 * The visitor's journey in Chromium on a 360 px phone: answers suggested while typing, timestamps, an
 * agent's reply to a hidden page (title and chime), the survey after the resolution, every past
 * conversation in the list, the launcher's badge on the next visit, and axe finding no serious or
 * critical violation in the widget; the same words in Chinese.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { DEMO_ARTICLES } from '../../demo/articles.ts';
import { conversations, sites } from '../../server/db/schema.ts';
import { ADMIN, startTestServer, type TestServer } from '../support/server.ts';
import { axeViolations, browserAvailable, launchBrowser } from '../support/browser.ts';

const article = DEMO_ARTICLES.find((a) => a.language === 'en')!;
const zhArticle = DEMO_ARTICLES.find((a) => a.language === 'zh')!;
const PHONE = { width: 360, height: 740 };
const QUESTION = 'My certificate shows my name misspelled as Jonh, can a person fix it?';
const REPLY = 'Done: your certificate now reads John.';

/** Makes the page look hidden (another tab) or shown again, as the browser would tell it. */
const setHidden = (page: Page, hidden: boolean) =>
  page.evaluate(`(() => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => ${hidden} });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => '${hidden ? 'hidden' : 'visible'}' });
    document.dispatchEvent(new Event('visibilitychange'));
  })()`);

describe.skipIf(!browserAvailable)('the visitor over time, in Chromium at 360 px', () => {
  let server: TestServer;
  let browser: Browser;
  let visitorCtx: BrowserContext;
  let visitor: Page;
  let agent: Page;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer('pglite'), launchBrowser()]);
    await server.database.db.update(sites).set({ replySound: true }).where(eq(sites.id, 'demo'));
    await server.app.ctx.sites.changed('demo');
    visitorCtx = await browser.newContext({ locale: 'en-US', viewport: PHONE, bypassCSP: true });
    // Counts the chimes: the sound is made with WebAudio, no file to watch for.
    await visitorCtx.addInitScript('window.__chimes = 0; const A = window.AudioContext; window.AudioContext = class extends A { constructor() { super(); window.__chimes++; } };');
    visitor = await visitorCtx.newPage();
    agent = await (await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } })).newPage();
    // A step that does not happen fails by name, well within the test's time.
    visitorCtx.setDefaultTimeout(10_000);
    agent.setDefaultTimeout(10_000);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const box = () => visitor.getByRole('textbox', { name: 'Message' });

  it('suggests FAQ answers while the visitor types, and answers the chosen one in the conversation', async () => {
    await visitor.goto(`${server.url}/en/articles/${article.slug}`);
    await visitor.getByRole('button', { name: 'Open support chat' }).click();
    // The widget says which language it speaks, for screen readers.
    expect(await visitor.locator('support-chat').getAttribute('lang')).toBe('en');
    await box().fill('How do I get a refund');
    const suggestions = visitor.getByRole('group', { name: 'Answers that may help' });
    // The site's FAQ index is built (in a worker) on its first question: on a loaded machine that takes a while.
    await suggestions.getByRole('button').first().waitFor({ timeout: 30_000 });
    expect(await suggestions.getByRole('button').count()).toBeLessThanOrEqual(3);
    const choice = suggestions.getByRole('button', { name: /refund/i }).first();
    await choice.focus();
    await visitor.keyboard.press('Enter');
    await visitor.getByRole('button', { name: 'This solved it' }).waitFor();
    // The draft is cleared once faq:pick is acknowledged, which the server sends after pushing the
    // answer on the same socket: the answer may show a moment before the box empties.
    await expect.poll(() => box().inputValue()).toBe('');
    // Timestamps: the time of today's messages, as this browser writes it.
    const stamp = await visitor.locator('support-chat time').first().textContent();
    expect(stamp).toMatch(/^\d{1,2}:\d{2}( [AP]M)?$/);
    expect(await axeViolations(visitor)).toEqual([]);
  });

  it('shows an agent reply to a hidden page in its title, with a chime, and asks for a rating after the resolution', async () => {
    await box().fill(QUESTION);
    await box().press('Enter');
    await visitor.getByText(/No agent is online|A person will reply/).first().waitFor();

    await agent.goto(`${server.url}/console`);
    await agent.getByLabel('Email').fill(ADMIN.email);
    await agent.getByLabel('Password').fill(ADMIN.password);
    await agent.getByRole('button', { name: 'Sign in' }).click();
    // A person came online: the waiting visitor sees their place (no estimate: the site has answered nobody yet).
    const place = visitor.locator('support-chat small[aria-live=polite]').filter({ hasText: 'in the queue' });
    await place.waitFor();
    expect(await place.textContent()).toBe('You are number 1 in the queue');
    await agent.getByRole('button', { name: /certificate shows my name/ }).click();
    await agent.getByRole('button', { name: 'Claim' }).click();
    await place.waitFor({ state: 'detached' });

    const title = await visitor.title();
    await setHidden(visitor, true);
    await agent.getByRole('textbox', { name: 'Reply' }).fill(REPLY);
    await agent.getByRole('textbox', { name: 'Reply' }).press('Enter');
    await expect.poll(() => visitor.title()).toBe(`(1) New reply ${title}`);
    expect(await visitor.evaluate('window.__chimes')).toBe(1);
    await setHidden(visitor, false);
    await expect.poll(() => visitor.title()).toBe(title);

    await agent.getByRole('button', { name: 'Resolve' }).click();
    const survey = visitor.getByRole('group', { name: 'How did we do?' });
    await survey.waitFor();
    expect(await axeViolations(visitor)).toEqual([]);
    await visitor.getByRole('radio', { name: '4 of 5' }).check();
    await visitor.getByLabel('Comment (optional)').fill('Quick and kind.');
    await visitor.getByRole('button', { name: 'Send rating' }).click();
    await visitor.getByText('Thank you for your rating!').waitFor();
    const [row] = await server.database.db.select().from(conversations).where(eq(conversations.csatRating, 4));
    expect(row?.csatComment).toBe('Quick and kind.');
    await agent.getByText('Quick and kind.').first().waitFor();
  });

  it('keeps the earlier answer in the list of conversations after a new question, by keyboard', async () => {
    // Past the site's reopen window: a new question starts a new ticket (within it, the same one reopens).
    await server.database.db.update(conversations).set({ resolvedAt: new Date(Date.now() - 8 * 86400_000) }).where(eq(conversations.status, 'resolved'));
    await box().fill('Another question: since lesson 4 the video player shows purple stripes, can a person look?');
    await box().press('Enter');
    await visitor.getByText(/No agent is online|A person will reply/).nth(1).waitFor();
    // The first ticket was answered within seconds: that is the estimate now.
    await visitor.getByText('You are number 1 in the queue · less than a minute', { exact: true }).waitFor();
    const tab = visitor.getByRole('tab', { name: 'Conversations' });
    await tab.click();
    const resolved = visitor.getByRole('button', { name: /^Resolved/ });
    await resolved.waitFor();
    expect(await visitor.getByRole('button', { name: /^Waiting for a reply/ }).count()).toBe(1);
    await resolved.focus();
    await visitor.keyboard.press('Enter');
    await visitor.getByRole('tabpanel', { name: 'Conversations' }).getByText(REPLY).waitFor();
    // Read-only: no composer, no buttons of the old answer.
    const past = visitor.getByRole('tabpanel', { name: 'Conversations' });
    expect(await past.getByRole('button', { name: 'This solved it' }).count()).toBe(0);
    expect(await past.getByRole('textbox').count()).toBe(0);
    expect(await axeViolations(visitor)).toEqual([]);
    await visitor.getByRole('button', { name: /Back to conversations/ }).click();
    await resolved.waitFor();
    await visitor.getByRole('button', { name: /^Waiting for a reply/ }).click();
    await expect.poll(() => tab.getAttribute('aria-selected')).toBe('false');
    await expect.poll(() => visitor.getByRole('tab', { name: 'Ask a question' }).getAttribute('aria-selected')).toBe('true');
  });

  it('shows a returning visitor the unread reply on the launcher before the chat loads', async () => {
    const [conv] = await server.database.db.select().from(conversations).where(eq(conversations.status, 'open'));
    // The open chat would read the reply at once: the visitor is on another tab.
    await setHidden(visitor, true);
    await agent.getByRole('button', { name: /purple stripes/ }).click();
    await agent.getByRole('button', { name: 'Claim' }).click();
    await agent.getByRole('textbox', { name: 'Reply' }).fill('Yes: Account → Email.');
    await agent.getByRole('textbox', { name: 'Reply' }).press('Enter');
    await expect.poll(async () => (await server.database.db.select().from(conversations).where(eq(conversations.id, conv.id)))[0].lastSeq).toBeGreaterThan(conv.lastSeq);

    const other = await visitorCtx.newPage();
    const panelLoads: string[] = [];
    other.on('request', (r) => r.url().includes('socket.io') && panelLoads.push(r.url()));
    await other.goto(`${server.url}/en/articles/${article.slug}`);
    const launcher = other.getByRole('button', { name: 'Open support chat' });
    await expect.poll(async () => (await launcher.getAttribute('aria-describedby')) && (await other.locator('support-chat #unread').textContent())).toBe('1 new');
    expect(panelLoads).toEqual([]);
    await other.close();
    await setHidden(visitor, false);
  });

  it('speaks Chinese in every new part', async () => {
    const zhCtx = await browser.newContext({ locale: 'zh-CN', viewport: PHONE, bypassCSP: true });
    zhCtx.setDefaultTimeout(10_000);
    const zh = await zhCtx.newPage();
    await zh.goto(`${server.url}/zh/articles/${zhArticle.slug}`);
    await zh.getByRole('button', { name: '打开在线客服' }).click();
    await zh.getByRole('tab', { name: '历史会话' }).click();
    await zh.getByText('还没有会话记录。').waitFor();
    await zh.getByRole('tab', { name: '咨询问题' }).click();
    await zh.getByRole('textbox', { name: '输入消息' }).fill('课程怎么退款');
    await zh.getByRole('group', { name: '以下答案也许能帮到您' }).getByRole('button').first().waitFor();
    expect(await axeViolations(zh)).toEqual([]);
    await zh.getByRole('textbox', { name: '输入消息' }).fill('第四课之后视频播放器出现紫色条纹，能请人看看吗？');
    await zh.getByRole('textbox', { name: '输入消息' }).press('Enter');
    await zh.getByText('您当前排在第 1 位，预计等待不到 1 分钟', { exact: true }).waitFor();
    expect(await zh.locator('support-chat').getAttribute('lang')).toBe('zh-CN');
    // A past conversation's last line: who wrote it, then a full-width colon.
    await zh.getByRole('tab', { name: '历史会话' }).click();
    await zh.getByRole('tabpanel', { name: '历史会话' }).getByText(/^(我|智能助手|客服)：\S/).first().waitFor();
    // The page switches the widget to English: its words and its lang follow.
    await zh.locator('support-chat').evaluate((el) => el.setAttribute('locale', 'en'));
    await zh.getByRole('tab', { name: 'Conversations' }).waitFor();
    expect(await zh.locator('support-chat').getAttribute('lang')).toBe('en');
  });
});
