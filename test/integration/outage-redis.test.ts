/**
 * Redis goes away for 10 s under two nodes and comes back: no node exits; logins, handshakes and
 * sends go on without waiting for Redis (rate limits fall back to each node's own counters); and
 * once Redis is back the nodes hear each other again and every message, including those whose
 * cross-node push was lost, is held by both sides exactly once. On a throwaway PostgreSQL and
 * Redis of its own (test/support/services.ts): the machine's are shared by everything else.
 */
import { describe, expect, it, onTestFailed } from 'vitest';
import type { Ack } from '../../shared/result.ts';
import type { ConversationDTO, MessageDTO } from '../../shared/types.ts';
import { claim, escalate, expectExactlyOnce, settle, sleep, storedMessages } from '../support/delivery.ts';
import { isAlive, startServerProcess, type ServerProcess } from '../support/process.ts';
import { ReliableClient } from '../support/reliable-client.ts';
import { agentSocket, call, clientId, connected, login, visitorSocket } from '../support/server.ts';
import { cleanupAfterAll, skipWithoutServices, startPostgres, startRedis } from '../support/services.ts';

const skip = skipWithoutServices('outage-redis', ['postgres', 'redis']);

const VISITORS = 4;
const OUTAGE_MS = 10_000;
/** How long the clients wait for an answer before they retry (reliable-client.ts ACK_TIMEOUT_MS): no call may take that long. */
const REQUEST_TIMEOUT_MS = 5000;

const cleanup = cleanupAfterAll();

/** Each call's duration by what was called, and what failed. */
class Timings {
  readonly ms = new Map<string, number[]>();
  readonly failed: string[] = [];
  async time(kind: string, fn: () => Promise<void>): Promise<void> {
    const start = Date.now();
    await fn().catch((err: Error) => void this.failed.push(`${kind}: ${err.message}`));
    this.ms.set(kind, [...(this.ms.get(kind) ?? []), Date.now() - start]);
  }
  max(): Record<string, number> {
    return Object.fromEntries([...this.ms].map(([kind, ms]) => [kind, Math.max(...ms)]));
  }
  summary(): string {
    return [...this.ms].map(([kind, ms]) => `${kind} ${ms.length}× max ${Math.max(...ms)} ms`).join(', ');
  }
}

const okAck = <T>(res: Ack<T>, what: string): T => {
  if (!res.ok) throw new Error(`${what}: ${res.error.code}`);
  return res.data;
};

/** A new visitor's handshake and session:hello (new-visitor limit, presence across nodes), then gone. */
async function handshake(url: string): Promise<void> {
  const s = visitorSocket(url);
  try {
    await connected(s);
    okAck(await call(s, 'session:hello', {}), 'session:hello');
  } finally {
    s.close();
  }
}

/** An agent's console connecting (presence is announced across nodes), then gone. */
async function agentHandshake(url: string, cookie: string): Promise<void> {
  const s = agentSocket(url, cookie);
  try {
    await connected(s);
  } finally {
    s.close();
  }
}

