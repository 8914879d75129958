/**
 * Nothing secret crosses Redis. With several nodes, a node that asks which agents of a site are
 * present (fetchSockets) gets each matching socket of the other nodes as the Redis adapter sends it:
 * its handshake (headers included) and its `data`. Neither may carry the agent's session cookie (a
 * login) or their password's hash, since anyone who can read the Redis would then hold both.
 */
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionDTO } from '../../shared/types.ts';
import { twoNodes, type TwoNodes } from '../support/cluster.ts';
import { BACKENDS } from '../support/db.ts';
import { agentSocket, connected, login, ok, visitorSocket } from '../support/server.ts';

const REDIS_URL = process.env.TEST_REDIS_URL;

describe.skipIf(!REDIS_URL)('what the nodes tell each other through Redis', () => {
  let cluster: TwoNodes;
  let spy: ReturnType<typeof createClient>;
  /** Every message published on this Redis while the test runs, as text (the adapter's msgpack keeps strings as they are). */
  const heard: string[] = [];
  beforeAll(async () => {
    cluster = await twoNodes(BACKENDS[0], REDIS_URL!);
    spy = createClient({ url: REDIS_URL });
    await spy.connect();
    await spy.pSubscribe('*', (message) => heard.push(message));
  });
  afterAll(async () => {
    await spy?.quit();
    await cluster?.close();
  });

  it('carries neither the agent session cookie nor the password hash when a node asks who is present', async () => {
    const [a, b] = cluster.nodes;
    const cookie = await login(a.url);
    const agent = agentSocket(a.url, cookie);
    await connected(agent);
    await ok(agent, 'agent:availability', { availability: 'online' });

    // A visitor on the other node asks whether anyone is there: node B asks node A for its ready agents.
    const visitor = visitorSocket(b.url);
    await connected(visitor);
    const session = await ok<SessionDTO>(visitor, 'session:hello', { locale: 'en' });
    expect(session.agentsOnline).toBe(true);

    const answers = heard.filter((m) => m.includes(cookie.split('=')[0]) || m.includes('handshake'));
    expect(answers.length).toBeGreaterThan(0);
    const token = cookie.slice(cookie.indexOf('=') + 1);
    expect(heard.filter((m) => m.includes(token))).toEqual([]);
    expect(heard.filter((m) => m.includes('scrypt$'))).toEqual([]);
    agent.disconnect();
    visitor.disconnect();
  });
});
