/**
 * Nothing missed: each side sees the other typing and reading. Typing is a boolean that reaches only the
 * other side of the conversation (never the draft, never stored); a read mark is stored per side, pushed
 * to the participants only, and there after a reload. Both travel by room, so across nodes too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Socket } from 'socket.io-client';
import type { ConversationDTO, MessageDTO, ReadReceiptDTO, SessionDTO, TypingDTO } from '../../shared/types.ts';
import { conversations, sites } from '../../server/db/schema.ts';
import { LIMITS } from '../../server/limits.ts';
import { twoNodes, type TwoNodes } from '../support/cluster.ts';
import { BACKENDS } from '../support/db.ts';
import { addAgent, agentSocket, call, clientId, connected, login, next, ok, startTestServer, visitorSocket, type AgentClientSocket, type TestServer } from '../support/server.ts';

const UNKNOWN = 'My certificate shows the wrong spelling of my grandmother’s village, can a person fix it?';

/** Everything a socket hears of these events, to show afterwards that something never came. */
function record(s: Socket, ...events: string[]): unknown[] {
  const heard: unknown[] = [];
  for (const event of events) s.on(event, (payload: unknown) => heard.push({ event, payload }));
  return heard;
}

/**
 * A round trip of the socket's own after a push reached a participant on the same node: had that push
 * been sent to this socket too, it would have arrived before this answer (one connection keeps order).
 */
const settle = (s: Socket, event = 'messages:sync', payload: unknown = {}) => call(s, event, payload);

async function readMarks(server: { database: { db: TestServer['database']['db'] } }, id: string) {
  const [row] = await server.database.db
    .select({ visitor: conversations.visitorReadSeq, agent: conversations.agentReadSeq })
    .from(conversations)
    .where(eq(conversations.id, id));
  return row;
}

