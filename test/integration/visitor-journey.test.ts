/**
 * Never losing the visitor: every past conversation stays listed and readable after a new one starts,
 * the launcher learns of unread replies over plain HTTP, the satisfaction survey is taken once per
 * ticket (and refused when the site turned it off), and FAQ entries are suggested while typing, with
 * an answer chosen there recorded as an automatic answer of the 'typing' channel and no ticket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { ConversationDTO, ConversationSummaryDTO, MessageDTO, SessionDTO } from '../../shared/types.ts';
import { conversations, questions, sites } from '../../server/db/schema.ts';
import { LIMITS } from '../../server/limits.ts';
import { BACKENDS } from '../support/db.ts';
import { agentSocket, call, clientId, connected, login, next, ok, startTestServer, visitorSocket, type AgentClientSocket, type TestServer } from '../support/server.ts';

const UNKNOWN = 'My certificate shows the wrong spelling of my grandmother’s village, can a person fix it?';

describe.each(BACKENDS)('the visitor over time on %s', (backend) => {
  let server: TestServer;
  let agent: AgentClientSocket;
  beforeAll(async () => {
    server = await startTestServer(backend);
    agent = agentSocket(server.url, await login(server.url));
    await connected(agent);
  });
  afterAll(() => server?.close());

  async function newVisitor(token?: string) {
    const v = visitorSocket(server.url, { token });
    await connected(v);
    const session = await ok<SessionDTO>(v, 'session:hello', { locale: 'en' });
    return { v, session, token: token ?? session.token! };
  }

  /** A ticket: the visitor asks what the FAQ does not know, the agent claims it and replies. */
  async function ticket(v: ReturnType<typeof visitorSocket>, question = UNKNOWN, reply = 'Fixed: it now reads correctly.') {
    const sent = await ok(v, 'message:send', { clientId: clientId(), body: question });
    const id: string = sent.conversation.id;
    await ok(agent, 'conversation:claim', { conversationId: id });
    const seen = next<MessageDTO>(v, 'message:created', (m) => m.author === 'agent' && m.body === reply);
    await ok(agent, 'message:send', { conversationId: id, clientId: clientId(), body: reply });
    await seen;
    return id;
  }

  const unread = async (token: string, site = 'demo') => {
    const res = await fetch(`${server.url}/api/widget/unread?site=${site}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: token });
    return { status: res.status, cors: res.headers.get('access-control-allow-origin'), body: (await res.json()) as { ok: boolean; data?: { unread: number } } };
  };

  it('lists every conversation newest first, and an earlier answer stays readable after a new question', async () => {
    const { v } = await newVisitor();
    const first = await ticket(v, UNKNOWN, 'The first answer, about the certificate.');
    await ok(agent, 'conversation:resolve', { conversationId: first });
    // Past the site's reopen window (within it, writing again reopens the same ticket: conversation-lifecycle.test.ts).
    await server.database.db.update(conversations).set({ resolvedAt: new Date(Date.now() - 8 * 86400_000) }).where(eq(conversations.id, first));
    const second = await ok(v, 'message:send', { clientId: clientId(), body: 'Another question nobody in the FAQ can answer: my cat walked on the keyboard' });
    expect(second.conversation.id).not.toBe(first);
    expect(second.conversation.previousConversationId).toBe(first);

    const page = await ok<{ items: ConversationSummaryDTO[]; more: boolean }>(v, 'conversations:list', {});
    expect(page.items.map((c) => c.id)).toEqual([second.conversation.id, first]);
    expect(page.more).toBe(false);
    expect(page.items[1]).toMatchObject({ status: 'resolved', rated: false });
    // The last message is what was said, not the "resolved" notice.
    expect(page.items[1].lastMessage).toMatchObject({ author: 'agent', body: 'The first answer, about the certificate.', authorName: expect.any(String) });

    const old = await ok<MessageDTO[]>(v, 'messages:sync', { conversationId: first, afterSeq: 0 });
    expect(old.map((m) => m.body)).toContain('The first answer, about the certificate.');
  });

  it('pages through a long history without skipping or repeating, and shows no one else’s', async () => {
    const { v, session } = await newVisitor();
    // More than a visitor may open in an hour, written straight to the database; two share a millisecond.
    const base = Date.parse('2026-01-01T00:00:00Z');
    const rows = Array.from({ length: 23 }, (_, i) => ({
      siteId: 'demo',
      visitorId: session.visitorId,
      status: 'resolved' as const,
      createdAt: new Date(base + Math.min(i, 21) * 60_000),
      updatedAt: new Date(base + i * 60_000),
    }));
    const inserted = await server.database.db.insert(conversations).values(rows).returning({ id: conversations.id, createdAt: conversations.createdAt });
    const ids = inserted.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (b.id < a.id ? -1 : 1)).map((c) => c.id);
    const first = await ok<{ items: ConversationSummaryDTO[]; more: boolean }>(v, 'conversations:list', {});
    expect(first.items).toHaveLength(20);
    expect(first.more).toBe(true);
    const last = first.items.at(-1)!;
    const second = await ok<{ items: ConversationSummaryDTO[]; more: boolean }>(v, 'conversations:list', { before: { createdAt: last.createdAt, id: last.id } });
    expect([...first.items, ...second.items].map((c) => c.id)).toEqual(ids);
    expect(second.more).toBe(false);

    const { v: stranger } = await newVisitor();
    expect((await ok(stranger, 'conversations:list', {})).items).toEqual([]);
    const peek = await call(stranger, 'messages:sync', { conversationId: ids[0], afterSeq: 0 });
    expect(!peek.ok && peek.error.code).toBe('NOT_FOUND');
    const bad = await call(v, 'conversations:list', { before: { createdAt: 'yesterday', id: ids[0] } });
    expect(!bad.ok && bad.error.code).toBe('INVALID_PAYLOAD');
  });

  it('counts unread agent replies for the launcher over HTTP until the visitor reads them', async () => {
    const { v, token } = await newVisitor();
    expect((await unread(token)).body).toEqual({ ok: true, data: { unread: 0 } });
    const id = await ticket(v);
    const before = await unread(token);
    expect(before.cors).toBe('*');
    expect(before.body.data?.unread).toBe(1);
    const history = await ok<{ items: ConversationSummaryDTO[] }>(v, 'conversations:list', {});
    expect(history.items[0].unread).toBe(1);

    const conv = (await ok<SessionDTO>(v, 'session:hello', {})).conversation!;
    expect(await ok(v, 'conversation:read', { conversationId: id, seq: conv.lastSeq })).toEqual({ readSeq: conv.lastSeq });
    expect((await unread(token)).body.data?.unread).toBe(0);
    // Never back, never past the last message.
    expect(await ok(v, 'conversation:read', { conversationId: id, seq: 1 })).toEqual({ readSeq: conv.lastSeq });
    expect(await ok(v, 'conversation:read', { conversationId: id, seq: 100_000 })).toEqual({ readSeq: conv.lastSeq });

    // Someone else's token, conversation or site: nothing to learn.
    const { v: stranger, token: strangerToken } = await newVisitor();
    const res = await call(stranger, 'conversation:read', { conversationId: id, seq: 1 });
    expect(!res.ok && res.error.code).toBe('NOT_FOUND');
    expect((await unread('x'.repeat(43))).body.data?.unread).toBe(0);
    expect((await unread(strangerToken)).body.data?.unread).toBe(0);
    expect((await unread(token, 'no-such-site')).status).toBe(404);
  });

  it('takes one satisfaction rating per resolved ticket, with a comment, and shows it to the agent', async () => {
    const { v } = await newVisitor();
    const id = await ticket(v);
    const early = await call(v, 'csat:submit', { conversationId: id, rating: 5 });
    expect(!early.ok && early.error.code).toBe('CONFLICT');
    await ok(agent, 'conversation:open', { conversationId: id });
    await ok(agent, 'conversation:resolve', { conversationId: id });

    const toAgent = next<ConversationDTO>(agent, 'conversation:updated', (c) => c.id === id && !!c.csat);
    const [a, b] = await Promise.all([
      call<{ conversation: ConversationDTO }>(v, 'csat:submit', { conversationId: id, rating: 4, comment: '  Quick and kind.  ' }),
      call<{ conversation: ConversationDTO }>(v, 'csat:submit', { conversationId: id, rating: 1 }),
    ]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
    const loser = a.ok ? b : a;
    expect(!loser.ok && loser.error.code).toBe('CONFLICT');
    const stored = (await server.database.db.select().from(conversations).where(eq(conversations.id, id)))[0];
    expect([stored.csatRating, stored.csatAt]).not.toContain(null);
    expect((await toAgent).csat?.rating).toBe(stored.csatRating);
    const opened = await ok(agent, 'conversation:open', { conversationId: id });
    expect(opened.conversation.csat).toMatchObject({ rating: stored.csatRating });
    if (stored.csatRating === 4) expect(stored.csatComment).toBe('Quick and kind.');

    for (const payload of [{ conversationId: id, rating: 6 }, { conversationId: id, rating: 2.5 }, { conversationId: id }, { conversationId: id, rating: 3, comment: 'x'.repeat(1001) }]) {
      const res = await call(v, 'csat:submit', payload);
      expect(!res.ok && res.error.code).toBe('INVALID_PAYLOAD');
    }
    const { v: stranger } = await newVisitor();
    const res = await call(stranger, 'csat:submit', { conversationId: id, rating: 5 });
    expect(!res.ok && res.error.code).toBe('NOT_FOUND');
    expect((await ok<{ items: ConversationSummaryDTO[] }>(v, 'conversations:list', {})).items[0].rated).toBe(true);
  });

  it('refuses a rating when the site turned the survey off, and says so in the session', async () => {
    await server.database.db.update(sites).set({ csatEnabled: false }).where(eq(sites.id, 'demo'));
    await server.app.ctx.sites.changed('demo');
    try {
      const { v, session } = await newVisitor();
      expect(session).toMatchObject({ csatEnabled: false, replySound: false });
      const id = await ticket(v);
      await ok(agent, 'conversation:resolve', { conversationId: id });
      const res = await call(v, 'csat:submit', { conversationId: id, rating: 5 });
      expect(!res.ok && res.error.code).toBe('FORBIDDEN');
      const [row] = await server.database.db.select().from(conversations).where(eq(conversations.id, id));
      expect(row.csatAt).toBeNull();
    } finally {
      await server.database.db.update(sites).set({ csatEnabled: true }).where(eq(sites.id, 'demo'));
      await server.app.ctx.sites.changed('demo');
    }
  });

  it('suggests FAQ entries for a draft without storing it, and answers a chosen one as a typing-channel answer without a ticket', async () => {
    const { v } = await newVisitor();
    const draft = 'how do I get a refund';
    const { suggestions } = await ok<{ suggestions: { entryId: string; question: string }[] }>(v, 'faq:suggest', { text: draft });
    expect(suggestions.length).toBeGreaterThan(0);
    expect(suggestions.length).toBeLessThanOrEqual(3);
    expect(suggestions[0].question.toLowerCase()).toContain('refund');
    expect((await ok(v, 'faq:suggest', { text: 'zzqx vvbn' })).suggestions).toEqual([]);
    const short = await call(v, 'faq:suggest', { text: 'a' });
    expect(!short.ok && short.error.code).toBe('INVALID_PAYLOAD');
    // Nothing stored: no conversation, no question.
    expect((await ok(v, 'conversations:list', {})).items).toEqual([]);

    const picked = await ok<{ message: MessageDTO; conversation: ConversationDTO }>(v, 'faq:pick', { entryId: suggestions[0].entryId });
    expect(picked.message).toMatchObject({ kind: 'faq_answer', author: 'bot', meta: { entryId: suggestions[0].entryId, question: suggestions[0].question } });
    expect(picked.conversation).toMatchObject({ status: 'bot', escalatedAt: null });
    const [q] = await server.database.db.select().from(questions).where(eq(questions.id, picked.message.meta.questionId!));
    expect(q).toMatchObject({ channel: 'typing', decision: 'answer', entryId: suggestions[0].entryId, text: suggestions[0].question });
    expect(q.text).not.toContain(draft);

    // Its own outcome buttons: "this solved it" is recorded on that question.
    await ok(v, 'faq:respond', { questionId: q.id, action: 'solved' });
    const [after] = await server.database.db.select().from(questions).where(eq(questions.id, q.id));
    expect(after.outcome).toBe('solved');

    const missing = await call(v, 'faq:pick', { entryId: '00000000-0000-4000-8000-000000000000' });
    expect(!missing.ok && missing.error.code).toBe('NOT_FOUND');
    // Typing on and sending behaves as before: the message goes to the FAQ in the same conversation.
    const sent = await ok(v, 'message:send', { clientId: clientId(), body: 'How do I get a refund?' });
    expect(sent.conversation.id).toBe(picked.conversation.id);
  });

  it('limits picks as it limits typed messages: each stores a question and an answer', async () => {
    const { v } = await newVisitor();
    const { suggestions } = await ok<{ suggestions: { entryId: string }[] }>(v, 'faq:suggest', { text: 'how do I get a refund' });
    const saved = LIMITS.messagesPerVisitor.limit;
    LIMITS.messagesPerVisitor.limit = 2;
    try {
      const first = await ok<{ conversation: ConversationDTO }>(v, 'faq:pick', { entryId: suggestions[0].entryId });
      await ok(v, 'message:send', { clientId: clientId(), body: 'And how long does it take?' });
      const stored = async () => (await server.database.db.select().from(questions).where(eq(questions.conversationId, first.conversation.id))).length;
      const before = await stored();
      const refused = await call(v, 'faq:pick', { entryId: suggestions[0].entryId });
      expect(!refused.ok && refused.error.code).toBe('RATE_LIMITED');
      expect(await stored()).toBe(before);
    } finally {
      LIMITS.messagesPerVisitor.limit = saved;
    }
  });
});
