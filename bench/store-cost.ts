/**
 * npm run bench:store-cost — where the database's CPU goes when it stores a message, and the WAL it
 * writes for it (what every commit waits to flush to the disk): the hot path's
 * statement (server/conversations/message-store.ts) run in groups of 16, visitors' texts and agents'
 * replies alternating in 200 open conversations, on one connection whose backend's CPU time
 * (/proc/PID/stat) is read before and after, against its two writes done alone by statements of the
 * same shape: the message's INSERT (into messages, and into copies of it without its foreign keys,
 * then without its search index), and the conversation's UPDATE as the statement makes it and one
 * that changes no indexed column, which PostgreSQL can make a HOT update. These alternate, round by
 * round, so that a slower minute of this shared machine falls on each alike: run to run, one statement
 * varies by a fifth or more here, more than most of the parts cost. (The bench used to take the
 * indexes and foreign keys away one step at a time instead; steps that cannot alternate gave 82-137 µs
 * for one and the same configuration on 2026-12-07, a later step dearer than an earlier one with more
 * to maintain, so they priced nothing and are gone; the HOT update stands for the conversation's
 * indexes as a whole.) Every measurement starts on vacuumed tables, so that none pays for the dead row
 * versions the ones before it left (autovacuum is off on this machine's server; where it is on, it
 * runs when it will). Then what those dead versions cost: the product's statement, block by block,
 * on that database vacuumed before each block and on a second database never vacuumed, alternating,
 * the second's dead versions of its conversations growing to 100,000 and more. Last, `searchKeys`
 * alone: what the server computes for every message it stores, the keys of the search index
 * (server/search/search-keys.ts), per call and per character, on this process's thread.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:store-cost
 *
 * PostgreSQL only (a fresh database is created in it and dropped after): PGlite runs in this process,
 * and its CPU cannot be told apart from the caller's. BENCH_GROUPS=600 groups per measurement,
 * BENCH_GROUP=16 messages per group (1: what a message costs when it arrives alone, at low rates),
 * BENCH_DEAD_BLOCKS=12 blocks of BENCH_GROUPS groups in the dead versions' comparison.
 * Bodies are about 40 characters (`message N from the store-cost bench`; bench:relay's are about 30):
 * The search keys grow with a body's length, so real messages, often longer, pay more there.
 */
import os from 'node:os';
import { createAgent } from '../server/agents/agents.service.ts';
import { STORE_STATEMENT } from '../server/conversations/message-store.ts';
import { conversations, visitors } from '../server/db/schema.ts';
import { searchKeys } from '../server/search/search-keys.ts';
import { createSite } from '../server/sites/sites.service.ts';
import { procStat } from './relay/proc.ts';
import { postgresAt, throwawayDatabase } from './throwaway-database.ts';

const url = process.env.BENCH_DATABASE_URL;
if (!url) throw new Error('bench:store-cost needs BENCH_DATABASE_URL (PostgreSQL)');
const GROUPS = Number(process.env.BENCH_GROUPS ?? 600);
const GROUP = Number(process.env.BENCH_GROUP ?? 16);
const CONVERSATIONS = 200;

/**
 * A throwaway database with 200 open conversations of one site, assigned to its agent, and one
 * connection of the benchmark's own: one backend whose CPU is read.
 */
async function stage(name: string) {
  const database = await throwawayDatabase(name, url);
  const sql = postgresAt(database.url!, { max: 1 });
  const drop = async () => {
    await sql.end();
    await database.drop();
  };
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
    /** The backend's user + system CPU, ms. */
    const backendMs = () => procStat(pid)!.cpuMs;
    return { sql, agent, convs, backendMs, drop };
  } catch (err) {
    await drop();
    throw err;
  }
}
type Stage = Awaited<ReturnType<typeof stage>>;

