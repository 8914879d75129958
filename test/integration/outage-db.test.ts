/**
 * PostgreSQL goes away under traffic and comes back, five times: the server process must live
 * through it, answer UNAVAILABLE (never INTERNAL) while the database is down, report it on
 * /api/health, and work again when it returns, without a restart; clients keep their outboxes and
 * retry, and afterwards every message is stored exactly once, in order, and held by both sides.
 * Runs on a throwaway cluster of its own (test/support/services.ts): the machine's PostgreSQL is
 * shared by everything else.
 */
import { describe, expect, it, onTestFailed } from 'vitest';
import type { ConversationDTO } from '../../shared/types.ts';
import { claim, escalate, expectExactlyOnce, settle, sleep, storedMessages, until } from '../support/delivery.ts';
import { isAlive, startServerProcess, type ServerProcess } from '../support/process.ts';
import { ReliableClient } from '../support/reliable-client.ts';
import { login } from '../support/server.ts';
import { cleanupAfterAll, skipWithoutServices, startPostgres, type ThrowawayPostgres } from '../support/services.ts';

const skip = skipWithoutServices('outage-db', ['postgres']);

const VISITORS = 8;
const CYCLES = 5;
const OUTAGE_MS = 10_000;
/** How long a step is tried: an outage, the pool's reconnect and a slow machine, twice over. */
const GIVE_UP_MS = 60_000;

const cleanup = cleanupAfterAll();

async function health(url: string) {
  const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { ok: boolean; error?: { code: string } } };
}

/** What the steps met: refusals the test fails on, and waits the server asked for. */
interface StepLog {
  refused: string[];
  /**
   * RATE_LIMITED for too many events of one socket in flight. An ack the client gave up on (after 5 s)
   * is retried while the server still runs the first call, waiting up to its own 5 s for a database
   * connection: the retries of the pump's four loops can pass the socket's eight at once. The server
   * says when to try again, and the step does.
   */
  inFlightWaits: number;
}

/**
 * Calls until the server answers: UNAVAILABLE, lost acks and RATE_LIMITED (see StepLog) are retried.
 * A retry may find the step already done (its commit landed, its answer was lost): the codes that say
 * so are accepted then.
 */
async function step<T>(client: ReliableClient, event: string, payload: unknown, doneCodes: string[], log: StepLog): Promise<T | undefined> {
  // Given up after a time, not a count of tries: how fast tries come depends on what answers them
  // (RATE_LIMITED after 100 ms, a lost ack after 5 s, no connection at once).
  const deadline = Date.now() + GIVE_UP_MS;
  const seen: Record<string, number> = {};
  for (let attempt = 1; Date.now() < deadline; attempt++) {
    const res = await client.call<T>(event, payload).catch((err: Error) => void (seen[err.message] = (seen[err.message] ?? 0) + 1));
    if (res?.ok) return res.data;
    if (res) seen[res.error.code] = (seen[res.error.code] ?? 0) + 1;
    if (res?.error.code === 'RATE_LIMITED') log.inFlightWaits += 1;
    else if (res && res.error.code !== 'UNAVAILABLE') {
      if (attempt === 1 || !doneCodes.includes(res.error.code)) log.refused.push(`${event}: ${res.error.code}`);
      return undefined;
    }
    await sleep(res ? Math.min(res.error.retryAfterMs ?? 500, 1000) : 250);
  }
  log.refused.push(`${event}: gave up after ${GIVE_UP_MS / 1000} s (${JSON.stringify(seen)})`);
  return undefined;
}

/**
 * Tickets one after another, each from a new visitor (a visitor may open only 20 conversations an
 * hour): connect, ask (a new conversation), escalate, claim, resolve. A handshake refused while the
 * database is down must say UNAVAILABLE (the client tries it again; any other refusal fails the test).
 */
