/**
 * Search across conversations: Chinese and English substrings of messages, the visitor's name or
 * email, label, agent, status and date, on the agent's own sites only; bad input INVALID_PAYLOAD.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabelDTO, SearchHitDTO } from '../../shared/types.ts';
import { agents } from '../../server/db/schema.ts';
import { createSite } from '../../server/sites/sites.service.ts';
import { searchStatement } from '../../server/search/search.service.ts';
import { ConversationSearch } from '../../shared/schemas.ts';
import { BACKENDS } from '../support/db.ts';
import { seedConversation } from '../support/conversations.ts';
import { addAgent, api, login, refusal, startTestServer, type TestServer } from '../support/server.ts';

describe.each(BACKENDS)('conversation search on %s', (backend) => {
  let server: TestServer;
  let admin: string;
  let mei: string;
  let otto: string;
  const ids: Record<string, string> = {};
  let meiId: string;
  let label: LabelDTO;
  const search = async (cookie: string, query: string) => {
    const res = await api<SearchHitDTO[]>(server.url, cookie, 'GET', `/api/conversations/search?${query}`);
    if (!res.body.ok) throw new Error(`search ${query}: ${JSON.stringify(res.body)}`);
    return res.body.data;
  };
  const found = async (cookie: string, query: string) => (await search(cookie, query)).map((h) => h.conversation.id).sort();

  beforeAll(async () => {
    server = await startTestServer(backend);
    const db = server.database.db;
    await createSite(db, { id: 'other', name: 'Other', origins: ['https://other.example'] });
    admin = await login(server.url);
    mei = await addAgent(server, 'mei@test.local', ['demo']);
    otto = await addAgent(server, 'otto@test.local', ['other']);
    [{ id: meiId }] = await db.select({ id: agents.id }).from(agents).where(eq(agents.email, 'mei@test.local'));
    const labelRes = await api<LabelDTO>(server.url, admin, 'POST', '/api/labels', { siteId: 'demo', name: '退款' });
    label = (labelRes.body as { data: LabelDTO }).data;
    ids.refundZh = await seedConversation(db, {
      siteId: 'demo',
      visitor: { name: '王小明', email: 'xiaoming@example.cn' },
      assignedAgentId: meiId,
      labels: [label.id],
      lines: ['你好，我想申请退款', '好的，请提供订单号'],
      escalatedAt: new Date('2026-11-02T10:00:00Z'),
    });
    ids.refundEn = await seedConversation(db, {
      siteId: 'demo',
      visitor: { name: 'Ada Lovelace', email: 'ada@example.com' },
      status: 'resolved',
      lines: ['Can I get a REFUND for the course?', 'Yes, it is on its way.'],
      escalatedAt: new Date('2026-11-20T10:00:00Z'),
    });
    ids.invoice = await seedConversation(db, { siteId: 'demo', lines: ['需要发票'], escalatedAt: new Date('2026-11-25T10:00:00Z') });
    ids.otherSite = await seedConversation(db, {
      siteId: 'other',
      visitor: { name: 'Ada Other', email: 'ada@other.example' },
      lines: ['我要退款 refund now'],
    });
  });
  afterAll(() => server?.close());

  it('finds a Chinese word inside a longer phrase, and English in any case, by substring', async () => {
    expect(await found(mei, `q=${encodeURIComponent('退款')}`)).toEqual([ids.refundZh]);
    expect(await found(mei, 'q=refun')).toEqual([ids.refundEn]);
    expect(await found(mei, 'q=Refund')).toEqual([ids.refundEn]);
    expect(await found(mei, `q=${encodeURIComponent('订单号')}`)).toEqual([ids.refundZh]);
    const [hit] = await search(mei, `q=${encodeURIComponent('申请退')}`);
    expect(hit.match).toMatchObject({ seq: 1, body: '你好，我想申请退款' });
    expect(await found(mei, `q=${encodeURIComponent('退货')}`)).toEqual([]);
  });

  it('finds by the visitor’s name or email', async () => {
    expect(await found(mei, `q=${encodeURIComponent('小明')}`)).toEqual([ids.refundZh]);
    expect(await found(mei, 'q=ada%40example')).toEqual([ids.refundEn]);
    const [byName] = await search(mei, 'q=lovelace');
    expect(byName.match).toBeNull();
  });

  it('filters by label, agent, status and date, alone or with text', async () => {
    expect(await found(mei, `label=${label.id}`)).toEqual([ids.refundZh]);
    expect(await found(mei, `agentId=${meiId}`)).toEqual([ids.refundZh]);
    expect(await found(mei, 'status=resolved')).toEqual([ids.refundEn]);
    expect(await found(mei, 'from=2026-11-15T00:00:00Z&to=2026-11-30T00:00:00Z')).toEqual([ids.invoice, ids.refundEn].sort());
    expect(await found(mei, 'q=refund&status=open')).toEqual([]);
    const newestFirst = (await search(mei, '')).map((h) => h.conversation.id);
    expect(newestFirst).toEqual([ids.invoice, ids.refundEn, ids.refundZh]);
  });

  it('shows an agent only their own sites’ conversations', async () => {
    expect(await found(otto, `q=${encodeURIComponent('退款')}`)).toEqual([ids.otherSite]);
    expect(await found(otto, 'q=ada')).toEqual([ids.otherSite]);
    expect(await found(otto, 'siteId=demo')).toEqual([]);
    expect(await found(otto, `label=${label.id}`)).toEqual([]);
    expect(await found(mei, `q=${encodeURIComponent('退款')}&siteId=other`)).toEqual([]);
    expect((await found(admin, `q=${encodeURIComponent('退款')}`)).length).toBe(2);
  });

  it('finds the same through the bigram index as by reading the newest tickets one by one', async () => {
    // Here every ticket fits in the first pass; the second (for rarer words over many tickets) is run directly.
    for (const q of ['退款', '申请退', 'refun', 'REFUND', '小明', 'ada@example', '发票', 'course?']) {
      const both = await Promise.all(
        (['recent', 'indexed'] as const).map(async (pass) => {
          const { text, params } = searchStatement(ConversationSearch.parse({ q }), ['demo'], pass);
          return (await server.app.ctx.raw<{ id: string; seq: number | null }>(text, params)).map((r) => [r.id, r.seq === null ? null : Number(r.seq)]);
        }),
      );
      expect(both[1], q).toEqual(both[0]);
      expect(both[0].length, q).toBeGreaterThan(0);
    }
  });

  it('reads the newest tickets a slice at a time (as on PGlite), ties of time in id order, and finds the same as in one', async () => {
    // Three tickets raised at the same instant: a slice may end between them.
    for (let i = 0; i < 3; i++) await seedConversation(server.database.db, { siteId: 'demo', lines: [`同一时刻的课程问题 ${i}`], escalatedAt: new Date('2026-11-10T10:00:00Z') });
    type Row = { id: string | null; seq: number | null; scanned: number; last_at: string; last_id: string };
    const raw = (st: { text: string; params: unknown[] }) => server.app.ctx.raw<Row>(st.text, st.params);
    const sites = ['demo', 'other'];
    const [{ n: tickets }] = await server.app.ctx.raw<{ n: number }>(`SELECT count(*)::int AS n FROM conversations WHERE site_id = ANY($1::text[]) AND escalated_at IS NOT NULL`, [sites]);
    expect(Number(tickets)).toBeGreaterThanOrEqual(7);
    const hitsOf = (rows: Row[]) => rows.filter((r) => r.id !== null).map((r) => [r.id, r.seq === null ? null : Number(r.seq)]);
    for (const q of ['课程', '退款', 'refund', '不存在的词']) {
      const input = ConversationSearch.parse({ q });
      const whole = hitsOf(await raw(searchStatement(input, sites, 'recent')));
      for (const size of [1, 2, 3]) {
        const hits: unknown[] = [];
        let read = 0;
        let after: { at: string; id: string } | undefined;
        for (let slices = 0; slices <= Number(tickets); slices++) {
          const rows = await raw(searchStatement(input, sites, 'recent', { size, after, limit: input.limit }));
          if (rows.length === 0) break;
          hits.push(...hitsOf(rows));
          read += Number(rows[0].scanned);
          after = { at: rows[0].last_at, id: rows[0].last_id };
        }
        expect(hits, `${q} in slices of ${size}`).toEqual(whole);
        expect(read, `${q} in slices of ${size}`).toBe(Number(tickets));
      }
    }
    expect((await found(mei, `q=${encodeURIComponent('课程问题')}`)).length).toBe(3);
    // Through the API, a slice of one ticket, of two, and none (the whole first pass in one statement):
    // the same hits in the same order, whether a page fills in a middle slice (limit=2) or no slice matches.
    const hitsVia = async (sliceTickets: number | null, query: string) => {
      const before = server.app.ctx.reports.sliceTickets;
      server.app.ctx.reports.sliceTickets = sliceTickets;
      try {
        return (await search(admin, query)).map((h) => [h.conversation.id, h.match?.seq ?? null]);
      } finally {
        server.app.ctx.reports.sliceTickets = before;
      }
    };
    for (const query of ['课程问题', '课程问题&limit=2', '退款', 'refund&limit=1', '不存在的词', 'ada']) {
      const q = query.replace(/^[^&]+/, (w) => `q=${encodeURIComponent(w)}`);
      const whole = await hitsVia(null, q);
      for (const sliceTickets of [6, 12]) expect(await hitsVia(sliceTickets, q), `${query}, sliceTickets ${sliceTickets}`).toEqual(whole);
    }
    expect(await hitsVia(6, `q=${encodeURIComponent('课程问题')}&limit=2`)).toHaveLength(2);
  });

  it('answers INVALID_PAYLOAD to bad input and UNAUTHORIZED without a session', async () => {
    for (const query of ['q=a', `q=${'x'.repeat(201)}`, 'label=nope', 'agentId=1', 'status=bot', 'from=yesterday', 'limit=0', 'limit=101', 'q=ab&q=cd',
      'from=2026-11-30T00:00:00Z&to=2026-11-01T00:00:00Z']) {
      expect((await api(server.url, mei, 'GET', `/api/conversations/search?${query}`)).body, query).toEqual(refusal('INVALID_PAYLOAD'));
    }
    expect((await api(server.url, undefined, 'GET', '/api/conversations/search?q=refund')).body).toEqual(refusal('UNAUTHORIZED'));
  });
});
