import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageDTO, SessionDTO } from '../../shared/types.ts';
import { createApp, type App } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { LIMITS } from '../../server/limits.ts';
import { processRegistry } from '../../server/ops/counters.ts';
import { readinessHandler, redisProbe } from '../../server/ops/probes.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { ADMIN, agentSocket, call, clientId, connected, login, next, ok } from '../support/server.ts';
import { io as connect, type Socket } from 'socket.io-client';
import { families, parseSamples, sampleValue, type Sample } from '../support/prometheus.ts';

const TOKEN = 'metrics-token-for-tests-0123456789';
const config = (overrides: Partial<Config> = {}): Config => ({
  ...loadConfig({ LOG_LEVEL: 'silent' }),
  adminEmail: ADMIN.email,
  adminPassword: ADMIN.password,
  host: '127.0.0.1',
  ...overrides,
});

async function scrape(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

describe.each(BACKENDS)('operations endpoints on %s', (backend) => {
  let database: TestDatabase;
  let app: App;
  let url: string;
  let now = new Date();
  const sockets: Socket[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    // A clock the test moves: the oldest wait is then an exact number of seconds.
    app = createApp({ db: database.db, config: config(), log: createLogger('silent'), clock: () => now });
    url = await app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await app?.close();
    await database?.drop();
  });

  /** The admin's console and a visitor who said hello, both connected. */
  async function agentAndVisitor() {
    const agent = agentSocket(url, await login(url));
    sockets.push(agent);
    await connected(agent);
    const v = visitor();
    await connected(v);
    await ok<SessionDTO>(v, 'session:hello', { locale: 'en' });
    return { agent, v };
  }

  function visitor(): Socket {
    const s = connect(`${url}/widget`, { query: { site: 'demo' }, transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(s);
    return s;
  }

  // First in this file: the waiting gauges are cached for a few seconds from the app's first scrape,
  // so the counters' "before" is read from the process registry directly, not through /metrics.
  it('counts sockets, stored messages, FAQ decisions, refusals, query times and waiting conversations', async () => {
    const before = parseSamples(await processRegistry().metrics());

    const { agent, v } = await agentAndVisitor();

    const waitingNotice = next<MessageDTO>(v, 'message:created', (m) => m.kind === 'notice');
    const first = await ok(v, 'message:send', { clientId: clientId(), body: 'My certificate shows the wrong spelling of my grandmother’s village, can a person fix it?' });
    await waitingNotice;
    const escalatedAt = now.getTime();
    const saved = LIMITS.messagesPerVisitor.limit;
    LIMITS.messagesPerVisitor.limit = 2;
    try {
      // A person has the conversation now: the one-statement path (deliver) stores this one.
      await ok(v, 'message:send', { clientId: clientId(), body: 'Are you there?' });
      const refused = await call(v, 'message:send', { clientId: clientId(), body: 'Hello?' });
      expect(!refused.ok && refused.error.code).toBe('RATE_LIMITED');
    } finally {
      LIMITS.messagesPerVisitor.limit = saved;
    }
    now = new Date(escalatedAt + 120_000);

    const res = await scrape(url);
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/plain');
    for (const family of [
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_seconds',
      'support_sockets_connected',
      'support_messages_stored_total',
      'support_faq_decisions_total',
      'support_rate_limited_total',
      'support_db_query_duration_seconds',
      'support_conversations_waiting',
      'support_oldest_wait_seconds',
      'support_first_response_target_seconds',
      'support_database_up',
    ]) {
      expect(families(res.text), family).toContain(family);
    }
    const after = parseSamples(res.text);
    const moved = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(sampleValue(after, 'support_sockets_connected', { namespace: 'widget' })).toBe(1);
    expect(sampleValue(after, 'support_sockets_connected', { namespace: 'agent' })).toBe(1);
    expect(moved('support_messages_stored_total', { author: 'visitor' })).toBe(2);
    expect(moved('support_messages_stored_total', { author: 'system' })).toBe(1);
    expect(moved('support_faq_decisions_total', { decision: 'human' })).toBe(1);
    expect(moved('support_rate_limited_total', { rule: 'messages_per_visitor' })).toBe(1);
    expect(moved('support_db_query_duration_seconds_count', { operation: 'select' })).toBeGreaterThan(0);
    expect(moved('support_db_query_duration_seconds_count', { operation: 'insert' })).toBeGreaterThan(0);
    // The one-statement store (a WITH … statement, db/raw.ts on either driver) is timed too.
    expect(moved('support_db_query_duration_seconds_count', { operation: 'with' })).toBeGreaterThan(0);
    expect(sampleValue(after, 'support_conversations_waiting', { site: 'demo' })).toBe(1);
    expect(sampleValue(after, 'support_oldest_wait_seconds', { site: 'demo' })).toBe(120);
    expect(sampleValue(after, 'support_first_response_target_seconds', { site: 'demo' })).toBe(300);
    expect(sampleValue(after, 'support_database_up')).toBe(1);

    // The agent replies: the agent's message and the "joined" notice are counted, and nobody waits any more
    // (the count is cached for a few seconds; the oldest wait moves with the clock in the meantime).
    const beforeReply = after;
    await ok(agent, 'message:send', { conversationId: first.conversation.id, clientId: clientId(), body: 'Yes, I can fix that.' });
    now = new Date(escalatedAt + 180_000);
    const later = parseSamples((await scrape(url)).text);
    expect(sampleValue(later, 'support_messages_stored_total', { author: 'agent' }) - sampleValue(beforeReply, 'support_messages_stored_total', { author: 'agent' })).toBe(1);
    expect(sampleValue(later, 'support_oldest_wait_seconds', { site: 'demo' })).toBe(180);
  });

  // PostgreSQL: a row locked from another connection holds a handler, as a stuck statement would.
  it.skipIf(backend !== 'postgres')('shows a socket event whose handler has not answered, and how long it has waited', async () => {
    const { agent, v } = await agentAndVisitor();
    const asked = await ok(v, 'message:send', { clientId: clientId(), body: 'Who can change the name printed on my course certificate?' });
    if (asked.conversation.status === 'bot') await ok(v, 'conversation:escalate', { conversationId: asked.conversation.id });
    const inFlight = async () => {
      const samples = parseSamples((await scrape(url)).text);
      return { count: sampleValue(samples, 'support_socket_events_in_flight'), oldest: sampleValue(samples, 'support_socket_event_oldest_in_flight_seconds') };
    };
    expect(await inFlight()).toEqual({ count: 0, oldest: 0 });

    const { default: postgres } = await import('postgres');
    const sql = postgres(database.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    let release!: () => void;
    const locked = new Promise<void>((resolve) => {
      void sql.begin(async (tx) => {
        await tx`select 1 from conversations where id = ${asked.conversation.id} for update`;
        resolve();
        await new Promise<void>((r) => (release = r));
      });
    });
    try {
      await locked;
      const claimed = call(agent, 'conversation:claim', { conversationId: asked.conversation.id });
      await new Promise((r) => setTimeout(r, 1500));
      const held = await inFlight();
      expect(held.count).toBe(1);
      expect(held.oldest).toBeGreaterThanOrEqual(1.4);
      expect(held.oldest).toBeLessThan(10);
      release();
      expect((await claimed).ok).toBe(true);
      expect(await inFlight()).toEqual({ count: 0, oldest: 0 });
    } finally {
      release?.();
      await sql.end({ timeout: 1 });
    }
  });

  it('answers /metrics without a token only to a direct connection from this host', async () => {
    expect((await scrape(url)).status).toBe(200);
    expect((await scrape(url, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(403);
    expect((await scrape(url, { forwarded: 'for=203.0.113.9' })).status).toBe(403);
  });

  it('answers /metrics with METRICS_TOKEN only to its Bearer', async () => {
    const cfg = config(loadConfig({ METRICS_TOKEN: TOKEN }));
    expect(cfg.metricsToken).toBe(TOKEN);
    const guarded = createApp({ db: database.db, config: { ...config(), metricsToken: cfg.metricsToken }, log: createLogger('silent') });
    const guardedUrl = await guarded.listen(0, '127.0.0.1');
    try {
      expect((await scrape(guardedUrl)).status).toBe(401);
      expect((await scrape(guardedUrl, { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
      expect((await scrape(guardedUrl, { authorization: TOKEN })).status).toBe(401);
      const res = await scrape(guardedUrl, { authorization: `Bearer ${TOKEN}`, 'x-forwarded-for': '203.0.113.9' });
      expect(res.status).toBe(200);
      expect(families(res.text)).toContain('support_messages_stored_total');
    } finally {
      await guarded.close();
    }
  });

  it('refuses a METRICS_TOKEN too short to be a secret', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
    expect(loadConfig({ METRICS_TOKEN: '' }).metricsToken).toBeUndefined();
  });

  it('says /healthz and /readyz are fine while the database answers', async () => {
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, data: { status: 'up' } });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ok: true, data: { status: 'ready', database: 'up', redis: 'unused' } });
  });

  it('is alive but not ready when its database is gone, and /metrics says so', async () => {
    const lost = await createTestDatabase(backend);
    await lost.close();
    const broken = createApp({ db: lost.db, config: config(), log: createLogger('silent') });
    // Not app.listen(): that seeds, which needs the database.
    await new Promise<void>((resolve) => broken.http.listen(0, '127.0.0.1', resolve));
    const brokenUrl = `http://127.0.0.1:${(broken.http.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${brokenUrl}/healthz`)).status).toBe(200);
      const ready = await fetch(`${brokenUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toBe('1');
      expect(await ready.json()).toEqual({ ok: false, error: { code: 'UNAVAILABLE', retryAfterMs: 1000 } });
      const res = await scrape(brokenUrl);
      expect(res.status).toBe(200);
      const samples: Sample[] = parseSamples(res.text);
      expect(sampleValue(samples, 'support_database_up')).toBe(0);
      expect(samples.some((s) => s.name === 'support_conversations_waiting')).toBe(false);
    } finally {
      await broken.close();
      await lost.drop();
    }
  });
});

describe('/readyz with Redis', () => {
  async function readyWith(ping: () => Promise<unknown>) {
    const app = express();
    app.get('/readyz', readinessHandler(async () => true, redisProbe(ping)));
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`);
      return { status: res.status, body: await res.json() };
    } finally {
      server.close();
    }
  }

  it('is ready while Redis answers PING', async () => {
    expect(await readyWith(async () => 'PONG')).toEqual({ status: 200, body: { ok: true, data: { status: 'ready', database: 'up', redis: 'up' } } });
  });

  it('is not ready while Redis refuses, or does not answer within a second', async () => {
    expect((await readyWith(() => Promise.reject(new Error('connection refused')))).status).toBe(503);
    expect((await readyWith(() => new Promise(() => {}))).status).toBe(503);
  });
});