async function ticketChurn(url: string, agent: ReliableClient, going: () => boolean, churn: StepLog & { tickets: number; handshakes: number }) {
  for (let n = 0; going(); n++) {
    let visitor: ReliableClient | undefined;
    while (!visitor) {
      visitor = await ReliableClient.visitor([url]).catch((err: Error) => {
        if (!/not connected/.test(err.message)) churn.refused.push(`handshake: ${err.message}`);
        return undefined;
      });
      if (!visitor) await sleep(500);
    }
    // A handshake refused UNAVAILABLE while the database was down was tried again by the client.
    churn.handshakes += visitor.stats.retriedErrors.UNAVAILABLE ?? 0;
    try {
      const clientId = visitor.send(`A question nobody has asked before, number ${n}: who repaints the lighthouse?`);
      await until('the question is stored', () => visitor.acked.has(clientId), 120_000, () => visitor.problems);
      const id = visitor.acked.get(clientId)!.conversationId;
      if (visitor.conversation?.status === 'bot') await step(visitor, 'conversation:escalate', { conversationId: id }, ['CONFLICT'], churn);
      await step(agent, 'conversation:claim', { conversationId: id }, ['ALREADY_CLAIMED'], churn);
      await step(agent, 'conversation:resolve', { conversationId: id }, ['CONVERSATION_CLOSED', 'CONFLICT'], churn);
      churn.refused.push(...visitor.problems);
      churn.tickets += 1;
    } finally {
      visitor.close();
    }
    // At most ~2 tickets a second from both churners: 200 new conversations an hour per address is the limit.
    await sleep(1000);
  }
}

