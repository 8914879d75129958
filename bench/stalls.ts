/**
 * Does heavy FAQ and metrics work stall the event loop? Fills a database with 100,000 tickets whose questions all
 * reached a person (banking77 texts, via SQL), then, one at a time, under perf_hooks.monitorEventLoopDelay:
 * - demand grouped on the main thread, as GET /api/faqs/demand did before (for comparison)
 * - demand as served now (query here, grouping in the worker), cold and warm
 * - a FAQ index build of 10,003 variants (banking77's 77 intents), as FaqService builds it on a site's first
 *   question (now in its worker), and one question on it
 * - the metrics rollup: its backfill on empty rollups, the next run, a restarted node's first run
 * - the metrics view (GET /api/metrics's figures) of the year and of the last 7 days, read from the rollups,
 *   its chart of the year, its breakdowns of the year by agent and by page, and a page's unanswered questions
 * - for the record, the longest single entry upsert on this thread: what the build, sliced between entries,
 *   blocked for when it ran on the main thread
 * and prints the event-loop delay (max, p99, mean) of each: any max over 50 ms means a request or socket
 * event waited that long.
 *   npm run bench:stalls                                   (PGlite in a temp folder)
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:stalls
 *                                                          (PostgreSQL: a throwaway database on that server, dropped after)
 * Data: BANKING77 (PolyAI, Casanueva et al. 2020, CC BY 4.0) from ../shared/data/banking77/train.csv.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { and, desc, eq, gte, isNotNull, lt, sql } from 'drizzle-orm';
import { createApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import type { Database } from '../server/db/client.ts';
import { faqEntries, questions } from '../server/db/schema.ts';
import { groupQuestions } from '../server/faq/demand.worker.ts';
import { demand } from '../server/faq/faq.admin.ts';
import { faqDocsFromRows, rowsFromCsv } from '../server/faq/engine/evaluate.ts';
import { FaqIndex } from '../server/faq/engine/index.ts';
import { createLogger } from '../server/logger.ts';
import { throwawayDatabase } from './throwaway-database.ts';
import { createSite } from '../server/sites/sites.service.ts';
import { metricsRollup } from '../server/metrics/rollup.ts';
import { rawClient } from '../server/db/raw.ts';
import { computeMetrics } from '../server/metrics/metrics.service.ts';
import { series } from '../server/metrics/series.ts';
import { breakdown, unansweredOnPage } from '../server/metrics/breakdowns.ts';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 100_000);
const SITE = 'bench-stalls';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rows = rowsFromCsv(await readFile(path.resolve(root, '../shared/data/banking77/train.csv'), 'utf8'));

/** 100,000 visitors, tickets and escalated questions, one a minute going back, texts cycling through banking77. */
async function fill(db: Database['db']): Promise<void> {
  await createSite(db, { id: SITE, name: 'Stalls bench', origins: [] });
  await db.execute(sql`create table bench_texts (n int primary key, text text not null)`);
  for (let i = 0; i < rows.length; i += 1000) {
    const batch = rows.slice(i, i + 1000).map(([text], j) => sql`(${i + j}, ${text})`);
    await db.execute(sql`insert into bench_texts (n, text) values ${sql.join(batch, sql`, `)}`);
  }
  await db.execute(sql`
    insert into visitors (site_id, token_hash) select ${SITE}, 'stalls-' || g from generate_series(1, ${TICKETS}::int) g`);
  await db.execute(sql`
    insert into conversations (site_id, visitor_id, status)
    select site_id, id, 'resolved' from visitors where site_id = ${SITE}`);
  await db.execute(sql`
    insert into questions (site_id, conversation_id, text, decision, escalated_at, created_at)
    select c.site_id, c.id, t.text, 'human', now() - c.n * interval '1 minute', now() - c.n * interval '1 minute'
    from (select id, site_id, row_number() over (order by id) as n from conversations where site_id = ${SITE}) c
    join bench_texts t on t.n = c.n % ${rows.length}::int`);
  // Each ticket's times as its question's: raised then, answered 5 minutes and resolved 30 minutes later.
  await db.execute(sql`
    update conversations c set created_at = q.created_at, escalated_at = q.created_at,
      first_response_at = q.created_at + interval '5 minutes', resolved_at = q.created_at + interval '30 minutes',
      updated_at = q.created_at + interval '30 minutes'
    from questions q where q.conversation_id = c.id and c.site_id = ${SITE}`);
  const docs = faqDocsFromRows(rows);
  for (const d of docs) {
    await db.insert(faqEntries).values({ siteId: SITE, question: d.question, variants: d.variants, answer: `About ${d.id}.`, language: 'en' });
  }
}

