/**
 * Delivery promises on real server processes: connections that keep dropping, a server killed with
 * SIGKILL and started again, and two nodes behind Redis with one of them killed. Every loop is bounded
 * in count and in time; nothing is timed, only checked.
 */
import { asc, eq } from 'drizzle-orm';
import { afterAll, afterEach, describe, expect, it, onTestFailed } from 'vitest';
import type { ConversationDTO, MessageDTO } from '../../shared/types.ts';
import { openDatabase } from '../../server/db/client.ts';
import { messages, type Message } from '../../server/db/schema.ts';
import { createAgent } from '../../server/agents/agents.service.ts';
import { createSite } from '../../server/sites/sites.service.ts';
import { createTestDatabase, type Backend } from '../support/db.ts';
import { freePort, startServerProcess, type ServerProcess } from '../support/process.ts';
import { ReliableClient } from '../support/reliable-client.ts';
import { claim, escalate, expectExactlyOnce, QUESTION, sleep, until } from '../support/delivery.ts';
import { api, login } from '../support/server.ts';

const CI = ['true', '1'].includes(String(process.env.CI).toLowerCase());

/** Outside CI a missing service skips the test, saying so; in CI the test runs and fails (see `required`). */
function lacks(...names: string[]): boolean {
  const absent = names.filter((n) => !process.env[n]);
  if (absent.length && !CI) console.warn(`resilience: skipping a test that needs ${absent.join(' and ')}, which is not set`);
  return absent.length > 0 && !CI;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set in CI: this test needs the service`);
  return value;
}

// Every test undoes what it started, in reverse order, pass or fail.
const undo: (() => unknown)[] = [];
const later = <T extends () => unknown>(fn: T) => void undo.push(fn);
async function cleanUp() {
  for (const fn of undo.splice(0).reverse()) await Promise.resolve(fn()).catch((err) => console.warn('cleanup failed:', err));
}
afterEach(cleanUp);
afterAll(cleanUp);

/** A small seeded generator: RESILIENCE_SEED replays the same drop schedule (the timing around it varies). */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const SEED = Number(process.env.RESILIENCE_SEED ?? Date.now() % 1_000_000);

/** A fresh database no process has open; PGlite allows one process per folder. */
async function database(backend: Backend) {
  const db = await createTestDatabase(backend);
  later(() => db.drop());
  await db.close();
  return db.env;
}

async function server(env: { DATABASE_URL?: string; DATA_DIR?: string }, extra: { port?: number; redisUrl?: string } = {}): Promise<ServerProcess> {
  const p = await startServerProcess({ database: env, ...extra });
  later(() => p.stop());
  onTestFailed(() => console.warn(`server on port ${p.port} (pid ${p.pid}) wrote:\n${p.output()}`));
  return p;
}

function client(c: ReliableClient): ReliableClient {
  later(() => c.close());
  return c;
}

async function stored(env: { DATABASE_URL?: string; DATA_DIR?: string }, conversationId: string): Promise<Message[]> {
  const database = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
  try {
    return await database.db.select().from(messages).where(eq(messages.conversationId, conversationId)).orderBy(asc(messages.seq));
  } finally {
    await database.close();
  }
}

/** Until both outboxes are empty and both sides hold everything the server has. */
async function settle(sides: ReliableClient[], conversationId: string, timeoutMs: number): Promise<MessageDTO[]> {
  const detail = () => sides.map((s) => ({ url: s.url, pending: s.pending, lastSeq: s.lastSeq(conversationId), ...s.stats }));
  await until('outboxes drained', () => sides.every((s) => s.pending === 0), timeoutMs, detail);
  const history = await sides[0].history(conversationId);
  const last = history.at(-1)!.seq;
  await until(`every side holds seq 1..${last}`, () => sides.every((s) => s.lastSeq(conversationId) >= last), 15_000, detail);
  return history;
}

/** Drops a random side's connection at random moments until `done` (bounded in count and time). */
async function chaos(sides: ReliableClient[], random: () => number, done: () => boolean, maxDrops: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let drops = 0;
  while (!done() && drops < maxDrops && Date.now() < deadline) {
    await sleep(150 + random() * 500);
    if (sides[Math.floor(random() * sides.length)].drop()) drops += 1;
  }
  return drops;
}

function report(label: string, total: number, sides: Record<string, ReliableClient>) {
  const parts = Object.entries(sides).map(([name, s]) => `${name} ${JSON.stringify(s.stats)}`);
  console.info(`[${label}] seed=${SEED} messages=${total}\n  ${parts.join('\n  ')}`);
}

describe('delivery when connections and servers fail', () => {
  // The busiest test runs once: on PostgreSQL when there is one (several writers at a time), else on PGlite.
  const churnBackend: Backend = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';
  it(
    `delivers a thousand messages exactly once and in order while both connections keep dropping (${churnBackend})`,
    async () => {
      const random = rng(SEED);
      const env = await database(churnBackend);
      const srv = await server(env);
      const agent = client(await ReliableClient.agent([srv.url], await login(srv.url)));
      const visitor = client(await ReliableClient.visitor([srv.url]));
      const queued = agent.next<ConversationDTO>('conversation:updated', (c) => c.status === 'open');
      const conv = await escalate(visitor);
      expect((await queued).id).toBe(conv.id);
      await claim(agent, conv.id);

      for (let i = 0; i < 500; i++) {
        visitor.send(`visitor message ${i}`);
        agent.send(`agent reply ${i}`, conv.id);
      }
      const drained = () => visitor.pending === 0 && agent.pending === 0;
      const drops = await chaos([visitor, agent], random, drained, 40, 90_000);
      const history = await settle([visitor, agent], conv.id, 90_000);
      report(`churn ${churnBackend}`, history.length, { visitor, agent });
      expect(drops).toBeGreaterThan(0);

      await srv.stop();
      const rows = await stored(env, conv.id);
      expect(rows.length).toBeGreaterThanOrEqual(1001);
      expect(rows[0]).toMatchObject({ author: 'visitor', body: QUESTION });
      expect(rows.find((m) => m.author !== 'visitor' && m.author !== 'bot')?.meta.notice).toMatch(/waiting_for_agent|no_agent_online/);
      expect(rows.findIndex((m) => m.meta.notice === 'agent_joined')).toBeLessThan(rows.findIndex((m) => m.author === 'agent'));
      expectExactlyOnce(rows, history, [visitor, agent], conv.id);
    },
    150_000,
  );

  for (const backend of ['pglite', 'postgres'] as const) {
    it.skipIf(backend === 'postgres' && lacks('TEST_DATABASE_URL'))(
      `loses nothing when the server is killed mid-conversation and started again on the same ${backend} database`,
      async () => {
        if (backend === 'postgres') required('TEST_DATABASE_URL');
        const env = await database(backend);
        const port = await freePort();
        const first = await server(env, { port });
        const agent = client(await ReliableClient.agent([first.url], await login(first.url)));
        const visitor = client(await ReliableClient.visitor([first.url]));
        const conv = await escalate(visitor);
        await claim(agent, conv.id);

        for (let i = 0; i < 60; i++) {
          visitor.send(`before the crash ${i}`);
          agent.send(`reply before the crash ${i}`, conv.id);
        }
        await until('the exchange is under way', () => visitor.acked.size > 20 && agent.acked.size > 20, 60_000);
        await first.kill('SIGKILL');
        const ackedBeforeCrash = [...visitor.acked.values(), ...agent.acked.values()];
        for (let i = 0; i < 20; i++) {
          visitor.send(`while the server is down ${i}`);
          agent.send(`reply while the server is down ${i}`, conv.id);
        }
        expect(visitor.pending).toBeGreaterThan(0);
        expect(agent.pending).toBeGreaterThan(0);

        const second = await server(env, { port });
        const history = await settle([visitor, agent], conv.id, 90_000);
        report(`crash ${backend}`, history.length, { visitor, agent });
        expect(visitor.stats.connects).toBeGreaterThanOrEqual(2);
        expect(agent.stats.connects).toBeGreaterThanOrEqual(2);

        await second.stop();
        const rows = await stored(env, conv.id);
        const bySeq = new Map(rows.map((m) => [m.seq, m.id]));
        // What the server acked before it died was committed: same row, same place.
        expect(ackedBeforeCrash.filter((m) => bySeq.get(m.seq) !== m.id).map((m) => m.seq)).toEqual([]);
        expectExactlyOnce(rows, history, [visitor, agent], conv.id);
      },
      150_000,
    );
  }

  it.skipIf(lacks('TEST_DATABASE_URL', 'TEST_REDIS_URL'))(
    'two nodes share conversations, claims, presence and FAQ changes, and a visitor survives losing its node',
    async () => {
      const redisUrl = required('TEST_REDIS_URL');
      required('TEST_DATABASE_URL');
      const db = await createTestDatabase('postgres');
      later(() => db.drop());
      // Both nodes start at once on the empty database, as a deployment would: one seeds, the other skips.
      // Their own Redis prefix: nothing from another run sharing this Redis reaches them.
      const env = { ...db.env, REDIS_PREFIX: `sc-test-${SEED}-${process.pid}` };
      const [a, b] = await Promise.all([server(env, { redisUrl }), server(env, { redisUrl })]);
      // A site of its own: Socket.IO rooms are named after sites, and another run may share this Redis.
      const site = await createSite(db.db, { id: `cluster-${SEED}-${process.pid}`, name: 'Cluster test', origins: [] });
      const racer = await createAgent(db.db, { email: 'racer@test.local', password: 'racer-password-1', name: 'Racer', siteIds: [site.id] });
      const adminCookie = await login(a.url);
      const me = await api<{ id: string }>(a.url, adminCookie, 'GET', '/api/auth/me');
      const adminId = me.body.ok && me.body.data.id;
      const onSite = { site: site.id };

      // Presence crosses nodes: a visitor on A hears that an agent came online on B.
      const visitor = client(await ReliableClient.visitor([a.url, b.url], onSite));
      expect(visitor.session?.agentsOnline).toBe(false);
      const online = visitor.next<{ agentsOnline: boolean }>('presence:updated', (p) => p.agentsOnline);
      const agent = client(await ReliableClient.agent([b.url], adminCookie));
      await online;

      // A's escalation reaches B's queue, and the visitor is told an agent is online (asked across nodes).
      const queued = agent.next<ConversationDTO>('conversation:updated', (c) => c.status === 'open');
      const conv = await escalate(visitor);
      expect((await queued).id).toBe(conv.id);
      const queue = await agent.call<{ waiting: ConversationDTO[] }>('queue:list', {});
      expect(queue.ok && queue.data.waiting.map((c) => c.id)).toContain(conv.id);
      expect(visitor.timeline(conv.id).find((m) => m.kind === 'notice')?.meta.notice).toBe('waiting_for_agent');
      await claim(agent, conv.id);

      // Two agents on two nodes claim the same ticket at once: exactly one wins, every time.
      const rival = client(await ReliableClient.agent([a.url], await login(b.url, 'racer@test.local', 'racer-password-1')));
      for (let round = 0; round < 3; round++) {
        const other = client(await ReliableClient.visitor([b.url], onSite));
        const ticket = await escalate(other);
        const results = await Promise.all([agent, rival].map((s) => s.call<ConversationDTO>('conversation:claim', { conversationId: ticket.id })));
        expect(results.map((r) => r.ok).sort()).toEqual([false, true]);
        const lost = results.find((r) => !r.ok);
        expect(lost && !lost.ok && lost.error.code).toBe('ALREADY_CLAIMED');
        const winner = results.findIndex((r) => r.ok);
        const won = results[winner];
        expect(won.ok && won.data.assignedAgentId).toBe([adminId, racer.id][winner]);
      }

      // The visitor on A and the agent on B talk.
      for (let i = 0; i < 40; i++) {
        visitor.send(`from node A ${i}`);
        agent.send(`from node B ${i}`, conv.id);
      }
      await settle([visitor, agent], conv.id, 60_000);

      // An FAQ entry written through A answers the next question asked on B (whose index the tickets above loaded).
      const question = 'How do I repaint the lighthouse mural in the reading room?';
      const answerText = 'Use the blue primer kit from the front desk.';
      const created = await api<{ id: string }>(a.url, adminCookie, 'POST', '/api/faqs', { siteId: site.id, question, answer: answerText, language: 'en' });
      expect(created.status).toBe(200);
      const entryId = created.body.ok && created.body.data.id;
      const asker = client(await ReliableClient.visitor([b.url], onSite));
      asker.send(question);
      const answered = () => (asker.conversation ? asker.timeline(asker.conversation.id).find((m) => m.author === 'bot') : undefined);
      await until('a bot answer on B', () => answered() !== undefined, 15_000);
      expect(answered()).toMatchObject({ kind: 'faq_answer', body: answerText, meta: { entryId } });

      // Node A dies mid-exchange: the visitor moves to B by itself and nothing is lost.
      rival.close();
      const before = visitor.acked.size;
      for (let i = 0; i < 60; i++) {
        visitor.send(`around the failover ${i}`);
        agent.send(`reply around the failover ${i}`, conv.id);
      }
      await until('the exchange is under way', () => visitor.acked.size > before + 15, 60_000);
      await a.kill('SIGKILL');
      for (let i = 0; i < 20; i++) visitor.send(`after node A died ${i}`);
      const history = await settle([visitor, agent], conv.id, 90_000);
      report('cluster', history.length, { visitor, agent });
      expect(visitor.url).toBe(b.url);
      expect(visitor.stats.failovers).toBeGreaterThanOrEqual(1);
      expect(visitor.session?.agentsOnline).toBe(true);

      const rows = await stored(db.env, conv.id);
      expectExactlyOnce(rows, history, [visitor, agent], conv.id);
    },
    150_000,
  );
});
