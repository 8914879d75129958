/**
 * Flood limits on socket events (server/realtime/flood.ts), one rule at a time: each is made small in
 * LIMITS and restored after the test; every test uses client addresses of its own (X-Forwarded-For
 * behind one trusted proxy) so that buckets never leak between tests.
 */
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Ack } from '../../shared/result.ts';
import type { SessionDTO } from '../../shared/types.ts';
import { LIMITS } from '../../server/limits.ts';
import { visitors } from '../../server/db/schema.ts';
import { BACKENDS } from '../support/db.ts';
import { sleep } from '../support/delivery.ts';
import { call, connected, login, ok, startTestServer, type TestServer } from '../support/server.ts';
import { expectRateLimited, freshIp, restoreLimits, visitorFrom } from '../support/limits.ts';
import { io as connect, type Socket } from 'socket.io-client';

async function visitor(url: string, ip = freshIp(), token?: string) {
  const s = visitorFrom(url, ip, token);
  await connected(s);
  const session = await ok<SessionDTO>(s, 'session:hello', { locale: 'en' });
  return { s, session };
}

/** Emits `count` events at once (one write) and resolves with every answer. */
function burst(s: Socket, event: string, payload: unknown, count: number): Promise<Ack<unknown>[]> {
  return Promise.all(Array.from({ length: count }, () => s.timeout(10_000).emitWithAck(event, payload) as Promise<Ack<unknown>>));
}

describe.each(BACKENDS)('flood limits on socket events on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { trustProxy: 1 });
  });
  afterAll(() => server?.close());
  afterEach(restoreLimits);

  it('refuses a socket’s events past its bucket, says when to retry, and does none of their work', async () => {
    LIMITS.widgetEventsPerSocket = { limit: 10, windowMs: 60_000 };
    const { s, session } = await visitor(server.url);
    // The hello above cost 5 of 10; this one takes the rest.
    await ok(s, 'session:hello', { locale: 'en' });
    expectRateLimited(await call(s, 'session:hello', { locale: 'zh' }), 60_000);
    expectRateLimited(await call(s, 'feedback:seen', { ids: [session.visitorId] }), 60_000);
    const [row] = await server.database.db.select({ locale: visitors.locale }).from(visitors).where(eq(visitors.id, session.visitorId));
    expect(row.locale).toBe('en');
    expect(s.connected).toBe(true);
    // Another socket of the same visitor starts with a bucket of its own.
    const again = visitorFrom(server.url, freshIp(), session.token);
    await connected(again);
    await ok(again, 'session:hello', { locale: 'zh' });
    s.disconnect();
    again.disconnect();
  });

  it('counts a visitor’s events on all their sockets, and an address’s for all its visitors', async () => {
    LIMITS.widgetEventsPerVisitor = { limit: 12, windowMs: 60_000 };
    const a = await visitor(server.url);
    const b = visitorFrom(server.url, freshIp(), a.session.token);
    await connected(b);
    await ok(b, 'session:hello', {});
    expectRateLimited(await call(a.s, 'session:hello', {}), 60_000);
    expectRateLimited(await call(b, 'session:hello', {}), 60_000);
    a.s.disconnect();
    b.disconnect();

    LIMITS.widgetEventsPerIp = { limit: 12, windowMs: 60_000 };
    const ip = freshIp();
    const one = await visitor(server.url, ip);
    const two = await visitor(server.url, ip);
    expectRateLimited(await call(one.s, 'session:hello', {}), 60_000);
    expectRateLimited(await call(two.s, 'session:hello', {}), 60_000);
    // Elsewhere, all is well.
    const other = await visitor(server.url);
    await ok(other.s, 'session:hello', {});
    for (const s of [one.s, two.s, other.s]) s.disconnect();
  });

  it('runs only a few of a socket’s events at once and refuses the rest at once', async () => {
    const { s } = await visitor(server.url);
    const answers = await burst(s, 'session:hello', {}, 10);
    const done = answers.filter((a) => a.ok).length;
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThanOrEqual(LIMITS.widgetEventsInFlight.perSocket);
    for (const a of answers.filter((x) => !x.ok)) expectRateLimited(a, 1000);
    expect(s.connected).toBe(true);
    // Once they are done, the socket may go on.
    await ok(s, 'feedback:list', {});
    s.disconnect();
  });

  it('disconnects a socket that keeps going past its limits', async () => {
    LIMITS.eventRefusalsBeforeDisconnect = 5;
    const { s } = await visitor(server.url);
    const closed = new Promise<string>((resolve) => s.once('disconnect', resolve));
    for (let i = 0; i < 50; i++) s.emit('session:hello', {});
    expect(await closed).toBe('io server disconnect');
  });

  it('keeps a socket that waits as told, however many times the server stays too busy for it', async () => {
    LIMITS.eventRefusalsBeforeDisconnect = 3;
    const { s } = await visitor(server.url);
    // Its address's slots all taken, as when every handler waits for a database that went away.
    LIMITS.widgetEventsInFlight = { perSocket: 4, perIp: 0 };
    for (let i = 0; i < 8; i++) {
      const res = await call(s, 'session:hello', { locale: 'en' });
      expect(res).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) } });
      await sleep(res.ok ? 0 : res.error.retryAfterMs!);
    }
    expect(s.connected).toBe(true);
    // Sent without waiting, the same refusals disconnect it.
    const closed = new Promise<string>((resolve) => s.once('disconnect', resolve));
    await burst(s, 'session:hello', { locale: 'en' }, 6).catch(() => []);
    expect(await closed).toBe('io server disconnect');
  });

  it('answers an event the protocol does not name with INVALID_PAYLOAD, on both namespaces', async () => {
    const { s } = await visitor(server.url);
    expect(await call(s, 'no:such', {})).toEqual({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(await call(s, 'queue:list', {})).toEqual({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(await call(s, 'toString', {})).toEqual({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    s.disconnect();
    const agent = connect(`${server.url}/agent`, { extraHeaders: { cookie: await login(server.url), 'x-forwarded-for': freshIp() }, transports: ['websocket'], reconnection: false, forceNew: true });
    await connected(agent);
    expect(await call(agent, 'session:hello', {})).toEqual({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    agent.disconnect();
  });

  it('limits an agent’s events per socket and per agent', async () => {
    LIMITS.agentEventsPerSocket = { limit: 6, windowMs: 60_000 };
    const cookie = await login(server.url);
    const open = async () => {
      const a = connect(`${server.url}/agent`, { extraHeaders: { cookie, 'x-forwarded-for': freshIp() }, transports: ['websocket'], reconnection: false, forceNew: true });
      await connected(a);
      return a;
    };
    const a = await open();
    await ok(a, 'queue:list', {});
    await ok(a, 'queue:list', {});
    expectRateLimited(await call(a, 'queue:list', {}), 60_000);
    a.disconnect();
    restoreLimits();

    LIMITS.agentEventsPerAgent = { limit: 6, windowMs: 60_000 };
    const b = await open();
    const c = await open();
    await ok(b, 'queue:list', {});
    await ok(c, 'queue:list', {});
    expectRateLimited(await call(b, 'queue:list', {}), 60_000);
    b.disconnect();
    c.disconnect();
  });
});
