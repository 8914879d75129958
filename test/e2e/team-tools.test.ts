/**
 * Canned replies and labels made from their console pages, then used at the desk: the admin writes
 * a site reply with variables and a label, is told in their language when a code or a name is taken,
 * then inserts the reply with `/` in a conversation (variables filled in) and puts the label on it.
 */
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { conversations } from '../../server/db/schema.ts';
import { seedConversation } from '../support/conversations.ts';
import { ADMIN, addAgent } from '../support/server.ts';
import { axeViolations, browserAvailable, serverAndBrowser, signInToConsole, watchDialogs } from '../support/browser.ts';

describe.skipIf(!browserAvailable)('canned replies and labels pages', () => {
  const env = serverAndBrowser();


  it('creates a canned reply and a label in the console and uses both in a conversation', async () => {
    const conversationId = await seedConversation(env.server.database.db, { siteId: 'demo', visitor: { name: 'Ada' }, lines: ['Where is my invoice for the course?'] });
    const ctx = await env.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    const dialogs = watchDialogs(page);
    await signInToConsole(page, env.server.url, ADMIN.email, ADMIN.password);

    // Canned replies: one for the whole site, with both variables explained beside the text.
    await page.getByRole('button', { name: 'Canned replies', exact: true }).click();
    await page.getByRole('button', { name: 'New canned reply' }).click();
    await page.getByLabel('Short code').fill('invoice');
    await page.getByLabel('Title (optional)').fill('Invoice');
    const text = page.getByRole('textbox', { name: 'Text' });
    await text.fill('Hello {visitor.name}, {agent.name} here: your invoice is under My account > Orders.');
    expect(await text.getAttribute('aria-describedby')).toBe('canned-vars');
    await page.getByText('the name of the agent who inserts it').waitFor();
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '/invoice saved.' }).waitFor();
    await page.getByRole('button', { name: /\/invoice Invoice/ }).waitFor();

    // The same code again for the site: the server refuses, and the page says why.
    await page.getByRole('button', { name: 'New canned reply' }).click();
    await page.getByLabel('Short code').fill('invoice');
    await page.getByRole('textbox', { name: 'Text' }).fill('Another text');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Another reply here already uses the short code /invoice' }).waitFor();
    // A code the schema refuses is named before anything is sent.
    await page.getByLabel('Short code').fill('two words');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'The short code can only hold letters' }).waitFor();
    // The problem, once shown, follows a switch of language.
    await page.getByRole('button', { name: 'Switch to 中文' }).click();
    await page.getByRole('alert').filter({ hasText: '短码只能包含字母' }).waitFor();
    await page.getByRole('button', { name: '切换到 English' }).click();
    await page.getByRole('alert').filter({ hasText: 'The short code can only hold letters' }).waitFor();
    expect(await axeViolations(page, 'body')).toEqual([]);
    await page.getByRole('button', { name: 'Cancel' }).click();

    // Labels: one added, a taken name refused, then renamed and recoloured in place.
    await page.getByRole('button', { name: 'Labels', exact: true }).click();
    await page.getByLabel('New label').fill('Billing');
    await page.getByRole('button', { name: 'Add the label' }).click();
    await page.getByRole('status').filter({ hasText: 'Label Billing added.' }).waitFor();
    await page.getByLabel('New label').fill('Billing');
    await page.getByRole('button', { name: 'Add the label' }).click();
    await page.getByRole('alert').filter({ hasText: 'This site already has a label named Billing.' }).waitFor();
    await page.getByLabel('Name of the label Billing').fill('Invoices');
    await page.getByLabel('Colour of the label Billing').fill('#e11d48');
    await page.getByRole('button', { name: 'Save Billing' }).click();
    await page.getByRole('status').filter({ hasText: 'Label Invoices saved.' }).waitFor();
    const [label] = await env.server.app.ctx.raw<{ id: string; name: string; color: string }>(`select id, name, color from labels`, []);
    expect([label.name, label.color]).toEqual(['Invoices', '#e11d48']);
    expect(await axeViolations(page, 'body')).toEqual([]);

    // In Chinese, both pages and their controls are named in Chinese.
    await page.getByRole('button', { name: 'Switch to 中文' }).click();
    await page.getByLabel('新标签名称').waitFor();
    await page.getByRole('status').filter({ hasText: '已保存标签“Invoices”。' }).waitFor();
    await page.getByRole('button', { name: '删除“Invoices”' }).waitFor();
    expect(await axeViolations(page, 'body')).toEqual([]);
    await page.getByRole('button', { name: '快捷回复', exact: true }).click();
    await page.getByRole('button', { name: '新建快捷回复' }).click();
    await page.getByLabel('短码').waitFor();
    await page.getByText('插入回复的客服的名字').waitFor();
    // Chinese punctuation, from the translation: a full-width colon with no space after it.
    expect((await page.locator('#canned-vars').textContent())?.replace(/\s+/g, ' ').trim()).toBe(
      '插入回复时自动替换：{visitor.name} 访客的姓名；{agent.name} 插入回复的客服的名字；{visitor.email} 访客的邮箱。未知的值会留空。',
    );
    expect(await axeViolations(page, 'body')).toEqual([]);
    await page.getByRole('button', { name: '切换到 English' }).click();

    // At the desk: the reply inserted with /, its variables filled, and the label put on.
    await page.getByRole('button', { name: 'Queue', exact: false }).first().click();
    await page.getByRole('button', { name: /Where is my invoice/ }).click();
    await page.getByRole('button', { name: 'Claim' }).click();
    const reply = page.getByRole('textbox', { name: 'Reply' });
    await reply.fill('/inv');
    await page.getByRole('option', { name: /\/invoice/ }).waitFor();
    await reply.press('Enter');
    await expect.poll(() => reply.inputValue()).toBe('Hello Ada, Admin here: your invoice is under My account > Orders.');
    await reply.press('Enter');
    await page.getByRole('log').getByText('Hello Ada, Admin here: your invoice is under My account > Orders.').waitFor();
    await page.getByLabel('Add a label').selectOption({ label: 'Invoices' });
    await page.getByRole('button', { name: 'Remove label Invoices' }).waitFor();
    const [stored] = await env.server.database.db.select({ labels: conversations.labels }).from(conversations).where(eq(conversations.id, conversationId));
    expect(stored.labels).toEqual([label.id]);
    expect(dialogs).toEqual([]);
    await ctx.close();
  });

  it('lets an agent who is not an admin keep replies of their own, use the site’s, and see no Labels page', async () => {
    await addAgent(env.server, 'mei@test.local');
    const ctx = await env.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    await signInToConsole(page, env.server.url, 'mei@test.local', 'agent-password-1');
    await page.getByRole('button', { name: 'Canned replies', exact: true }).click();
    // The site's reply from the first test: usable, not editable.
    expect(await page.getByRole('button', { name: /\/invoice Invoice/ }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Delete /invoice' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Labels', exact: true }).count()).toBe(0);
    await page.getByRole('button', { name: 'New canned reply' }).click();
    expect(await page.getByRole('radio').count()).toBe(0);
    await page.getByLabel('Short code').fill('invoice');
    await page.getByRole('textbox', { name: 'Text' }).fill('Mei here, {visitor.name}: I will send the invoice today.');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '/invoice saved.' }).waitFor();
    const mine = page.getByRole('list').filter({ hasText: 'Mei here' });
    await mine.getByRole('button', { name: 'Delete /invoice' }).click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '/invoice deleted.' }).waitFor();
    const rows = await env.server.app.ctx.raw<{ personal: boolean }>(`select agent_id is not null as personal from canned_replies`, []);
    expect(rows.map((r) => r.personal)).toEqual([false]);
    expect(await axeViolations(page, 'body')).toEqual([]);
    await ctx.close();
  });
});
