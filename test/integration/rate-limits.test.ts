/**
 * Rate limits and lockouts: refused requests say when to retry and store nothing, and with Redis
 * every node counts together. Limits come from LIMITS (server/limits.ts), made small here and
 * restored after each test; every test uses its own client addresses (X-Forwarded-For behind a
 * trusted proxy) so that counters never leak between tests, nor between runs sharing a Redis.
 */
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SessionDTO } from '../../shared/types.ts';
import { LIMITS } from '../../server/limits.ts';
import { createAgent } from '../../server/agents/agents.service.ts';
import { conversations, messages } from '../../server/db/schema.ts';
import type { Db } from '../../server/db/client.ts';
import { BACKENDS } from '../support/db.ts';
import { ADMIN, call, clientId, connected, ok, startTestServer, type TestServer, type VisitorSocket } from '../support/server.ts';
import { twoNodesForSuite } from '../support/cluster.ts';
import { expectRateLimited, freshIp, restoreLimits, visitorFrom } from '../support/limits.ts';

const PASSWORD = 'agent-password-1';

async function visitor(url: string, ip: string, token?: string) {
  const v = visitorFrom(url, ip, token);
  await connected(v);
  const session = await ok<SessionDTO>(v, 'session:hello', {});
  return { v, session };
}

async function tryLogin(url: string, ip: string, email: string, password: string) {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ email, password }),
  });
  return { status: res.status, body: await res.json(), retryAfter: res.headers.get('retry-after'), cookie: res.headers.get('set-cookie') };
}

/** Visitor messages stored for a visitor, in any of their conversations. */
async function storedBodies(db: Db, visitorId: string): Promise<string[]> {
  const rows = await db
    .select({ body: messages.body })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(and(eq(conversations.visitorId, visitorId), eq(messages.author, 'visitor')))
    .orderBy(messages.createdAt, messages.seq);
  return rows.map((r) => r.body);
}

describe.each(BACKENDS)('rate limits on one node on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { trustProxy: 1 });
  });
  afterAll(() => server?.close());
  afterEach(restoreLimits);

  it('refuses a visitor’s messages beyond their limit, says when to retry, and stores none of them', async () => {
    LIMITS.messagesPerVisitor = { limit: 3, windowMs: 60_000 };
    const { v, session } = await visitor(server.url, freshIp());
    for (const body of ['one', 'two', 'three']) await ok(v, 'message:send', { clientId: clientId(), body });
    for (const body of ['four', 'five']) expectRateLimited(await call(v, 'message:send', { clientId: clientId(), body }), 60_000);
    expect(await storedBodies(server.database.db, session.visitorId)).toEqual(['one', 'two', 'three']);
    // Another visitor is not held back by this one.
    const other = await visitor(server.url, freshIp());
    await ok(other.v, 'message:send', { clientId: clientId(), body: 'hello' });
  });

  it('refuses messages beyond the limit of one address, whichever visitor sends them', async () => {
    LIMITS.messagesPerIp = { limit: 4, windowMs: 60_000 };
    const ip = freshIp();
    const a = await visitor(server.url, ip);
    const b = await visitor(server.url, ip);
    await ok(a.v, 'message:send', { clientId: clientId(), body: 'a1' });
    await ok(b.v, 'message:send', { clientId: clientId(), body: 'b1' });
    await ok(a.v, 'message:send', { clientId: clientId(), body: 'a2' });
    await ok(b.v, 'message:send', { clientId: clientId(), body: 'b2' });
    expectRateLimited(await call(b.v, 'message:send', { clientId: clientId(), body: 'b3' }), 60_000);
    expectRateLimited(await call(a.v, 'message:send', { clientId: clientId(), body: 'a3' }), 60_000);
    expect(await storedBodies(server.database.db, a.session.visitorId)).toEqual(['a1', 'a2']);
    expect(await storedBodies(server.database.db, b.session.visitorId)).toEqual(['b1', 'b2']);
    const elsewhere = await visitor(server.url, freshIp());
    await ok(elsewhere.v, 'message:send', { clientId: clientId(), body: 'from another address' });
  });

  it('refuses logins beyond the limit of one address, even with the right password', async () => {
    LIMITS.loginPerIp = { limit: 3, windowMs: 15 * 60_000 };
    const ip = freshIp();
    for (const email of ['a@test.local', 'b@test.local', 'c@test.local']) {
      expect((await tryLogin(server.url, ip, email, 'wrong-password')).body).toEqual({ ok: false, error: { code: 'INVALID_CREDENTIALS' } });
    }
    const refused = await tryLogin(server.url, ip, ADMIN.email, ADMIN.password);
    expect(refused.status).toBe(429);
    expectRateLimited(refused.body, 15 * 60_000);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(refused.cookie).toBeNull();
    expect((await tryLogin(server.url, freshIp(), ADMIN.email, ADMIN.password)).status).toBe(200);
  });

  it('locks an account after 5 failed logins, from any address, and refuses even the right password', async () => {
    const email = `locked-${backend}@test.local`;
    await createAgent(server.database.db, { email, password: PASSWORD, siteIds: ['demo'] });
    for (let i = 0; i < LIMITS.loginFailuresPerAccount.limit; i++) {
      expect((await tryLogin(server.url, freshIp(), email, `wrong-${i}`)).body).toEqual({ ok: false, error: { code: 'INVALID_CREDENTIALS' } });
    }
    for (const attempt of [email, email.toUpperCase()]) {
      const locked = await tryLogin(server.url, freshIp(), attempt, PASSWORD);
      expect(locked.status).toBe(429);
      expectRateLimited(locked.body, LIMITS.loginFailuresPerAccount.windowMs, 'LOCKED_OUT');
      expect(Number(locked.retryAfter)).toBeGreaterThan(0);
      expect(locked.cookie).toBeNull();
    }
    // Other accounts on the same address are not locked with it.
    expect((await tryLogin(server.url, freshIp(), ADMIN.email, ADMIN.password)).status).toBe(200);
  });

  it('forgets earlier failures once the right password is given', async () => {
    const email = `forgiven-${backend}@test.local`;
    await createAgent(server.database.db, { email, password: PASSWORD, siteIds: ['demo'] });
    const ip = freshIp();
    const fail = () => tryLogin(server.url, ip, email, 'wrong-password');
    for (let i = 0; i < LIMITS.loginFailuresPerAccount.limit - 1; i++) expect((await fail()).status).toBe(401);
    expect((await tryLogin(server.url, ip, email, PASSWORD)).status).toBe(200);
    for (let i = 0; i < LIMITS.loginFailuresPerAccount.limit - 1; i++) expect((await fail()).status).toBe(401);
    expect((await tryLogin(server.url, ip, email, PASSWORD)).status).toBe(200);
  });
});

