/**
 * "What to write next" in the metrics view: the questions that reached a person, grouped per site, with
 * their counts, the pages they came from and the same groups' counts in the period before; its CSV;
 * the conversations behind each group (listed by History's search, downloaded as tickets); and the
 * one-click draft, which answers nobody until an agent writes and publishes it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemandGroupDTO, FaqEntryDTO, SearchHitDTO } from '../../shared/types.ts';
import { createAgent } from '../../server/agents/agents.service.ts';
import { GROUP_CONVERSATIONS } from '../../shared/types.ts';
import { groupQuestions, type QuestionRow } from '../../server/faq/demand.worker.ts';
import { TICKET_CSV_HEADER } from '../../server/metrics/tickets-export.ts';
import type { App } from '../../server/app.ts';
import { parseCsv } from '../../server/faq/engine/csv.ts';
import { WRITE_NEXT_CSV_HEADER } from '../../server/metrics/metrics-export.ts';
import { BACKENDS } from '../support/db.ts';
import { api, login, startTestServer, type TestServer } from '../support/server.ts';

const NOW = new Date('2026-05-20T00:00:00Z');
const at = (s: string) => `2026-05-${s}:00Z`;
/** The week [10th, 17th); the period before it is [3rd, 10th). */
const WEEK = `from=${encodeURIComponent(at('10T00:00'))}&to=${encodeURIComponent(at('17T00:00'))}`;
const GUIDE = 'https://a.example/guide';
const PRICING = 'https://a.example/pricing';
const REFUND = 'How do I get a refund for my course?';
const CERTIFICATE = '我的证书上名字写错了怎么办';

