/**
 * Rights are checked when used: an agent socket opened before its agent was removed from a site,
 * demoted, or before its session ended loses what it may no longer do, without reconnecting, on
 * every node. The changes are made in the database directly, as an admin tool or another node would.
 */
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationDTO, MessageDTO, SessionDTO } from '../../shared/types.ts';
import { sha256 } from '../../server/crypto.ts';
import { createAgent } from '../../server/agents/agents.service.ts';
import { pushAgentRights, RIGHTS } from '../../server/agents/agent-rights.ts';
import { agentSites, agents, conversations, messages, sessions } from '../../server/db/schema.ts';
import type { Db } from '../../server/db/client.ts';
import { BACKENDS } from '../support/db.ts';
import {
  call,
  clientId,
  connected,
  login,
  next,
  ok,
  startTestServer,
  type AgentClientSocket,
  type TestServer,
  type VisitorSocket,
} from '../support/server.ts';
import { twoNodes, type TwoNodes } from '../support/cluster.ts';

const UNKNOWN_QUESTION = 'My certificate shows the wrong spelling of my grandmother’s village, can a person fix it?';
const PASSWORD = 'agent-password-1';
const DEFAULT_RIGHTS = { ...RIGHTS };
const NOT_FOUND = { ok: false, error: { code: 'NOT_FOUND' } };

/** Retries `probe` until it returns true; the change under test is applied by the server in its own time. */
async function until(probe: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    // Slow enough to stay far below the flood limits on agent events (server/limits.ts).
    await new Promise((r) => setTimeout(r, 250));
  }
}