describe.each(BACKENDS)('typing and read receipts on %s', (backend) => {
  let server: TestServer;
  /** The admin: claims and answers every ticket here. */
  let agent: AgentClientSocket;
  /** Another agent of the same site, with nothing open: hears neither typing nor receipts. */
  let bystander: AgentClientSocket;
  /** An agent of another site only. */
  let outsider: AgentClientSocket;
  beforeAll(async () => {
    server = await startTestServer(backend);
    agent = agentSocket(server.url, await login(server.url));
    bystander = agentSocket(server.url, await addAgent(server, 'bystander@test.local'));
    await server.database.db.insert(sites).values({ id: 'other', name: 'Other', origins: [], secret: 'other-site-secret-0123456789abcdef' }).onConflictDoNothing();
    outsider = agentSocket(server.url, await addAgent(server, 'outsider@test.local', ['other']));
    await Promise.all([agent, bystander, outsider].map(connected));
  });
  afterAll(() => server?.close());

  /** A visitor with a ticket the admin claimed and has open. */
  async function ticket() {
    const v = visitorSocket(server.url);
    await connected(v);
    const session = await ok<SessionDTO>(v, 'session:hello', { locale: 'en' });
    const sent = await ok<{ conversation: ConversationDTO }>(v, 'message:send', { clientId: clientId(), body: UNKNOWN });
    const id = sent.conversation.id;
    await ok(agent, 'conversation:claim', { conversationId: id });
    await ok(agent, 'conversation:open', { conversationId: id });
    return { v, id, token: session.token! };
  }

  it('shows the visitor typing to the agent who has the conversation open, and the agent typing to the visitor, and nobody else', async () => {
    const { v, id } = await ticket();
    const other = visitorSocket(server.url);
    await connected(other);
    await ok(other, 'session:hello', { locale: 'en' });
    const heardByBystander = record(bystander, 'typing');
    const heardByOther = record(other, 'typing');

    const seen = next<TypingDTO>(agent, 'typing');
    expect(await ok(v, 'typing', { conversationId: id, typing: true })).toEqual({});
    expect(await seen).toEqual({ conversationId: id, typing: true });
    const stopped = next<TypingDTO>(agent, 'typing');
    await ok(v, 'typing', { conversationId: id, typing: false });
    expect(await stopped).toEqual({ conversationId: id, typing: false });

    const agentTyping = next<TypingDTO>(v, 'typing');
    await ok(agent, 'typing', { conversationId: id, typing: true });
    expect(await agentTyping).toEqual({ conversationId: id, typing: true });

    await settle(bystander, 'queue:list');
    await settle(other, 'feedback:list');
    expect(heardByBystander).toEqual([]);
    expect(heardByOther).toEqual([]);
  });

  it('never carries the draft, and refuses typing where the sender has no say', async () => {
    const { v, id } = await ticket();
    const heard = record(agent, 'typing');
    for (const bad of [
      { conversationId: id, typing: true, body: 'my card number is 4111 1111 1111 1111' },
      { conversationId: id, typing: true, text: 'draft' },
      { conversationId: id, typing: 'yes' },
      { conversationId: 'not-a-uuid', typing: true },
    ]) {
      const res = await call(v, 'typing', bad);
      expect(!res.ok && res.error.code).toBe('INVALID_PAYLOAD');
    }
    const stranger = visitorSocket(server.url);
    await connected(stranger);
    await ok(stranger, 'session:hello', { locale: 'en' });
    const foreign = await call(stranger, 'typing', { conversationId: id, typing: true });
    expect(!foreign.ok && foreign.error.code).toBe('NOT_FOUND');
    const notMine = await call(bystander, 'typing', { conversationId: id, typing: true });
    expect(!notMine.ok && notMine.error.code).toBe('ALREADY_CLAIMED');
    const otherSite = await call(outsider, 'typing', { conversationId: id, typing: true });
    expect(!otherSite.ok && otherSite.error.code).toBe('NOT_FOUND');
    await settle(agent, 'queue:list');
    expect(heard).toEqual([]);
  });

  it('limits typing per socket like every other event: past the bucket it is refused and nobody hears it', async () => {
    const { v, id } = await ticket();
    const heard = record(agent, 'typing');
    const saved = LIMITS.widgetEventsPerSocket;
    LIMITS.widgetEventsPerSocket = { limit: 3, windowMs: 60_000 };
    try {
      const answers = await Promise.all(Array.from({ length: 8 }, () => call(v, 'typing', { conversationId: id, typing: true })));
      const accepted = answers.filter((a) => a.ok).length;
      expect(accepted).toBeGreaterThan(0);
      expect(accepted).toBeLessThanOrEqual(3);
      expect(answers.filter((a) => !a.ok).every((a) => !a.ok && a.error.code === 'RATE_LIMITED')).toBe(true);
      await settle(agent, 'queue:list');
      expect(heard).toHaveLength(accepted);
    } finally {
      LIMITS.widgetEventsPerSocket = saved;
    }
  });

  it('stores each side’s read mark, pushes it to the other side only, and shows it after a reload', async () => {
    const { v, id, token } = await ticket();
    const reply = next<MessageDTO>(v, 'message:created', (m) => m.author === 'agent');
    const sent = await ok<{ message: MessageDTO }>(agent, 'message:send', { conversationId: id, clientId: clientId(), body: 'Fixed, it reads correctly now.' });
    await reply;
    const heardByBystander = record(bystander, 'conversation:read');
    const heardByOutsider = record(outsider, 'conversation:read');

    // The agent has read up to their own reply: the visitor's tabs hear it.
    const agentRead = next<ReadReceiptDTO>(v, 'conversation:read');
    expect(await ok(agent, 'conversation:read', { conversationId: id, seq: sent.message.seq })).toEqual({ readSeq: sent.message.seq });
    expect(await agentRead).toEqual({ conversationId: id, reader: 'agent', seq: sent.message.seq });

    // The visitor reads the reply: the agent who has it open hears it.
    const visitorRead = next<ReadReceiptDTO>(agent, 'conversation:read');
    expect(await ok(v, 'conversation:read', { conversationId: id, seq: sent.message.seq })).toEqual({ readSeq: sent.message.seq });
    expect(await visitorRead).toEqual({ conversationId: id, reader: 'visitor', seq: sent.message.seq });
    expect(await readMarks(server, id)).toEqual({ visitor: sent.message.seq, agent: sent.message.seq });

    // A read that moves nothing is answered with the mark and pushed to nobody; the mark never goes back.
    expect(await ok(agent, 'conversation:read', { conversationId: id, seq: 1 })).toEqual({ readSeq: sent.message.seq });

    await settle(bystander, 'queue:list');
    await settle(outsider, 'queue:list');
    expect(heardByBystander).toEqual([]);
    expect(heardByOutsider).toEqual([]);

    // A reload: the widget's session and the console's conversation carry both marks.
    v.disconnect();
    const again = visitorSocket(server.url, { token });
    await connected(again);
    const session = await ok<SessionDTO>(again, 'session:hello', { locale: 'en' });
    expect(session.conversation).toMatchObject({ id, agentReadSeq: sent.message.seq, visitorReadSeq: sent.message.seq });
    const opened = await ok<{ conversation: ConversationDTO }>(bystander, 'conversation:open', { conversationId: id });
    expect(opened.conversation).toMatchObject({ agentReadSeq: sent.message.seq, visitorReadSeq: sent.message.seq });
    await ok(bystander, 'conversation:close', { conversationId: id });
  });

  it('answers a bad read with an error code and changes nothing', async () => {
    const { v, id } = await ticket();
    const before = await readMarks(server, id);
    for (const bad of [{ conversationId: id, seq: -1 }, { conversationId: id, seq: 1.5 }, { conversationId: id }, { seq: 1 }, 'read']) {
      const res = await call(agent, 'conversation:read', bad);
      expect(!res.ok && res.error.code).toBe('INVALID_PAYLOAD');
      const mine = await call(v, 'conversation:read', bad);
      expect(!mine.ok && mine.error.code).toBe('INVALID_PAYLOAD');
    }
    const otherSite = await call(outsider, 'conversation:read', { conversationId: id, seq: 1 });
    expect(!otherSite.ok && otherSite.error.code).toBe('NOT_FOUND');
    const stranger = visitorSocket(server.url);
    await connected(stranger);
    await ok(stranger, 'session:hello', { locale: 'en' });
    const foreign = await call(stranger, 'conversation:read', { conversationId: id, seq: 1 });
    expect(!foreign.ok && foreign.error.code).toBe('NOT_FOUND');
    expect(await readMarks(server, id)).toEqual(before);
  });
});

