/**
 * The metrics view's figures beyond S: ratings and the survey, verified resolution, percentiles in
 * business hours, the series, the breakdowns per site, agent, language, page and article, a page's
 * unanswered questions and the CSV of each table, checked against a small history counted by hand;
 * and the rollup kept up to date by its periodic run. Definitions: docs/metrics.md.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BreakdownRowDTO, MetricsDTO, SeriesDTO } from '../../shared/types.ts';
import type { App } from '../../server/app.ts';
import { parseCsv } from '../../server/faq/engine/csv.ts';
import { BREAKDOWN_CSV_HEADER } from '../../server/metrics/metrics-export.ts';
import { SLICE_TICKETS } from '../../server/metrics/sliced.ts';
import { metricsRollup } from '../../server/metrics/rollup.ts';
import { rawClient } from '../../server/db/raw.ts';
import { BACKENDS } from '../support/db.ts';
import { api, login, startTestServer, type TestServer } from '../support/server.ts';

const NOW = new Date('2026-05-20T00:00:00Z');
/** '13T12:02': a time in May 2026, UTC. */
const at = (s: string) => `2026-05-${s}${s.length === 8 ? ':00' : ''}Z`;
const period = (from: string, to: string) => `from=${encodeURIComponent(at(from))}&to=${encodeURIComponent(at(to))}`;
const WEEK = period('10T00:00', '17T00:00');
const GUIDE = 'https://a.example/guide';

