import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationDTO, MessageDTO, SessionDTO } from '../../shared/types.ts';
import { BACKENDS } from '../support/db.ts';
import { addAgent, agentSocket, api, call, clientId, connected, login, next, ok, startTestServer, visitorSocket, type TestServer } from '../support/server.ts';

describe.each(BACKENDS)('the core loop on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(() => server?.close());

  async function newVisitor() {
    const v = visitorSocket(server.url);
    await connected(v);
    const session = await ok<SessionDTO>(v, 'session:hello', { locale: 'en' });
    return { v, session };
  }

  it('answers a known question from the FAQ at once, with "solved" and "talk to a person" choices', async () => {
    const { v, session } = await newVisitor();
    expect(session.token).toBeTruthy();
    const answer = next<MessageDTO>(v, 'message:created', (m) => m.kind === 'faq_answer');
    const sent = await ok(v, 'message:send', { clientId: clientId(), body: 'How do I get a refund?' });
    expect(sent.message.body).toBe('How do I get a refund?');
    const m = await answer;
    expect(m.meta.questionId).toBeTruthy();
    expect(m.body.toLowerCase()).toContain('refund');
    const res = await ok(v, 'faq:respond', { questionId: m.meta.questionId, action: 'solved' });
    expect(res.conversation.status).toBe('bot');
    // A reload shows the answer with its outcome, so its buttons do not come back.
    const synced = await ok<MessageDTO[]>(v, 'messages:sync', { conversationId: res.conversation.id, afterSeq: 0 });
    expect(synced.find((x) => x.id === m.id)?.meta).toMatchObject({ questionId: m.meta.questionId, outcome: 'solved' });
  });

  it('hands the question to a human when no FAQ is confident, and the agent claims, replies and resolves', async () => {
    const cookie = await login(server.url);
    const agent = agentSocket(server.url, cookie);
    await connected(agent);
    const { v } = await newVisitor();
    const queued = next<ConversationDTO>(agent, 'conversation:updated', (c) => c.status === 'open');
    const notice = next<MessageDTO>(v, 'message:created', (m) => m.kind === 'notice');
    await ok(v, 'message:send', {
      clientId: clientId(),
      body: 'My certificate shows the wrong spelling of my grandmother’s village, can a person fix it?',
      pageUrl: 'http://localhost/en/articles/x',
      pageTitle: 'An article',
    });
    expect((await notice).meta.notice).toBe('waiting_for_agent');
    const conv = await queued;
    expect(conv.question).toContain('certificate');
    expect(conv.pageTitle).toBe('An article');

    const queue = await ok(agent, 'queue:list', {});
    expect(queue.waiting.map((c: ConversationDTO) => c.id)).toContain(conv.id);

    // Two agents race for the claim: exactly one wins.
    const other = agentSocket(server.url, await addAgent(server, `racer-${backend}@test.local`));
    await connected(other);
    const [a, b] = await Promise.all([call(agent, 'conversation:claim', { conversationId: conv.id }), call(other, 'conversation:claim', { conversationId: conv.id })]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
    const loser = a.ok ? b : a;
    expect(!loser.ok && loser.error.code).toBe('ALREADY_CLAIMED');
    const winner = a.ok ? agent : other;

    await ok(winner, 'conversation:open', { conversationId: conv.id });
    const reply = next<MessageDTO>(v, 'message:created', (m) => m.author === 'agent');
    await ok(winner, 'message:send', { conversationId: conv.id, clientId: clientId(), body: 'Yes, I can fix that for you.' });
    expect((await reply).body).toBe('Yes, I can fix that for you.');

    const fromVisitor = next<MessageDTO>(winner, 'message:created', (m) => m.author === 'visitor');
    await ok(v, 'message:send', { clientId: clientId(), body: 'Thank you!' });
    expect((await fromVisitor).body).toBe('Thank you!');

    const resolved = await ok<ConversationDTO>(winner, 'conversation:resolve', { conversationId: conv.id });
    expect(resolved.status).toBe('resolved');
    expect(resolved.firstResponseAt).toBeTruthy();
    expect(resolved.resolvedAt).toBeTruthy();

    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    const metrics = await api(server.url, cookie, 'GET', `/api/metrics?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    expect(metrics.status).toBe(200);
    const m = (metrics.body as any).data;
    expect(m.tickets).toBeGreaterThanOrEqual(1);
    expect(m.responded).toBeGreaterThanOrEqual(1);
    expect(m.resolved).toBeGreaterThanOrEqual(1);
    expect(m.questions).toBeGreaterThanOrEqual(2);
    expect(m.faqAnswered).toBeGreaterThanOrEqual(1);
    expect(m.firstResponseMs.median).toBeGreaterThanOrEqual(0);
    expect(m.responseRate).toBeGreaterThan(0);
  });

  it('stores the page a question came from without its query and fragment, unless the site keeps full URLs', async () => {
    const cookie = await login(server.url);
    const ask = async () => {
      const { v } = await newVisitor();
      const sent = await ok(v, 'message:send', { clientId: clientId(), body: 'Where is my order?', pageUrl: 'http://localhost/reset?token=s3cret-reset-token#access=abc' });
      v.disconnect();
      return sent.conversation as ConversationDTO;
    };
    expect((await ask()).pageUrl).toBe('http://localhost/reset');
    expect((await api(server.url, cookie, 'PUT', '/api/sites/demo', { keepFullPageUrls: true })).status).toBe(200);
    expect((await ask()).pageUrl).toBe('http://localhost/reset?token=s3cret-reset-token#access=abc');
    await api(server.url, cookie, 'PUT', '/api/sites/demo', { keepFullPageUrls: false });
  });

  it('stores messages sent back to back without waiting for acks in the order they were sent', async () => {
    const cookie = await login(server.url);
    const agent = agentSocket(server.url, cookie);
    await connected(agent);
    const { v } = await newVisitor();
    const first = await ok(v, 'message:send', { clientId: clientId(), body: 'My certificate shows the wrong spelling of my grandmother’s village, can a person fix it?' });
    let conv = first.conversation as ConversationDTO;
    if (conv.status === 'bot') conv = (await ok(v, 'conversation:escalate', { conversationId: conv.id })).conversation;
    await ok(agent, 'conversation:claim', { conversationId: conv.id });
    // As many as one socket may have in flight (server/limits.ts): the agent's 8, the visitor's 4.
    const bodies = Array.from({ length: 8 }, (_, i) => `reply ${i + 1}`);
    const visitorBodies = Array.from({ length: 4 }, (_, i) => `visitor ${i + 1}`);
    await Promise.all([
      ...bodies.map((body) => ok(agent, 'message:send', { conversationId: conv.id, clientId: clientId(), body })),
      ...visitorBodies.map((body) => ok(v, 'message:send', { clientId: clientId(), body })),
    ]);
    const all = await ok<MessageDTO[]>(v, 'messages:sync', { conversationId: conv.id, afterSeq: 0 });
    expect(all.map((m) => m.seq)).toEqual(all.map((_, i) => i + 1));
    expect(all.filter((m) => m.author === 'agent').map((m) => m.body)).toEqual(bodies);
    expect(all.filter((m) => m.author === 'visitor').map((m) => m.body).slice(1)).toEqual(visitorBodies);
    agent.disconnect();
    v.disconnect();
  });

  it('shows the same conversation and its history after a reload', async () => {
    const { v, session } = await newVisitor();
    await ok(v, 'message:send', { clientId: clientId(), body: 'Can I change the playback speed?' });
    v.disconnect();
    const again = visitorSocket(server.url, { token: session.token });
    await connected(again);
    const restored = await ok<SessionDTO>(again, 'session:hello', {});
    expect(restored.token).toBeUndefined();
    expect(restored.visitorId).toBe(session.visitorId);
    expect(restored.messages.some((m) => m.body === 'Can I change the playback speed?')).toBe(true);
  });

  it('stores a retried message once', async () => {
    const { v } = await newVisitor();
    const id = clientId();
    const [a, b] = await Promise.all([
      ok(v, 'message:send', { clientId: id, body: 'Same message sent twice' }),
      ok(v, 'message:send', { clientId: id, body: 'Same message sent twice' }),
    ]);
    expect(a.message.id).toBe(b.message.id);
    const msgs = await ok<MessageDTO[]>(v, 'messages:sync', { conversationId: a.conversation.id, afterSeq: 0 });
    expect(msgs.filter((m) => m.clientId === id)).toHaveLength(1);
  });

  it('refuses invalid payloads with a code and writes nothing', async () => {
    const { v } = await newVisitor();
    for (const bad of [{}, { clientId: 'short', body: 'x' }, { clientId: clientId(), body: '   ' }, { clientId: clientId(), body: 'x'.repeat(4001) }, 'text', null]) {
      const res = await call(v, 'message:send', bad);
      expect(res).toEqual({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    }
    const session = await ok<SessionDTO>(v, 'session:hello', {});
    expect(session.conversation).toBeNull();
  });

  it('refuses an unknown site key and a foreign origin at the handshake', async () => {
    const unknown = visitorSocket(server.url, { site: 'no-such-site' });
    await expect(connected(unknown)).rejects.toThrow();
    const foreign = visitorSocket(server.url, { origin: 'https://evil.example' });
    await expect(connected(foreign)).rejects.toThrow();
    const polling = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling&site=demo`, { headers: { origin: 'https://evil.example' } });
    expect(polling.status).toBe(403);
    expect(await polling.text()).toContain('ORIGIN_NOT_ALLOWED');
  });

  it('lets an agent process feedback, and the visitor sees the note', async () => {
    const cookie = await login(server.url);
    const { v, session } = await newVisitor();
    const fb = await ok(v, 'feedback:submit', { content: 'The video on lesson 3 stutters.', contact: 'me@example.com', pageUrl: 'http://localhost/en/articles/a', pageTitle: 'A' });
    expect(fb.status).toBe('new');
    const list = await api(server.url, cookie, 'GET', '/api/feedback?status=new');
    expect((list.body as any).data.map((f: any) => f.id)).toContain(fb.id);
    const updated = next(v, 'feedback:updated');
    const processed = await api(server.url, cookie, 'POST', `/api/feedback/${fb.id}/process`, { note: 'Fixed the encoding, thanks!' });
    expect(processed.status).toBe(200);
    expect((await updated).note).toBe('Fixed the encoding, thanks!');
    v.disconnect();
    const again = visitorSocket(server.url, { token: session.token });
    await connected(again);
    const s = await ok<SessionDTO>(again, 'session:hello', {});
    const item = s.feedback.find((f) => f.id === fb.id)!;
    expect(item).toMatchObject({ status: 'processed', note: 'Fixed the encoding, thanks!', seen: false });
    await ok(again, 'feedback:seen', { ids: [fb.id] });
    const s2 = await ok<SessionDTO>(again, 'session:hello', {});
    expect(s2.feedback.find((f) => f.id === fb.id)!.seen).toBe(true);
  });

  it('answers from an FAQ entry the moment it is created, edited or deleted, without a restart', async () => {
    const cookie = await login(server.url);
    const entry = { siteId: 'demo', question: 'Do you ship printed workbooks to Iceland?', variants: ['printed workbook shipping Iceland'], answer: 'Yes, in 5 working days.', language: 'en' };
    const created = await api(server.url, cookie, 'POST', '/api/faqs', entry);
    expect(created.status).toBe(200);
    const id = (created.body as any).data.id;
    const askOnce = async () => {
      const { v } = await newVisitor();
      const reply = next<MessageDTO>(v, 'message:created', (m) => m.author !== 'visitor');
      await ok(v, 'message:send', { clientId: clientId(), body: 'Do you ship printed workbooks to Iceland?' });
      const m = await reply.catch(() => undefined);
      v.disconnect();
      return m;
    };
    expect((await askOnce())?.body).toBe('Yes, in 5 working days.');
    await api(server.url, cookie, 'PUT', `/api/faqs/${id}`, { ...entry, answer: 'Yes, in 3 working days now.' });
    expect((await askOnce())?.body).toBe('Yes, in 3 working days now.');
    await api(server.url, cookie, 'DELETE', `/api/faqs/${id}`);
    const after = await askOnce();
    expect(after?.kind).not.toBe('faq_answer');
  });

  it('keeps console APIs behind an agent session', async () => {
    for (const path of ['/api/metrics?from=2020-01-01T00:00:00Z&to=2030-01-01T00:00:00Z', '/api/feedback', '/api/faqs', '/api/conversations', '/api/auth/me']) {
      const res = await api(server.url, undefined, 'GET', path);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ ok: false, error: { code: 'UNAUTHORIZED' } });
    }
  });
});