const REDIS = process.env.TEST_REDIS_URL;

describe.skipIf(!REDIS || !process.env.TEST_DATABASE_URL)('typing and read receipts across two nodes', () => {
  let cluster: TwoNodes;
  beforeAll(async () => {
    cluster = await twoNodes('postgres', REDIS!);
  });
  afterAll(() => cluster?.close());

  it('reach the agent on one node from the visitor on the other, and back', async () => {
    const [n0, n1] = cluster.nodes;
    const v = visitorSocket(n0.url);
    const agent = agentSocket(n1.url, await login(n1.url));
    await Promise.all([connected(v), connected(agent)]);
    await ok(v, 'session:hello', { locale: 'en' });
    const { conversation } = await ok<{ conversation: ConversationDTO }>(v, 'message:send', { clientId: clientId(), body: UNKNOWN });
    const id = conversation.id;
    await ok(agent, 'conversation:claim', { conversationId: id });
    await ok(agent, 'conversation:open', { conversationId: id });

    const typing = next<TypingDTO>(agent, 'typing');
    await ok(v, 'typing', { conversationId: id, typing: true });
    expect(await typing).toEqual({ conversationId: id, typing: true });
    const agentTyping = next<TypingDTO>(v, 'typing');
    await ok(agent, 'typing', { conversationId: id, typing: true });
    expect(await agentTyping).toEqual({ conversationId: id, typing: true });

    // Past the last message: the mark stops at the last one.
    const read = next<ReadReceiptDTO>(v, 'conversation:read');
    const { readSeq } = await ok<{ readSeq: number }>(agent, 'conversation:read', { conversationId: id, seq: 100 });
    expect(readSeq).toBeGreaterThanOrEqual(conversation.lastSeq);
    expect(await read).toEqual({ conversationId: id, reader: 'agent', seq: readSeq });
    const seen = next<ReadReceiptDTO>(agent, 'conversation:read');
    await ok(v, 'conversation:read', { conversationId: id, seq: 100 });
    expect(await seen).toEqual({ conversationId: id, reader: 'visitor', seq: readSeq });
    v.disconnect();
    agent.disconnect();
  });
});
