/**
 * Group commit (server/db/group-commit.ts): the messages of one turn of the event loop are stored by
 * one statement and commit together, each caller answered with its own row; one failing message
 * costs the others nothing.
 */
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from '../../server/agents/agents.service.ts';
import { storeAgentText, storeVisitorText } from '../../server/conversations/message-store.ts';
import { groupCommit, laneOf } from '../../server/db/group-commit.ts';
import { rawClient, type RawClient } from '../../server/db/raw.ts';
import { conversations, messages, visitors, type Agent } from '../../server/db/schema.ts';
import { isUniqueViolation } from '../../server/errors.ts';
import { createSite } from '../../server/sites/sites.service.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';

describe('group commit lanes', () => {
  it('spreads ids evenly over the lanes, sequential ones and ones stepping by 289', () => {
    // Fixed ids (no random flake). FNV-1a's lowest bit is the parity of the characters' lowest bits;
    // taken mod 2 without folding the high bits in, it split the second set 1,588 / 2,412.
    const hex = (i: number) => i.toString(16).padStart(12, '0');
    const sets = [(i: number) => hex(i), (i: number) => hex(i * 289)].map((id) => Array.from({ length: 4000 }, (_, i) => `00000000-0000-4000-8000-${id(i)}`));
    for (const ids of sets) {
      for (const lanes of [2, 3, 4]) {
        const counts = Array<number>(lanes).fill(0);
        for (const id of ids) counts[laneOf(id, lanes)]++;
        for (const c of counts) expect(Math.abs(c - ids.length / lanes)).toBeLessThan((ids.length / lanes) * 0.1);
      }
    }
  });
});

/** `raw`, recording how many inputs each single statement it runs was given. */
function counting(raw: RawClient): { client: RawClient; sent: number[] } {
  const sent: number[] = [];
  const client: RawClient = {
    query: <T extends object>(text: string, params: unknown[]) => {
      sent.push((JSON.parse(params[0] as string) as unknown[]).length);
      return raw.query<T>(text, params);
    },
    transaction: raw.transaction,
    concurrent: raw.concurrent,
  };
  return { client, sent };
}

