/**
 * A visitor waiting for a person hears their place in the site's queue and an estimated wait from the
 * site's real first responses (`queue:updated`, server/conversations/queue.service.ts), live, and
 * nobody else hears it: not a visitor of another site, not a visitor who is not waiting.
 */
import { sql } from 'drizzle-orm';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationDTO, QueuePositionDTO, SessionDTO } from '../../shared/types.ts';
import { sites } from '../../server/db/schema.ts';
import type { Db } from '../../server/db/client.ts';
import { BACKENDS } from '../support/db.ts';
import { twoNodes, type TwoNodes } from '../support/cluster.ts';
import { agentSocket, clientId, connected, login, ok, startTestServer, visitorSocket, type AgentClientSocket, type TestServer } from '../support/server.ts';

const UNKNOWN = 'My certificate shows the wrong spelling of my grandmother’s village, can a person fix it?';

/** Waits (without a deadline of its own: the test's timeout is the limit) until `check` holds. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 25));
}

interface Waiter {
  v: Socket;
  id: string;
  token: string;
  heard: QueuePositionDTO[];
}

/** Every `queue:updated` a socket hears, from now on. */
function record(v: Socket): QueuePositionDTO[] {
  const heard: QueuePositionDTO[] = [];
  v.on('queue:updated', (p: QueuePositionDTO) => heard.push(p));
  return heard;
}

/** A visitor of `site` on `url` whose question needs a person: the conversation waits. */
async function waiter(url: string, site = 'demo'): Promise<Waiter> {
  const v = visitorSocket(url, { site });
  const heard = record(v);
  await connected(v);
  const session = await ok<SessionDTO>(v, 'session:hello', { locale: 'en' });
  const sent = await ok<{ conversation: ConversationDTO }>(v, 'message:send', { clientId: clientId(), body: UNKNOWN });
  expect(sent.conversation.status).toBe('open');
  return { v, id: sent.conversation.id, token: session.token!, heard };
}

const last = (w: Waiter) => w.heard.at(-1);
/** Until the visitor's latest word is about this place. */
const placed = (w: Waiter, position: number) => until(() => last(w)?.position === position);

/** Resolved tickets of the site answered at these times after these waits (seconds). */
async function answered(db: Db, siteId: string, tickets: { answeredAgoSec: number; waitSec: number }[]) {
  const now = Date.now();
  for (const t of tickets) {
    const first = new Date(now - t.answeredAgoSec * 1000);
    const escalated = new Date(first.getTime() - t.waitSec * 1000);
    await db.execute(sql`
      with v as (insert into visitors (site_id, token_hash) values (${siteId}, ${clientId()}) returning id)
      insert into conversations (site_id, visitor_id, status, created_at, escalated_at, first_response_at, resolved_at)
      select ${siteId}, v.id, 'resolved', ${escalated.toISOString()}, ${escalated.toISOString()}, ${first.toISOString()}, ${first.toISOString()} from v`);
  }
}