describe.each(BACKENDS)('what to write next on %s', (backend) => {
  let server: TestServer;
  let app: App;
  let url: string;
  let cookie: string;
  const sql = (text: string, params: unknown[] = []) => app.ctx.raw<{ id: string }>(text, params);
  let n = 0;
  /** The conversation of each question asked, by the text and day it was asked. */
  const conversationOf = new Map<string, string>();
  /** One visitor, one conversation on `page`, one question asked at `created`. */
  const asked = async (q: { site?: string; locale: string; page?: string; text: string; created: string; escalated?: boolean }) => {
    const site = q.site ?? 'demo';
    const [v] = await sql(`insert into visitors (site_id, token_hash, locale) values ($1, $2, $3) returning id`, [site, `wn${n++}`, q.locale]);
    const [c] = await sql(`insert into conversations (site_id, visitor_id, status, page_url, created_at) values ($1, $2, 'open', $3, $4) returning id`, [site, v.id, q.page ?? null, at(q.created)]);
    conversationOf.set(`${q.site ?? 'demo'} ${q.created}`, c.id);
    const escalated = q.escalated ?? true;
    await sql(`insert into questions (site_id, conversation_id, text, decision, created_at, escalated_at, answered_at) values ($1, $2, $3, $4, $5, $6, $7)`, [
      site, c.id, q.text, escalated ? 'human' : 'answer', at(q.created), escalated ? at(q.created) : null, escalated ? null : at(q.created),
    ]);
  };
  const groups = async (query: string) => {
    const res = await api<DemandGroupDTO[]>(url, cookie, 'GET', `/api/metrics/write-next?${query}`);
    expect(res.status).toBe(200);
    return (res.body as { ok: true; data: DemandGroupDTO[] }).data;
  };

  beforeAll(async () => {
    server = await startTestServer(backend, {}, { clock: () => NOW });
    ({ app, url } = server);
    cookie = await login(url);
    await sql(`insert into sites (id, name, secret) values ('two', 'Two', 'secret-two')`);
    // This week, demo: the refund question three times (twice from the guide, with and without a query; once from pricing).
    await asked({ locale: 'en', page: `${GUIDE}?utm=mail`, text: REFUND, created: '11T10:00' });
    await asked({ locale: 'en', page: `${GUIDE}#faq`, text: `${REFUND}?`, created: '12T10:00' });
    await asked({ locale: 'en', page: PRICING, text: REFUND, created: '14T09:00' });
    // The certificate once, from a zh visitor.
    await asked({ locale: 'zh', page: GUIDE, text: CERTIFICATE, created: '13T08:00' });
    // Answered by the FAQ, never escalated: not demand.
    await asked({ locale: 'en', page: GUIDE, text: 'How do I reset my password?', created: '12T11:00', escalated: false });
    // The week before: refund once, the certificate twice, and a question nobody asked this week.
    await asked({ locale: 'en', page: GUIDE, text: REFUND, created: '05T10:00' });
    await asked({ locale: 'zh', page: GUIDE, text: CERTIFICATE, created: '04T10:00' });
    await asked({ locale: 'zh', page: GUIDE, text: CERTIFICATE, created: '09T23:59' });
    await asked({ locale: 'en', page: GUIDE, text: 'The video player stays black on my tablet', created: '06T10:00' });
    // Before the period before: not counted anywhere.
    await asked({ locale: 'en', page: GUIDE, text: REFUND, created: '01T10:00' });
    // Site two, this week: the same words, its own group.
    await asked({ site: 'two', locale: 'en', page: 'https://two.example/', text: REFUND, created: '15T10:00' });
  });
  afterAll(() => server?.close());

  it('groups the questions that reached a person per site, with the pages they came from and the previous period', async () => {
    const demo = await groups(`${WEEK}&siteId=demo`);
    expect(demo.map((g) => [g.siteId, g.question.replace(/\?+$/, '?'), g.count, g.previousCount])).toEqual([
      ['demo', REFUND, 3, 1],
      ['demo', CERTIFICATE, 1, 2],
    ]);
    expect(demo[0].pages).toEqual([{ url: GUIDE, count: 2 }, { url: PRICING, count: 1 }]);
    expect(demo[0].days).toEqual([{ day: '2026-05-11', count: 1 }, { day: '2026-05-12', count: 1 }, { day: '2026-05-14', count: 1 }]);
    expect(demo[0].lastAskedAt).toBe('2026-05-14T09:00:00.000Z');
    expect(demo[1].pages).toEqual([{ url: GUIDE, count: 1 }]);

    const all = await groups(WEEK);
    expect(all.map((g) => [g.siteId, g.count, g.previousCount])).toEqual([
      ['demo', 3, 1],
      ['two', 1, 0],
      ['demo', 1, 2],
    ]);
    expect((await groups(`${WEEK}&language=zh`)).map((g) => [g.question, g.count, g.previousCount])).toEqual([[CERTIFICATE, 1, 2]]);
    expect(await groups(`from=${encodeURIComponent(at('17T00:00'))}&to=${encodeURIComponent(at('18T00:00'))}`)).toEqual([]);
  });

  it('names the conversations behind each group, newest first, which History lists and the tickets CSV downloads', async () => {
    const of = (created: string, site = 'demo') => conversationOf.get(`${site} ${created}`)!;
    const [refund, certificate] = await groups(`${WEEK}&siteId=demo`);
    // This week's only: the period before counts in previousCount and names no conversation.
    expect(refund.conversationIds).toEqual([of('14T09:00'), of('12T10:00'), of('11T10:00')]);
    expect(refund.conversationCount).toBe(3);
    expect(certificate.conversationIds).toEqual([of('13T08:00')]);
    expect(certificate.conversationCount).toBe(1);
    const [two] = (await groups(WEEK)).filter((g) => g.siteId === 'two');
    expect(two.conversationIds).toEqual([of('15T10:00', 'two')]);

    // History's search lists exactly those conversations, though none of them is a ticket yet.
    const search = async (query: string, who = cookie) => api<SearchHitDTO[]>(url, who, 'GET', `/api/conversations/search?${query}`);
    const listed = await search(`ids=${refund.conversationIds.join(',')}`);
    expect(listed.status).toBe(200);
    expect((listed.body as { ok: true; data: SearchHitDTO[] }).data.map((h) => h.conversation.id).sort()).toEqual([...refund.conversationIds].sort());
    // An agent of one site sees none of another site's conversations, even named.
    await createAgent(app.ctx.db, { email: 'demo-only@test.local', password: 'agent-password-1', name: 'Demo only', role: 'agent', siteIds: ['demo'] });
    const demoOnly = await login(url, 'demo-only@test.local', 'agent-password-1');
    const mixed = await search(`ids=${[...two.conversationIds, ...certificate.conversationIds].join(',')}`, demoOnly);
    expect((mixed.body as { ok: true; data: SearchHitDTO[] }).data.map((h) => h.conversation.id)).toEqual(certificate.conversationIds);
    // Not ids, too many, or empty: refused.
    for (const bad of ['ids=x', `ids=${Array.from({ length: 21 }, () => refund.conversationIds[0]).join(',')}`, 'ids=']) {
      expect((await search(bad)).body).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    }

    // Once they reached a person they are tickets: the CSV of the group's is those three, and nothing else of the period.
    await sql(`update conversations set escalated_at = created_at where site_id = 'demo'`);
    const res = await fetch(`${url}/api/conversations.csv?${WEEK}&siteId=demo&ids=${refund.conversationIds.join(',')}`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const [header, ...rows] = parseCsv(new TextDecoder().decode(await res.arrayBuffer()));
    expect(header).toEqual([...TICKET_CSV_HEADER]);
    expect(rows.map((r) => r[0]).sort()).toEqual([...refund.conversationIds].sort());
    expect((await fetch(`${url}/api/conversations.csv?${WEEK}&ids=nope`, { headers: { cookie } })).status).toBe(400);
    await sql(`update conversations set escalated_at = null where site_id = 'demo'`);
  });

  it('exports the table as CSV with a BOM', async () => {
    const res = await fetch(`${url}/api/metrics/export.csv?${WEEK}&siteId=demo&table=write-next`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
    expect(text.startsWith('\ufeff')).toBe(true);
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual([...WRITE_NEXT_CSV_HEADER]);
    expect(rows.map((r) => [r[0], r[2], r[3], r[4], r[5]])).toEqual([
      ['demo', '3', '1', '2026-05-14T09:00:00.000Z', `${GUIDE} (2)\n${PRICING} (1)`],
      ['demo', '1', '2', '2026-05-13T08:00:00.000Z', `${GUIDE} (1)`],
    ]);
    expect(rows[1][6]).toBe(CERTIFICATE);
  });

  it('drafts an FAQ entry from a group in one call, which answers nobody and cannot be published without an answer', async () => {
    const before = await app.ctx.faq.decide('demo', REFUND);
    const res = await api<FaqEntryDTO>(url, cookie, 'POST', '/api/faqs/from-demand', { siteId: 'demo', question: REFUND, variants: [`${REFUND}?`, 'call me on 13812345678 about a refund'] });
    expect(res.status).toBe(200);
    const draft = (res.body as { ok: true; data: FaqEntryDTO }).data;
    expect(draft).toMatchObject({ siteId: 'demo', status: 'draft', question: REFUND, answer: '', language: 'en' });
    expect(draft.variants).toContain(`${REFUND}?`);
    expect(draft.variants.join(' ')).not.toContain('13812345678');
    // The matcher decides exactly as before: the draft is in no index.
    expect(await app.ctx.faq.decide('demo', REFUND)).toEqual(before);
    const publish = await api(url, cookie, 'POST', `/api/faqs/${draft.id}/publish`);
    expect(publish.status).toBe(409);
    const [row] = await sql(`select status from faq_entries where id = $1`, [draft.id]);
    expect(row).toEqual({ status: 'draft' });
    expect(await app.ctx.faq.decide('demo', REFUND)).toEqual(before);
  });

  it('refuses a draft for a site outside the agent\'s and a malformed one, writing nothing', async () => {
    const [{ count }] = await app.ctx.raw<{ count: string }>(`select count(*) from faq_entries`, []);
    expect((await api(url, cookie, 'POST', '/api/faqs/from-demand', { siteId: 'elsewhere', question: REFUND })).status).toBe(403);
    const bad = await api(url, cookie, 'POST', '/api/faqs/from-demand', { siteId: 'demo', question: '   ' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect((await api(url, cookie, 'POST', '/api/faqs/from-demand', { siteId: 'demo', question: REFUND, variants: 'x' })).status).toBe(400);
    const [after] = await app.ctx.raw<{ count: string }>(`select count(*) from faq_entries`, []);
    expect(Number(after.count)).toBe(Number(count));
  });
});

describe('the conversations of a group', () => {
  it('names at most GROUP_CONVERSATIONS of them, the newest, each once, and counts them all', () => {
    const asked = (i: number, conversationId: string): QuestionRow => ({ siteId: 'demo', text: 'How do I get a refund?', createdAt: new Date(Date.UTC(2026, 4, 30) - i * 60_000), conversationId });
    // Newest first, as demand() reads them; the newest conversation asked twice.
    const rows = [asked(0, 'c0'), asked(1, 'c0'), ...Array.from({ length: 29 }, (_, i) => asked(i + 2, `c${i + 1}`))];
    const [group] = groupQuestions(rows);
    expect(group.count).toBe(31);
    expect(group.conversationCount).toBe(30);
    expect(group.conversationIds).toEqual(Array.from({ length: GROUP_CONVERSATIONS }, (_, i) => `c${i}`));
  });
});
