/**
 * npm run bench:store-cost — where the database's CPU goes when it stores a message: the hot path's
 * statement (server/conversations/message-store.ts) run in groups of 16, visitors' texts and agents'
 * replies alternating in 200 open conversations, on one connection whose backend's CPU time
 * (/proc/PID/stat) is read before and after. Then the same with the indexes and foreign keys the
 * statement maintains taken away one step at a time (each step keeps the previous ones' removals), so
 * each step's difference is what that part costs a message. Last, `searchKeys` alone: what the server
 * computes for every message it stores, the keys of the search index (server/search/search-keys.ts),
 * per call and per character, on this process's thread.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:store-cost
 *
 * PostgreSQL only (a fresh database is created in it and dropped after): PGlite runs in this process,
 * and its CPU cannot be told apart from the caller's. BENCH_GROUPS=600 groups per measurement,
 * BENCH_GROUP=16 messages per group (1: what a message costs when it arrives alone, at low rates).
 * Bodies are about 40 characters (`message N from the store-cost bench`; bench:relay's are about 30):
 * The search keys grow with a body's length, so real messages, often longer, pay more there.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createAgent } from '../server/agents/agents.service.ts';
import { STORE_STATEMENT } from '../server/conversations/message-store.ts';
import { conversations, visitors } from '../server/db/schema.ts';
import { searchKeys } from '../server/search/search-keys.ts';
import { createSite } from '../server/sites/sites.service.ts';
import { postgresAt, throwawayDatabase } from './throwaway-database.ts';

const url = process.env.BENCH_DATABASE_URL;
if (!url) throw new Error('bench:store-cost needs BENCH_DATABASE_URL (PostgreSQL)');
const GROUPS = Number(process.env.BENCH_GROUPS ?? 600);
const GROUP = Number(process.env.BENCH_GROUP ?? 16);
const CONVERSATIONS = 200;

const database = await throwawayDatabase('sc_bench_cost', url);
/** One connection of the benchmark's own: one backend whose CPU is read. */
const sql = postgresAt(database.url!, { max: 1 });
try {
  await createSite(database.db, { id: 'cost', name: 'cost', origins: ['https://cost.example'] });
  const agent = await createAgent(database.db, { email: 'cost@bench.local', password: 'bench-password', siteIds: ['cost'] });
  const convs: { id: string; visitorId: string; tokenHash: string }[] = [];
  for (let i = 0; i < CONVERSATIONS; i++) {
    const [v] = await database.db.insert(visitors).values({ siteId: 'cost', tokenHash: `cost-${i}` }).returning();
    const [c] = await database.db.insert(conversations).values({ siteId: 'cost', visitorId: v.id, status: 'open', assignedAgentId: agent.id, escalatedAt: new Date() }).returning();
    convs.push({ id: c.id, visitorId: v.id, tokenHash: v.tokenHash });
  }
  const [{ pid }] = await sql`select pg_backend_pid() as pid`;
  /** The backend's user + system CPU, ms (clock ticks of 10 ms). */
  const backendMs = () => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  };

  let n = 0;
  /** µs of the backend's CPU per stored message, over `groups` groups alternating visitors' texts and agents' replies. */
  async function perMessage(groups = GROUPS): Promise<number> {
    const before = backendMs();
    for (let g = 0; g < groups; g++) {
      const visitor = g % 2 === 0;
      const input = Array.from({ length: GROUP }, (_, i) => {
        const c = convs[(g * GROUP + i) % CONVERSATIONS];
        const body = `message ${n++} from the store-cost bench`;
        const common = { i, client_id: `cost${n}`, body, search_keys: searchKeys(body), at: new Date().toISOString() };
        return visitor ? { ...common, visitor_id: c.visitorId, token_hash: c.tokenHash } : { ...common, conversation_id: c.id, agent_id: agent.id, site_ids: ['cost'] };
      });
      const rows = await sql.unsafe(STORE_STATEMENT, [JSON.stringify(input)], { prepare: true });
      if (rows.filter((r) => r.m_id).length !== GROUP) throw new Error('a message of the group was not stored');
    }
    return ((backendMs() - before) * 1000) / (groups * GROUP);
  }

  console.log(`## bench:store-cost — ${new Date().toISOString()}\n`);
  console.log(`- node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}; load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`- ${GROUPS} groups of ${GROUP} per measurement, each measured three times (the median compared); one connection; PostgreSQL ${(await sql`show server_version`)[0].server_version}\n`);
  await perMessage(); // warm: the plan, the caches, the GIN pending list's first merges
  const steps: [string, string | null][] = [
    ['everything (as the product runs)', null],
    ['without conversations_labels_idx (GIN on the labels)', 'drop index conversations_labels_idx'],
    ['without messages_search_idx (GIN on search_keys)', 'drop index messages_search_idx'],
    ['without conversations_updated_idx', 'drop index conversations_updated_idx'],
    ['without the other indexes of conversations (escalated, first response, snoozed, site + status)', 'drop index conversations_escalated_idx; drop index conversations_first_response_idx; drop index conversations_snoozed_idx; drop index conversations_site_status_idx'],
    ['without the foreign keys of messages', 'alter table messages drop constraint messages_conversation_id_conversations_id_fk; alter table messages drop constraint messages_agent_id_agents_id_fk'],
  ];
  console.log('| step | backend CPU µs per message (three runs) | median less than the step before |');
  console.log('|---|---|---|');
  let previous: number | null = null;
  for (const [label, ddl] of steps) {
    if (ddl) await sql.unsafe(ddl);
    const runs = [await perMessage(), await perMessage(), await perMessage()];
    const mean = [...runs].sort((a, b) => a - b)[1];
    console.log(`| ${label} | ${runs.map((r) => r.toFixed(1)).join(', ')} | ${previous === null ? '' : (previous - mean).toFixed(1)} |`);
    previous = mean;
  }

  const body = 'message 12345 from the store-cost bench';
  const calls = 100_000;
  let keys = 0;
  for (let i = 0; i < calls / 10; i++) keys += searchKeys(body + i).length; // warm
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) keys += searchKeys(body + i).length;
  const perCall = ((performance.now() - t0) * 1000) / calls;
  const chars = body.length + 3;
  console.log(`\nsearchKeys on a ${chars}-character body, in the server: ${perCall.toFixed(2)} µs a call, ${(perCall / chars).toFixed(3)} µs a character (${calls.toLocaleString('en')} calls, ${keys} keys)`);
  console.log(`\nload average at end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  await sql.end();
  await database.drop();
}