interface Measured { what: string; ms: number; maxMs: number; p99Ms: number; meanMs: number; busyMs: number }

/** Runs `f` under an event-loop delay histogram (10 ms resolution: a stall shows as max beyond that). */
async function measure(what: string, f: () => Promise<unknown>): Promise<Measured> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  // The histogram records the time between two of its timer's turns: let it turn once before the step.
  await new Promise((resolve) => setTimeout(resolve, 25));
  const elu = performance.eventLoopUtilization();
  const t = performance.now();
  await f();
  const ms = performance.now() - t;
  const busyMs = performance.eventLoopUtilization(elu).active;
  // One more turn, so that a stall at the very end is sampled.
  await new Promise((resolve) => setTimeout(resolve, 20));
  h.disable();
  return { what, ms, maxMs: h.max / 1e6, p99Ms: h.percentile(99) / 1e6, meanMs: h.mean / 1e6, busyMs };
}

/**
 * A build can yield between entries, not within one: one entry's upsert is the least it blocks for.
 * Builds an index of all the texts in entries of `perEntry` texts and times the longest upsert (wall
 * clock, and this process's CPU time, which a busy machine inflates less).
 */
function longestUpsert(perEntry: number): { maxWallMs: number; maxCpuMs: number } {
  const texts = rows.map(([text]) => text);
  const index = new FaqIndex();
  let maxWallMs = 0;
  let maxCpuMs = 0;
  for (let start = 0; start < texts.length; start += perEntry) {
    const [question, ...variants] = texts.slice(start, start + perEntry);
    const t = performance.now();
    const cpu = process.cpuUsage();
    index.upsert({ id: String(start), question, variants, language: 'en' });
    const used = process.cpuUsage(cpu);
    maxWallMs = Math.max(maxWallMs, performance.now() - t);
    maxCpuMs = Math.max(maxCpuMs, (used.user + used.system) / 1000);
  }
  return { maxWallMs, maxCpuMs };
}