describe.skipIf(skip)('when PostgreSQL stops under traffic', () => {
  it(
    `the server lives through ${CYCLES} stops of ${OUTAGE_MS / 1000} s with ${VISITORS} visitors and an agent writing, and loses, doubles and reorders nothing`,
    async () => {
      const started = Date.now();
      const pg: ThrowawayPostgres = await startPostgres();
      cleanup.push(() => pg.remove());
      const databaseUrl = pg.url();
      const srv: ServerProcess = await startServerProcess({ database: { DATABASE_URL: databaseUrl } });
      cleanup.push(() => srv.stop());
      onTestFailed(() => console.warn(`server (pid ${srv.pid}) wrote:\n${srv.output()}`));

      const cookie = await login(srv.url);
      const agent = await ReliableClient.agent([srv.url], cookie);
      cleanup.push(async () => agent.close());
      const visitors: ReliableClient[] = [];
      const conversations: ConversationDTO[] = [];
      for (let i = 0; i < VISITORS; i++) {
        const visitor = await ReliableClient.visitor([srv.url]);
        cleanup.push(async () => visitor.close());
        const conv = await escalate(visitor);
        await claim(agent, conv.id);
        visitors.push(visitor);
        conversations.push(conv);
      }
      const agentSent = new Map(conversations.map((c) => [c.id, [] as string[]]));

      // Steady traffic for the whole test: every visitor writes every 400 ms, the agent answers
      // each conversation about once a second. Sends queue up in the outboxes while the database is down.
      let writing = true;
      // A writer that fails is recorded at once (never an unhandled rejection) and fails the test.
      const failures: unknown[] = [];
      const track = (p: Promise<void>) => p.catch((err) => void failures.push(err));
      const traffic: Promise<void>[] = [
        ...visitors.map(async (visitor, i) => {
          for (let n = 0; writing; n++) {
            visitor.send(`visitor ${i} message ${n}`);
            await sleep(400);
          }
        }),
        (async () => {
          for (let n = 0; writing; n++) {
            const conv = conversations[n % VISITORS];
            agentSent.get(conv.id)!.push(agent.send(`reply ${n}`, conv.id));
            await sleep(1000 / VISITORS);
          }
        })(),
      ].map(track);

      // Tickets opened, escalated, claimed and resolved all along: each step is a transaction, the
      // path on which a stop of the server used to kill the process (see patches/postgres+*.patch).
      const churn = { tickets: 0, refused: [] as string[], handshakes: 0, inFlightWaits: 0 };
      traffic.push(...[0, 1].map(() => track(ticketChurn(srv.url, agent, () => writing, churn))));
      // And many short transactions in flight at every moment, so that each stop lands on some: a
      // second console of the agent claims its own tickets again and again (a transaction that
      // reads the ticket and changes nothing).
      const console2 = await ReliableClient.agent([srv.url], cookie);
      cleanup.push(async () => console2.close());
      const pump = { transactions: 0 };
      traffic.push(
        ...[0, 1, 2, 3].map((k) =>
          track(
            (async () => {
              for (let n = k; writing; n++) {
                const done = await step<ConversationDTO>(console2, 'conversation:claim', { conversationId: conversations[n % VISITORS].id }, [], churn);
                if (done) pump.transactions += 1;
              }
            })(),
          ),
        ),
      );

      const downtimes: number[] = [];
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        await sleep(3000);
        const ackedBefore = visitors.reduce((n, v) => n + v.acked.size, 0) + agent.acked.size;
        // Fast (sessions end with 57P01) and immediate (dropped like a crash), in turn.
        await pg.stop(cycle % 2 === 0 ? 'fast' : 'immediate');
        const down = Date.now();
        await sleep(1500);
        expect(isAlive(srv.pid), `the server exited as outage ${cycle + 1} began`).toBe(true);
        const during = await health(srv.url);
        expect(during.status).toBe(503);
        expect(during.body).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
        expect(Number(during.retryAfter)).toBeGreaterThan(0);
        await sleep(OUTAGE_MS - (Date.now() - down));
        expect(isAlive(srv.pid), `the server exited during outage ${cycle + 1}`).toBe(true);
        await pg.start();
        downtimes.push(Date.now() - down);
        // Back without a restart: health says so, and messages are stored again.
        const deadline = Date.now() + 30_000;
        while ((await health(srv.url)).status !== 200) {
          if (Date.now() > deadline) throw new Error(`health still down 30 s after outage ${cycle + 1}`);
          await sleep(100);
        }
        await until(
          `messages are stored again after outage ${cycle + 1}`,
          () => visitors.reduce((n, v) => n + v.acked.size, 0) + agent.acked.size > ackedBefore + VISITORS,
          30_000,
        );
        expect(isAlive(srv.pid)).toBe(true);
        expect(srv.output()).not.toMatch(/unhandled rejection|unexpected error/);
        if (failures.length) throw failures[0];
      }
      writing = false;
      await Promise.all(traffic);
      if (failures.length) throw failures[0];
      expect(churn.refused).toEqual([]);
      // Both consoles of the agent came back after every outage (a handshake refused UNAVAILABLE is tried again).
      expect([...agent.problems, ...console2.problems]).toEqual([]);

      const sides = conversations.map((c, i) => ({ id: c.id, sides: [visitors[i], agent] }));
      const histories = await settle([...visitors, agent], sides, 120_000);
      expect(isAlive(srv.pid)).toBe(true);
      let total = 0;
      for (const [i, conv] of conversations.entries()) {
        const rows = await storedMessages(databaseUrl, conv.id);
        total += rows.length;
        expectExactlyOnce(rows, histories.get(conv.id)!, [{ client: visitors[i], sent: visitors[i].sent }, { client: agent, sent: agentSent.get(conv.id)! }], conv.id);
      }
      // The outages were felt, and only as UNAVAILABLE: never an INTERNAL, never a refused message.
      const retried = [...visitors, agent].map((c) => c.stats.retriedErrors);
      expect(retried.reduce((n, r) => n + (r.UNAVAILABLE ?? 0), 0)).toBeGreaterThan(0);
      expect(retried.filter((r) => r.INTERNAL)).toEqual([]);
      console.info(
        `[outage-db] ${CYCLES} stops (${downtimes.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s down), ${total} messages in ${VISITORS} conversations, ` +
          `${pump.transactions} re-claims, ${churn.tickets} tickets opened, claimed and resolved (${churn.handshakes} handshakes refused UNAVAILABLE), retried UNAVAILABLE ${retried.reduce((n, r) => n + (r.UNAVAILABLE ?? 0), 0)} times, ${churn.inFlightWaits} waits for events in flight, ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
    },
    400_000,
  );
});
