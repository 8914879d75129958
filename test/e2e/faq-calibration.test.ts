/**
 * The FAQ view's "what to expect" panel, as a site owner reads it in Chinese on a phone: it names the
 * entries whose variants are near-duplicates (each opens its entry, also from the keyboard) and, when
 * the FAQ's own variants reach its target precision at no threshold, says that it answers no visitor on
 * its own and what to do; and
 * beside the estimate, what visitors did after the automatic answers, with a warning when too many
 * asked for a person.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { FaqCalibrationDTO } from '../../shared/types.ts';
import { conversations, questions, sites, visitors } from '../../server/db/schema.ts';
import { apiData, login } from '../support/server.ts';
import { browserAvailable, faqViewInChinese, serverAndBrowser, watchDialogs } from '../support/browser.ts';

describe.skipIf(!browserAvailable)('what to expect from the FAQ, in the console', () => {
  const env = serverAndBrowser();

  it('names near-duplicate entries and explains why the FAQ answers no visitor on its own', async () => {
    const cookie = await login(env.server.url);
    // Rewordings of one sentence each, as an owner writes them when rephrasing.
    for (const [question, variants] of [
      ['怎么申请退款？', ['如何申请退款？', '怎样申请退款', '申请退款怎么弄']],
      ['How do I reset my password?', ['How can I reset my password?', 'How to reset my password', 'reset my password please']],
    ] as const) {
      await apiData(env.server.url, cookie, 'POST', '/api/faqs?siteId=demo', { question, variants, answer: '好的。', language: /[\u4e00-\u9fff]/.test(question) ? 'zh' : 'en', tags: [], articleUrls: [] });
    }
    // A target no threshold reaches on the FAQ's own variants, above the one the priors were measured
    // at: the calibration says "never answer on your own".
    await env.server.database.db.update(sites).set({ faqTargetPrecision: 0.999 }).where(eq(sites.id, 'demo'));
    await env.server.app.ctx.sites.changed('demo');
    await env.server.app.ctx.faq.calibrations.recompute('demo');
    const calibration = await apiData<FaqCalibrationDTO>(env.server.url, cookie, 'GET', '/api/faqs/calibration?siteId=demo');
    expect(calibration.calibration).toMatchObject({ threshold: 1, method: 'prior', unfit: true });
    expect(calibration.calibration!.alike.map((a) => a.question)).toEqual(expect.arrayContaining(['怎么申请退款？', 'How do I reset my password?']));

    // Twenty automatic answers of the last days: 12 solved, 3 followed by a request for a person.
    const db = env.server.database.db;
    const [visitor] = await db.insert(visitors).values({ siteId: 'demo', tokenHash: 'faq-calibration-e2e' }).returning();
    const [conversation] = await db.insert(conversations).values({ siteId: 'demo', visitorId: visitor.id, status: 'resolved' }).returning();
    await db.insert(questions).values(
      Array.from({ length: 20 }, (_, i) => ({
        siteId: 'demo',
        conversationId: conversation.id,
        text: '怎么申请退款？',
        decision: 'answer' as const,
        confidence: 0.9,
        outcome: i < 12 ? ('solved' as const) : i < 15 ? ('human' as const) : null,
        answeredAt: new Date(),
      })),
    );

    const ctx = await env.browser.newContext({ locale: 'zh-CN', viewport: { width: 360, height: 740 } });
    const page = await faqViewInChinese(ctx, env.server.url);
    const dialogs = watchDialogs(page);
    await page.getByText('常见问题的预期效果').click();

    await page.getByText('按当前设置，FAQ 不会自动回答任何访客').waitFor();
    await page.getByText('种问法无法校准').waitFor();
    await page.getByText('以下条目的几种问法用词几乎相同').waitFor();
    await page.getByText('过去 30 天，常见问题自动回答了 20 个问题。访客表示其中 12 个回答解决了问题，在 3 个回答之后要求转人工（15%）').waitFor();
    await page.getByText('访客要求转人工的回答比例，高于目标准确率所允许的答错比例').waitFor();
    // Each listed entry is a button named by its question (the confused pairs above may name it too);
    // Enter on the near-duplicate list's one opens the entry in the editor.
    const listed = page.locator('console-faq-calibration').getByRole('listitem').filter({ hasText: '用词重合' });
    await expect.poll(() => listed.count()).toBe(2);
    const entry = listed.getByRole('button', { name: '打开条目“怎么申请退款？”' });
    await entry.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByLabel('问题', { exact: true }).inputValue()).toBe('怎么申请退款？');
    // Refresh from the keyboard keeps the focus on the button while it loads (a disabled one lost it).
    const refresh = page.locator('console-faq-calibration').getByRole('button', { name: '刷新' });
    await refresh.focus();
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    expect(await refresh.evaluate((el) => el.matches(':focus'))).toBe(true);
    expect(dialogs).toEqual([]);
    await ctx.close();
  });
});