describe.each(BACKENDS)('group commit on %s', (backend) => {
  let database: TestDatabase;
  let agent: Agent;
  const convIds: string[] = [];
  const visitorIds: string[] = [];
  let n = 0;

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    await createSite(database.db, { id: 'gc', name: 'Group commit', origins: ['https://gc.example'] });
    agent = await createAgent(database.db, { email: `gc-${backend}@test.local`, password: 'agent-password-1', siteIds: ['gc'] });
    for (let i = 0; i < 10; i++) {
      const [v] = await database.db.insert(visitors).values({ siteId: 'gc', tokenHash: `gc-${backend}-${i}` }).returning();
      const [c] = await database.db.insert(conversations).values({ siteId: 'gc', visitorId: v.id, status: 'open', assignedAgentId: agent.id, escalatedAt: new Date() }).returning();
      convIds.push(c.id);
      visitorIds.push(v.id);
    }
  });
  afterAll(() => database?.drop());

  const reply = (store: ReturnType<typeof groupCommit>, conversationId: string, body: string, clientId = `gc${n++}xxxxxxx`) =>
    storeAgentText(store, { conversationId, agentId: agent.id, agentName: 'GC', siteIds: ['gc'], clientId, body, now: new Date() });

  it('stores every message of many groups once, each conversation in the order of the calls', async () => {
    const store = groupCommit(rawClient(database.db), 3);
    const calls = Array.from({ length: 200 }, (_, i) => ({ conv: convIds[i % convIds.length], body: `message ${i}` }));
    const results = await Promise.all(calls.map((c) => reply(store, c.conv, c.body)));
    expect(results.every((r) => r.kind === 'stored')).toBe(true);
    for (const conv of convIds) {
      const rows = await database.db.select().from(messages).where(eq(messages.conversationId, conv)).orderBy(asc(messages.seq));
      expect(rows.map((m) => m.seq)).toEqual(rows.map((_, i) => i + 1));
      expect(rows.map((m) => m.body)).toEqual(calls.filter((c) => c.conv === conv).map((c) => c.body));
    }
  });

  it('stores the messages of many conversations that arrive together with one statement, and waits with a second message of one of them', async () => {
    const { client, sent } = counting(rawClient(database.db));
    const store = groupCommit(client, 1);
    const results = await Promise.all([...convIds.map((c, i) => reply(store, c, `together ${i}`)), reply(store, convIds[0], 'together again')]);
    expect(results.map((r) => r.kind)).toEqual(results.map(() => 'stored'));
    // One statement for the ten conversations, then one for the second message of the first.
    expect(sent).toEqual([convIds.length, 1]);
    const seqs = results.map((r) => (r.kind === 'stored' ? r.message.seq : 0));
    expect(seqs[convIds.length]).toBe(seqs[0] + 1);
    for (const [i, r] of results.entries()) {
      if (r.kind !== 'stored') continue;
      expect(r.message.body).toBe(i < convIds.length ? `together ${i}` : 'together again');
      expect(r.conversation.id).toBe(i < convIds.length ? convIds[i] : convIds[0]);
    }
  });

  const ask = (store: ReturnType<typeof groupCommit>, i: number, laneKey: string, body: string) =>
    storeVisitorText(store, laneKey, { visitorId: visitorIds[i], visitorName: null, tokenHash: `gc-${backend}-${i}`, clientId: `gcv${n++}xxxxxxx`, body, now: new Date() });

  it('stores visitors’ texts and agents’ replies that arrive together with one statement, a conversation’s second message in the next', async () => {
    const { client, sent } = counting(rawClient(database.db));
    client.transaction = () => Promise.reject(new Error('one statement takes both kinds: no transaction'));
    const store = groupCommit(client, 1);
    const before = await database.db.select().from(conversations).where(eq(conversations.id, convIds[3]));
    // Conversations 0-4: the visitor writes; 5-9: the agent replies; then a reply in conversation 3,
    // whose visitor's text (its lane key the conversation) is in the first group, so it waits.
    const results = await Promise.all([
      ...[0, 1, 2, 3, 4].map((i) => ask(store, i, convIds[i], `question ${i}`)),
      ...[5, 6, 7, 8, 9].map((i) => reply(store, convIds[i], `answer ${i}`)),
      reply(store, convIds[3], 'answer to question 3'),
    ]);
    expect(sent).toEqual([10, 1]);
    expect(results.map((r) => r.kind)).toEqual(results.map(() => 'stored'));
    const stored = results.map((r) => (r.kind === 'stored' ? r : undefined)!);
    expect(stored.map((r) => r.message.author)).toEqual([...Array(5).fill('visitor'), ...Array(5).fill('agent'), 'agent']);
    expect(stored.map((r) => r.conversation.status)).toEqual([...Array(5).fill('open'), ...Array(5).fill('pending'), 'pending']);
    expect(stored[10].message.seq).toBe(stored[3].message.seq + 1);
    expect(stored[3].message.seq).toBe(before[0].lastSeq + 1);
    expect(stored[5].conversation.firstResponseAt).not.toBeNull();
  });

  it('never loses a visitor’s text that shares a statement with a reply in its conversation: one of them comes back for the other path', async () => {
    const store = groupCommit(rawClient(database.db), 1);
    // The visitor's conversation unknown to the caller (its lane key the visitor): both in one group.
    const [asked, replied] = await Promise.all([ask(store, 4, visitorIds[4], 'question in a race'), reply(store, convIds[4], 'answer in a race')]);
    const kinds = [asked.kind, replied.kind].sort();
    expect(kinds).toEqual(['other', 'stored']);
    const rows = await database.db.select().from(messages).where(eq(messages.conversationId, convIds[4])).orderBy(asc(messages.seq));
    expect(rows.map((m) => m.seq)).toEqual(rows.map((_, i) => i + 1));
    expect(rows.filter((m) => m.body.endsWith('in a race'))).toHaveLength(1);
  });

  it('answers the rest of a group when one of its statements fails, and stores that one once', async () => {
    const store = groupCommit(rawClient(database.db), 1);
    const conv = convIds[0];
    const twice = `gc-twice-${backend}-x`;
    const outcomes = await Promise.allSettled([
      reply(store, convIds[1], 'before'),
      reply(store, conv, 'first copy', twice),
      reply(store, conv, 'second copy', twice),
      reply(store, convIds[2], 'after'),
    ]);
    expect(outcomes[0]).toMatchObject({ status: 'fulfilled', value: { kind: 'stored' } });
    expect(outcomes[1]).toMatchObject({ status: 'fulfilled', value: { kind: 'stored' } });
    // The second copy either finds the first (a retry) or loses the race on the unique index.
    const second = outcomes[2];
    if (second.status === 'fulfilled') expect(second.value.kind).toBe('duplicate');
    else expect(isUniqueViolation(second.reason)).toBe(true);
    expect(outcomes[3]).toMatchObject({ status: 'fulfilled', value: { kind: 'stored' } });
    const copies = await database.db.select().from(messages).where(eq(messages.clientId, twice));
    expect(copies.map((m) => m.body)).toEqual(['first copy']);
  });
});

describe('group commit with a result it cannot read', () => {
  // A driver that returned rows with holes (patches/postgres+3.4.9.patch) made settling a group throw:
  // its callers were never answered. Now each is answered with the error, and the lane goes on.
  it('answers every caller of the group with the error, and serves the next group', async () => {
    let broken = true;
    const sparse = () => (broken ? (new Array(2) as object[]) : [{ i: 0, ok: 1 }]);
    const client: RawClient = { query: async <T extends object>() => sparse() as T[], transaction: async (statements) => statements.map(sparse), concurrent: 1 };
    const store = groupCommit(client, 1);
    const group = await Promise.allSettled([store('SELECT 1', 'a', {}), store('SELECT 1', 'b', {}), store('SELECT 2', 'c', {})]);
    expect(group.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    broken = false;
    expect(await store('SELECT 1', 'a', {})).toEqual({ i: 0, ok: 1 });
  });
});
