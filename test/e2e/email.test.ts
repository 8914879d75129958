/**
 * Answers by email in Chromium: a visitor asks with nobody online and is offered to leave an address;
 * the agent's reply, unseen, arrives at a real SMTP server in this process; its link opens the
 * conversation in a fresh browser (and the address bar loses it), where the visitor sends a
 * screenshot, the agent resolves and the visitor rates it; a second use of the link is refused
 * (issue 10's whole journey). In Chinese on a phone, a site's pre-chat form comes before the composer. axe finds no
 * serious or critical violation in the forms.
 */
import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ConversationDTO, MessageDTO } from '../../shared/types.ts';
import { DEMO_ARTICLES } from '../../demo/articles.ts';
import { conversations, sites, visitors } from '../../server/db/schema.ts';
import { axeViolations, browserAvailable, launchBrowser } from '../support/browser.ts';
import { agentSocket, clientId, connected, login, next, ok, startTestServer, type TestServer } from '../support/server.ts';
import { png } from '../support/uploads.ts';
import { linkOf, startSmtpServer, type TestInbox } from '../support/smtp.ts';

const article = DEMO_ARTICLES.find((a) => a.language === 'en')!;
const zhArticle = DEMO_ARTICLES.find((a) => a.language === 'zh')!;
const QUESTION = 'My certificate shows the wrong village name, can a person correct it?';
const REPLY = 'Corrected: your certificate now shows Little Whinging.';