const REDIS_URL = process.env.TEST_REDIS_URL;

describe.skipIf(!REDIS_URL).each(BACKENDS)('rate limits shared across two nodes through Redis on %s', (backend) => {
  const cluster = twoNodesForSuite(backend, REDIS_URL!, { trustProxy: 1 });
  const { nodes } = cluster;
  afterEach(restoreLimits);

  it('counts a visitor’s messages on both nodes together', async () => {
    LIMITS.messagesPerVisitor = { limit: 3, windowMs: 60_000 };
    const [a, b] = nodes;
    const first = await visitor(a.url, freshIp());
    await ok(first.v, 'message:send', { clientId: clientId(), body: 'one' });
    await ok(first.v, 'message:send', { clientId: clientId(), body: 'two' });
    const second = await visitor(b.url, freshIp(), first.session.token);
    expect(second.session.visitorId).toBe(first.session.visitorId);
    await ok(second.v, 'message:send', { clientId: clientId(), body: 'three' });
    expectRateLimited(await call(second.v, 'message:send', { clientId: clientId(), body: 'four' }), 60_000);
    expectRateLimited(await call(first.v, 'message:send', { clientId: clientId(), body: 'five' }), 60_000);
    expect(await storedBodies(cluster.database.db, first.session.visitorId)).toEqual(['one', 'two', 'three']);
    first.v.disconnect();
    second.v.disconnect();
  });

  it('counts one address’s messages on both nodes together', async () => {
    LIMITS.messagesPerIp = { limit: 2, windowMs: 60_000 };
    const ip = freshIp();
    const [a, b] = nodes;
    const onA = await visitor(a.url, ip);
    const onB = await visitor(b.url, ip);
    await ok(onA.v, 'message:send', { clientId: clientId(), body: 'a1' });
    await ok(onB.v, 'message:send', { clientId: clientId(), body: 'b1' });
    expectRateLimited(await call(onA.v, 'message:send', { clientId: clientId(), body: 'a2' }), 60_000);
    expect(await storedBodies(cluster.database.db, onA.session.visitorId)).toEqual(['a1']);
    onA.v.disconnect();
    onB.v.disconnect();
  });

  it('locks an account whose failed logins were spread over both nodes', async () => {
    const email = `spread-${randomBytes(4).toString('hex')}@test.local`;
    await createAgent(cluster.database.db, { email, password: PASSWORD, siteIds: ['demo'] });
    const limit = LIMITS.loginFailuresPerAccount.limit;
    for (let i = 0; i < limit; i++) {
      const node = nodes[i % 2];
      expect((await tryLogin(node.url, freshIp(), email, 'wrong-password')).status).toBe(401);
    }
    for (const node of nodes) {
      const locked = await tryLogin(node.url, freshIp(), email, PASSWORD);
      expect(locked.status).toBe(429);
      expectRateLimited(locked.body, LIMITS.loginFailuresPerAccount.windowMs, 'LOCKED_OUT');
    }
  });

  it('counts one address’s logins on both nodes together', async () => {
    LIMITS.loginPerIp = { limit: 2, windowMs: 15 * 60_000 };
    const ip = freshIp();
    const [a, b] = nodes;
    expect((await tryLogin(a.url, ip, 'nobody@test.local', 'wrong-password')).status).toBe(401);
    expect((await tryLogin(b.url, ip, 'nobody@test.local', 'wrong-password')).status).toBe(401);
    const refused = await tryLogin(a.url, ip, ADMIN.email, ADMIN.password);
    expect(refused.status).toBe(429);
    expectRateLimited(refused.body, 15 * 60_000);
  });
});