const sockets: Socket[] = [];
function agentOn(url: string, cookie: string): AgentClientSocket {
  const s: AgentClientSocket = connect(`${url}/agent`, { extraHeaders: { cookie }, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(s);
  return s;
}
function visitorOn(url: string): VisitorSocket {
  const s: VisitorSocket = connect(`${url}/widget`, { query: { site: 'demo' }, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(s);
  return s;
}
afterAll(() => {
  for (const s of sockets) s.disconnect();
});

async function agentSocket(url: string, cookie: string) {
  const s = agentOn(url, cookie);
  await connected(s);
  return s;
}

/** A demo visitor whose question went to a person: a waiting ticket. */
async function ticket(url: string) {
  const v = visitorOn(url);
  await connected(v);
  await ok<SessionDTO>(v, 'session:hello', { locale: 'en' });
  const sent = await ok(v, 'message:send', { clientId: clientId(), body: UNKNOWN_QUESTION });
  expect(sent.conversation.status).toBe('open');
  return { v, conversation: sent.conversation as ConversationDTO };
}

/** Whether the socket's queue still shows demo tickets (a read that changes nothing). */
async function seesDemo(s: AgentClientSocket): Promise<boolean> {
  const queue = await ok(s, 'queue:list', {});
  return [...queue.waiting, ...queue.mine].some((c: ConversationDTO) => c.siteId === 'demo');
}

/** Everything a socket hears about demo conversations from now on. */
function heardAboutDemo(s: AgentClientSocket, conversationIds: string[] = []) {
  const heard: string[] = [];
  s.on('conversation:updated', (c) => c.siteId === 'demo' && heard.push(`conversation:updated ${c.id}`));
  s.on('message:created', (m: MessageDTO) => conversationIds.includes(m.conversationId) && heard.push(`message:created ${m.body}`));
  return heard;
}

/**
 * A new demo ticket and a visitor message in `open`, heard by `witness` (still on the site); then a
 * round trip on `old`: a broadcast sent to it before the witness got its copy would have arrived first.
 */
async function demoActivity(url: string, witness: AgentClientSocket, old: AgentClientSocket, open: { v: VisitorSocket; conversation: ConversationDTO }) {
  const body = `still there? ${randomBytes(3).toString('hex')}`;
  const heardMessage = next<MessageDTO>(witness, 'message:created', (m) => m.body === body);
  await ok(open.v, 'message:send', { clientId: clientId(), body });
  await heardMessage;
  const updated = new Set<string>();
  witness.on('conversation:updated', (c) => updated.add(c.id));
  const fresh = await ticket(url);
  await until(async () => updated.has(fresh.conversation.id), 'the witness hears of the new ticket');
  await call(old, 'queue:list', {});
}

async function expectNoAccess(db: Db, s: AgentClientSocket, conversationId: string) {
  const ref = { conversationId };
  expect(await call(s, 'conversation:open', ref)).toEqual(NOT_FOUND);
  expect(await call(s, 'messages:sync', { ...ref, afterSeq: 0 })).toEqual(NOT_FOUND);
  expect(await call(s, 'message:send', { ...ref, clientId: clientId(), body: 'a reply after removal' })).toEqual(NOT_FOUND);
  expect(await call(s, 'conversation:claim', ref)).toEqual(NOT_FOUND);
  expect(await call(s, 'conversation:resolve', ref)).toEqual(NOT_FOUND);
  const [row] = await db.select().from(conversations).where(eq(conversations.id, conversationId));
  expect(row).toMatchObject({ status: 'open', assignedAgentId: null, resolvedAt: null });
  const replies = await db.select().from(messages).where(and(eq(messages.conversationId, conversationId), eq(messages.author, 'agent')));
  expect(replies).toEqual([]);
}

const sessionIdOf = (cookie: string) => sha256(decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1)));

describe.each(BACKENDS)('an open agent socket on %s', (backend) => {
  let server: TestServer;
  let db: Db;
  let witness: AgentClientSocket;
  let n = 0;

  beforeAll(async () => {
    server = await startTestServer(backend);
    db = server.database.db;
    witness = await agentSocket(server.url, await login(server.url));
  });
  afterAll(() => server?.close());

  async function newAgent(role: 'admin' | 'agent', siteIds: string[]) {
    const email = `rights-${backend}-${n++}@test.local`;
    const agent = await createAgent(db, { email, password: PASSWORD, role, siteIds });
    const cookie = await login(server.url, email, PASSWORD);
    return { agent, cookie, socket: await agentSocket(server.url, cookie) };
  }

  it('removed from a site can no longer open, read, answer, claim or resolve its tickets, nor hear about them', async () => {
    const { agent, socket } = await newAgent('agent', ['demo']);
    const open = await ticket(server.url);
    await ok(socket, 'conversation:open', { conversationId: open.conversation.id });
    await ok(witness, 'conversation:open', { conversationId: open.conversation.id });
    expect(await seesDemo(socket)).toBe(true);

    await db.delete(agentSites).where(and(eq(agentSites.agentId, agent.id), eq(agentSites.siteId, 'demo')));
    await until(async () => !(await seesDemo(socket)), 'the removed agent’s queue drops the demo tickets');
    const heard = heardAboutDemo(socket, [open.conversation.id]);
    await expectNoAccess(db, socket, open.conversation.id);
    await demoActivity(server.url, witness, socket, open);
    expect(heard).toEqual([]);
    expect(socket.connected).toBe(true);
  });

  it('stops hearing about a site it lost without sending anything', async () => {
    const { agent, socket } = await newAgent('agent', ['demo']);
    const open = await ticket(server.url);
    await ok(socket, 'conversation:open', { conversationId: open.conversation.id });
    await ok(witness, 'conversation:open', { conversationId: open.conversation.id });
    const heardBefore = heardAboutDemo(socket, [open.conversation.id]);
    await demoActivity(server.url, witness, socket, open);
    expect(heardBefore.length).toBeGreaterThan(0);

    await db.delete(agentSites).where(eq(agentSites.agentId, agent.id));
    // Only the periodic check can notice: this socket sends nothing until the server says it left the room.
    const site = await server.app.io.of('/agent').in('site:demo').fetchSockets();
    expect(site.some((s) => s.data.auth.agent.id === agent.id)).toBe(true);
    await until(async () => {
      const left = await server.app.io.of('/agent').in('site:demo').fetchSockets();
      return !left.some((s) => s.data.auth.agent.id === agent.id);
    }, 'the socket leaves the demo room');
    const heard = heardAboutDemo(socket, [open.conversation.id]);
    await demoActivity(server.url, witness, socket, open);
    expect(heard).toEqual([]);
  });

  it('removed from a site stops hearing the messages of a ticket it is still assigned to there', async () => {
    const { agent, socket } = await newAgent('agent', ['demo']);
    const open = await ticket(server.url);
    await ok(socket, 'conversation:claim', { conversationId: open.conversation.id });
    const first = next<MessageDTO>(socket, 'message:created', (m) => m.body === 'while assigned');
    await ok(open.v, 'message:send', { clientId: clientId(), body: 'while assigned' });
    await first;

    await db.delete(agentSites).where(and(eq(agentSites.agentId, agent.id), eq(agentSites.siteId, 'demo')));
    await until(async () => !(await seesDemo(socket)), 'the removed agent’s queue drops the demo tickets');
    const heard = heardAboutDemo(socket, [open.conversation.id]);
    const witnessed = next<MessageDTO>(witness, 'message:created', (m) => m.body === 'after the removal');
    await ok(witness, 'conversation:open', { conversationId: open.conversation.id });
    await ok(open.v, 'message:send', { clientId: clientId(), body: 'after the removal' });
    await witnessed;
    await call(socket, 'queue:list', {});
    expect(heard).toEqual([]);
  });

  it('of a demoted admin loses the sites it saw only as an admin', async () => {
    const { agent, socket } = await newAgent('admin', []);
    const open = await ticket(server.url);
    await ok(socket, 'conversation:open', { conversationId: open.conversation.id });
    await ok(witness, 'conversation:open', { conversationId: open.conversation.id });

    await db.update(agents).set({ role: 'agent' }).where(eq(agents.id, agent.id));
    await until(async () => !(await seesDemo(socket)), 'the demoted admin’s queue drops the demo tickets');
    const heard = heardAboutDemo(socket, [open.conversation.id]);
    await expectNoAccess(db, socket, open.conversation.id);
    await demoActivity(server.url, witness, socket, open);
    expect(heard).toEqual([]);
  });

  it('added to a site starts hearing about it', async () => {
    const { agent, socket } = await newAgent('agent', []);
    expect(await seesDemo(socket)).toBe(false);
    await ticket(server.url);
    await db.insert(agentSites).values({ agentId: agent.id, siteId: 'demo' });
    await until(() => seesDemo(socket), 'the added agent’s queue shows the demo tickets');
    const fresh = next<ConversationDTO>(socket, 'conversation:updated', (c) => c.siteId === 'demo' && c.status === 'open');
    await ticket(server.url);
    await fresh;
  });

  it('is disconnected when its session expires, and cannot come back with it', async () => {
    const { cookie, socket } = await newAgent('agent', ['demo']);
    const closed = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    await db.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(sessions.id, sessionIdOf(cookie)));
    expect(await closed).toBe('io server disconnect');
    await expect(connected(agentOn(server.url, cookie))).rejects.toThrow('UNAUTHORIZED');
  });

  it('is disconnected when its agent is deleted', async () => {
    const { agent, socket } = await newAgent('agent', ['demo']);
    const closed = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    await db.delete(agents).where(eq(agents.id, agent.id));
    expect(await closed).toBe('io server disconnect');
  });
});

const REDIS_URL = process.env.TEST_REDIS_URL;


describe.skipIf(!REDIS_URL).each(BACKENDS)('an open agent socket on another node, through Redis, on %s', (backend) => {
  let cluster: TwoNodes;
  beforeAll(async () => {
    cluster = await twoNodes(backend, REDIS_URL!);
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await cluster?.close();
  });

  it('removed from a site on one node loses it on the node it is connected to', async () => {
    const [a, b] = cluster.nodes;
    const db = cluster.database.db;
    const agent = await createAgent(db, { email: `far-${backend}@test.local`, password: PASSWORD, siteIds: ['demo'] });
    const old = await agentSocket(b.url, await login(a.url, agent.email, PASSWORD));
    const witness = await agentSocket(a.url, await login(a.url));
    const open = await ticket(a.url);
    await ok(old, 'conversation:open', { conversationId: open.conversation.id });
    await ok(witness, 'conversation:open', { conversationId: open.conversation.id });

    await db.delete(agentSites).where(eq(agentSites.agentId, agent.id));
    await until(async () => !(await seesDemo(old)), 'the queue on node B drops the demo tickets');
    const heard = heardAboutDemo(old, [open.conversation.id]);
    await expectNoAccess(db, old, open.conversation.id);
    await demoActivity(a.url, witness, old, open);
    expect(heard).toEqual([]);
  });
});

describe.skipIf(!REDIS_URL).each(BACKENDS)('a rights change pushed from one node, through Redis, on %s', (backend) => {
  let cluster: TwoNodes;
  beforeAll(async () => {
    // Neither the periodic check nor the check on use may notice: only the push can.
    Object.assign(RIGHTS, { maxAgeMs: 3600_000, checkEveryMs: 3600_000 });
    cluster = await twoNodes(backend, REDIS_URL!);
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await cluster?.close();
  });
  afterEach(() => Object.assign(RIGHTS, DEFAULT_RIGHTS));

  it('reaches the agent’s socket on the other node at once', async () => {
    const [a, b] = cluster.nodes;
    const db = cluster.database.db;
    const agent = await createAgent(db, { email: `pushed-${backend}@test.local`, password: PASSWORD, siteIds: ['demo'] });
    const old = await agentSocket(b.url, await login(a.url, agent.email, PASSWORD));
    const open = await ticket(a.url);
    expect(await seesDemo(old)).toBe(true);
    await db.delete(agentSites).where(eq(agentSites.agentId, agent.id));
    expect(await seesDemo(old)).toBe(true); // nothing has told node B yet
    await pushAgentRights(a.app.ctx, agent.id);
    await until(async () => !(await seesDemo(old)), 'node B applies the pushed change');
    expect(await call(old, 'conversation:open', { conversationId: open.conversation.id })).toEqual(NOT_FOUND);
  });
});