describe.each(BACKENDS)('the metrics view from a known history on %s', (backend) => {
  let server: TestServer;
  let app: App;
  let url: string;
  let cookie: string;
  const agents: Record<string, string> = {};
  /** The server's clock: NOW until the last test moves it on. */
  let now = NOW;
  const sql = (text: string, params: unknown[] = []) => app.ctx.raw<{ id: string }>(text, params);

  let n = 0;
  const visitor = async (site: string, locale: string) => (await sql(`insert into visitors (site_id, token_hash, locale) values ($1, $2, $3) returning id`, [site, `mv${n++}`, locale]))[0].id;
  const conversation = async (
    site: string,
    visitorId: string,
    c: { status: string; created: string; page?: string; escalated?: string; first?: string; resolved?: string; agent?: string; rating?: number },
  ) =>
    (
      await sql(
        `insert into conversations (site_id, visitor_id, status, page_url, created_at, escalated_at, first_response_at, resolved_at, assigned_agent_id, csat_rating)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id`,
        [site, visitorId, c.status, c.page ?? null, at(c.created), c.escalated ? at(c.escalated) : null, c.first ? at(c.first) : null, c.resolved ? at(c.resolved) : null, c.agent ? agents[c.agent] : null, c.rating ?? null],
      )
    )[0].id;
  const question = async (site: string, conversationId: string, q: { text: string; decision: string; created: string; answered?: string; outcome?: string; escalated?: string; entry?: string }) => {
    await sql(
      `insert into questions (site_id, conversation_id, text, decision, created_at, answered_at, outcome, escalated_at, entry_id) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [site, conversationId, q.text, q.decision, at(q.created), q.answered ? at(q.answered) : null, q.outcome ?? null, q.escalated ? at(q.escalated) : null, q.entry ?? null],
    );
  };

  beforeAll(async () => {
    server = await startTestServer(backend, {}, { clock: () => now });
    ({ app, url } = server);
    cookie = await login(url);
    // Site "two": no survey, business hours 9:00–17:00 on weekdays in Shanghai (01:00–09:00 UTC).
    const days = Object.fromEntries(['1', '2', '3', '4', '5'].map((d) => [d, [540, 1020]]));
    await sql(`insert into sites (id, name, secret, csat_enabled, business_hours) values ('two', 'Two', 'secret-two', false, $1)`, [JSON.stringify({ timezone: 'Asia/Shanghai', days })]);
    for (const name of ['Ann', 'Bob']) agents[name] = (await sql(`insert into agents (email, name, password_hash) values ($1, $2, 'x') returning id`, [`${name}@mv.test`, name]))[0].id;
    await sql(`insert into articles (site_id, url, title, language) values ('demo', $1, 'Guide', 'en'), ('demo', 'https://a.example/empty', 'Empty', 'en')`, [GUIDE]);
    const [entry] = await sql(`insert into faq_entries (site_id, question, answer, language) values ('demo', 'Reset a password', 'Like this.', 'en') returning id`);

    // V1 (en) on the guide: T1 answered by Ann in 120 s, resolved in 1 h, rated 5; back 3 days later with T4 (no reply yet).
    const v1 = await visitor('demo', 'en');
    const t1 = await conversation('demo', v1, { status: 'resolved', created: '10T10:00', page: `${GUIDE}?utm=x`, escalated: '10T10:00', first: '10T10:02', resolved: '10T11:00', agent: 'Ann', rating: 5 });
    await question('demo', t1, { text: 'How do I reset?', decision: 'human', created: '10T10:00', escalated: '10T10:00' });
    const t4 = await conversation('demo', v1, { status: 'open', created: '13T08:00', page: GUIDE, escalated: '13T08:00' });
    await question('demo', t4, { text: 'How do I reset?', decision: 'human', created: '13T08:00', escalated: '13T08:00' });
    // V2 (zh) on the guide: T2 answered by Bob in 600 s, resolved in 1 h, rated 2.
    const v2 = await visitor('demo', 'zh');
    const t2 = await conversation('demo', v2, { status: 'resolved', created: '11T09:00', page: `${GUIDE}#top`, escalated: '11T09:00', first: '11T09:10', resolved: '11T10:00', agent: 'Bob', rating: 2 });
    await question('demo', t2, { text: 'How do I reset? ', decision: 'human', created: '11T09:00', escalated: '11T09:00' });
    // V3 (en) on pricing: T3 answered by Ann in 60 s, resolved in 30 min, not rated.
    const v3 = await visitor('demo', 'en');
    const t3 = await conversation('demo', v3, { status: 'resolved', created: '12T12:00', page: 'https://a.example/pricing', escalated: '12T12:00', first: '12T12:01', resolved: '12T12:30', agent: 'Ann' });
    await question('demo', t3, { text: 'Price?', decision: 'human', created: '12T12:00', escalated: '12T12:00' });
    // V4 (zh) on the guide: two FAQ answers, the first "solved".
    const v4 = await visitor('demo', 'zh');
    const b1 = await conversation('demo', v4, { status: 'resolved', created: '14T10:00', page: GUIDE, resolved: '14T10:10' });
    await question('demo', b1, { text: 'reset password', decision: 'answer', created: '14T10:00', answered: '14T10:00', outcome: 'solved', entry: entry.id });
    await question('demo', b1, { text: 'and the email?', decision: 'answer', created: '14T10:05', answered: '14T10:05', entry: entry.id });
    // V6 (en) on site two: escalated Friday 16:00 in Shanghai, first reply Monday 9:30, resolved Monday 10:00, rated 4.
    const v6 = await visitor('two', 'en');
    const t5 = await conversation('two', v6, { status: 'resolved', created: '15T08:00', page: 'https://b.example/help', escalated: '15T08:00', first: '18T01:30', resolved: '18T02:00', rating: 4 });
    await question('two', t5, { text: 'Refund?', decision: 'human', created: '15T08:00', escalated: '15T08:00' });
    await app.ctx.metrics.refresh({ full: true });
  });
  afterAll(() => server?.close());

  async function get<T>(path: string): Promise<T> {
    const res = await api<T>(url, cookie, 'GET', path);
    expect(res.status).toBe(200);
    return (res.body as { ok: true; data: T }).data;
  }

  it('reports the survey ratings apart, and the verified resolutions', async () => {
    const m = await get<MetricsDTO>(`/api/metrics?${WEEK}`);
    // Ratings 5, 2, 4; surveyed: T1, T2, T3 (resolved on demo; "two" has no survey), rated T1 and T2.
    expect(m.ratings).toEqual({ count: 3, average: 3.67, distribution: [0, 1, 0, 1, 1], surveyed: 3, responseRate: 0.6667 });
    // Verifiable: T1, T2, T3 (T5's 72 h end on the 21st); T1's visitor came back with T4 within them: 2 / (5 − 1).
    expect(m.verifiedResolutionRate).toBe(0.5);
    // The bot's "this solved it" stays with the FAQ figures.
    expect(m.faqSolved).toBe(1);
  });

  it('counts first response and resolution in business hours where the site sets them', async () => {
    const m = await get<MetricsDTO>(`/api/metrics?${WEEK}`);
    // T5 in Shanghai's hours: Friday 16–17 and Monday 9–9:30 = 5,400 s; to 10:00 = 7,200 s.
    // First responses 60, 120, 600, 5400 s: p50 (120 + 600) / 2, p90 600 + 0.7 × 4800.
    expect(m.firstResponseMs).toEqual({ median: 360_000, p90: 3_960_000 });
    // Resolutions 1800, 3600, 3600, 7200 s: p50 3600, p90 3600 + 0.7 × 3600.
    expect(m.resolutionMs).toEqual({ median: 3_600_000, p90: 6_120_000 });
    const two = await get<MetricsDTO>(`/api/metrics?${WEEK}&siteId=two`);
    expect(two.firstResponseMs).toEqual({ median: 5_400_000, p90: 5_400_000 });
  });

  it('draws a point per day with the previous week beside it', async () => {
    const s = await get<SeriesDTO>(`/api/metrics/series?${WEEK}`);
    expect(s.bucket).toBe('day');
    expect(s.points.map((p) => p.at.slice(0, 10))).toEqual(['10', '11', '12', '13', '14', '15', '16'].map((d) => `2026-05-${d}`));
    expect(s.points.map((p) => p.questions)).toEqual([1, 1, 1, 1, 2, 1, 0]);
    expect(s.points.map((p) => p.faqAnswered)).toEqual([0, 0, 0, 0, 2, 0, 0]);
    expect(s.points.map((p) => p.deflectionRate)).toEqual([0, 0, 0, 0, 1, 0, null]);
    expect(s.points.map((p) => p.tickets)).toEqual([1, 1, 1, 1, 0, 1, 0]);
    expect(s.points.map((p) => p.firstResponseP50Ms)).toEqual([120_000, 600_000, 60_000, null, null, 5_400_000, null]);
    expect(s.points.map((p) => p.resolutionRate)).toEqual([1, 1, 1, 0, null, 1, null]);
    expect(s.points.map((p) => p.ratingAverage)).toEqual([5, 2, null, null, null, 4, null]);
    // S = C × R of the day × A of the week (V1 of V1 V2 V3 V4 V6 came back: 0.2): the 14th has C 1 but no ticket.
    expect(s.points[4]).toMatchObject({ C: 1, R: null, S: null });
    expect(s.points[0]).toMatchObject({ C: 0, R: 1, S: 0 });
    expect(s.previous).toHaveLength(7);
    expect(s.previous.every((p) => p.questions === 0 && p.tickets === 0)).toBe(true);
  });

  it('draws a point per hour for one day', async () => {
    const s = await get<SeriesDTO>(`/api/metrics/series?${period('14T00:00', '15T00:00')}`);
    expect(s.bucket).toBe('hour');
    expect(s.points).toHaveLength(24);
    expect(s.points.filter((p) => p.questions > 0).map((p) => [p.at, p.questions])).toEqual([['2026-05-14T10:00:00.000Z', 2]]);
  });

  it('counts a period that does not start or end at midnight from the live rows at its edges', async () => {
    const m = await get<MetricsDTO>(`/api/metrics?${period('10T10:01', '14T10:03')}`);
    // T1's question (10:00) and the second answer on the 14th (10:05) are outside: T2 T3 T4 and the first answer.
    expect(m).toMatchObject({ questions: 4, faqAnswered: 1, escalated: 3, tickets: 3 });
    // V1's activity on the 10th ended before the period: seen V1 (13th), V2, V3, V4; none on two days.
    expect(m.satisfaction.counts).toMatchObject({ visitorsSeen: 4, visitorsReturned: 0 });
  });

  const breakdown = (by: string, extra = '') => get<BreakdownRowDTO[]>(`/api/metrics/breakdown?${WEEK}&by=${by}${extra}`);
  const pick = (r: BreakdownRowDTO) => [r.key, r.questions, r.faqAnswered, r.escalated, r.tickets, r.resolved];

  it('breaks the period down per agent', async () => {
    const rows = await breakdown('agent');
    const by = Object.fromEntries(rows.map((r) => [r.label ?? r.key, r]));
    // Ann: T1 (120 s, 5) and T3 (60 s); Bob: T2 (600 s, 2); nobody: T4 and T5 (5,400 s, 4).
    expect(by.Ann).toMatchObject({ tickets: 2, resolved: 2, resolutionRate: 1, firstResponseP50Ms: 90_000, firstResponseP90Ms: 114_000, ratingAverage: 5, ratings: 1, questions: null });
    expect(by.Bob).toMatchObject({ tickets: 1, resolved: 1, firstResponseP50Ms: 600_000, ratingAverage: 2 });
    expect(by['']).toMatchObject({ tickets: 2, resolved: 1, resolutionRate: 0.5, firstResponseP50Ms: 5_400_000, ratingAverage: 4 });
  });

  it('breaks the period down per site and per language', async () => {
    expect((await breakdown('site')).map((r) => [...pick(r), r.label])).toEqual([
      ['demo', 6, 2, 4, 4, 3, '知更学堂 Robin Academy'],
      ['two', 1, 0, 1, 1, 1, 'Two'],
    ]);
    expect((await breakdown('language')).map(pick)).toEqual([
      ['en', 4, 0, 4, 4, 3],
      ['zh', 3, 2, 1, 1, 1],
    ]);
  });

  it('breaks the period down per page (without query or fragment) and per registered article', async () => {
    expect((await breakdown('page')).map(pick)).toEqual([
      [GUIDE, 5, 2, 3, 3, 2],
      ['https://a.example/pricing', 1, 0, 1, 1, 1],
      ['https://b.example/help', 1, 0, 1, 1, 1],
    ]);
    // The demo site's own articles (seeded) have no questions here.
    expect((await breakdown('article')).filter((r) => r.key.startsWith('https://a.example/')).map((r) => [...pick(r), r.label])).toEqual([
      [GUIDE, 5, 2, 3, 3, 2, 'Guide'],
      ['https://a.example/empty', 0, 0, 0, 0, 0, 'Empty'],
    ]);
    expect((await breakdown('page', '&language=zh')).map(pick)).toEqual([[GUIDE, 3, 2, 1, 1, 1]]);
  });

  it("lists a page's questions that most often needed a person", async () => {
    const rows = await get<{ question: string; count: number }[]>(`/api/metrics/unanswered?${WEEK}&page=${encodeURIComponent(GUIDE)}`);
    expect(rows).toHaveLength(1);
    expect(rows[0].count).toBe(3);
    expect(rows[0].question.trim()).toBe('How do I reset?');
  });

  it('reads the tickets in slices of days (as on PGlite) with the same figures as in one statement', async () => {
    // On PGlite metrics read slices of days of a few thousand tickets (server/metrics/sliced.ts). Here each
    // day with tickets is a slice of its own, so the percentiles, counts and visitor days of T1 to T5,
    // and the guide's questions of three days, are put together from slices, and compared with one
    // statement over the same days.
    expect(app.ctx.reports.sliceTickets).toBe(backend === 'pglite' ? SLICE_TICKETS : null);
    const own = app.ctx.reports.sliceTickets;
    const both = async <T>(path: string): Promise<[T, T]> => {
      app.ctx.reports.sliceTickets = null;
      const whole = await get<T>(path);
      app.ctx.reports.sliceTickets = 1;
      const sliced = await get<T>(path);
      return [whole, sliced];
    };
    try {
      const year = `from=2026-01-01T00:00:00.000Z&to=2027-01-01T00:00:00.000Z`;
      const [a, b] = await both<MetricsDTO>(`/api/metrics?${year}`);
      expect(a.firstResponseMs.median).not.toBeNull();
      expect(a.satisfaction.A).not.toBeNull();
      expect(b).toEqual(a);
      const [sa, sb] = await both<SeriesDTO>(`/api/metrics/series?${year}`);
      expect(sa.points.filter((p) => p.firstResponseP50Ms !== null).length).toBeGreaterThan(1);
      expect(sb).toEqual(sa);
      for (const by of ['site', 'agent', 'language', 'page', 'article']) {
        const [ra, rb] = await both<BreakdownRowDTO[]>(`/api/metrics/breakdown?${year}&by=${by}`);
        expect(rb, by).toEqual(ra);
      }
      const [ua, ub] = await both<{ question: string; count: number }[]>(`/api/metrics/unanswered?${year}&page=${encodeURIComponent(GUIDE)}`);
      expect(ua.map((r) => [r.question.trim(), r.count])).toEqual([['How do I reset?', 3]]);
      expect(ub).toEqual(ua);
    } finally {
      app.ctx.reports.sliceTickets = own;
    }
  });

  it('exports each table as CSV with a BOM', async () => {
    const res = await fetch(`${url}/api/metrics/export.csv?${WEEK}&table=agent`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
    expect(text.startsWith('\ufeff')).toBe(true);
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual([...BREAKDOWN_CSV_HEADER]);
    const ann = rows.find((r) => r[1] === 'Ann')!;
    expect(ann.slice(5)).toEqual(['2', '2', '1', '90000', '114000', '5', '1']);
    const series = parseCsv(new TextDecoder().decode(await (await fetch(`${url}/api/metrics/export.csv?${WEEK}&table=series`, { headers: { cookie } })).arrayBuffer()));
    expect(series).toHaveLength(1 + 7 + 7);
    expect(series[5].slice(0, 4)).toEqual(['current', '2026-05-14T00:00:00.000Z', '2', '2']);
    const summary = parseCsv(new TextDecoder().decode(await (await fetch(`${url}/api/metrics/export.csv?${WEEK}&table=summary`, { headers: { cookie } })).arrayBuffer()));
    expect(summary.find((r) => r[0] === 'rating_average')).toEqual(['rating_average', '3.67', '']);
    expect((await fetch(`${url}/api/metrics/export.csv?${WEEK}&table=secrets`, { headers: { cookie } })).status).toBe(400);
    expect((await api(url, cookie, 'GET', `/api/metrics/breakdown?${WEEK}&by=password`)).status).toBe(400);
  });

  it('takes new and changed rows into the rollup on its periodic run', async () => {
    const v = await visitor('demo', 'en');
    // Rated late: the change of an old ticket moves its updated_at.
    await sql(`update conversations set csat_rating = 1, updated_at = $1 where page_url = 'https://a.example/pricing'`, [NOW.toISOString()]);
    const t = await conversation('demo', v, { status: 'open', created: '19T10:00', page: GUIDE, escalated: '19T10:00' });
    await question('demo', t, { text: 'Still there?', decision: 'human', created: '19T10:00', escalated: '19T10:00' });
    await app.ctx.metrics.refresh();
    expect((await get<MetricsDTO>(`/api/metrics?${WEEK}`)).ratings.distribution).toEqual([1, 1, 0, 1, 1]);
    // The 19th is a whole day of the period [18th, 20th): read from the rollup, not from live rows.
    expect(await get<MetricsDTO>(`/api/metrics?${period('18T00:00', '20T00:00')}`)).toMatchObject({ questions: 1, tickets: 1 });
  });

  it('verifies a resolution on the run after its 72 hours end, though nothing changed the conversation since', async () => {
    const v = await visitor('demo', 'en');
    // Resolved on the 19th at 01:00; its conversation last changed at NOW.
    const [t] = await sql(
      `insert into conversations (site_id, visitor_id, status, page_url, created_at, escalated_at, first_response_at, resolved_at, updated_at)
       values ('demo', $1, 'resolved', $2, $3, $3, $4, $5, $6) returning id`,
      [v, GUIDE, at('19T00:30'), at('19T00:40'), at('19T01:00'), NOW.toISOString()],
    );
    const days = period('18T00:00', '20T00:00');
    await app.ctx.metrics.refresh();
    // Verified of the tickets less those still within their 72 hours: 0 / (2 − 1), with the open one of the 19th.
    expect(await get<MetricsDTO>(`/api/metrics?${days}`)).toMatchObject({ tickets: 2, resolved: 1, verifiedResolutionRate: 0 });
    // A run a day later: the conversation is older than the run looks back, and its verdict not yet due.
    now = new Date(at('21T00:00'));
    await app.ctx.metrics.refresh();
    expect((await get<MetricsDTO>(`/api/metrics?${days}`)).verifiedResolutionRate).toBe(0);
    // Its 72 hours ended at 22T01:00 with no new ticket of its visitor: the next run finds it by resolved_at.
    now = new Date(at('22T02:00'));
    await app.ctx.metrics.refresh();
    expect((await get<MetricsDTO>(`/api/metrics?${days}`)).verifiedResolutionRate).toBe(0.5);
    const [row] = await app.ctx.raw<{ verified: boolean }>(`select verified from metrics_tickets where conversation_id = $1`, [t.id]);
    expect(row.verified).toBe(true);
  });

  it("paces the job's runs, a pause after each unit, and gives a run up at its next unit once the job stops", async () => {
    const before = await get<MetricsDTO>(`/api/metrics?${WEEK}`);
    const pauses: number[] = [];
    let stopping: Promise<void> | undefined;
    const job = (onPause: () => void) =>
      metricsRollup({
        raw: app.ctx.reports.raw,
        transaction: rawClient(app.ctx.reports.db).transaction,
        clock: () => now,
        log: app.ctx.log,
        pause: async (ms) => {
          pauses.push(ms);
          onPause();
        },
      });
    // A whole paced run: one pause per unit (tickets, days, visitors), each in proportion to its unit (more than nothing).
    await job(() => undefined).refresh({ full: true, paced: true });
    expect(pauses.length).toBeGreaterThanOrEqual(3);
    expect(pauses.every((ms) => ms > 0)).toBe(true);
    expect(await get<MetricsDTO>(`/api/metrics?${WEEK}`)).toEqual(before);
    // Stopped during its first pause: the run gives up before its next unit, and stop() resolves once it has.
    pauses.length = 0;
    const stoppable = job(() => (stopping ??= stoppable.stop()));
    await expect(stoppable.refresh({ full: true, paced: true })).rejects.toThrow('metrics rollup stopped');
    await stopping;
    expect(pauses).toHaveLength(1);
    // An unpaced refresh (what the tests and benchmarks call) is not the job's: stopping does not hold it.
    await stoppable.refresh({ full: true });
    expect(await get<MetricsDTO>(`/api/metrics?${WEEK}`)).toEqual(before);
  });

  it("never lets a reader see a business-hours site's times in wall-clock seconds while a run writes them", async () => {
    const site = `/api/metrics?${WEEK}&siteId=two`;
    const before = await get<MetricsDTO>(site);
    // T5's first response in Shanghai's hours (5,400 s), not its 66 wall-clock hours over a weekend.
    expect(before.firstResponseMs).toEqual({ median: 5_400_000, p90: 5_400_000 });
    const seen: MetricsDTO['firstResponseMs'][] = [];
    const transaction = rawClient(app.ctx.reports.db).transaction;
    const run = metricsRollup({
      raw: app.ctx.reports.raw,
      // What a reader sees as soon as each of the run's transactions has committed.
      transaction: async (statements) => {
        const results = await transaction(statements);
        seen.push((await get<MetricsDTO>(site)).firstResponseMs);
        return results;
      },
      clock: () => now,
      log: app.ctx.log,
    });
    await run.refresh({ full: true });
    expect(seen.length).toBeGreaterThan(0);
    for (const s of seen) expect(s).toEqual(before.firstResponseMs);
  });

  it('counts again, in business hours, a ticket whose times moved between the reading of them and the write', async () => {
    const [t5] = await sql(`select id from conversations where site_id = 'two' and first_response_at is not null`);
    const moveBy = async (minutes: number) => sql(`update conversations set first_response_at = first_response_at + $2 * interval '1 minute' where id = $1`, [t5.id, minutes]);
    let moved = false;
    const raw = app.ctx.reports.raw;
    const run = metricsRollup({
      // The first response moves on right after the run has read the times it counts.
      raw: async <T extends object>(text: string, params: unknown[]) => {
        const rows = await raw<T>(text, params);
        if (!moved && text.includes('as fa')) {
          moved = true;
          await moveBy(30);
        }
        return rows;
      },
      transaction: rawClient(app.ctx.reports.db).transaction,
      clock: () => now,
      log: app.ctx.log,
    });
    try {
      await run.refresh({ full: true });
      expect(moved).toBe(true);
      // Monday 9:00–10:00 in Shanghai now, after Friday's hour: 7,200 s in business hours (wall clock: 66.5 hours).
      const [row] = await sql(`select first_response_sec as sec from metrics_tickets where conversation_id = $1`, [t5.id]);
      expect(Number((row as unknown as { sec: number }).sec)).toBe(7_200);
    } finally {
      await moveBy(-30);
      await app.ctx.metrics.refresh({ full: true });
    }
  });
});
