/**
 * Is conversation search fast at scale? Fills a throwaway PostgreSQL database (created on
 * BENCH_DATABASE_URL's server, default 127.0.0.1:5432, dropped after) with 100,000 tickets of two
 * sites, 600,000 messages in Chinese and English and 60,000 visitors, all by SQL generate_series;
 * then times typical searches through the service (the same statements as GET
 * /api/conversations/search, without HTTP), the median and the 99th percentile of 40 runs each.
 * Target: under 200 ms. With BENCH_PGLITE=1 the same on PGlite in a temp folder, where a search's
 * statement runs on the event loop's thread: the loop's longest delay (monitorEventLoopDelay) over each
 * case's runs is printed too, against the 50 ms no request may hold it (issue 8).
 *   npm run bench:search
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:search
 *   BENCH_PGLITE=1 npm run bench:search
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { sql as drizzleSql } from 'drizzle-orm';
import { createApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/logger.ts';
import { postgresAt, throwawayDatabase } from './throwaway-database.ts';
import { searchConversations } from '../server/search/search.service.ts';
import type { AgentContext } from '../server/agents/agents.service.ts';
import type { Agent } from '../server/db/schema.ts';
import { ConversationSearch } from '../shared/schemas.ts';

const CONVERSATIONS = 100_000;
const MESSAGES_EACH = 6;
const VISITORS = 60_000;
const RUNS = 40;

const pglite = process.env.BENCH_PGLITE === '1';
const base = pglite ? undefined : (process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const database = await throwawayDatabase('sc_bench_search', base);
// The fill's statements on a connection of its own: one of them runs longer than the server's
// connections allow a statement (SESSION_LIMITS.main, 30 s). PGlite has one connection, and no such limit.
const filler = pglite ? undefined : postgresAt(database.url!, { max: 1 });
const app = createApp({ db: database.db, config: loadConfig({ LOG_LEVEL: 'silent', DEMO: '0' }), log: createLogger('silent') });
// Every run counts against the per-agent search limit otherwise.
app.ctx.limiter = { hit: async () => 0, peek: async () => 0, reset: async () => {} };
const ms = (t0: number) => Math.round(performance.now() - t0);
const sqlArray = (xs: string[]) => `array[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(', ')}]`;

// What visitors and agents write: one line in twenty mentions a refund (退款), one conversation in a
// hundred text messages to unsubscribe from (退订短信: too rare for the newest 2,000 tickets to fill a
// page, so the search goes on through the index), one in a thousand an invoice title (发票抬头), the rarest kind of search.
const ZH = [
  '你好，我想申请退款，课程买错了', '请问证书什么时候发', '视频播放不了，一直在缓冲', '会员到期了怎么续费', '好的，我帮您查一下订单',
  '请提供一下您的手机号', '直播回放在哪里看', '优惠券用不了', '课程可以下载吗', '老师什么时候答疑',
];
const EN = [
  'Hi, the video keeps buffering on my phone', 'When will I get my certificate?', 'How do I renew my membership?', 'Thanks, let me check your order',
  'Could you send me the receipt please', 'The coupon code does not work', 'Can I download the lessons?', 'Where is the live session recording?',
  'I was charged twice this month', 'Is there a student discount?',
];

try {
  const sql = (text: string) => (filler ? filler.unsafe(text) : database.db.execute(drizzleSql.raw(text)));
  let t0 = performance.now();
  await sql(`insert into sites (id, name, secret) values ('demo', 'Demo', 'bench-secret-demo'), ('docs', 'Docs', 'bench-secret-docs')`);
  await sql(`insert into agents (email, name, password_hash) select 'agent' || g || '@example.com', 'Agent ' || g, 'x' from generate_series(1, 10) g`);
  await sql(`insert into labels (site_id, name) select s, 'label ' || g from unnest(array['demo', 'docs']) s, generate_series(1, 5) g`);
  await sql(`insert into visitors (site_id, token_hash, name, email)
    select case when g % 5 = 0 then 'docs' else 'demo' end, 'bench-' || g,
           case when g % 2 = 0 then '用户' || g else 'Visitor ' || g end, 'user' || g || '@example.com'
    from generate_series(1, ${VISITORS}) g`);
  // A ticket every 315 s over 2025, spread over the two sites, ten agents, every status and five labels.
  await sql(`
    with v as (select id, site_id, row_number() over (order by token_hash) - 1 as n from visitors)
    insert into conversations (site_id, visitor_id, status, assigned_agent_id, question, labels, last_seq, created_at, escalated_at, resolved_at, updated_at)
    select v.site_id, v.id, case when g < ${CONVERSATIONS - 500} then 'resolved' else (array['open', 'pending', 'snoozed'])[1 + g % 3] end,
           a.ids[1 + g % 10], 'question ' || g,
           case when g % 7 = 0 then jsonb_build_array(l.ids[1 + g % 5]) else '[]'::jsonb end,
           ${MESSAGES_EACH}, t, t, t + interval '30 minutes', t + interval '30 minutes'
    from generate_series(0, ${CONVERSATIONS - 1}) g
    join v on v.n = g % ${VISITORS}
    cross join (select array_agg(id order by email) as ids from agents) a
    cross join lateral (select array_agg(id::text order by name) as ids from labels where site_id = v.site_id) l
    cross join lateral (select '2025-01-01T00:00:00Z'::timestamptz + g * interval '315 seconds' as t) x`);
  await sql(`
    with c as (select id, assigned_agent_id, escalated_at, row_number() over (order by escalated_at) as n from conversations)
    insert into messages (conversation_id, seq, author, agent_id, body, search_keys, created_at)
    select id, i, author, agent_id, body, search_keys(body), at from (
      select c.id, i, case when i % 2 = 1 then 'visitor' else 'agent' end as author, case when i % 2 = 0 then c.assigned_agent_id end as agent_id,
             case when (c.n + i) % 2 = 0 then (${sqlArray(ZH)})[1 + (c.n * 7 + i * 3) % ${ZH.length}]
                  else (${sqlArray(EN)})[1 + (c.n * 7 + i * 3) % ${EN.length}] end
               || case when c.n % 1000 = 0 and i = 1 then '，发票抬头写错了' else '' end
               || case when c.n % 100 = 50 and i = 3 then '，想要退订短信' else '' end || ' #' || c.n as body,
             c.escalated_at + i * interval '1 minute' as at
      from c cross join generate_series(1, ${MESSAGES_EACH}) i) m`);
  await sql('analyze');
  const [counts] = await app.ctx.raw<Record<string, string>>(
    `select (select count(*) from conversations) as conversations, (select count(*) from messages) as messages, (select count(*) from visitors) as visitors`,
    [],
  );
  console.log(
    `search at scale on ${database.label}: ${Object.entries(counts).map(([k, v]) => `${Number(v).toLocaleString('en')} ${k}`).join(', ')}; filled and indexed in ${ms(t0)} ms`,
  );

  const [agent] = await app.ctx.raw<Agent>(`select * from agents order by email limit 1`, []);
  const [label] = await app.ctx.raw<{ id: string }>(`select id from labels where site_id = 'demo' order by name limit 1`, []);
  const auth = { agent: { ...agent, role: 'agent' }, siteIds: ['demo', 'docs'] } as unknown as AgentContext;
  const cases: [string, Record<string, string>][] = [
    ['退款 (two characters, in 1 line of 20)', { q: '退款' }],
    ['申请退款', { q: '申请退款' }],
    ['发票抬头 (1 conversation in 1,000)', { q: '发票抬头' }],
    ['退订短信 (1 in 100: past the newest 2,000)', { q: '退订短信' }],
    ['refund-free English: "certificate"', { q: 'certificate' }],
    ['"charged twice"', { q: 'charged twice' }],
    ['nothing matches: 不存在的词', { q: '不存在的词' }],
    ['visitor email: user4242@', { q: 'user4242@' }],
    ['visitor name: 用户1234', { q: '用户1234' }],
    ['label only', { label: label.id }],
    ['agent + status resolved', { agentId: agent.id, status: 'resolved' }],
    ['退款 + label + one month', { q: '退款', label: label.id, from: '2025-06-01T00:00:00Z', to: '2025-07-01T00:00:00Z' }],
    ['one site only, certificate', { q: 'certificate', siteId: 'docs' }],
  ];
  console.log(`  ${'search'.padEnd(44)} hits   p50    p99   (${RUNS} runs)${pglite ? '   loop held at most' : ''}`);
  for (const [label, query] of cases) {
    const input = ConversationSearch.parse(query);
    const times: number[] = [];
    let hits = 0;
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      hits = (await searchConversations(app.ctx, auth, input)).length;
      times.push(performance.now() - t);
    }
    loop.disable();
    times.sort((a, b) => a - b);
    const pct = (p: number) => times[Math.min(RUNS - 1, Math.ceil((p / 100) * RUNS) - 1)].toFixed(1);
    // The histogram's values include its 10 ms sampling interval.
    const held = pglite ? ` ${(Math.max(0, loop.max / 1e6 - 10)).toFixed(1).padStart(8)} ms` : '';
    console.log(`  ${label.padEnd(44)} ${String(hits).padStart(4)} ${pct(50).padStart(6)} ${pct(99).padStart(6)} ms${held}`);
  }
} finally {
  await app.close();
  await filler?.end();
  await database.drop();
}
