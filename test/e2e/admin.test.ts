/**
 * A working day (issue 9): a new site and a new agent, made in the console by an admin: the snippet
 * the Sites page shows, pasted into a page on the site's own origin, opens the widget at once; the
 * agent, invited by a one-time link, chooses a password and receives the visitor's question (its links
 * clickable). Then both agents go online and share the queue by automatic assignment; a conversation
 * is transferred with a note, gets a private note the visitor never sees, a canned reply and a label,
 * is found by search, resolved, and reopened when its visitor writes again.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ADMIN, api, login, startTestServer, type TestServer } from '../support/server.ts';
import { browserAvailable, launchBrowser, watchDialogs } from '../support/browser.ts';

describe.skipIf(!browserAvailable)('a site and an agent added in the console', () => {
  let server: TestServer;
  let browser: Browser;
  let host: Server;
  let hostOrigin: string;
  /** The page the site owner pastes the snippet into. */
  let hostPage = '<!doctype html><title>not ready</title>';

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer('pglite'), launchBrowser()]);
    host = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(hostPage));
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    hostOrigin = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => host?.close(r));
    await server?.close();
  });

  it('a working day: the admin creates a site and an agent, the widget works at once, two agents share the queue, transfer, note, canned reply, label, search and reopen', async () => {
    const adminCtx = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const admin = await adminCtx.newPage();
    admin.setDefaultTimeout(15_000);
    const dialogs = watchDialogs(admin);
    await admin.goto(`${server.url}/console`);
    await admin.getByLabel('Email').fill(ADMIN.email);
    await admin.getByLabel('Password').fill(ADMIN.password);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    // This server has no SMTP: the console says that replies will not go by email.
    await admin.getByRole('status').filter({ hasText: 'Email is off on this server' }).waitFor();

    // Sites: create one for the host page's origin.
    await admin.getByRole('button', { name: 'Sites', exact: true }).click();
    await admin.getByRole('button', { name: 'New site' }).click();
    await admin.getByLabel('Name', { exact: true }).fill('Course shop');
    await admin.getByLabel(/Allowed origins/).fill(hostOrigin);
    await admin.getByRole('button', { name: 'Create the site' }).click();
    const secret = await admin.getByRole('textbox', { name: 'Site secret' }).inputValue();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const snippet = await admin.getByLabel(/Embed snippet/).inputValue();
    const key = await admin.getByLabel('Site key').inputValue();
    expect(snippet).toBe(`<script src="${server.url}/widget.js" data-site="${key}" async></script>`);

    // Settings: a wrong field is named before anything is sent; then automatic assignment, a 2-day reopen window, business hours.
    await admin.getByLabel(/Precision the FAQ threshold/).fill('2');
    await admin.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => admin.getByRole('alert').textContent()).toContain('Precision the FAQ threshold');
    // The problem, once shown, follows a switch of language.
    await admin.getByRole('button', { name: 'Switch to 中文' }).click();
    await expect.poll(() => admin.getByRole('alert').textContent()).toContain('请检查这些字段');
    await admin.getByRole('button', { name: '切换到 English' }).click();
    await expect.poll(() => admin.getByRole('alert').textContent()).toContain('Check these fields');
    await admin.getByLabel(/Precision the FAQ threshold/).fill('0.9');
    await admin.getByLabel('Assignment', { exact: true }).selectOption('auto');
    await admin.getByLabel(/reopens the same ticket/).fill('48');
    await admin.getByLabel(/business hours only/).check();
    await admin.getByLabel(/Time zone/).fill('Asia/Shanghai');
    await admin.getByRole('checkbox', { name: 'Monday' }).check();
    await admin.getByLabel('Monday: closes at').fill('17:00');
    await admin.getByRole('button', { name: 'Save settings' }).click();
    await admin.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const saved = await server.app.ctx.sites.get(key);
    expect([saved?.assignmentMode, saved?.reopenWindowSec, saved?.faqTargetPrecision, saved?.businessHours]).toEqual([
      'auto',
      48 * 3600,
      0.9,
      { timezone: 'Asia/Shanghai', days: { '1': [540, 1020] } },
    ]);

    // Agents: invite one for that site only.
    await admin.getByRole('button', { name: 'Agents', exact: true }).click();
    await admin.getByRole('button', { name: 'Add an agent' }).click();
    await admin.getByLabel('Name', { exact: true }).fill('Mei');
    await admin.getByLabel('Email', { exact: true }).fill('mei@test.local');
    await admin.getByRole('checkbox', { name: 'Course shop' }).check();
    await admin.getByRole('radio', { name: /invitation link/ }).check();
    await admin.getByRole('button', { name: 'Add', exact: true }).click();
    const link = await admin.getByRole('textbox', { name: 'Invitation link' }).inputValue();
    expect(link).toMatch(new RegExp(`^${server.url}/console#invite=`));
    // The notice, once shown, follows a switch of language, its expiry included.
    await admin.getByRole('button', { name: 'Switch to 中文' }).click();
    await admin.getByRole('status').filter({ hasText: /请把此链接发给 Mei。它只能使用一次，\d{4}年/ }).waitFor();
    await admin.getByRole('button', { name: '切换到 English' }).click();
    await admin.getByRole('status').filter({ hasText: 'Send this link to Mei.' }).waitFor();
    await admin.getByRole('cell', { name: 'mei@test.local' }).waitFor();

    // The invited agent, in another browser, chooses a password and lands in the console.
    const agentCtx = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const agent = await agentCtx.newPage();
    agent.setDefaultTimeout(15_000);
    await agent.goto(link);
    await agent.getByLabel('New password (at least 8 characters)').fill('mei-password-1');
    await agent.getByLabel('Repeat the new password').fill('mei-password-1');
    await agent.getByRole('button', { name: 'Save and sign in' }).click();
    await agent.getByText('Signed in as Mei').waitFor();
    expect(agent.url()).toBe(`${server.url}/console`);
    await expect.poll(() => agent.getByRole('button', { name: 'Agents', exact: true }).count()).toBe(0);

    // Both away: at the desk, but the site's automatic assignment gives them nothing; Mei claims by hand.
    await agent.getByLabel('Your availability').selectOption('away');
    await admin.getByLabel('Your availability').selectOption('away');
    const available = async () => (await server.app.ctx.raw<{ availability: string }>(`select availability from agents order by email`, [])).map((a) => a.availability);
    await expect.poll(available).toEqual(['away', 'away']);

    // The site owner pastes the snippet; a visitor there asks, and Mei sees it.
    hostPage = `<!doctype html><html lang="en"><title>Course shop</title><body><h1>Course shop</h1>${snippet}</body></html>`;
    const visitorCtx = await browser.newContext({ locale: 'en-US' });
    const visitor = await visitorCtx.newPage();
    visitor.setDefaultTimeout(15_000);
    await visitor.goto(`${hostOrigin}/`);
    await visitor.getByRole('button', { name: 'Open support chat' }).click();
    const box = visitor.getByRole('textbox', { name: 'Message' });
    await box.fill('Can a person change the name on my invoice to Zhang Wei?');
    await box.press('Enter');
    // From the keyboard: j opens the next conversation, c claims it, the reply box takes the cursor.
    await agent.getByRole('button', { name: /name on my invoice/ }).waitFor();
    await agent.keyboard.press('j');
    await agent.getByRole('button', { name: 'Claim' }).waitFor();
    await agent.keyboard.press('c');
    const reply = agent.getByRole('textbox', { name: 'Reply' });
    await reply.waitFor();
    const replyFocused = () => reply.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement);
    await expect.poll(replyFocused).toBe(true);
    // Typed in the reply box, the same keys are text.
    await agent.keyboard.type('jc');
    expect(await reply.inputValue()).toBe('jc');
    await agent.keyboard.press('Escape');
    await agent.keyboard.press('?');
    await agent.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await agent.keyboard.press('Escape');
    await expect.poll(() => agent.getByRole('dialog', { name: 'Keyboard shortcuts' }).count()).toBe(0);
    expect(await replyFocused()).toBe(false);
    await agent.keyboard.press('r');
    await expect.poll(replyFocused).toBe(true);
    await reply.fill('Yes, done.');
    await reply.press('Enter');
    await visitor.getByText('Yes, done.').first().waitFor();

    // A link in a message is clickable in the console too: http(s) only, a new tab, no opener.
    await box.fill('The receipt is at https://shop.example.com/r?id=7. Not this one: javascript:alert(1)');
    await box.press('Enter');
    const receipt = agent.getByRole('link', { name: /^https:\/\/shop\.example\.com\/r\?id=7/ });
    await receipt.waitFor();
    expect(await receipt.getAttribute('href')).toBe('https://shop.example.com/r?id=7');
    expect(await receipt.getAttribute('target')).toBe('_blank');
    expect(await receipt.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await agent.getByRole('link', { name: /javascript/ }).count()).toBe(0);

    // The admin prepares a canned reply and a label for the site (their pages have a test of their own).
    const cookie = await login(server.url);
    expect((await api(server.url, cookie, 'POST', '/api/canned-replies', { siteId: key, personal: false, shortCode: 'bill', body: 'Hello {visitor.name}, {agent.name} from billing will fix the invoice today.' })).status).toBe(200);
    expect((await api(server.url, cookie, 'POST', '/api/labels', { siteId: key, name: 'Billing' })).status).toBe(200);

    // Both online: automatic assignment shares the next questions, the least busy agent first.
    await agent.getByLabel('Your availability').selectOption('online');
    await admin.getByLabel('Your availability').selectOption('online');
    await expect.poll(available).toEqual(['online', 'online']);
    const assignee = async (text: string) => {
      const [row] = await server.app.ctx.raw<{ id: string; email: string | null }>(
        `select c.id, a.email from conversations c left join agents a on a.id = c.assigned_agent_id where c.question = $1`,
        [text],
      );
      return row?.email ?? null;
    };
    const ask = async (text: string) => {
      const ctx = await browser.newContext({ locale: 'en-US' });
      const page = await ctx.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(`${hostOrigin}/`);
      await page.getByRole('button', { name: 'Open support chat' }).click();
      await page.getByRole('textbox', { name: 'Message' }).fill(text);
      await page.getByRole('textbox', { name: 'Message' }).press('Enter');
      return page;
    };
    const INVOICE = 'Please correct invoice 9912, the VAT number is missing';
    const REFUND = 'I would like a refund for the drawing course';
    const second = await ask(INVOICE);
    await expect.poll(() => assignee(INVOICE)).toBe(ADMIN.email);
    const third = await ask(REFUND);
    await expect.poll(() => assignee(REFUND)).toBe('mei@test.local');

    // The admin hands the invoice over to Mei, with a note for her.
    await admin.getByRole('button', { name: 'Queue', exact: false }).first().click();
    await admin.getByRole('button', { name: /invoice 9912/ }).click();
    await admin.getByRole('button', { name: 'Transfer', exact: true }).click();
    // Each agent is offered with their availability: "Mei (online)".
    const to = admin.getByLabel('Transfer to');
    const mei = to.locator('option', { hasText: 'Mei' });
    await mei.waitFor({ state: 'attached' });
    await to.selectOption((await mei.getAttribute('value'))!);
    await admin.getByLabel('Note to the receiver (agents only)').fill('Mei does the invoices.');
    await admin.getByRole('button', { name: 'Transfer now' }).click();
    await expect.poll(() => assignee(INVOICE)).toBe('mei@test.local');

    // Mei: a private note, then the canned reply, then the label.
    await agent.getByRole('button', { name: /invoice 9912/ }).click();
    await agent.getByText('Mei does the invoices.').waitFor();
    await agent.getByRole('checkbox', { name: 'Private note' }).check();
    await agent.getByRole('textbox', { name: 'Private note (agents only)' }).fill('Customer since 2019, be generous.');
    await agent.getByRole('button', { name: 'Add note' }).click();
    await agent.getByRole('log').getByText('Customer since 2019, be generous.').waitFor();
    await agent.getByRole('checkbox', { name: 'Private note' }).uncheck();
    const mine = agent.getByRole('textbox', { name: 'Reply' });
    await mine.fill('/bill');
    await agent.getByRole('option', { name: /\/bill/ }).waitFor();
    await mine.press('Enter');
    // The visitor left no name: "{visitor.name}" goes, with its space, and the sentence still reads.
    await expect.poll(() => mine.inputValue()).toBe('Hello, Mei from billing will fix the invoice today.');
    await mine.press('Enter');
    await second.getByText(/Mei from billing will fix the invoice today/).waitFor();
    // The visitor never sees a note: neither Mei's nor the transfer's.
    expect(await second.getByText('Customer since 2019').count()).toBe(0);
    expect(await second.getByText('Mei does the invoices.').count()).toBe(0);
    await agent.getByLabel('Add a label').selectOption({ label: 'Billing' });
    await agent.getByRole('button', { name: 'Remove label Billing' }).waitFor();

    // The admin finds it by a word of the question.
    await admin.getByRole('button', { name: 'History', exact: true }).click();
    // History and search are per site: the admin, who has every site, picks the new one.
    await admin.getByRole('combobox', { name: /^Site/ }).selectOption({ label: 'Course shop' });
    // History lists resolved conversations first; this one is still open.
    await admin.getByRole('combobox', { name: /^Status/ }).selectOption('');
    await admin.getByLabel('Text, visitor name or email').fill('9912');
    await admin.getByRole('button', { name: 'Search', exact: true }).click();
    const history = admin.locator('console-history');
    await history.getByRole('status').filter({ hasText: /^1 / }).waitFor();
    await history.getByRole('button', { name: /invoice 9912/ }).waitFor();

    // Resolved, then the visitor writes again: the same ticket reopens, with Mei.
    const [{ id: invoiceId }] = await server.app.ctx.raw<{ id: string }>(`select id from conversations where question = $1`, [INVOICE]);
    await agent.getByRole('button', { name: 'Resolve' }).click();
    await expect.poll(async () => (await server.app.ctx.raw<{ status: string }>(`select status from conversations where id = $1`, [invoiceId]))[0].status).toBe('resolved');
    await second.getByRole('textbox', { name: 'Message' }).fill('One more thing: the address is wrong too.');
    await second.getByRole('textbox', { name: 'Message' }).press('Enter');
    await expect
      .poll(async () => (await server.app.ctx.raw<{ status: string; reopened: boolean }>(`select status, reopened_at is not null as reopened from conversations where id = $1`, [invoiceId]))[0])
      .toEqual({ status: 'open', reopened: true });
    expect(await assignee(INVOICE)).toBe('mei@test.local');
    await agent.getByRole('log').getByText('One more thing: the address is wrong too.').waitFor();
    await third.context().close();
    await second.context().close();
    expect(dialogs).toEqual([]);
  }, 240_000);
});
