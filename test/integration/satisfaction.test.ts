/**
 * S = C × R × A and the figures beside it, checked against a history small enough to count by hand
 * (each expected number below says how it was counted). Definitions: docs/metrics.md.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsDTO } from '../../shared/types.ts';
import type { App } from '../../server/app.ts';
import { BACKENDS } from '../support/db.ts';
import { api, login, startTestServer, type TestServer } from '../support/server.ts';

const NOW = new Date('2026-05-20T00:00:00Z');
/** '13T12:02' or '13T12:02:30': a time in May 2026, UTC. */
const at = (s: string) => `2026-05-${s}${s.length === 8 ? ':00' : ''}Z`;
const PERIOD = `from=${encodeURIComponent('2026-05-10T00:00:00Z')}&to=${encodeURIComponent('2026-05-17T00:00:00Z')}`;

describe.each(BACKENDS)('satisfaction from a known history on %s', (backend) => {
  let server: TestServer;
  let app: App;
  let url: string;
  let cookie: string;
  const sql = (text: string, params: unknown[] = []) => app.ctx.raw<{ id: string }>(text, params);

  let n = 0;
  const visitor = async (site: string, locale: string) => (await sql(`insert into visitors (site_id, token_hash, locale) values ($1, $2, $3) returning id`, [site, `v${n++}`, locale]))[0].id;
  const conversation = async (site: string, visitorId: string, c: { status: string; created: string; escalated?: string; first?: string; resolved?: string }) =>
    (
      await sql(
        `insert into conversations (site_id, visitor_id, status, created_at, escalated_at, first_response_at, resolved_at) values ($1, $2, $3, $4, $5, $6, $7) returning id`,
        [site, visitorId, c.status, at(c.created), c.escalated ? at(c.escalated) : null, c.first ? at(c.first) : null, c.resolved ? at(c.resolved) : null],
      )
    )[0].id;
  const question = async (site: string, conversationId: string, q: { decision: string; created: string; answered?: string; outcome?: string; escalated?: string }) => {
    await sql(
      `insert into questions (site_id, conversation_id, text, decision, created_at, answered_at, outcome, escalated_at) values ($1, $2, 'q', $3, $4, $5, $6, $7)`,
      [site, conversationId, q.decision, at(q.created), q.answered ? at(q.answered) : null, q.outcome ?? null, q.escalated ? at(q.escalated) : null],
    );
  };

  beforeAll(async () => {
    server = await startTestServer(backend, {}, { clock: () => NOW });
    ({ app, url } = server);
    cookie = await login(url);
    // demo's first-response target is the default, 300 s; site "two" promises 120 s.
    await sql(`insert into sites (id, name, secret, first_response_target_sec) values ('two', 'Two', 'secret-two', 120)`);

    // V1 (en): two answers on the 10th (one "solved", one not followed by a person), a ticket on the 12th answered in 180 s.
    const v1 = await visitor('demo', 'en');
    const k1 = await conversation('demo', v1, { status: 'bot', created: '10T09:00' });
    await question('demo', k1, { decision: 'answer', created: '10T09:00', answered: '10T09:00', outcome: 'solved' });
    await question('demo', k1, { decision: 'answer', created: '10T09:05', answered: '10T09:05' });
    const k1b = await conversation('demo', v1, { status: 'resolved', created: '12T10:00', escalated: '12T10:00', first: '12T10:03', resolved: '12T11:00' });
    await question('demo', k1b, { decision: 'human', created: '12T10:00', escalated: '12T10:00' });

    // V2 (zh): a chosen suggestion, then a person in the same conversation (answered in 600 s); back with a new ticket within 72 h.
    const v2 = await visitor('demo', 'zh');
    const k2 = await conversation('demo', v2, { status: 'resolved', created: '11T08:00', escalated: '11T08:10', first: '11T08:20', resolved: '11T09:00' });
    await question('demo', k2, { decision: 'suggest', created: '11T08:00', answered: '11T08:01' });
    await question('demo', k2, { decision: 'human', created: '11T08:10', escalated: '11T08:10' });
    const k2b = await conversation('demo', v2, { status: 'open', created: '12T07:00', escalated: '12T07:01' });
    await question('demo', k2b, { decision: 'smalltalk', created: '12T07:00' });
    await question('demo', k2b, { decision: 'human', created: '12T07:01', escalated: '12T07:01' });

    // V3 (en): an answer, then "talk to a person"; answered in 30 s, resolved on the 19th (its 72 h not over by the 20th).
    const v3 = await visitor('demo', 'en');
    const k3 = await conversation('demo', v3, { status: 'resolved', created: '13T12:00', escalated: '13T12:02', first: '13T12:02:30', resolved: '19T12:00' });
    await question('demo', k3, { decision: 'answer', created: '13T12:00', answered: '13T12:00', outcome: 'human', escalated: '13T12:02' });

    // V4 (zh): a ticket closed without any reply.
    const v4 = await visitor('demo', 'zh');
    const k4 = await conversation('demo', v4, { status: 'resolved', created: '14T15:00', escalated: '14T15:00', resolved: '14T16:00' });
    await question('demo', k4, { decision: 'human', created: '14T15:00', escalated: '14T15:00' });

    // V5 (en) on site two: answered in 240 s against 120 s; back the next day, and an answer solved it.
    const v5 = await visitor('two', 'en');
    const k5 = await conversation('two', v5, { status: 'resolved', created: '15T10:00', escalated: '15T10:00', first: '15T10:04', resolved: '15T10:30' });
    await question('two', k5, { decision: 'human', created: '15T10:00', escalated: '15T10:00' });
    const k5b = await conversation('two', v5, { status: 'bot', created: '16T09:00' });
    await question('two', k5b, { decision: 'answer', created: '16T09:00', answered: '16T09:00', outcome: 'solved' });

    // V6 (en): a ticket raised on the 9th (previous period), resolved on the 10th; an answer on the 10th.
    const v6 = await visitor('demo', 'en');
    const k6 = await conversation('demo', v6, { status: 'resolved', created: '09T23:00', escalated: '09T23:30', first: '09T23:31', resolved: '10T01:00' });
    await question('demo', k6, { decision: 'human', created: '09T23:00', escalated: '09T23:00' });
    const k6b = await conversation('demo', v6, { status: 'bot', created: '10T02:00' });
    await question('demo', k6b, { decision: 'answer', created: '10T02:00', answered: '10T02:00' });

    // V7 (zh), previous period only: solved on the 4th, an answer not followed by a person on the 5th.
    const v7 = await visitor('demo', 'zh');
    const k7 = await conversation('demo', v7, { status: 'resolved', created: '04T10:00', resolved: '04T10:10' });
    await question('demo', k7, { decision: 'answer', created: '04T10:00', answered: '04T10:00', outcome: 'solved' });
    const k7b = await conversation('demo', v7, { status: 'bot', created: '05T10:00' });
    await question('demo', k7b, { decision: 'answer', created: '05T10:00', answered: '05T10:00' });
    await app.ctx.metrics.refresh({ full: true });
  });
  afterAll(() => server?.close());

  const metrics = async (query = '') => {
    const res = await api<MetricsDTO>(url, cookie, 'GET', `/api/metrics?${PERIOD}${query}`);
    expect(res.status).toBe(200);
    return (res.body as { ok: true; data: MetricsDTO }).data;
  };

  it('computes C, R, A and S for the period, the previous week and the change', async () => {
    const m = await metrics();
    // 11 questions (Q6 is smalltalk, Q12/14/15 are before the period); met: V1's two, V5's solved one, V6's on the 10th.
    // Tickets raised: K1b K2 K2b K3 K4 K5 = 6; weights 1 (180 s) + 0.5 (600 s vs 300) + 1 (30 s) + 0 (no reply) + 0.5 (240 s vs 120) = 3.
    // Visitors seen: V1..V6 = 6; on two days: V1 (10th, 12th), V2 (11th, 12th), V5 (15th, 16th) = 3.
    expect(m.satisfaction.counts).toEqual({
      questions: 11,
      questionsMet: 4,
      tickets: 6,
      resolved: 5,
      resolvedWeighted: 3,
      verifiable: 4,
      verified: 3,
      unverifiedYet: 1,
      visitorsSeen: 6,
      visitorsReturned: 3,
    });
    expect(m.satisfaction).toMatchObject({ C: 0.3636, R: 0.5, A: 0.5, S: 0.0909 });
    // Previous week: 3 questions, 2 met (V7's); one ticket (K6) answered in 60 s; V6 one day, V7 two days.
    expect(m.satisfaction.previous).toEqual({ from: '2026-05-03T00:00:00.000Z', to: '2026-05-10T00:00:00.000Z', C: 0.6667, R: 1, A: 0.5, S: 0.3333 });
    // 4/11 − 2/3, 0.5 − 1, 0, 1/11 − 1/3, from the unrounded values.
    expect(m.satisfaction.change).toEqual({ C: -0.303, R: -0.5, A: 0, S: -0.2424 });
    expect(m.language).toBeNull();
  });

  it('verifies resolutions by 72 hours without a new ticket, leaving out those still within them', async () => {
    // Verifiable: K1b, K2, K4, K5 (K3 was resolved on the 19th); K2's visitor came back with K2b 22 h later: 3 / (6 − 1).
    expect((await metrics()).verifiedResolutionRate).toBe(0.6);
  });

  it('keeps the counts and percentiles of tickets and questions', async () => {
    const m = await metrics();
    expect(m).toMatchObject({
      questions: 11,
      faqAnswered: 6, // Q1 Q2 Q4 Q8 Q11 Q13
      faqSolved: 2,
      escalated: 6, // Q3 Q5 Q7 Q8 Q9 Q10
      deflectionRate: 0.4545, // answered and never escalated: Q1 Q2 Q4 Q11 Q13
      tickets: 6,
      responded: 4,
      responseRate: 0.6667,
      resolved: 5,
      resolutionRate: 0.8333,
    });
    // First responses 30, 180, 240, 600 s: p50 (180 + 240) / 2; p90 240 + 0.7 × 360.
    expect(m.firstResponseMs).toEqual({ median: 210_000, p90: 492_000 });
    // Resolutions 1800, 3000, 3600, 3600, 518280 s: p50 3600; p90 3600 + 0.6 × 514680.
    expect(m.resolutionMs).toEqual({ median: 3_600_000, p90: 312_408_000 });
  });

  it('computes every figure for one language', async () => {
    const m = await metrics('&language=zh');
    // V2 and V4: Q4 Q5 Q7 Q9, none met; K2 K2b K4, weights 0.5 + 0; V2 on two days, V4 on one.
    expect(m.satisfaction).toMatchObject({ C: 0, R: 0.1667, A: 0.5, S: 0 });
    expect(m.verifiedResolutionRate).toBe(0.3333); // K4 of K2 K2b K4
    expect(m).toMatchObject({ language: 'zh', questions: 4, tickets: 3, resolved: 2 });
    // V7's week: both questions met, no ticket.
    expect(m.satisfaction.previous).toMatchObject({ C: 1, R: null, A: 1, S: null });
    expect(m.satisfaction.change).toEqual({ C: -1, R: null, A: -0.5, S: null });
  });

  it('computes every figure for one site, with its own first-response target', async () => {
    const m = await metrics('&siteId=two');
    // Q10 (human) and Q11 (solved); K5 weighs 120 / 240; V5 on two days.
    expect(m.satisfaction).toMatchObject({ C: 0.5, R: 0.5, A: 1, S: 0.25 });
    expect(m.verifiedResolutionRate).toBe(1);
    expect(m.satisfaction.previous).toMatchObject({ C: null, R: null, A: null, S: null });
  });

  it('refuses a language it does not know', async () => {
    expect((await api(url, cookie, 'GET', `/api/metrics?${PERIOD}&language=fr`)).status).toBe(400);
  });
});
