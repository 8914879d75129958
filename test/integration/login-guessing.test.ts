/**
 * Password guessing as an attacker would do it: many guesses at once, spread over two nodes,
 * behind a forged X-Forwarded-For, and while the real user keeps logging in. Every test uses
 * client addresses and accounts of its own, so counters never leak between tests or runs.
 */
import { randomBytes } from 'node:crypto';
import express from 'express';
import { io as connect } from 'socket.io-client';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clientIp, LIMITS } from '../../server/limits.ts';
import { createAgent } from '../../server/agents/agents.service.ts';
import type { Db } from '../../server/db/client.ts';
import { BACKENDS } from '../support/db.ts';
import { ADMIN, startTestServer, type TestServer } from '../support/server.ts';
import { twoNodesForSuite } from '../support/cluster.ts';
import { freshIp, ORIGINAL_LIMITS, restoreLimits } from '../support/limits.ts';

const PASSWORD = 'agent-password-1';
const GUESSES = 25;
const freshEmail = (what: string) => `${what}-${randomBytes(4).toString('hex')}@test.local`;

/** A login as it reaches us through one proxy that appends the address it saw. */
async function tryLogin(url: string, forwardedFor: string, email: string, password: string) {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ email, password }),
  });
  const body = (await res.json()) as { ok: boolean; error?: { code: string } };
  return { status: res.status, code: body.ok ? 'OK' : body.error!.code };
}

const tally = (codes: string[]) => codes.reduce<Record<string, number>>((t, c) => ({ ...t, [c]: (t[c] ?? 0) + 1 }), {});

async function account(db: Db, what: string) {
  const email = freshEmail(what);
  await createAgent(db, { email, password: PASSWORD, siteIds: ['demo'] });
  return email;
}

describe('the client address behind trusted proxies', () => {
  it('is the one Express gives for the same number of hops, never a forged left-most entry', async () => {
    const cases = ['', '203.0.113.9', 'forged, 203.0.113.9', '1.1.1.1, 2.2.2.2, 203.0.113.9', ' , 198.51.100.4 ,, 203.0.113.9 '];
    for (const hops of [0, 1, 2, 3]) {
      const app = express();
      app.set('trust proxy', hops);
      app.get('/', (req, res) => void res.send(req.ip));
      const server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      try {
        for (const header of cases) {
          const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { headers: header ? { 'x-forwarded-for': header } : {} });
          expect(clientIp('127.0.0.1', header ? { 'x-forwarded-for': header } : {}, hops), `${hops} hops, ${header}`).toBe(await res.text());
        }
      } finally {
        server.close();
      }
    }
    expect(clientIp('127.0.0.1', { 'x-forwarded-for': 'forged, 203.0.113.9' }, 1)).toBe('203.0.113.9');
  });
});