const main = await stage('sc_bench_cost');
/** The second database of the dead row versions' comparison (last), never vacuumed. */
let unvacuumed: Stage | undefined;
try {
  const { sql } = main;
  /** The statements a measurement can run: the product's, and its two writes alone in statements of the same shape. */
  const INPUT = `jsonb_to_recordset($1::text::jsonb) AS t(i int, seq int, visitor_id uuid, token_hash text, conversation_id uuid, agent_id uuid, site_ids jsonb, client_id text, body text, search_keys int4[], at timestamptz)`;
  const insertInto = (table: string) => `INSERT INTO ${table} (conversation_id, seq, author, agent_id, kind, body, search_keys, client_id, created_at)
      SELECT conversation_id, seq, CASE WHEN agent_id IS NULL THEN 'visitor' ELSE 'agent' END, agent_id, 'text', body, search_keys, client_id, at FROM ${INPUT}
      RETURNING id AS m_id`;
  // Copies of messages (LIKE ... INCLUDING ALL takes the indexes, never the foreign keys), so that
  // what the foreign keys and the search index cost an insert is measured in alternating rounds too.
  await sql.unsafe('create table bench_messages_no_fk (like messages including all)');
  await sql.unsafe('create table bench_messages_no_fk_no_search (like messages including all)');
  const [copyIndex] = await sql`select indexname from pg_indexes where tablename = 'bench_messages_no_fk_no_search' and indexdef like '%USING gin%'`;
  await sql.unsafe(`drop index ${copyIndex.indexname}`);
  const statements = {
    product: STORE_STATEMENT,
    /** Its seq given (far above the conversations' own), so the conversation's row is not written. */
    insert: insertInto('messages'),
    /** The same into a copy of messages with its indexes but not its foreign keys. */
    insertNoFk: insertInto('bench_messages_no_fk'),
    /** And into a copy without the search index either. */
    insertNoFkNoSearch: insertInto('bench_messages_no_fk_no_search'),
    /** What the product's statement writes to the conversation: the activity time and the turn are indexed, so never HOT. */
    update: `UPDATE conversations u SET last_seq = u.last_seq + 1, updated_at = t.at, status = CASE WHEN t.agent_id IS NULL THEN 'open' ELSE 'pending' END
      FROM ${INPUT} WHERE u.id = t.conversation_id RETURNING u.id AS m_id`,
    /** The seq alone: no indexed column changes, so PostgreSQL can make it a HOT update (no index entry). */
    hot: `UPDATE conversations u SET last_seq = u.last_seq + 1 FROM ${INPUT} WHERE u.id = t.conversation_id RETURNING u.id AS m_id`,
  };
  type Kind = keyof typeof statements;

  /** Dead row versions of the measurements before gone, and the statistics fresh (outside a transaction: one command each). */
  const vacuum = async () => {
    for (const table of ['conversations', 'messages', 'bench_messages_no_fk', 'bench_messages_no_fk_no_search']) await sql.unsafe(`vacuum analyze ${table}`);
  };

  let n = 0;
  let farSeq = 1_000_000;
  /**
   * Per stored message, over GROUPS groups alternating visitors' texts and agents' replies, on `on`:
   * the main database (vacuumed first) or the never-vacuumed one: µs of the backend's CPU, and bytes
   * of WAL (the whole server's: nothing else may write to it while the bench runs). WAL is what every
   * commit waits to flush: bench:relay's BENCH_DB_WAITS shows how long the store statements wait.
   */
  async function perMessage(kind: Kind, on: Stage = main): Promise<{ cpuUs: number; walBytes: number }> {
    if (on === main) await vacuum();
    const [{ lsn }] = await on.sql`select pg_current_wal_insert_lsn() as lsn`;
    const before = on.backendMs();
    for (let g = 0; g < GROUPS; g++) {
      const visitor = g % 2 === 0;
      const input = Array.from({ length: GROUP }, (_, i) => {
        const c = on.convs[(g * GROUP + i) % CONVERSATIONS];
        const body = `message ${n++} from the store-cost bench`;
        const common = { i, client_id: `cost${n}`, body, search_keys: searchKeys(body), at: new Date().toISOString() };
        // The product's statement finds a visitor's conversation itself; the parts are given it.
        if (kind === 'product') return visitor ? { ...common, visitor_id: c.visitorId, token_hash: c.tokenHash } : { ...common, conversation_id: c.id, agent_id: on.agent.id, site_ids: ['cost'] };
        return { ...common, seq: farSeq++, conversation_id: c.id, agent_id: visitor ? null : on.agent.id };
      });
      const rows = await on.sql.unsafe(statements[kind], [JSON.stringify(input)], { prepare: true });
      if (rows.filter((r) => r.m_id).length !== GROUP) throw new Error(`a message of the group was not stored (${kind})`);
    }
    const cpuUs = ((on.backendMs() - before) * 1000) / (GROUPS * GROUP);
    const [{ bytes }] = await on.sql`select pg_wal_lsn_diff(pg_current_wal_insert_lsn(), ${lsn}::pg_lsn)::float8 as bytes`;
    return { cpuUs, walBytes: bytes / (GROUPS * GROUP) };
  }
  const median = (runs: number[]) => [...runs].sort((a, b) => a - b)[Math.floor(runs.length / 2)];

  console.log(`## bench:store-cost — ${new Date().toISOString()}\n`);
  console.log(`- node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}; load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`- ${GROUPS} groups of ${GROUP} per measurement, each measured three times (the median compared), every measurement on vacuumed tables; one connection; PostgreSQL ${(await sql`show server_version`)[0].server_version}\n`);
  for (const kind of Object.keys(statements) as Kind[]) await perMessage(kind); // warm: the plans, the caches, the GIN pending list's first merges

  const parts: [Kind, string][] = [
    ['product', 'the statement, as the product runs it'],
    ['insert', "the message's INSERT alone (its seq given)"],
    ['insertNoFk', '… into a copy of messages without its foreign keys'],
    ['insertNoFkNoSearch', '… and without its search index (GIN on search_keys)'],
    ['update', "the conversation's UPDATE alone, as the statement makes it (not HOT)"],
    ['hot', "the conversation's UPDATE of its seq alone (HOT)"],
  ];
  const partRuns = new Map<Kind, { cpuUs: number; walBytes: number }[]>(parts.map(([kind]) => [kind, []]));
  for (let round = 0; round < 3; round++) for (const [kind] of parts) partRuns.get(kind)!.push(await perMessage(kind));
  console.log('| statement (alternating rounds) | backend CPU µs per message (three runs) | median | WAL bytes per message (three runs) | median |');
  console.log('|---|---|---|---|---|');
  for (const [kind, label] of parts) {
    const cpu = partRuns.get(kind)!.map((r) => r.cpuUs);
    const wal = partRuns.get(kind)!.map((r) => r.walBytes);
    console.log(`| ${label} | ${cpu.map((r) => r.toFixed(1)).join(', ')} | ${median(cpu).toFixed(1)} | ${wal.map((r) => r.toFixed(0)).join(', ')} | ${median(wal).toFixed(0)} |`);
  }
  console.log(`\n(Each statement pays its own start and end, shared by its ${GROUP} messages: the parts do not add up to the whole.)`);

  // What the dead row versions cost: every stored message updates its conversation's row, and since
  // that update is not HOT, each leaves a dead version in the table and its indexes until a VACUUM
  // (none runs on PGlite; autovacuum is off on this machine's server, and where on, it comes once a
  // minute at most). The product's statement on the main database, vacuumed before each block, and on
  // a second one never vacuumed, block by block alternating, the second's dead versions growing.
  unvacuumed = await stage('sc_bench_cost_dead');
  await perMessage('product', unvacuumed); // warm, as the main database was
  const blocks = Number(process.env.BENCH_DEAD_BLOCKS ?? 12);
  console.log(`\nThe statement as the product runs it, with and without the dead row versions its updates leave (${blocks} blocks of ${GROUPS} groups, alternating):\n`);
  console.log('| block | dead versions of conversations in the never-vacuumed database before it | vacuumed before each block, µs | never vacuumed, µs |');
  console.log('|---|---|---|---|');
  // Read on the writing backend itself, its counts sent first (they go once a second at most, or 10 s later when idle).
  const deadVersions = async () => {
    await unvacuumed!.sql`select pg_stat_force_next_flush()`;
    return Number((await unvacuumed!.sql`select n_dead_tup from pg_stat_user_tables where relname = 'conversations'`)[0].n_dead_tup);
  };
  for (let b = 0; b < blocks; b++) {
    const vacuumed = (await perMessage('product')).cpuUs;
    const dead = await deadVersions();
    const never = (await perMessage('product', unvacuumed)).cpuUs;
    console.log(`| ${b + 1} | ${dead.toLocaleString('en')} | ${vacuumed.toFixed(1)} | ${never.toFixed(1)} |`);
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
  await unvacuumed?.drop();
  await main.drop();
}
