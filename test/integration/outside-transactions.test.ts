/**
 * A visitor's question holds its transaction (its conversation's lock and a pooled connection) only
 * for its own statements: what the answer needs from outside the database (the articles to link, a
 * worker thread's search; whether an agent is online and who is ready to take a ticket back, with
 * several nodes a request to the others, up to seconds when a node is slow; the limits of a new
 * conversation, with several nodes a round trip to Redis) is asked before the transaction begins. Checked on PostgreSQL,
 * where a transaction waiting on something else shows as "idle in transaction".
 */
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationDTO, MessageDTO, SessionDTO } from '../../shared/types.ts';
import { addAgent, agentSocket, apiData, clientId, connected, next, ok, startTestServer, visitorSocket, type TestServer } from '../support/server.ts';

describe.skipIf(!process.env.TEST_DATABASE_URL)('what a question waits for outside the database', () => {
  let server: TestServer;
  let admin: Sql;
  /** For each wait outside the database: how many of the server's sessions sat in an open transaction meanwhile. */
  const seen: { what: string; inTransaction: number }[] = [];
  /** Off once the tests are done: a lookup still running then (an agent's leaving) asks nothing more. */
  let watching = true;

  beforeAll(async () => {
    server = await startTestServer('postgres');
    const name = new URL(server.database.env.DATABASE_URL!).pathname.slice(1);
    // On the server's own database, where the conversations table is.
    admin = postgres(server.database.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    const inTransaction = async () =>
      (
        await admin<{ n: number }[]>`
          select count(distinct a.pid)::int as n from pg_stat_activity a join pg_locks l on l.pid = a.pid
          where a.datname = ${name} and a.application_name = 'support-chat' and a.state like 'idle in transaction%'
            and l.relation = 'conversations'::regclass`
      )[0].n;
    // Both slowed as a busy worker thread or a slow node would, and watched while they wait.
    const { faq, realtime } = server.app.ctx;
    const articlesFor = faq.articlesFor.bind(faq);
    faq.articlesFor = async (...args) => {
      await new Promise((r) => setTimeout(r, 100));
      if (watching) seen.push({ what: 'articles', inTransaction: await inTransaction() });
      return articlesFor(...args);
    };
    // Who is ready to take a ticket back (presence.ts readyAgents): the sockets of a `ready:` room, on every node.
    const agentsNamespace = realtime.agents;
    const inRoom = agentsNamespace.in.bind(agentsNamespace);
    agentsNamespace.in = ((room: string | string[]) => {
      const operator = inRoom(room);
      if (typeof room !== 'string' || !room.startsWith('ready:')) return operator;
      const fetchSockets = operator.fetchSockets.bind(operator);
      operator.fetchSockets = async () => {
        await new Promise((r) => setTimeout(r, 100));
        if (watching) seen.push({ what: 'ready agents', inTransaction: await inTransaction() });
        return fetchSockets();
      };
      return operator;
    }) as typeof agentsNamespace.in;
    // The new-conversation limits: with several nodes, a round trip to Redis.
    const { limiter } = server.app.ctx;
    const hit = limiter.hit.bind(limiter);
    limiter.hit = async (key, limit, windowMs) => {
      if (key.startsWith('conv:')) {
        await new Promise((r) => setTimeout(r, 100));
        if (watching) seen.push({ what: 'new-conversation limit', inTransaction: await inTransaction() });
      }
      return hit(key, limit, windowMs);
    };
    const agentsOnline = realtime.agentsOnline.bind(realtime);
    realtime.agentsOnline = async (siteId) => {
      await new Promise((r) => setTimeout(r, 100));
      if (watching) seen.push({ what: 'presence', inTransaction: await inTransaction() });
      return agentsOnline(siteId);
    };
  });
  afterAll(async () => {
    watching = false;
    await admin?.end();
    await server?.close();
  });

  const visitor = async () => {
    const v = visitorSocket(server.url);
    await ok<SessionDTO>(v, 'session:hello', { locale: 'en' });
    return v;
  };

  it('links articles and hands over to a person without a transaction open meanwhile', async () => {
    seen.length = 0;
    const v = await visitor();
    const handed = next<MessageDTO>(v, 'message:created', (m) => m.kind === 'notice' && m.body === 'no_agent_online');
    await ok(v, 'message:send', { clientId: clientId(), body: 'My parrot ate the hard drive with the lecture videos' });
    await handed;
    expect(seen.map((s) => s.what)).toEqual(expect.arrayContaining(['articles', 'new-conversation limit']));
    expect(seen.filter((s) => s.inTransaction > 0)).toEqual([]);
    v.disconnect();
  });

  it('asks for a person, after an answer or at any time, without a transaction open meanwhile', async () => {
    seen.length = 0;
    const v = await visitor();
    const answer = next<MessageDTO>(v, 'message:created', (m) => m.kind === 'faq_answer');
    await ok(v, 'message:send', { clientId: clientId(), body: 'How do I get a refund?' });
    const m = await answer;
    const { conversation } = await ok(v, 'faq:respond', { questionId: m.meta!.questionId, action: 'human' });
    expect(conversation.status).toBe('open');

    const w = await visitor();
    const answered = next<MessageDTO>(w, 'message:created', (x) => x.kind === 'faq_answer');
    const sent = await ok(w, 'message:send', { clientId: clientId(), body: 'How do I get a refund?' });
    await answered;
    await ok(w, 'conversation:escalate', { conversationId: sent.conversation.id });

    // (The handshakes ask too, with no transaction of their own.)
    expect(seen.filter((s) => s.what === 'presence').length).toBeGreaterThanOrEqual(4);
    expect(seen.filter((s) => s.inTransaction > 0)).toEqual([]);
    v.disconnect();
    w.disconnect();
  });

  it('gives a resolved ticket back to its agent when the visitor writes again, without a transaction open while it asks who is ready', async () => {
    const cookie = await addAgent(server, 'outside-tx@test.local');
    const agent = agentSocket(server.url, cookie);
    await connected(agent);
    const me = await apiData<{ id: string }>(server.url, cookie, 'GET', '/api/auth/me');
    const v = await visitor();
    let conv = (await ok(v, 'message:send', { clientId: clientId(), body: 'My parrot ate the hard drive with the lecture videos' })).conversation as ConversationDTO;
    if (conv.status === 'bot') conv = (await ok(v, 'conversation:escalate', { conversationId: conv.id })).conversation;
    await ok(agent, 'conversation:claim', { conversationId: conv.id });
    await ok(agent, 'conversation:resolve', { conversationId: conv.id });

    seen.length = 0;
    const sent = await ok(v, 'message:send', { clientId: clientId(), body: 'It happened again, sorry.' });
    expect(sent.conversation).toMatchObject({ id: conv.id, status: 'open', assignedAgentId: me.id });
    expect(seen.map((s) => s.what)).toContain('ready agents');
    expect(seen.filter((s) => s.inTransaction > 0)).toEqual([]);
    v.disconnect();
    agent.disconnect();
  });
});
