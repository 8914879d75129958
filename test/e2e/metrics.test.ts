/**
 * The metrics view in Chromium, on a known history: S and its factors, a chart whose numbers (the
 * figure's data attribute and its data table) follow the period picker, a breakdown per page with the
 * unanswered questions of one page, what to write next with one group drafted as an FAQ entry and each
 * group opening the conversations behind it in History, and a
 * CSV downloaded as Excel needs it (UTF-8 with a byte-order mark, a Chinese question intact), a refused
 * export's reason shown in the view; every
 * control named, in English and in Chinese.
 * `UPDATE_SCREENSHOTS=1` also writes the README's pictures of the view (docs/console-metrics.png, and
 * docs/console-metrics-zh-360.png on a phone in Chinese).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { parseCsv } from '../../server/faq/engine/csv.ts';
import { TICKET_CSV_HEADER } from '../../server/metrics/tickets-export.ts';
import { ADMIN, startTestServer, type TestServer } from '../support/server.ts';
import { axeViolations, browserAvailable, launchBrowser, watchDialogs } from '../support/browser.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DAY = 86_400_000;
const PAGE = 'https://courses.example/refunds';
const ZH_QUESTION = '课程买错了，怎么退款？';

interface Series { at: string[]; questions: (number | null)[]; faqAnswered: (number | null)[]; 'previous.questions': (number | null)[] }

describe.skipIf(!browserAvailable)('the metrics view', () => {
  let server: TestServer;
  let browser: Browser;
  const sql = <T extends object = { id: string }>(text: string, params: unknown[] = []) => server.app.ctx.raw<T>(text, params);

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer('pglite'), launchBrowser()]);
    // A history relative to now: within the last 7 days, 3 questions (2 answered by the FAQ for one
    // visitor on two days, 1 by a person, in Chinese); 12 days ago, 2 more that needed a person, in
    // English; all on PAGE.
    const now = Date.now();
    const ago = (days: number, minutes = 0) => new Date(now - days * DAY + minutes * 60_000).toISOString();
    const [entry] = await sql(`select id from faq_entries where site_id = 'demo' and language = 'en' order by question limit 1`);
    let n = 0;
    const visitor = async (locale: string) => (await sql(`insert into visitors (site_id, token_hash, locale) values ('demo', $1, $2) returning id`, [`e2e-metrics-${n++}`, locale]))[0].id;
    const ticket = async (locale: string, text: string, days: number, resolved: boolean) => {
      const v = await visitor(locale);
      const [c] = await sql(
        `insert into conversations (site_id, visitor_id, status, page_url, question, created_at, escalated_at, first_response_at, resolved_at)
         values ('demo', $1, $2, $3, $4, $5, $5, $6, $7) returning id`,
        [v, resolved ? 'resolved' : 'open', PAGE, text, ago(days), resolved ? ago(days, 3) : null, resolved ? ago(days, 30) : null],
      );
      await sql(`insert into questions (site_id, conversation_id, text, decision, created_at, escalated_at) values ('demo', $1, $2, 'human', $3, $3)`, [c.id, text, ago(days)]);
    };
    const answered = async (days: number, v: string) => {
      const [c] = await sql(`insert into conversations (site_id, visitor_id, status, page_url, created_at, resolved_at) values ('demo', $1, 'resolved', $2, $3, $3) returning id`, [v, PAGE, ago(days)]);
      await sql(
        `insert into questions (site_id, conversation_id, text, decision, created_at, answered_at, outcome, entry_id) values ('demo', $1, 'how do refunds work', 'answer', $2, $2, 'solved', $3)`,
        [c.id, ago(days), entry.id],
      );
    };
    await ticket('zh', ZH_QUESTION, 2, true);
    // The same visitor on two days: a visitor who came back (A).
    const regular = await visitor('en');
    await answered(3, regular);
    await answered(4, regular);
    await ticket('en', 'Can I get my money back after 20 days?', 12, true);
    await ticket('en', 'Can I get my money back after 20 days?', 12, false);
    await server.app.ctx.metrics.refresh({ full: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The numbers of the questions chart, as its figure publishes them. */
  const questionsChart = async (page: Page): Promise<Series> =>
    JSON.parse((await page.locator('console-metrics-chart').first().locator('figure').getAttribute('data-series')) ?? '{}') as Series;
  const sum = (xs: (number | null)[]) => xs.reduce<number>((a, b) => a + (b ?? 0), 0);

  it('shows S and the charts for a period, follows the period picker, and downloads a CSV Excel reads', async () => {
    const ctx = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 }, acceptDownloads: true, bypassCSP: true });
    const page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    const dialogs = watchDialogs(page);
    await page.goto(`${server.url}/console`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Metrics', exact: true }).click();

    // The last 7 days (the default): 3 questions, 2 answered automatically; S and its factors are shown.
    await page.getByRole('heading', { name: 'Satisfaction S = C × R × A' }).waitFor();
    await expect.poll(async () => sum((await questionsChart(page)).questions ?? [])).toBe(3);
    const week = await questionsChart(page);
    expect(sum(week.faqAnswered)).toBe(2);
    expect(week.at.length).toBeGreaterThanOrEqual(7);
    // The 12-day-old questions are in the previous 7 days, drawn dashed beside this period.
    expect(sum(week['previous.questions'])).toBe(2);
    const c = page.locator('[data-figure="C"] dd');
    // C: 2 of 3 questions met by content; A: 1 of 2 visitors came back on another day.
    expect(await c.textContent()).toContain('66.7%');
    expect(await page.locator('[data-figure="A"] dd').textContent()).toContain('50%');
    // The chart's data table says the same as its attribute.
    await page.getByText('Data of “Questions and automatic answers”').click();
    const table = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Questions' }) }).first();
    const cells = await table.locator('tbody tr td:first-of-type').allTextContents();
    expect(cells.map(Number).reduce((a, b) => a + b, 0)).toBe(3);

    // The last 30 days: 5 questions, of which the 2 older ones needed a person.
    await page.getByLabel('Period').selectOption('30d');
    await expect.poll(async () => sum((await questionsChart(page)).questions ?? [])).toBe(5);
    expect(sum((await questionsChart(page)).faqAnswered)).toBe(2);

    // Per page: PAGE asked 5 times, 3 needed a person; its most common unanswered question.
    await page.getByLabel('Break down by').selectOption('page');
    const row = page.getByRole('row').filter({ has: page.getByRole('button', { name: PAGE }) });
    await expect.poll(async () => (await row.locator('td').allTextContents()).map((c) => c.trim())).toEqual(['5', '2', '3', '3', '66.7%', '3 min', '—', 'CSV']);
    await page.getByRole('button', { name: PAGE }).click();
    const unanswered = page.getByRole('region', { name: `Most common unanswered questions: ${PAGE}` });
    await unanswered.getByText('Can I get my money back after 20 days? (2)').waitFor();

    // What to write next: the two groups that reached a person, with their page and the (empty) period before.
    const writeNext = page.getByRole('region', { name: 'What to write next' });
    const money = writeNext.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Can I get my money back after 20 days?' }) });
    await expect.poll(async () => (await money.locator('td').allTextContents()).map((c) => c.replace(/\s+/g, ' ').trim()).slice(0, 3)).toEqual(['2', '0 rising', `${PAGE} (2)`]);
    await writeNext.getByRole('rowheader', { name: ZH_QUESTION }).waitFor();
    await writeNext.getByRole('link', { name: 'Download “What to write next” as CSV' }).waitFor();
    // Each group links to the conversations behind it: two here, one for the Chinese question.
    await money.getByRole('button', { name: 'Show 2 conversations: Can I get my money back after 20 days?' }).waitFor();
    await money.getByRole('link', { name: 'CSV of the conversations behind Can I get my money back after 20 days?' }).waitFor();
    await writeNext.getByRole('button', { name: `Open the conversation: ${ZH_QUESTION}` }).waitFor();
    expect(await axeViolations(page, 'body')).toEqual([]);
    // One click drafts the entry: saved as a draft without an answer, so it answers nobody.
    await money.getByRole('button', { name: 'Draft an FAQ entry: Can I get my money back after 20 days?' }).click();
    await money.getByRole('button', { name: 'Write its answer: Can I get my money back after 20 days?' }).waitFor();
    const drafts = await sql<{ id: string; status: string; answer: string }>(`select id, status, answer from faq_entries where question = 'Can I get my money back after 20 days?'`);
    expect(drafts.map(({ status, answer }) => ({ status, answer }))).toEqual([{ status: 'draft', answer: '' }]);
    // The matcher never offers the draft (the demo's refund entry may answer the question on its own).
    const decision = await server.app.ctx.faq.decide('demo', 'Can I get my money back after 20 days?');
    const offered = decision.kind === 'answer' ? [decision.hit, ...decision.alternatives] : decision.kind === 'suggest' ? decision.hits : [];
    expect(offered.map((h) => h.id)).not.toContain(drafts[0].id);

    if (process.env.UPDATE_SCREENSHOTS) {
      // The console scrolls inside its main area: a tall window shows the whole view at once.
      await page.getByText('Data of “Questions and automatic answers”').click();
      await page.setViewportSize({ width: 1280, height: 2000 });
      await page.locator('main').evaluate((el) => el.scrollTo(0, 0));
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(root, 'docs/console-metrics.png') });
      await page.setViewportSize({ width: 1280, height: 900 });
    }

    // The tickets of the period, as a file: BOM, RFC 4180, the Chinese question intact.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tickets with timestamps (CSV)' }).click()]);
    const bytes = readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = parseCsv(bytes.subarray(3).toString('utf8'));
    expect(header).toEqual([...TICKET_CSV_HEADER]);
    expect(rows).toHaveLength(3);
    const zh = rows.find((r) => r[TICKET_CSV_HEADER.indexOf('question')] === ZH_QUESTION);
    expect(zh?.[TICKET_CSV_HEADER.indexOf('language')]).toBe('zh');
    expect(zh?.[TICKET_CSV_HEADER.indexOf('page_url')]).toBe(PAGE);
    // The tickets behind one breakdown row: the Chinese visitors'.
    await page.getByLabel('Break down by').selectOption('language');
    const [zhTickets] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'CSV of the conversations behind Chinese' }).click()]);
    const [, ...zhRows] = parseCsv(readFileSync((await zhTickets.path())!).subarray(3).toString('utf8'));
    expect(zhRows.map((r) => r[TICKET_CSV_HEADER.indexOf('question')])).toEqual([ZH_QUESTION]);
    // One chart's CSV too: the series of both periods.
    const [series] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download “Over time” as CSV' }).click()]);
    expect(series.suggestedFilename()).toMatch(/^metrics-series-.*\.csv$/);
    // A refused export (a third at once is answered 429) says why in the view, where a plain link
    // would leave a failed download in the browser's list; the next one goes through.
    const refusal = { ok: false, error: { code: 'RATE_LIMITED', retryAfterMs: 5000 } };
    await page.route('**/api/conversations.csv?**', (route) => route.fulfill({ status: 429, contentType: 'application/json', body: JSON.stringify(refusal) }));
    await page.getByRole('link', { name: 'Tickets with timestamps (CSV)' }).click();
    await page.getByRole('alert').filter({ hasText: 'The file could not be downloaded. Too many requests. Try again in' }).waitFor();
    await page.unroute('**/api/conversations.csv?**');
    const [again] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tickets with timestamps (CSV)' }).click()]);
    expect(again.suggestedFilename()).toMatch(/^tickets-.*\.csv$/);
    await page.getByRole('alert').filter({ hasText: 'The file could not be downloaded' }).waitFor({ state: 'detached' });

    // In Chinese, the same view and controls, named in Chinese.
    await page.getByRole('button', { name: 'Switch to 中文' }).click();
    await page.getByRole('heading', { name: '满意度 S = C × R × A' }).waitFor();
    for (const label of ['时间范围', '语言', '分项依据']) await page.getByLabel(label, { exact: true }).waitFor();
    // The visitors' languages named in Chinese too, and a label's colon full-width.
    expect(await page.getByLabel('语言', { exact: true }).locator('option[value="en"]').textContent()).toBe('英文');
    await page.getByRole('rowheader', { name: '英文', exact: true }).waitFor();
    await page.getByText(/^90 分位：\S/).first().waitFor();
    await page.getByRole('link', { name: '工单及时间（CSV）' }).waitFor();
    await page.getByRole('link', { name: '下载“趋势”CSV' }).waitFor();
    await page.getByRole('region', { name: '待补充内容' }).getByRole('button', { name: `生成常见问题草稿：${ZH_QUESTION}` }).waitFor();
    expect(sum((await questionsChart(page)).questions)).toBe(5);
    expect(await axeViolations(page, 'body')).toEqual([]);
    if (process.env.UPDATE_SCREENSHOTS) {
      // On a phone, in Chinese: the chart's time axis and the language names in the interface language.
      await page.setViewportSize({ width: 360, height: 780 });
      await page.waitForTimeout(500);
      await page.locator('console-metrics-chart').first().evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(root, 'docs/console-metrics-zh-360.png') });
      await page.setViewportSize({ width: 1280, height: 900 });
    }

    // A group's conversations open in History: the two behind the English question, listed...
    await page.getByRole('region', { name: '待补充内容' }).getByRole('button', { name: '查看 2 个会话：Can I get my money back after 20 days?' }).click();
    const history = page.locator('console-history');
    await history.getByText('“Can I get my money back after 20 days?”背后的会话').waitFor();
    await expect.poll(() => history.locator('li').count()).toBe(2);
    expect(await axeViolations(page, 'body')).toEqual([]);
    // ...and the one behind the Chinese question, listed and opened at once.
    await page.getByRole('button', { name: '数据统计', exact: true }).click();
    await page.getByRole('region', { name: '待补充内容' }).getByRole('button', { name: `打开会话：${ZH_QUESTION}` }).click();
    await history.getByText(`“${ZH_QUESTION}”背后的会话`).waitFor();
    await expect.poll(() => history.locator('li').count()).toBe(1);
    await history.locator('li button[aria-current="true"]').filter({ hasText: ZH_QUESTION }).waitFor();
    // "Show all tickets" leaves the group for History's own list.
    await history.getByRole('button', { name: '显示全部工单' }).click();
    await history.getByText(`“${ZH_QUESTION}”背后的会话`).waitFor({ state: 'detached' });
    expect(dialogs).toEqual([]);
    await ctx.close();
    // One journey through the whole view (two languages, four downloads, a draft, a group's conversations): 30 s was its edge on a busy machine.
  }, 120_000);
});