describe.each(BACKENDS)('login guessing on one node on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { trustProxy: 1 });
  });
  afterAll(() => server?.close());
  afterEach(restoreLimits);

  it(`checks at most ${ORIGINAL_LIMITS.loginFailuresPerAccount.limit} of ${GUESSES} wrong passwords sent at once, then refuses even the right one`, async () => {
    const email = await account(server.database.db, 'parallel');
    const ip = freshIp();
    const results = await Promise.all(Array.from({ length: GUESSES }, (_, i) => tryLogin(server.url, ip, email, `wrong-${i}`)));
    const counts = tally(results.map((r) => r.code));
    expect(counts).toEqual({ INVALID_CREDENTIALS: LIMITS.loginFailuresPerAccount.limit, LOCKED_OUT: GUESSES - LIMITS.loginFailuresPerAccount.limit });
    expect(await tryLogin(server.url, ip, email, PASSWORD)).toEqual({ status: 429, code: 'LOCKED_OUT' });
    expect(await tryLogin(server.url, freshIp(), email, PASSWORD)).toEqual({ status: 429, code: 'LOCKED_OUT' });
  });

  it('does not let the user’s own login erase the count of an attack from elsewhere, nor lock the user out', async () => {
    const email = await account(server.database.db, 'attacked');
    const home = freshIp();
    expect((await tryLogin(server.url, home, email, PASSWORD)).code).toBe('OK');
    const limit = LIMITS.loginFailuresPerAccount.limit;
    // The first login took one of the account's attempts: the attacker has the others.
    for (let i = 0; i < limit - 1; i++) expect((await tryLogin(server.url, freshIp(), email, `guess-${i}`)).code).toBe('INVALID_CREDENTIALS');
    expect((await tryLogin(server.url, home, email, PASSWORD)).code).toBe('OK');
    expect((await tryLogin(server.url, freshIp(), email, 'one more guess')).code).toBe('LOCKED_OUT');
    expect((await tryLogin(server.url, freshIp(), email, PASSWORD)).code).toBe('LOCKED_OUT');
    // The user's usual address still gets in, and its own typos are counted there.
    expect((await tryLogin(server.url, home, email, PASSWORD)).code).toBe('OK');
    const typos = await Promise.all(Array.from({ length: 10 }, () => tryLogin(server.url, home, email, 'typo')));
    expect(tally(typos.map((r) => r.code))).toEqual({ INVALID_CREDENTIALS: limit, LOCKED_OUT: 10 - limit });
  });

  it('counts the address the proxy appended, whatever the client put before it', async () => {
    LIMITS.loginPerIp = { limit: 4, windowMs: 15 * 60_000 };
    const attacker = freshIp();
    const codes: string[] = [];
    for (let i = 0; i < 8; i++) codes.push((await tryLogin(server.url, `${freshIp()}, ${attacker}`, freshEmail('nobody'), 'guess')).code);
    expect(codes).toEqual([...Array(4).fill('INVALID_CREDENTIALS'), ...Array(4).fill('RATE_LIMITED')]);
    // The same goes for widget handshakes: new visitors are counted per appended address too.
    LIMITS.newVisitorsPerIp = { limit: 2, windowMs: 3600_000 };
    const handshakes: string[] = [];
    for (let i = 0; i < 4; i++) {
      const v = connect(`${server.url}/widget`, {
        query: { site: 'demo' },
        extraHeaders: { 'x-forwarded-for': `${freshIp()}, ${attacker}` },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      handshakes.push(
        await new Promise<string>((resolve) => {
          v.once('connect', () => resolve('OK'));
          v.once('connect_error', (err) => resolve(err.message));
        }),
      );
      v.disconnect();
    }
    expect(handshakes).toEqual(['OK', 'OK', 'RATE_LIMITED', 'RATE_LIMITED']);
  });
});

const REDIS_URL = process.env.TEST_REDIS_URL;

describe.skipIf(!REDIS_URL).each(BACKENDS)('login guessing over two nodes through Redis on %s', (backend) => {
  const cluster = twoNodesForSuite(backend, REDIS_URL!, { trustProxy: 1 });
  const { nodes } = cluster;

  it(`checks at most ${ORIGINAL_LIMITS.loginFailuresPerAccount.limit} of ${GUESSES} wrong passwords sent at once to both nodes`, async () => {
    const email = await account(cluster.database.db, 'cluster');
    const results = await Promise.all(Array.from({ length: GUESSES }, (_, i) => tryLogin(nodes[i % 2].url, freshIp(), email, `wrong-${i}`)));
    expect(tally(results.map((r) => r.code))).toEqual({
      INVALID_CREDENTIALS: LIMITS.loginFailuresPerAccount.limit,
      LOCKED_OUT: GUESSES - LIMITS.loginFailuresPerAccount.limit,
    });
    for (const node of nodes) expect(await tryLogin(node.url, freshIp(), email, PASSWORD)).toEqual({ status: 429, code: 'LOCKED_OUT' });
  });
});