describe.skipIf(!browserAvailable)('answers by email, in Chromium', () => {
  let server: TestServer;
  let inbox: TestInbox;
  let browser: Browser;
  let uploads: string;

  beforeAll(async () => {
    inbox = await startSmtpServer();
    uploads = await mkdtemp(path.join(os.tmpdir(), 'sc-email-uploads-'));
    [server, browser] = await Promise.all([
      startTestServer('pglite', {
        mail: { smtpUrl: inbox.url, from: 'Support <support@test.local>', linkTtlMs: 3600_000, scanIntervalMs: 100 },
        uploads: { driver: 'disk', dir: uploads },
      }),
      launchBrowser(),
    ]);
    // An unseen reply is mailed at once (the default waits a few minutes).
    await server.database.db.update(sites).set({ emailUnseenAfterSec: 0 }).where(eq(sites.id, 'demo'));
    await server.app.ctx.sites.changed('demo');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await inbox?.close();
    if (uploads) await rm(uploads, { recursive: true, force: true });
  });

  it('offers email when nobody is online, mails the unseen reply, its link opens the conversation once, where a screenshot is sent and the resolution rated', async () => {
    const first = await browser.newContext({ locale: 'en-US', bypassCSP: true });
    const visitor = await first.newPage();
    visitor.setDefaultTimeout(10_000);
    await visitor.goto(`${server.url}/en/articles/${article.slug}`);
    await visitor.getByRole('button', { name: 'Open support chat' }).click();
    const box = visitor.getByRole('textbox', { name: 'Message' });
    await box.fill(QUESTION);
    await box.press('Enter');
    // No FAQ entry answers it: the visitor asks for a person, and nobody is online.
    const human = visitor.getByRole('button', { name: /talk to a person/i }).first();
    if (await human.isVisible().catch(() => false)) await human.click();
    const offer = visitor.getByRole('form', { name: /Nobody is online/ });
    await offer.waitFor();
    expect(await axeViolations(visitor)).toEqual([]);
    // A wrong address is named before anything is sent.
    await offer.getByLabel('Email').fill('not-an-address');
    await offer.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => offer.getByRole('alert').textContent()).toContain('valid email');
    await offer.getByLabel('Email').fill('ada@example.com');
    await offer.getByRole('button', { name: 'Save' }).click();
    await visitor.getByText('it will be sent to ada@example.com').waitFor();
    const [stored] = await server.database.db.select().from(visitors).where(eq(visitors.email, 'ada@example.com'));
    expect(stored?.identitySource).toBe('claimed');
    await first.close();

    // The agent replies while the visitor is away.
    const [conv] = await server.database.db.select().from(conversations).where(eq(conversations.visitorId, stored!.id));
    const agent = agentSocket(server.url, await login(server.url));
    await connected(agent);
    await ok<ConversationDTO>(agent, 'conversation:claim', { conversationId: conv.id });
    await ok(agent, 'message:send', { conversationId: conv.id, clientId: clientId(), body: REPLY });

    const mail = await inbox.next((m) => (m.text ?? '').includes(REPLY), 20_000);
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toContain('ada@example.com');
    const { url } = linkOf(mail);
    expect(url.startsWith(`${server.url}/en/articles/${article.slug}#support-chat-link=`)).toBe(true);

    // Another browser, never seen before: the link opens the chat, leaves the address bar and asks, with the
    // address it was mailed to masked, whether the conversation is this visitor's; yes opens it.
    const second = await browser.newContext({ locale: 'en-US' });
    const page = await second.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(url);
    const ask = page.getByRole('group', { name: 'This link from an email opens the conversation of a***@example.com. Is that your address?' });
    await ask.waitFor();
    expect(await page.getByText(REPLY).count()).toBe(0);
    // The question takes the focus (the composer would write as this browser's own visitor): Enter answers it.
    await expect.poll(() => ask.getByRole('button', { name: 'Yes, open it' }).evaluate((b) => b.matches(':focus'))).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByText(REPLY).waitFor();
    await page.getByText(QUESTION).waitFor();
    expect(page.url()).toBe(`${server.url}/en/articles/${article.slug}`);
    // The address is known now: the transcript can be asked for.
    await page.getByRole('button', { name: 'Email me this conversation' }).click();
    await page.getByText('on its way to ada@example.com').waitFor();
    await inbox.next((m) => m.subject !== mail.subject && (m.text ?? '').includes(QUESTION), 20_000);
    // On this other device the visitor sends a screenshot of the problem, and the agent has it.
    const shot = next<MessageDTO>(agent, 'message:created', (m) => m.kind === 'attachment');
    await page.locator('support-chat input[type=file]').setInputFiles({ name: 'screenshot.png', mimeType: 'image/png', buffer: png(40, 30) });
    await page.getByRole('link', { name: 'Open screenshot.png full size' }).waitFor();
    expect((await shot).meta.attachment).toMatchObject({ name: 'screenshot.png', isImage: true });
    // The agent resolves; the visitor rates it, there.
    await ok<ConversationDTO>(agent, 'conversation:resolve', { conversationId: conv.id });
    await page.getByRole('group', { name: 'How did we do?' }).waitFor();
    await page.getByRole('radio', { name: '5 of 5' }).check();
    await page.getByRole('button', { name: 'Send rating' }).click();
    await page.getByText('Thank you for your rating!').waitFor();
    const [rated] = await server.database.db.select().from(conversations).where(eq(conversations.id, conv.id));
    expect(rated).toMatchObject({ status: 'resolved', csatRating: 5 });
    agent.disconnect();
    await second.close();

    // The same link again, elsewhere: refused, and that browser sees nobody's conversation.
    const third = await browser.newContext({ locale: 'en-US' });
    const other = await third.newPage();
    other.setDefaultTimeout(10_000);
    await other.goto(url);
    await other.getByText('already used or has expired').waitFor();
    expect(await other.getByRole('button', { name: 'Yes, open it' }).count()).toBe(0);
    expect(await other.getByText(REPLY).count()).toBe(0);
    await third.close();
  });

  it('puts a site’s pre-chat form before the composer, in Chinese on a phone', async () => {
    await server.database.db.update(sites).set({ prechatForm: 'name_email' }).where(eq(sites.id, 'demo'));
    await server.app.ctx.sites.changed('demo');
    const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 360, height: 740 }, bypassCSP: true });
    const page = await ctx.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${server.url}/zh/articles/${zhArticle.slug}`);
    await page.getByRole('button', { name: '打开在线客服' }).click();
    const form = page.getByRole('form', { name: /请留下联系方式/ });
    await form.waitFor();
    expect(await page.getByRole('textbox', { name: '输入消息' }).isVisible()).toBe(false);
    expect(await axeViolations(page)).toEqual([]);
    // By keyboard alone: the name, the address, then start.
    await form.getByLabel('称呼', { exact: true }).fill('小王');
    await form.getByLabel('邮箱').fill('wang@example.com');
    await form.getByLabel('邮箱').press('Enter');
    const box = page.getByRole('textbox', { name: '输入消息' });
    await box.waitFor();
    await box.fill('证书上的名字写错了，可以帮我改一下吗？');
    await box.press('Enter');
    await page.getByText('已发送').first().waitFor();
    const [v] = await server.database.db.select().from(visitors).where(eq(visitors.email, 'wang@example.com'));
    expect(v?.name).toBe('小王');
    await ctx.close();
    await server.database.db.update(sites).set({ prechatForm: 'off' }).where(eq(sites.id, 'demo'));
    await server.app.ctx.sites.changed('demo');
  });
});