describe.each(BACKENDS)('place in the queue on %s', (backend) => {
  let server: TestServer;
  let agent: AgentClientSocket;
  const w: Waiter[] = [];
  beforeAll(async () => {
    server = await startTestServer(backend);
    await server.database.db.insert(sites).values({ id: 'other', name: 'Other', origins: [], secret: 'other-site-secret-0123456789abcdef' }).onConflictDoNothing();
    agent = agentSocket(server.url, await login(server.url));
    await connected(agent);
  });
  afterAll(() => server?.close());

  it('tells three waiting visitors their places, with no estimate while the site has no answered ticket', async () => {
    for (let i = 0; i < 3; i++) w.push(await waiter(server.url));
    await Promise.all(w.map((x, i) => placed(x, i + 1)));
    expect(w.map(last)).toEqual(w.map((x, i) => ({ conversationId: x.id, position: i + 1, estimatedWaitSec: null })));
  });

  it('moves the others up when an agent claims the first, and tells the claimed visitor nothing more', async () => {
    const before = w[0].heard.length;
    await ok(agent, 'conversation:claim', { conversationId: w[0].id });
    await Promise.all([placed(w[1], 1), placed(w[2], 2)]);
    expect([last(w[1]), last(w[2])]).toEqual([
      { conversationId: w[1].id, position: 1, estimatedWaitSec: null },
      { conversationId: w[2].id, position: 2, estimatedWaitSec: null },
    ]);
    // The refresh that told the others is over: a round trip on the claimed visitor's socket comes after anything sent to it.
    await ok(w[0].v, 'feedback:list', {});
    expect(w[0].heard.length).toBe(before);
    w.shift();
  });

  it('estimates from the rate of the last hour when at least three tickets were answered in it', async () => {
    // Four first responses in the last hour: the team answers one every 15 minutes.
    await answered(server.database.db, 'demo', [100, 200, 300, 400].map((waitSec, i) => ({ answeredAgoSec: 600 + i * 600, waitSec })));
    w.push(await waiter(server.url));
    await Promise.all(w.map((x, i) => until(() => last(x)?.estimatedWaitSec === (i + 1) * 900)));
    expect(w.map(last)).toEqual(w.map((x, i) => ({ conversationId: x.id, position: i + 1, estimatedWaitSec: (i + 1) * 900 })));
  });

  it('estimates from the median recent wait when too few were answered in the last hour, and a reloaded widget hears its place again', async () => {
    // The same four, two hours earlier: waits of 100, 200, 300 and 400 s, median 250 s, whatever the place.
    await server.database.db.execute(sql`
      update conversations set escalated_at = escalated_at - interval '2 hours', first_response_at = first_response_at - interval '2 hours'
      where site_id = 'demo' and status = 'resolved'`);
    // One answered 20 days ago does not count (older than 14 days).
    await answered(server.database.db, 'demo', [{ answeredAgoSec: 20 * 86400, waitSec: 5000 }]);
    const reloaded = visitorSocket(server.url, { token: w[0].token });
    const heard = record(reloaded);
    await connected(reloaded);
    await ok(reloaded, 'session:hello', { locale: 'en' });
    await until(() => heard.at(-1)?.estimatedWaitSec === 250);
    expect(heard.at(-1)).toEqual({ conversationId: w[0].id, position: 1, estimatedWaitSec: 250 });
    // The others' estimate changed too: they hear it without reloading.
    await Promise.all(w.map((x) => until(() => last(x)?.estimatedWaitSec === 250)));
    expect(w.map(last)).toEqual(w.map((x, i) => ({ conversationId: x.id, position: i + 1, estimatedWaitSec: 250 })));
    reloaded.disconnect();
  });

  it('never tells a visitor of another site, or one who is not waiting, about this queue', async () => {
    const browsing = visitorSocket(server.url);
    const browsingHeard = record(browsing);
    await connected(browsing);
    await ok(browsing, 'session:hello', { locale: 'en' });
    const elsewhere = await waiter(server.url, 'other');
    await placed(elsewhere, 1);
    // A change in the demo site's queue: its waiters hear it, the others nothing.
    const joined = await waiter(server.url);
    await placed(joined, w.length + 1);
    await ok(browsing, 'feedback:list', {});
    await ok(elsewhere.v, 'feedback:list', {});
    expect(browsingHeard).toEqual([]);
    expect(elsewhere.heard).toEqual([{ conversationId: elsewhere.id, position: 1, estimatedWaitSec: null }]);
  });
});

describe.runIf(process.env.TEST_REDIS_URL && process.env.TEST_DATABASE_URL)('place in the queue on two nodes (PostgreSQL, Redis)', () => {
  let cluster: TwoNodes;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    cluster = await twoNodes('postgres', process.env.TEST_REDIS_URL!);
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await cluster?.close();
  });

  it('tells visitors on either node of changes made on the other, even when the queue comes back to what a node said last', async () => {
    const [a, b] = cluster.nodes;
    const first = await waiter(a.url);
    const second = await waiter(b.url);
    const third = await waiter(a.url);
    const [onA, onB] = [agentSocket(a.url, await login(a.url)), agentSocket(b.url, await login(b.url))];
    sockets.push(first.v, second.v, third.v, onA, onB);
    await Promise.all([placed(first, 1), placed(second, 2), placed(third, 3), connected(onA), connected(onB)]);
    await ok(onB, 'conversation:claim', { conversationId: first.id });
    await Promise.all([placed(second, 1), placed(third, 2)]);
    // Node a last said 1, 2, 3; node b has since said 1, 2. Back in the queue through node a: it must
    // speak, though the queue is again what it said last.
    await ok(onA, 'conversation:transfer', { conversationId: first.id, agentId: null });
    await Promise.all([placed(first, 1), placed(second, 2), placed(third, 3)]);
  });
});
