/**
 * "Turn into FAQ" in the console makes a draft with the visitor's personal data masked; it answers
 * nobody until the agent edits it and publishes it, after which the next visitor asking is answered.
 * The view exports the FAQ as a file, and says why when an export is refused.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConversationDTO } from '../../shared/types.ts';
import { ADMIN, agentSocket, clientId, connected, login, ok, visitorSocket } from '../support/server.ts';
import { browserAvailable, faqViewInChinese, serverAndBrowser, watchDialogs } from '../support/browser.ts';

const QUESTION = 'the hot chocolate machine on floor three ate my coins, call me on 13812345678';

describe.skipIf(!browserAvailable)('an FAQ draft made from a conversation, in the console', () => {
  const env = serverAndBrowser();
  let conversationId: string;

  beforeAll(async () => {
    // A visitor's question that no entry answers, handed to a person, answered and resolved.
    const agent = agentSocket(env.server.url, await login(env.server.url));
    const v = visitorSocket(env.server.url);
    await Promise.all([connected(agent), connected(v)]);
    await v.timeout(50_000).emitWithAck('session:hello', { locale: 'en' });
    const sent = (await v.timeout(50_000).emitWithAck('message:send', { clientId: clientId(), body: QUESTION })) as { data: { conversation: ConversationDTO } };
    conversationId = sent.data.conversation.id;
    await ok(v, 'conversation:escalate', { conversationId });
    await ok(agent, 'conversation:claim', { conversationId });
    await ok(agent, 'message:send', { conversationId, clientId: clientId(), body: 'The front desk gives the coins back.' });
    await ok(agent, 'conversation:resolve', { conversationId });
  });

  it('answers nobody from the draft until the agent publishes it', async () => {
    const ctx = await env.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    page.setDefaultTimeout(20_000);
    const dialogs = watchDialogs(page);
    await page.goto(`${env.server.url}/console`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.getByRole('button', { name: 'History', exact: true }).click();
    await page.getByRole('button', { name: /hot chocolate machine/ }).first().click();
    await page.getByRole('button', { name: 'Turn into FAQ' }).click();

    // The editor opens on the draft, the phone number masked.
    await page.getByText('This is a draft: it answers nobody until it is published.').waitFor();
    const question = page.getByLabel('Question', { exact: true });
    expect(await question.inputValue()).toBe('the hot chocolate machine on floor three ate my coins, call me on ***');
    await page.getByRole('heading', { name: 'Drafts waiting to be published (1)' }).waitFor();
    const draft = (await env.server.app.ctx.faq.decide('demo', QUESTION)) as { kind: string; hit?: { id: string } };
    expect(draft.kind === 'answer' && draft.hit?.id).toBeFalsy();

    // Edited, then published from the editor.
    await question.fill('The hot chocolate machine ate my coins');
    await page.getByLabel('Answer', { exact: true }).fill('Ask the front desk on floor one: they give the coins back.');
    await page.getByRole('button', { name: 'Save and publish' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await expect.poll(() => page.getByRole('heading', { name: /Drafts waiting/ }).count()).toBe(0);

    const decided = await env.server.app.ctx.faq.decide('demo', 'The hot chocolate machine ate my coins');
    expect(decided.kind).toBe('answer');
    expect(dialogs).toEqual([]);
    await ctx.close();
  });

  it('publishes a draft from the list of drafts waiting, by a named button', async () => {
    const cookie = await login(env.server.url);
    const res = await fetch(`${env.server.url}/api/faqs`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ siteId: 'demo', question: 'Where do I rent a bicycle helmet for the campus tour?', answer: 'Helmets are rented at the bike shed next to the library.', language: 'en', status: 'draft' }),
    });
    expect(res.status).toBe(200);
    const ctx = await env.browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const page = await faqViewInChinese(ctx, env.server.url);
    await page.getByRole('heading', { name: '待发布的草稿（1）' }).waitFor();
    expect((await env.server.app.ctx.faq.decide('demo', 'Where do I rent a bicycle helmet for the campus tour?')).kind).not.toBe('answer');
    await page.getByRole('button', { name: '发布“Where do I rent a bicycle helmet for the campus tour?”' }).click();
    await page.getByRole('status').filter({ hasText: '已发布' }).waitFor();
    expect((await env.server.app.ctx.faq.decide('demo', 'Where do I rent a bicycle helmet for the campus tour?')).kind).toBe('answer');
    await ctx.close();
  });

  it('exports the FAQ from its view by keyboard, and says why when an export is refused', async () => {
    const ctx = await env.browser.newContext({ locale: 'zh-CN', viewport: { width: 360, height: 800 }, acceptDownloads: true });
    const page = await faqViewInChinese(ctx, env.server.url);
    const csv = page.getByRole('link', { name: '导出 CSV' });
    await csv.focus();
    const [file] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    expect(file.suggestedFilename()).toBe('faq-demo.csv');
    // Refused (the HTTP rate limit answers 429): the view says why, in Chinese, rather than a failed download.
    const refusal = { ok: false, error: { code: 'RATE_LIMITED', retryAfterMs: 5000 } };
    await page.route('**/api/faqs/export?**', (route) => route.fulfill({ status: 429, contentType: 'application/json', body: JSON.stringify(refusal) }));
    await page.getByRole('link', { name: '导出 JSON' }).click();
    await page.getByRole('alert').filter({ hasText: '文件未能下载。请求过于频繁' }).waitFor();
    await ctx.close();
  });
});
