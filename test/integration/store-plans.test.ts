/**
 * The hot path's store statement (server/conversations/message-store.ts) reaches every row through an
 * index, in the generic plan a connection keeps for a prepared statement, even when that plan was made
 * while the tables were small and never analyzed: on such a plan a sequential scan, cheap when chosen,
 * is paid on every message once the tables have grown. And the GIN indexes those statements write
 * keep a small pending list.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from '../../server/agents/agents.service.ts';
import { STORE_STATEMENT } from '../../server/conversations/message-store.ts';
import { REPLY_SCAN_STATEMENT } from '../../server/mail/mail-jobs.repository.ts';
import { createSite } from '../../server/sites/sites.service.ts';
import { BACKENDS, createTestDatabase, rowsOf, type TestDatabase } from '../support/db.ts';

/** Scans of the generic plan of `text`, made now, for parameters of these types and values (SQL literals). */
async function genericPlanScans(database: TestDatabase, text: string, params: [type: string, value: string][] = [['text', `'[]'`]]): Promise<string[]> {
  return database.db.transaction(async (tx) => {
    await tx.execute(sql.raw(`SET LOCAL plan_cache_mode = force_generic_plan`));
    await tx.execute(sql.raw(`PREPARE store_plan_probe(${params.map(([type]) => type).join(', ')}) AS ${text}`));
    const result = await tx.execute(sql.raw(`EXPLAIN EXECUTE store_plan_probe(${params.map(([, value]) => value).join(', ')})`));
    await tx.execute(sql.raw(`DEALLOCATE store_plan_probe`));
    const rows = rowsOf(result);
    return rows.map((r) => r['QUERY PLAN']).filter((line) => /Scan/.test(line)).map((line) => line.trim().replace(/\s+\(cost=.*$/, ''));
  });
}

describe.each(BACKENDS)('store statement plans on %s', (backend) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    // As a one-site deployment's first minutes: 200 open tickets of one site, two messages each, no statistics.
    await createSite(database.db, { id: 'plans', name: 'Plans', origins: ['https://plans.example'] });
    const agent = await createAgent(database.db, { email: `plans-${backend}@test.local`, password: 'agent-password-1', siteIds: ['plans'] });
    await database.db.execute(sql`
      WITH v AS (
        INSERT INTO visitors (site_id, token_hash) SELECT 'plans', 'plans-' || g FROM generate_series(1, 200) g RETURNING id
      ), c AS (
        INSERT INTO conversations (site_id, visitor_id, status, assigned_agent_id, escalated_at, last_seq)
        SELECT 'plans', v.id, 'open', ${agent.id}::uuid, now(), 2 FROM v RETURNING id
      )
      INSERT INTO messages (conversation_id, seq, author, kind, body, search_keys, client_id)
      SELECT c.id, s, 'visitor', 'text', 'hello', search_keys('hello'), 'plans-' || c.id || '-' || s FROM c, generate_series(1, 2) s`);
  });
  afterAll(() => database?.drop());

  it('finds each message’s conversation, stored copy and visitor by index, whatever the tables held when planned', async () => {
    const scans = await genericPlanScans(database, STORE_STATEMENT);
    expect(scans.some((s) => /on (messages|conversations)\b/.test(s))).toBe(true);
    expect(scans.filter((s) => /Seq Scan on (messages|conversations|visitors)\b/.test(s))).toEqual([]);
  });

  // Every node runs the reply mail scan every 20 s: joined plainly, on unanalyzed tables it read every
  // unread message of every recent conversation and anti-joined a sequential scan of all messages.
  it('looks at the messages of emailed visitors’ conversations only, by index (the reply mail scan)', async () => {
    const scans = await genericPlanScans(database, REPLY_SCAN_STATEMENT, [['timestamptz', 'now()'], ['timestamptz', `now() - interval '2 days'`]]);
    expect(scans.some((s) => /on messages\b/.test(s))).toBe(true);
    expect(scans.filter((s) => /Seq Scan on messages\b/.test(s))).toEqual([]);
  });

  // The GIN indexes the message path writes merge their pending list in small pieces (schema.ts,
  // GIN_PENDING_LIST_KB): at the default 4 MB one message's statement paid a 70-100 ms merge every
  // 10-15 s under load, and every message queued behind it waited.
  it('keeps the pending list of the GIN indexes it writes at 256 kB, not the 4 MB default', async () => {
    const rows = rowsOf(await database.db.execute(sql`
      SELECT c.relname AS name, array_to_string(c.reloptions, ',') AS options
      FROM pg_class c JOIN pg_am am ON am.oid = c.relam
      WHERE c.relkind = 'i' AND am.amname = 'gin' AND c.relname IN ('messages_search_idx', 'conversations_labels_idx', 'visitors_search_idx')
      ORDER BY c.relname`));
    expect(rows.map((r) => ({ ...r }))).toEqual([
      { name: 'conversations_labels_idx', options: 'gin_pending_list_limit=256' },
      { name: 'messages_search_idx', options: 'gin_pending_list_limit=256' },
      { name: 'visitors_search_idx', options: 'gin_pending_list_limit=256' },
    ]);
  });
});