describe.skipIf(skip)('when Redis stops under two nodes', () => {
  it(
    `no node exits or waits for Redis during a ${OUTAGE_MS / 1000} s outage, and afterwards every message reaches both sides once`,
    async () => {
      const started = Date.now();
      const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
      cleanup.push(() => pg.remove(), () => redis.remove());
      const databaseUrl = pg.url();
      // Both nodes start at once on the empty database, as a deployment would: one seeds, the other skips.
      const [a, b]: ServerProcess[] = await Promise.all([0, 1].map(() => startServerProcess({ database: { DATABASE_URL: databaseUrl }, redisUrl: redis.url })));
      cleanup.push(() => a.stop(), () => b.stop());
      onTestFailed(() => console.warn(`node A (pid ${a.pid}) wrote:\n${a.output()}\nnode B (pid ${b.pid}) wrote:\n${b.output()}`));

      // Visitors on A, their agent on B: every message crosses nodes through Redis.
      const cookie = await login(b.url);
      const agent = await ReliableClient.agent([b.url], cookie);
      cleanup.push(async () => agent.close());
      const visitors: ReliableClient[] = [];
      const conversations: ConversationDTO[] = [];
      for (let i = 0; i < VISITORS; i++) {
        const visitor = await ReliableClient.visitor([a.url]);
        cleanup.push(async () => visitor.close());
        conversations.push(await escalate(visitor));
        await claim(agent, conversations[i].id);
        visitors.push(visitor);
      }
      const agentSent = new Map(conversations.map((c) => [c.id, [] as string[]]));

      let writing = true;
      const traffic = [
        ...visitors.map(async (visitor, i) => {
          for (let n = 0; writing; n++) {
            visitor.send(`visitor ${i} message ${n}`);
            await sleep(300);
          }
        }),
        (async () => {
          for (let n = 0; writing; n++) {
            const conv = conversations[n % VISITORS];
            agentSent.get(conv.id)!.push(agent.send(`reply ${n}`, conv.id));
            await sleep(600 / VISITORS);
          }
        })(),
      ];
      await sleep(3000);

      // Probes on both nodes while Redis is down: every call is timed.
      const probes = new Timings();
      const senders = await Promise.all(
        [a, b].map(async (node) => {
          const s = visitorSocket(node.url);
          cleanup.push(async () => void s.close());
          await connected(s);
          okAck(await call(s, 'session:hello', {}), 'session:hello');
          return s;
        }),
      );
      await redis.stop();
      const down = Date.now();
      const during = () => Date.now() - down < OUTAGE_MS;
      await Promise.all([
        ...[a, b].map(async (node, i) => {
          const name = i ? 'B' : 'A';
          while (during()) {
            await probes.time(`visitor message:send on ${name}`, async () => {
              okAck(await call(senders[i], 'message:send', { clientId: clientId(), body: `probe on ${name}` }), 'message:send');
            });
            await sleep(300);
          }
        }),
        ...[a, b].map(async (node, i) => {
          const name = i ? 'B' : 'A';
          while (during()) {
            await probes.time(`visitor handshake on ${name}`, () => handshake(node.url));
            await probes.time(`agent handshake on ${name}`, () => agentHandshake(node.url, cookie));
            await sleep(700);
          }
        }),
        ...[a, b].map(async (node, i) => {
          // Logins are limited to 30 an address per 15 min: three on each node.
          for (let k = 0; k < 3 && during(); k++) {
            await probes.time(`login on ${i ? 'B' : 'A'}`, async () => void (await login(node.url)));
            await sleep(3000);
          }
        }),
      ]);
      expect(isAlive(a.pid) && isAlive(b.pid), 'a node exited while Redis was down').toBe(true);
      await redis.start();
      const downFor = Date.now() - down;

      expect(probes.failed).toEqual([]);
      const slow = Object.entries(probes.max()).filter(([, ms]) => ms >= REQUEST_TIMEOUT_MS);
      expect(slow, `calls that waited for Redis: ${probes.summary()}`).toEqual([]);

      // Traffic goes on after Redis is back (later pushes reveal the gaps left by lost ones), then stops.
      await sleep(4000);
      writing = false;
      await Promise.all(traffic);
      const sides = conversations.map((c, i) => ({ id: c.id, sides: [visitors[i], agent] }));
      await settle([...visitors, agent], sides, 90_000);

      // The nodes hear each other again: a visitor's message on A is pushed live to the agent on B.
      const pushed = agent.next<MessageDTO>('message:created', (m) => m.body === 'after the outage');
      visitors[0].send('after the outage');
      await pushed;
      const histories = await settle([...visitors, agent], sides, 30_000);

      let total = 0;
      for (const [i, conv] of conversations.entries()) {
        const rows = await storedMessages(databaseUrl, conv.id);
        total += rows.length;
        expectExactlyOnce(rows, histories.get(conv.id)!, [{ client: visitors[i], sent: visitors[i].sent }, { client: agent, sent: agentSent.get(conv.id)! }], conv.id);
      }
      expect(isAlive(a.pid) && isAlive(b.pid)).toBe(true);
      for (const node of [a, b]) expect(node.output()).not.toMatch(/unhandled rejection|unexpected error/);
      console.info(
        `[outage-redis] Redis down ${(downFor / 1000).toFixed(1)} s; during it: ${probes.summary()}; ` +
          `${total} messages in ${VISITORS} conversations (visitors on A, agent on B), ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
    },
    300_000,
  );
});
