/**
 * Messages' search keys (server/search/search-keys.ts): the server's and the PL/pgSQL twin that
 * migration 0013 gives older messages theirs with are the same on both backends; the hot path stores
 * them; and a database migrated from before 0013 finds its older messages by them.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from '../../server/agents/agents.service.ts';
import { storeAgentText, storeVisitorText } from '../../server/conversations/message-store.ts';
import { groupCommit } from '../../server/db/group-commit.ts';
import { rawClient } from '../../server/db/raw.ts';
import { conversations, visitors } from '../../server/db/schema.ts';
import { searchKeys, SPACES } from '../../server/search/search-keys.ts';
import { searchStatement } from '../../server/search/search.service.ts';
import { createSite } from '../../server/sites/sites.service.ts';
import { ConversationSearch } from '../../shared/schemas.ts';
import { BACKENDS, createTestDatabase, rowsOf, type TestDatabase } from '../support/db.ts';

/** Texts whose keys take every branch: ASCII in both cases, CJK, Greek's final sigma, İ (two code points in JS's full lower case), astral characters, every white space. */
const TEXTS = [
  'Can I get a REFUND for the course?',
  '你好，我想申请退款',
  '课程过期后还能看吗？message 12',
  'ΟΔΟΣ οδος Straße STRASSE',
  'İstanbul DİYARBAKIR Ǆemal ϴ K Å',
  '🎉课程🎉 𠀀𠀁 a👍🏽b',
  `a${[...SPACES].join('b')}c`,
  'x',
  '  ',
  'aaaa abab',
];

describe.each(BACKENDS)('search keys on %s', (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(backend);
  });
  afterAll(() => database?.drop());

  it('are the same from the server as from the SQL twin that keyed the messages stored before them', async () => {
    for (const text of TEXTS) {
      const [row] = rowsOf<{ keys: number[] }>(await database.db.execute(sql`SELECT search_keys(${text}) AS keys`));
      expect(row.keys.map(Number), JSON.stringify(text)).toEqual(searchKeys(text));
    }
    expect(searchKeys('x')).toEqual([]);
    expect(searchKeys('ab ab AB')).toEqual([(0x61 << 16) | 0x62]);
    // A final sigma keys as σ: the query "οσ" finds "ΟΔΟΣ".
    expect(searchKeys('ΟΔΟΣ')).toEqual(expect.arrayContaining(searchKeys('οσ')));
  });

  it('are stored with each message the hot path stores, and search finds the message by them', async () => {
    const db = database.db;
    await createSite(db, { id: 'keys', name: 'Keys', origins: ['https://keys.example'] });
    const agent = await createAgent(db, { email: `keys-${backend}@test.local`, password: 'agent-password-1', siteIds: ['keys'] });
    const [v] = await db.insert(visitors).values({ siteId: 'keys', tokenHash: 'keys-token' }).returning();
    const [c] = await db
      .insert(conversations)
      .values({ siteId: 'keys', visitorId: v.id, status: 'open', assignedAgentId: agent.id, escalatedAt: new Date() })
      .returning();
    const store = groupCommit(rawClient(db));
    const visitorText = 'Ich möchte mein GELD zurück 🎉 退款';
    const replyText = 'ΟΔΟΣ: the refund is on its way';
    const asked = await storeVisitorText(store, v.id, { visitorId: v.id, visitorName: null, tokenHash: 'keys-token', clientId: 'keys-visitor-1', body: visitorText, now: new Date() });
    const answered = await storeAgentText(store, { conversationId: c.id, agentId: agent.id, agentName: 'Keys', siteIds: ['keys'], clientId: 'keys-agent-1', body: replyText, now: new Date() });
    expect([asked.kind, answered.kind]).toEqual(['stored', 'stored']);
    const stored = rowsOf<{ body: string; search_keys: number[] }>(await db.execute(sql`SELECT body, search_keys FROM messages WHERE conversation_id = ${c.id} ORDER BY seq`));
    expect(stored.map((m) => [m.body, m.search_keys.map(Number)])).toEqual([visitorText, replyText].map((t) => [t, searchKeys(t)]));
    const raw = rawClient(db).query;
    for (const [q, seq] of [['geld zur', 1], ['🎉 退', 1], ['退款', 1], ['οσ:', 2], ['REFUND', 2], ['refunds', null]] as const) {
      const { text, params } = searchStatement(ConversationSearch.parse({ q }), ['keys'], 'indexed');
      const hits = await raw<{ id: string; seq: number | null }>(text, params);
      expect(hits.map((h) => [h.id, Number(h.seq)]), q).toEqual(seq === null ? [] : [[c.id, seq]]);
    }
  });
});

// Migrations are the same files on both backends; PostgreSQL only, where a database migrated part of the way is cheap to make.
describe.runIf(BACKENDS.includes('postgres'))('migration 0013 on a database with messages', () => {
  const migrations = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../server/db/migrations');
  let dir: string;
  let url: string;
  let admin: import('postgres').Sql;
  const name = `sc_test_keys_${process.pid}`;

  beforeAll(async () => {
    const { default: postgres } = await import('postgres');
    admin = postgres(process.env.TEST_DATABASE_URL!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${name}`);
    await admin.unsafe(`create database ${name}`);
    const u = new URL(process.env.TEST_DATABASE_URL!);
    u.pathname = `/${name}`;
    url = u.toString();
    dir = await mkdtemp(path.join(os.tmpdir(), 'sc-migrations-'));
  });
  afterAll(async () => {
    await admin?.unsafe(`drop database if exists ${name} with (force)`);
    await admin?.end();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('gives the messages stored before it the keys the server gives new ones, and search finds them', async () => {
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    // The migrations up to 0012, as a deployment had them.
    await cp(migrations, dir, { recursive: true });
    const journalPath = path.join(dir, 'meta/_journal.json');
    const journal = JSON.parse(await readFile(journalPath, 'utf8')) as { entries: { tag: string }[] };
    const at = journal.entries.findIndex((e) => e.tag.startsWith('0013_'));
    expect(at).toBeGreaterThan(0);
    await writeFile(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }));
    const client = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await migrate(drizzle(client), { migrationsFolder: dir });
      await client.unsafe(`
        WITH s AS (INSERT INTO sites (id, name, secret) VALUES ('old', 'Old', 'old-secret') RETURNING id),
        v AS (INSERT INTO visitors (site_id, token_hash) SELECT id, 'old-token' FROM s RETURNING id, site_id),
        c AS (INSERT INTO conversations (site_id, visitor_id, status, escalated_at, last_seq) SELECT site_id, id, 'open', now(), ${TEXTS.length} FROM v RETURNING id)
        INSERT INTO messages (conversation_id, seq, author, body) SELECT c.id, t.n, 'visitor', t.body FROM c, unnest($1::text[]) WITH ORDINALITY t(body, n)`, [TEXTS]);
      await migrate(drizzle(client), { migrationsFolder: migrations });
      const rows = await client<{ body: string; search_keys: number[] }[]>`SELECT body, search_keys FROM messages ORDER BY seq`;
      expect(rows.map((r) => [r.body, r.search_keys.map(Number)])).toEqual(TEXTS.map((t) => [t, searchKeys(t)]));
      const { text, params } = searchStatement(ConversationSearch.parse({ q: '申请退款' }), ['old'], 'indexed');
      const hits = await client.unsafe(text, params as never[]);
      expect(hits.map((h) => Number(h.seq))).toEqual([2]);
    } finally {
      await client.end();
    }
  });
});
