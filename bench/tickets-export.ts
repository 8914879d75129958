/**
 * Does the tickets CSV export stream? Fills a throwaway database with 100,000 tickets (SQL), downloads
 * GET /api/conversations.csv for the whole period from a server in this process, and prints the rows,
 * bytes, time to first byte and to the end, the live heap above the idle server's (after a forced
 * GC, every 100 ms while downloading: garbage not yet collected is not what the export holds), the
 * peak RSS above idle; then downloads it again for the event loop's longest delay, without the forced GCs.
 *   npm run bench:export                                   (PGlite in a temp folder)
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:export
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/logger.ts';
import { throwawayDatabase } from './throwaway-database.ts';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 100_000);
const ADMIN = { email: 'bench@example.com', password: 'bench-password-1' };

const database = await throwawayDatabase('sc_export', process.env.BENCH_DATABASE_URL);
const app = createApp({ db: database.db, reports: database.reports, config: { ...loadConfig({ LOG_LEVEL: 'silent', DEMO: '1' }), adminEmail: ADMIN.email, adminPassword: ADMIN.password }, log: createLogger('silent') });
try {
  const url = await app.listen(0, '127.0.0.1');
  // The metrics rollup's job stopped, as in bench:metrics: on this filled database its first run, 5 s
  // after the start, is a backfill of every ticket (bench:stalls measures it), which would share the
  // database with the download measured here.
  await app.ctx.metrics.stop();
  const raw = app.ctx.raw;
  // A year of tickets, one every ~5 minutes, each with a question of a typical length.
  await raw(`insert into visitors (site_id, token_hash, locale) select 'demo', 'export-' || g, 'zh' from generate_series(1, $1::int) g`, [TICKETS]);
  await raw(
    `insert into conversations (site_id, visitor_id, status, question, page_url, created_at, escalated_at, first_response_at, resolved_at)
     select 'demo', v.id, 'resolved', '课程过期后还能看吗？我上个月买的课程，现在打不开了，请帮忙看一下 #' || x.n,
            'https://courses.example.com/course/' || (x.n % 300), t - interval '1 minute', t, t + interval '3 minutes', t + interval '2 hours'
     from visitors v, lateral (select split_part(v.token_hash, '-', 2)::int as n) x,
          lateral (select '2025-01-01T00:00:00Z'::timestamptz + x.n * interval '5 minutes 13 seconds' as t) y
     where v.site_id = 'demo'`,
    [],
  );
  const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  const cookie = login.headers.get('set-cookie')!.split(';')[0];

  const gc = globalThis.gc ?? (() => { throw new Error('run with node --expose-gc (npm run bench:export does)'); });
  /** Downloads the whole period; the bytes, the lines, and when the first byte and the last came. */
  const download = async () => {
    const t0 = performance.now();
    const res = await fetch(`${url}/api/conversations.csv?from=2024-01-01T00:00:00Z&to=2027-01-01T00:00:00Z`, { headers: { cookie } });
    let firstByteMs = 0;
    let bytes = 0;
    let lines = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      if (!bytes) firstByteMs = performance.now() - t0;
      bytes += chunk.byteLength;
      for (const b of chunk) if (b === 0x0a) lines += 1;
    }
    return { status: res.status, bytes, lines, firstByteMs, totalMs: performance.now() - t0 };
  };

  // First the memory, with a forced GC every 100 ms (garbage not yet collected is not what the export holds).
  gc();
  const idle = process.memoryUsage();
  let peakRss = idle.rss;
  let peakHeap = idle.heapUsed;
  const sampler = setInterval(() => {
    gc();
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 100);
  const measured = await download();
  clearInterval(sampler);
  // Then the event loop, in a second download without those forced collections, which hold it themselves.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const timed = await download();
  loop.disable();
  const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;
  console.log(`tickets CSV export on ${database.label}, ${TICKETS} tickets (${process.env.BENCH_DATABASE_URL ? 'BENCH_DATABASE_URL=… ' : ''}npm run bench:export)`);
  console.log(`  status ${measured.status}, ${measured.lines - 1} rows (line breaks minus the header), ${mb(measured.bytes)} MB`);
  console.log(`  first byte ${Math.round(measured.firstByteMs)} ms, whole file ${Math.round(measured.totalMs)} ms; again: ${Math.round(timed.firstByteMs)} ms, ${Math.round(timed.totalMs)} ms`);
  console.log(`  above the idle server while streaming: live heap +${mb(peakHeap - idle.heapUsed)} MB, peak RSS +${mb(peakRss - idle.rss)} MB (the file is ${mb(measured.bytes)} MB)`);
  console.log(`  event-loop delay (second download; this process is the client too): max ${Math.round(loop.max / 1e6)} ms, p99 ${Math.round(loop.percentile(99) / 1e6)} ms`);
} finally {
  await app.close();
  await database.drop();
}