const database = await throwawayDatabase('sc_stalls', process.env.BENCH_DATABASE_URL);
try {
  const filled = performance.now();
  await fill(database.db);
  console.log(`bench:stalls on ${database.label}: ${TICKETS.toLocaleString('en')} tickets, ${rows.length.toLocaleString('en')} FAQ variants (filled in ${((performance.now() - filled) / 1000).toFixed(1)} s)`);
  const app = createApp({ db: database.db, config: loadConfig({ LOG_LEVEL: 'silent', DEMO: '0' }), log: createLogger('silent') });
  const to = new Date(Date.now() + 60_000);
  const from = new Date(to.getTime() - 365 * 86400_000);
  const results: Measured[] = [];

  results.push(await measure('nothing, 1 s (this machine\'s own noise)', () => new Promise((resolve) => setTimeout(resolve, 1000))));
  // demand's query, as faq.admin.ts runs it
  const demandRows = () =>
    database.db
      .select({ siteId: questions.siteId, text: questions.text, createdAt: questions.createdAt })
      .from(questions)
      .where(and(eq(questions.siteId, SITE), isNotNull(questions.escalatedAt), gte(questions.createdAt, from), lt(questions.createdAt, to)))
      .orderBy(desc(questions.createdAt))
      .limit(5000);
  results.push(await measure('demand, grouped on the main thread (before)', async () => groupQuestions(await demandRows())));
  results.push(await measure('demand\'s query alone (5,000 rows)', demandRows));
  results.push(await measure('demand, worker (cold: starts the worker)', () => demand(app.ctx, { sites: [SITE], from, to, previousFrom: new Date(2 * from.getTime() - to.getTime()), language: null })));
  results.push(await measure('demand, worker (warm)', () => demand(app.ctx, { sites: [SITE], from, to, previousFrom: new Date(2 * from.getTime() - to.getTime()), language: null })));
  results.push(await measure(`FAQ index build, ${rows.length.toLocaleString('en')} variants`, () => app.ctx.faq.decide(SITE, 'my card has not arrived yet')));
  results.push(await measure('FAQ question on the built index', () => app.ctx.faq.decide(SITE, 'how do I top up by bank transfer?')));
  // The metrics rollup (metrics/rollup.ts) every node runs each minute: on PGlite its statements run on this thread.
  // Its first run on empty rollups is a backfill of every ticket; a restarted node's first run looks back 73 hours.
  results.push(await measure('metrics rollup, backfill (empty rollups)', () => app.ctx.metrics.refresh()));
  results.push(await measure('metrics rollup, the next run', () => app.ctx.metrics.refresh()));
  const reports = rawClient(database.reports);
  const restarted = metricsRollup({ raw: reports.query, transaction: reports.transaction, clock: () => new Date(), log: app.ctx.log });
  results.push(await measure('metrics rollup, a restarted node (73 hours)', () => restarted.refresh()));
  // The metrics view (GET /api/metrics) read from those rollups, with its live edges and percentiles.
  const scope = { sites: [SITE], from, to, language: null, now: new Date(), sliceTickets: app.ctx.reports.sliceTickets };
  results.push(await measure('metrics view, the year', () => computeMetrics(reports.query, scope, new Date(2 * from.getTime() - to.getTime()))));
  const week = { ...scope, from: new Date(to.getTime() - 7 * 86400_000) };
  results.push(await measure('metrics view, the last 7 days', () => computeMetrics(reports.query, week, new Date(2 * week.from.getTime() - to.getTime()))));
  // Its chart (GET /api/metrics/series) and two of its breakdowns (GET /api/metrics/breakdown) of the year.
  results.push(await measure('metrics chart, the year', () => series(reports.query, scope, new Date(2 * from.getTime() - to.getTime()))));
  for (const by of ['agent', 'page'] as const) results.push(await measure(`metrics breakdown by ${by}, the year`, () => breakdown(reports.query, scope, by)));
  // A page's questions that most often needed a person: here every ticket has no page, so the worst case, all of the year's.
  results.push(await measure('a page\'s unanswered questions, the year', () => unansweredOnPage(reports.query, scope, '')));
  await app.close();

  console.log(`\nEvent-loop delay per step (busy = time this thread ran JavaScript during the step)`);
  console.log(`${'step'.padEnd(48)} ${'took'.padStart(9)} ${'busy'.padStart(9)} ${'loop max'.padStart(9)} ${'p99'.padStart(8)} ${'mean'.padStart(8)}`);
  for (const r of results) {
    const flag = r.maxMs > 50 ? '  STALL > 50 ms' : '';
    console.log(`${r.what.padEnd(48)} ${r.ms.toFixed(0).padStart(6)} ms ${r.busyMs.toFixed(0).padStart(6)} ms ${r.maxMs.toFixed(1).padStart(6)} ms ${r.p99Ms.toFixed(1).padStart(5)} ms ${r.meanMs.toFixed(1).padStart(5)} ms${flag}`);
  }
  console.log(`\nLongest single entry upsert on this thread (why the index lives in a worker), index of ${rows.length.toLocaleString('en')} texts`);
  for (const perEntry of [1, 10, 130, 501]) {
    const u = longestUpsert(perEntry);
    console.log(`  entries of ${String(perEntry).padStart(3)} texts: ${u.maxWallMs.toFixed(1)} ms wall, ${u.maxCpuMs.toFixed(1)} ms process CPU${u.maxCpuMs > 50 ? '  OVER 50 ms' : ''}`);
  }
  console.log(`\nload average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; command: ${process.env.BENCH_DATABASE_URL ? 'BENCH_DATABASE_URL=… ' : ''}npm run bench:stalls`);
} finally {
  await database.drop();
}
