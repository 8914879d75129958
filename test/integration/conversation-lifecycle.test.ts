import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationDTO, MessageDTO, SessionDTO } from '../../shared/types.ts';
import { conversations } from '../../server/db/schema.ts';
import { wakeSnoozed } from '../../server/conversations/lifecycle.service.ts';
import { BACKENDS } from '../support/db.ts';
import {
  addAgent,
  agentSocket,
  api,
  call,
  clientId,
  connected,
  login,
  next,
  ok,
  startTestServer,
  visitorSocket,
  type AgentClientSocket,
  type TestServer,
  type VisitorSocket,
} from '../support/server.ts';

const QUESTION = 'My certificate shows the wrong spelling of my grandmother’s village, can a person fix it?';

describe.each(BACKENDS)('the conversation lifecycle on %s', (backend) => {
  let server: TestServer;
  let n = 0;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(() => server?.close());

  async function newAgent(siteIds = ['demo']): Promise<{ socket: AgentClientSocket; cookie: string; id: string }> {
    const cookie = await addAgent(server, `life-${backend}-${n++}@test.local`, siteIds);
    const socket = agentSocket(server.url, cookie);
    await connected(socket);
    const me = await api(server.url, cookie, 'GET', '/api/auth/me');
    return { socket, cookie, id: (me.body as any).data.id };
  }

  async function visitor(token?: string): Promise<{ v: VisitorSocket; session: SessionDTO }> {
    const v = visitorSocket(server.url, { token });
    await connected(v);
    return { v, session: await ok<SessionDTO>(v, 'session:hello', { locale: 'en' }) };
  }

  /** A visitor whose question waits for a person, claimed by `agent`. */
  async function ticket(agent: AgentClientSocket) {
    const { v, session } = await visitor();
    let conv = (await ok(v, 'message:send', { clientId: clientId(), body: QUESTION })).conversation as ConversationDTO;
    if (conv.status === 'bot') conv = (await ok(v, 'conversation:escalate', { conversationId: conv.id })).conversation;
    conv = await ok<ConversationDTO>(agent, 'conversation:claim', { conversationId: conv.id });
    return { v, token: session.token!, conv };
  }

  const setResolvedAt = (id: string, at: Date) => server.database.db.update(conversations).set({ resolvedAt: at }).where(eq(conversations.id, id));

  it('lets an agent reopen a resolved ticket, which becomes theirs again, and refuses bad input changing nothing', async () => {
    const a = await newAgent();
    const { conv, v } = await ticket(a.socket);
    await ok(a.socket, 'conversation:resolve', { conversationId: conv.id });
    const told = next<ConversationDTO>(v, 'conversation:updated', (c) => c.status === 'open');
    const reopened = await ok<ConversationDTO>(a.socket, 'conversation:reopen', { conversationId: conv.id });
    expect(reopened).toMatchObject({ id: conv.id, status: 'open', assignedAgentId: a.id, resolvedAt: null });
    expect(reopened.reopenedAt).toBeTruthy();
    expect((await told).id).toBe(conv.id);
    // Not resolved: comes back as it is.
    expect((await ok<ConversationDTO>(a.socket, 'conversation:reopen', { conversationId: conv.id })).reopenedAt).toBe(reopened.reopenedAt);

    const bad = await call(a.socket, 'conversation:reopen', { conversationId: 'not-a-uuid' });
    expect(!bad.ok && bad.error.code).toBe('INVALID_PAYLOAD');
    const stranger = await newAgent([]);
    await ok(a.socket, 'conversation:resolve', { conversationId: conv.id });
    const refused = await call(stranger.socket, 'conversation:reopen', { conversationId: conv.id });
    expect(!refused.ok && refused.error.code).toBe('NOT_FOUND');
    const [row] = await server.database.db.select().from(conversations).where(eq(conversations.id, conv.id));
    expect(row.status).toBe('resolved');
  });

  it('reopens the same ticket when the visitor writes within the window, offered first to the agent who had it', async () => {
    const a = await newAgent();
    const { conv, v } = await ticket(a.socket);
    await ok(a.socket, 'conversation:resolve', { conversationId: conv.id });
    const back = next<ConversationDTO>(a.socket, 'conversation:updated', (c) => c.id === conv.id && c.status === 'open');
    const heard = next<MessageDTO>(a.socket, 'message:created', (m) => m.conversationId === conv.id && m.author === 'visitor');
    const sent = await ok(v, 'message:send', { clientId: clientId(), body: 'It happened again, sorry.' });
    expect(sent.conversation).toMatchObject({ id: conv.id, status: 'open', assignedAgentId: a.id, resolvedAt: null });
    expect(sent.conversation.reopenedAt).toBeTruthy();
    expect((await back).assignedAgentId).toBe(a.id);
    expect((await heard).body).toBe('It happened again, sorry.');
    const queue = await ok(a.socket, 'queue:list', {});
    expect(queue.mine.map((c: ConversationDTO) => c.id)).toContain(conv.id);
  });

  it('puts a reopened ticket in the waiting queue when its agent is not at the desk', async () => {
    const a = await newAgent();
    const watcher = await newAgent();
    const { conv, v } = await ticket(a.socket);
    await ok(a.socket, 'conversation:resolve', { conversationId: conv.id });
    a.socket.disconnect();
    await new Promise((r) => setTimeout(r, 100));
    const waiting = next<ConversationDTO>(watcher.socket, 'conversation:updated', (c) => c.id === conv.id && c.status === 'open');
    const sent = await ok(v, 'message:send', { clientId: clientId(), body: 'Still wrong on the second page.' });
    expect(sent.conversation).toMatchObject({ id: conv.id, status: 'open', assignedAgentId: null });
    expect((await waiting).assignedAgentId).toBeNull();
  });

  it('refuses a visitor’s 21st new conversation in an hour with RATE_LIMITED, storing nothing, and still takes their messages in an open one', async () => {
    const { v } = await visitor();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const sent = await ok(v, 'message:send', { clientId: clientId(), body: `Question number ${i} about my course certificate` });
      ids.push(sent.conversation.id);
      await server.database.db.update(conversations).set({ status: 'resolved', resolvedAt: new Date() }).where(eq(conversations.id, sent.conversation.id));
    }
    expect(new Set(ids).size).toBe(20);
    const cid = clientId();
    const refused = await call(v, 'message:send', { clientId: cid, body: 'One more question' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    const rows = await server.database.db.select().from(conversations).where(eq(conversations.visitorId, (await ok<SessionDTO>(v, 'session:hello', {})).visitorId));
    expect(rows).toHaveLength(20);
    // A conversation that is open again is no new one: the limit does not apply to it.
    await server.database.db.update(conversations).set({ status: 'bot', resolvedAt: null }).where(eq(conversations.id, ids[19]));
    const sent = await ok(v, 'message:send', { clientId: cid, body: 'One more question' });
    expect(sent.conversation.id).toBe(ids[19]);
  });

  it('starts a new ticket linked to the earlier one when the visitor writes after the window', async () => {
    const a = await newAgent();
    const { conv, v } = await ticket(a.socket);
    await ok(a.socket, 'conversation:resolve', { conversationId: conv.id });
    await setResolvedAt(conv.id, new Date(Date.now() - 8 * 86400_000));
    const sent = await ok(v, 'message:send', { clientId: clientId(), body: QUESTION });
    expect(sent.conversation.id).not.toBe(conv.id);
    expect(sent.conversation.previousConversationId).toBe(conv.id);
    const [old] = await server.database.db.select().from(conversations).where(eq(conversations.id, conv.id));
    expect(old.status).toBe('resolved');
  });

  it('never lets a private note reach the visitor: no event, not in sync, hello, history or export', async () => {
    const a = await newAgent();
    const { conv, v, token } = await ticket(a.socket);
    const seen: unknown[] = [];
    v.onAny((event, ...args) => seen.push([event, ...args]));
    await ok(a.socket, 'conversation:open', { conversationId: conv.id });
    const secret1 = 'NOTE-ONE refund was already approved by finance';
    const secret2 = 'NOTE-TWO visitor seems upset, be gentle';
    const note1 = (await ok(a.socket, 'note:add', { conversationId: conv.id, clientId: clientId(), body: secret1 })).message as MessageDTO;
    const note2 = (await ok(a.socket, 'message:send', { conversationId: conv.id, clientId: clientId(), body: secret2, internal: true })).message as MessageDTO;
    expect(note1).toMatchObject({ kind: 'note', author: 'agent' });
    expect(note2).toMatchObject({ kind: 'note', author: 'agent' });
    // A reply after the notes does reach the visitor, so the socket was listening.
    const reply = next<MessageDTO>(v, 'message:created', (m) => m.body === 'A reply the visitor sees');
    await ok(a.socket, 'message:send', { conversationId: conv.id, clientId: clientId(), body: 'A reply the visitor sees' });
    await reply;
    const wire = JSON.stringify(seen);
    expect(wire).not.toContain('NOTE-ONE');
    expect(wire).not.toContain('NOTE-TWO');
    expect(wire).not.toContain('"note"');

    const synced = await ok<MessageDTO[]>(v, 'messages:sync', { conversationId: conv.id, afterSeq: 0 });
    expect(synced.some((m) => m.kind === 'note')).toBe(false);
    expect(synced.some((m) => m.body === 'A reply the visitor sees')).toBe(true);
    const again = await visitor(token);
    expect(JSON.stringify(again.session)).not.toContain('NOTE-');
    await ok(a.socket, 'note:add', { conversationId: conv.id, clientId: clientId(), body: 'NOTE-THREE last word' });
    const list = await ok(again.v, 'conversations:list', {});
    expect(JSON.stringify(list)).not.toContain('NOTE-');
    expect(list.items.find((c: any) => c.id === conv.id).unread).toBe(1);

    const admin = await login(server.url);
    const exported = await api(server.url, admin, 'GET', `/api/visitors/${conv.visitorId}/export`);
    expect(exported.status).toBe(200);
    expect(JSON.stringify(exported.body)).not.toContain('NOTE-');

    // Agents see the notes, in order, and the ticket still waits for the visitor's turn as before.
    const forAgent = await ok<MessageDTO[]>(a.socket, 'messages:sync', { conversationId: conv.id, afterSeq: 0 });
    expect(forAgent.filter((m) => m.kind === 'note').map((m) => m.body)).toEqual([secret1, secret2, 'NOTE-THREE last word']);
    const badNote = await call(a.socket, 'note:add', { conversationId: conv.id, clientId: clientId(), body: '   ' });
    expect(!badNote.ok && badNote.error.code).toBe('INVALID_PAYLOAD');
  });

  it('transfers a ticket to another agent of the site with a note, or back to the queue, and refuses an agent without the site', async () => {
    const a = await newAgent();
    const b = await newAgent();
    const outsider = await newAgent([]);
    const { conv, v } = await ticket(a.socket);
    const seen: unknown[] = [];
    v.onAny((event, ...args) => seen.push([event, ...args]));

    const refused = await call(a.socket, 'conversation:transfer', { conversationId: conv.id, agentId: outsider.id, note: 'NOTE-X' });
    expect(!refused.ok && refused.error.code).toBe('AGENT_NOT_ON_SITE');
    const bad = await call(a.socket, 'conversation:transfer', { conversationId: conv.id, agentId: 'nobody' });
    expect(!bad.ok && bad.error.code).toBe('INVALID_PAYLOAD');
    const [unchanged] = await server.database.db.select().from(conversations).where(eq(conversations.id, conv.id));
    expect(unchanged.assignedAgentId).toBe(a.id);

    const toB = next<ConversationDTO>(b.socket, 'conversation:updated', (c) => c.id === conv.id && c.assignedAgentId === b.id);
    const noteForB = next<MessageDTO>(b.socket, 'message:created', (m) => m.conversationId === conv.id && m.kind === 'note');
    const moved = await ok<ConversationDTO>(a.socket, 'conversation:transfer', { conversationId: conv.id, agentId: b.id, note: 'NOTE-TRANSFER wants a refund' });
    expect(moved.assignedAgentId).toBe(b.id);
    await toB;
    expect(await noteForB).toMatchObject({ body: 'NOTE-TRANSFER wants a refund', meta: { transfer: { toName: expect.any(String) } } });
    // The former agent can no longer act on it; the new one can reply.
    const notMine = await call(a.socket, 'conversation:resolve', { conversationId: conv.id });
    expect(!notMine.ok && notMine.error.code).toBe('ALREADY_CLAIMED');
    await ok(b.socket, 'message:send', { conversationId: conv.id, clientId: clientId(), body: 'Hello, I take it from here.' });

    const waiting = next<ConversationDTO>(a.socket, 'conversation:updated', (c) => c.id === conv.id && c.assignedAgentId === null);
    const queued = await ok<ConversationDTO>(b.socket, 'conversation:transfer', { conversationId: conv.id, agentId: null });
    expect(queued).toMatchObject({ status: 'open', assignedAgentId: null });
    await waiting;
    expect(JSON.stringify(seen)).not.toContain('NOTE-');
  });

  it('snoozes a ticket until a time, then puts it back; the visitor writing wakes it at once', async () => {
    const a = await newAgent();
    const { conv, v } = await ticket(a.socket);
    const past = await call(a.socket, 'conversation:snooze', { conversationId: conv.id, until: new Date(Date.now() - 60_000).toISOString() });
    expect(!past.ok && past.error.code).toBe('INVALID_TIME');
    const far = await call(a.socket, 'conversation:snooze', { conversationId: conv.id, until: new Date(Date.now() + 100 * 86400_000).toISOString() });
    expect(!far.ok && far.error.code).toBe('INVALID_TIME');
    const garbage = await call(a.socket, 'conversation:snooze', { conversationId: conv.id, until: 'tomorrow' });
    expect(!garbage.ok && garbage.error.code).toBe('INVALID_PAYLOAD');

    const until = new Date(Date.now() + 3600_000).toISOString();
    const snoozed = await ok<ConversationDTO>(a.socket, 'conversation:snooze', { conversationId: conv.id, until });
    expect(snoozed).toMatchObject({ status: 'snoozed', assignedAgentId: a.id });
    expect(Date.parse(snoozed.snoozedUntil!)).toBe(Date.parse(until));
    expect((await ok(a.socket, 'queue:list', {})).mine.find((c: ConversationDTO) => c.id === conv.id)?.status).toBe('snoozed');

    // The visitor writes: back at once.
    const sent = await ok(v, 'message:send', { clientId: clientId(), body: 'Any news?' });
    expect(sent.conversation).toMatchObject({ id: conv.id, status: 'open', assignedAgentId: a.id, snoozedUntil: null });

    // Its time comes: the periodic job wakes it, once, and tells the agent.
    await ok(a.socket, 'conversation:snooze', { conversationId: conv.id, until });
    await server.database.db.update(conversations).set({ snoozedUntil: new Date(Date.now() - 1000) }).where(eq(conversations.id, conv.id));
    const woke = next<ConversationDTO>(a.socket, 'conversation:updated', (c) => c.id === conv.id && c.status === 'open');
    const [first, second] = await Promise.all([wakeSnoozed(server.app.ctx), wakeSnoozed(server.app.ctx)]);
    expect(first + second).toBeGreaterThanOrEqual(1);
    expect((await woke).assignedAgentId).toBe(a.id);
    expect(await wakeSnoozed(server.app.ctx)).toBe(0);
  });
});
