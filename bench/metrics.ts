/**
 * Are the metrics fast at scale? Fills a throwaway PostgreSQL database (created on BENCH_DATABASE_URL's
 * server, default 127.0.0.1:5432, dropped after) with a year of 200,000 conversations of which 100,000
 * tickets, 1,000,000 messages and 400,000 questions, all by SQL generate_series; times the rollup's
 * backfill and an incremental run; then starts the server again on new connections, as after a restart
 * (server/index.ts: it opens its pools and their backends read the rollups, timed here), and times every
 * metrics, chart and breakdown request over HTTP against it, in this process (the median and the
 * slowest of 5 runs each, after a first run reported apart), and the event loop's longest delay.
 *   npm run bench:metrics
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:metrics
 * BENCH_KEEP=1 leaves the database in place (its name is printed) to read plans with EXPLAIN ANALYZE.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/logger.ts';
import type { Database } from '../server/db/client.ts';
import { postgresAt, throwawayDatabase } from './throwaway-database.ts';

const CONVERSATIONS = 200_000;
const VISITORS = 60_000;
const RUNS = 5;
const ADMIN = { email: 'bench@example.com', password: 'bench-password-1' };

const base = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = await throwawayDatabase('sc_bench_metrics', base, { keep: process.env.BENCH_KEEP === '1' });
// The fill's statements on a connection of its own: one of them runs longer than the server's
// connections allow a statement (SESSION_LIMITS.main, 30 s).
const filler = postgresAt(database.url!, { max: 1 });
const serve = (db: Database) =>
  createApp({
    db: db.db,
    reports: db.reports,
    config: { ...loadConfig({ LOG_LEVEL: 'silent', DEMO: '1' }), adminEmail: ADMIN.email, adminPassword: ADMIN.password },
    log: createLogger('silent'),
    clock: () => new Date('2026-01-01T00:00:00Z'),
  });
let app = serve(database);
const ms = (t0: number) => Math.round(performance.now() - t0);

try {
  await app.listen(0, '127.0.0.1');
  const sql = (text: string) => filler.unsafe(text);
  await app.ctx.metrics.stop();
  let t0 = performance.now();
  await sql(`insert into sites (id, name, secret) values ('docs', 'Docs', 'bench-secret-docs')`);
  await sql(`insert into agents (email, name, password_hash) select 'agent' || g || '@example.com', 'Agent ' || g, 'x' from generate_series(1, 10) g`);
  await sql(`insert into articles (site_id, url, title, language) select 'demo', 'https://courses.example.com/course/' || g, 'Course ' || g, 'zh' from generate_series(0, 99) g`);
  await sql(`insert into faq_entries (site_id, question, answer, language) select 'demo', 'Question ' || g, 'Answer', 'zh' from generate_series(1, 50) g`);
  await sql(`insert into visitors (site_id, token_hash, locale) select case when g % 5 = 0 then 'docs' else 'demo' end, 'bench-' || g, case when g % 3 = 0 then 'en' else 'zh' end from generate_series(1, ${VISITORS}) g`);
  // A conversation every 158 s over 2025; every other one reaches a person (100,000 tickets).
  await sql(`
    with v as (select id, site_id, row_number() over (order by token_hash) - 1 as n from visitors where token_hash like 'bench-%')
    insert into conversations (site_id, visitor_id, status, assigned_agent_id, page_url, question, created_at, escalated_at, first_response_at, resolved_at, csat_rating, updated_at)
    select v.site_id, v.id, 'resolved', case when g % 2 = 0 then a.ids[1 + g % 10] end,
           'https://courses.example.com/course/' || (g % 300) || '?utm=' || (g % 7), 'question ' || (g % 997), t,
           case when g % 2 = 0 then t + interval '1 minute' end,
           case when g % 2 = 0 then t + interval '1 minute' + (g % 1200) * interval '1 second' end,
           case when g % 2 = 0 and g % 10 <> 0 then t + (g % 50) * interval '10 minutes' + interval '30 minutes' else t + interval '20 minutes' end,
           case when g % 2 = 0 and g % 3 = 0 then 1 + (g % 5) end, t
    from generate_series(0, ${CONVERSATIONS - 1}) g
    join v on v.n = g % ${VISITORS}
    cross join (select array_agg(id order by email) as ids from agents) a
    cross join lateral (select '2025-01-01T00:00:00Z'::timestamptz + g * interval '157 seconds' as t) x`);
  await sql(`
    insert into messages (conversation_id, seq, author, body, search_keys, created_at)
    select c.id, s, case when s % 2 = 1 then 'visitor' else 'agent' end, '课程过期后还能看吗？message ' || s, search_keys('课程过期后还能看吗？message ' || s), c.created_at + s * interval '1 minute'
    from conversations c, generate_series(1, 5) s`);
  await sql(`
    insert into questions (site_id, conversation_id, text, decision, entry_id, outcome, answered_at, escalated_at, created_at)
    select c.site_id, c.id, '课程过期后还能看吗 ' || (h % 400), d.decision,
           case when d.decision = 'answer' then e.ids[1 + h % 50] end,
           case when d.decision = 'answer' and h % 4 = 0 then 'solved' end,
           case when d.decision = 'answer' then c.created_at end,
           case when d.decision = 'human' then c.created_at + interval '1 minute' end,
           c.created_at + s * interval '1 minute'
    from conversations c, generate_series(0, 1) s, (select array_agg(id order by question) as ids from faq_entries where site_id = 'demo' and question like 'Question %') e,
         lateral (select abs(hashtext(c.id::text || s)) as h) hh,
         lateral (select case when c.escalated_at is not null and s = 1 then 'human' when h % 3 = 0 then 'suggest' else 'answer' end as decision) d`);
  await sql('vacuum analyze');
  const [counts] = await app.ctx.raw<Record<string, string>>(
    `select (select count(*) from conversations) as conversations, (select count(*) from conversations where escalated_at is not null) as tickets,
            (select count(*) from messages) as messages, (select count(*) from questions) as questions, (select count(*) from visitors) as visitors`,
    [],
  );
  console.log(`metrics at scale on ${database.label}, a year (2025): ${Object.entries(counts).map(([k, v]) => `${Number(v).toLocaleString('en')} ${k}`).join(', ')}; filled in ${ms(t0)} ms`);

  t0 = performance.now();
  await app.ctx.metrics.refresh({ full: true });
  console.log(`  rollup backfill (every row): ${ms(t0)} ms`);
  await sql('vacuum analyze');
  // A day's worth of new rows after the backfill, then the periodic run.
  await sql(`update conversations set updated_at = '2026-01-01T00:00:00Z' where created_at >= '2025-12-31T00:00:00Z'`);
  t0 = performance.now();
  await app.ctx.metrics.refresh();
  console.log(`  rollup periodic run (the last day changed): ${ms(t0)} ms`);

  // A restart: new connections, whose backends have read nothing yet.
  await app.close();
  const restarted = await database.reopen();
  app = serve(restarted);
  const server = await app.listen(0, '127.0.0.1');
  await app.ctx.metrics.stop();
  t0 = performance.now();
  // As server/index.ts does at start (there in the background).
  await restarted.warm();
  console.log(`  server restarted; its pools opened and the reports' connections read the rollups in ${ms(t0)} ms`);

  const login = await fetch(`${server}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  const cookie = login.headers.get('set-cookie')!.split(';')[0];
  const year = 'from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z';
  const requests: [string, string][] = [
    ['GET /api/metrics, the year', `/api/metrics?${year}`],
    ['GET /api/metrics, the year, language=en', `/api/metrics?${year}&language=en`],
    ['GET /api/metrics, 30 days from 08:00', '/api/metrics?from=2025-12-01T08:00:00Z&to=2025-12-31T08:00:00Z'],
    ['GET /api/metrics/series, the year (days)', `/api/metrics/series?${year}`],
    ['GET /api/metrics/series, one day (hours)', '/api/metrics/series?from=2025-12-30T00:00:00Z&to=2025-12-31T00:00:00Z'],
    ...(['site', 'agent', 'language', 'page', 'article'] as const).map((by): [string, string] => [`GET /api/metrics/breakdown?by=${by}, the year`, `/api/metrics/breakdown?${year}&by=${by}`]),
    ['GET /api/metrics/unanswered, one page, the year', `/api/metrics/unanswered?${year}&page=${encodeURIComponent('https://courses.example.com/course/42')}`],
    ['GET /api/metrics/export.csv?table=series, the year', `/api/metrics/export.csv?${year}&table=series`],
  ];
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const timed = async (path: string) => {
    const t = performance.now();
    const res = await fetch(`${server}${path}`, { headers: { cookie } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    return performance.now() - t;
  };
  for (const [label, path] of requests) {
    // The first request of a kind is reported apart: it prepares its statements on each connection.
    const first = await timed(path);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await timed(path));
    times.sort((a, b) => a - b);
    console.log(`  ${label.padEnd(52)} median ${Math.round(times[RUNS >> 1])} ms, slowest ${Math.round(times[RUNS - 1])} ms (first ${Math.round(first)} ms)`);
  }
  loop.disable();
  console.log(`  event-loop delay while serving: max ${Math.round(loop.max / 1e6)} ms`);
} finally {
  await app.close();
  await filler.end();
  await database.drop();
}
