/**
 * Who may see and change what. Every test tries a forbidden thing for real and checks both the
 * answer and that nothing changed behind it.
 */
import { eq } from 'drizzle-orm';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack } from '../../shared/result.ts';
import type { ConversationDTO, FeedbackDTO, MessageDTO, SessionDTO } from '../../shared/types.ts';
import { conversations, faqEntries, feedback, messages, visitors, type Site } from '../../server/db/schema.ts';
import { createSite } from '../../server/sites/sites.service.ts';
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
} from '../support/server.ts';

const UNKNOWN_QUESTION = 'My certificate shows the wrong spelling of my grandmother’s village, can a person fix it?';
const EVIL = 'https://evil.example';

/** Resolves with the handshake's refusal; fails the test if the socket connects instead. */
function refused(s: Socket): Promise<Error & { data?: { code?: string } }> {
  return new Promise((resolve, reject) => {
    s.once('connect', () => reject(new Error('the handshake was accepted')));
    s.once('connect_error', (err) => resolve(err));
  });
}

describe.each(BACKENDS)('authorization on %s', (backend) => {
  let server: TestServer;
  let db: TestServer['database']['db'];
  let admin: string;
  let other: Site;
  let otherAgent: string;
  let plainAgent: string;
  const open: Socket[] = [];

  beforeAll(async () => {
    server = await startTestServer(backend);
    db = server.database.db;
    admin = await login(server.url);
    other = await createSite(db, { name: 'Other site', origins: ['https://other.example'] });
    otherAgent = await addAgent(server, `other-${backend}@test.local`, [other.id]);
    plainAgent = await addAgent(server, `plain-${backend}@test.local`, ['demo']);
  });
  afterAll(async () => {
    for (const s of open) s.disconnect();
    await server?.close();
  });

  async function visitor(opts: { site?: string; token?: string; origin?: string } = {}) {
    const v = visitorSocket(server.url, opts);
    await connected(v);
    const session = await ok<SessionDTO>(v, 'session:hello', { locale: 'en' });
    return { v, session };
  }

  async function agent(cookie: string): Promise<AgentClientSocket> {
    const s = agentSocket(server.url, cookie);
    await connected(s);
    return s;
  }

  /** A demo visitor with an FAQ-answered question (conversation still with the bot). */
  async function answeredVisitor() {
    const { v, session } = await visitor();
    const sent = await ok(v, 'message:send', { clientId: clientId(), body: 'How do I get a refund?' });
    const msgs = await ok<MessageDTO[]>(v, 'messages:sync', { conversationId: sent.conversation.id, afterSeq: 0 });
    const answer = msgs.find((m) => m.kind === 'faq_answer')!;
    expect(answer.meta.questionId).toBeTruthy();
    return { v, session, conversation: sent.conversation as ConversationDTO, questionId: answer.meta.questionId!, messages: msgs };
  }

  /** A demo visitor whose question went to a person: a ticket in the queue. */
  async function escalatedVisitor(site = 'demo') {
    const { v, session } = await visitor({ site });
    const sent = await ok(v, 'message:send', { clientId: clientId(), body: UNKNOWN_QUESTION });
    expect(sent.conversation.status).toBe('open');
    return { v, session, conversation: sent.conversation as ConversationDTO, clientId: sent.message.clientId as string };
  }

  const status = async (conversationId: string) =>
    (await db.select({ s: conversations.status }).from(conversations).where(eq(conversations.id, conversationId)))[0]?.s;

  describe('a visitor', () => {
    it('cannot read another visitor’s conversation with messages:sync', async () => {
      const owner = await answeredVisitor();
      const { v: mallory } = await visitor();
      const res = await call(mallory, 'messages:sync', { conversationId: owner.conversation.id, afterSeq: 0 });
      expect(res).toEqual({ ok: false, error: { code: 'NOT_FOUND' } });
    });

    it('cannot hand another visitor’s conversation to a person', async () => {
      const owner = await answeredVisitor();
      const { v: mallory } = await visitor();
      const res = await call(mallory, 'conversation:escalate', { conversationId: owner.conversation.id });
      expect(res).toEqual({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(await status(owner.conversation.id)).toBe('bot');
    });

    it('cannot answer or choose for another visitor’s FAQ question', async () => {
      const owner = await answeredVisitor();
      const { v: mallory } = await visitor();
      for (const action of ['solved', 'human']) {
        expect(await call(mallory, 'faq:respond', { questionId: owner.questionId, action })).toEqual({ ok: false, error: { code: 'NOT_FOUND' } });
      }
      const entryId = owner.messages.find((m) => m.kind === 'faq_answer')!.meta.entryId;
      expect(await call(mallory, 'faq:choose', { questionId: owner.questionId, entryId })).toEqual({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(await status(owner.conversation.id)).toBe('bot');
      const after = await ok<MessageDTO[]>(owner.v, 'messages:sync', { conversationId: owner.conversation.id, afterSeq: 0 });
      expect(after).toEqual(owner.messages);
      // The owner still can: the question was left untouched.
      const mine = await ok(owner.v, 'faq:respond', { questionId: owner.questionId, action: 'human' });
      expect(mine.conversation.status).toBe('open');
    });

    it('cannot see or mark another visitor’s feedback', async () => {
      const { v: owner } = await visitor();
      const fb = await ok<FeedbackDTO>(owner, 'feedback:submit', { content: 'Lesson 4 has no sound.' });
      const processed = await api(server.url, admin, 'POST', `/api/feedback/${fb.id}/process`, { note: 'Fixed.' });
      expect(processed.status).toBe(200);
      const { v: mallory, session } = await visitor();
      expect(session.feedback).toEqual([]);
      expect(await ok(mallory, 'feedback:list', {})).toEqual([]);
      expect(await ok(mallory, 'feedback:seen', { ids: [fb.id] })).toEqual({ count: 0 });
      const [row] = await db.select().from(feedback).where(eq(feedback.id, fb.id));
      expect(row.seenAt).toBeNull();
      expect(await ok(owner, 'feedback:seen', { ids: [fb.id] })).toEqual({ count: 1 });
    });
  });

  describe('a visitor token', () => {
    it('of one site does not open a visitor on another site', async () => {
      const owner = await escalatedVisitor();
      const { session } = await visitor({ site: other.id, token: owner.session.token });
      expect(session.visitorId).not.toBe(owner.session.visitorId);
      expect(session.token).toBeTruthy();
      expect(session.token).not.toBe(owner.session.token);
      expect(session.conversation).toBeNull();
      expect(session.messages).toEqual([]);
    });

    it('that is forged or unknown gets a new visitor, never someone else’s', async () => {
      const owner = await escalatedVisitor();
      const [stored] = await db.select().from(visitors).where(eq(visitors.id, owner.session.visitorId));
      const forged: unknown[] = [
        'x'.repeat(43),
        `${owner.session.token!.slice(0, -1)}${owner.session.token!.endsWith('A') ? 'B' : 'A'}`,
        stored.tokenHash,
        owner.session.visitorId,
        ` ${owner.session.token}`,
        owner.session.token!.toUpperCase(),
      ];
      const seen = new Set([owner.session.visitorId]);
      for (const token of forged) {
        const { v, session } = await visitor({ token: token as string });
        expect(seen.has(session.visitorId)).toBe(false);
        seen.add(session.visitorId);
        expect(session.token).toBeTruthy();
        expect(session.conversation).toBeNull();
        v.disconnect();
      }
      for (const token of [{ token: owner.session.token }, [owner.session.token], 12345, true]) {
        const v = connect(`${server.url}/widget`, { query: { site: 'demo' }, auth: { token, visitorId: owner.session.visitorId }, transports: ['websocket'], forceNew: true, reconnection: false });
        open.push(v);
        await connected(v);
        const session = await ok<SessionDTO>(v, 'session:hello', {});
        expect(session.visitorId).not.toBe(owner.session.visitorId);
        expect(session.conversation).toBeNull();
        v.disconnect();
      }
    });
  });

  describe('the console API', () => {
    it('needs an agent session for every route, reading or writing', async () => {
      const owner = await escalatedVisitor();
      const fb = await ok<FeedbackDTO>(owner.v, 'feedback:submit', { content: 'Please add subtitles.' });
      const [entry] = await db.select().from(faqEntries).where(eq(faqEntries.siteId, 'demo')).limit(1);
      const range = 'from=2020-01-01T00:00:00Z&to=2040-01-01T00:00:00Z';
      const faqInput = { siteId: 'demo', question: 'Sneaky question?', answer: 'Sneaky answer.', language: 'en' };
      const routes: [string, string, unknown?][] = [
        ['GET', '/api/auth/me'],
        ['GET', '/api/sites'],
        ['GET', `/api/metrics?${range}`],
        ['GET', '/api/feedback'],
        ['POST', `/api/feedback/${fb.id}/process`, { note: 'Done by nobody.' }],
        ['GET', '/api/conversations'],
        ['GET', `/api/conversations/${owner.conversation.id}`],
        ['GET', '/api/faqs?siteId=demo'],
        ['POST', '/api/faqs', faqInput],
        ['PUT', `/api/faqs/${entry.id}`, faqInput],
        ['DELETE', `/api/faqs/${entry.id}`],
        ['GET', '/api/faqs/export?siteId=demo&format=json'],
        ['POST', '/api/faqs/import?siteId=demo', { entries: [faqInput] }],
        ['POST', '/api/faqs/from-conversation', { conversationId: owner.conversation.id }],
        ['POST', `/api/faqs/${entry.id}/publish`],
        ['POST', '/api/faqs/assist', { conversationId: owner.conversation.id }],
        ['POST', '/api/faqs/learned', { conversationId: owner.conversation.id, entryId: entry.id, source: 'marked' }],
        ['POST', `/api/faqs/learned/${entry.id}/approve`],
        ['DELETE', `/api/faqs/learned/${entry.id}`],
        ['GET', `/api/faqs/demand?siteId=demo`],
        ['GET', '/api/articles?siteId=demo'],
        ['PUT', '/api/articles?siteId=demo', { url: 'https://sneaky.example/a', title: 'Sneaky', language: 'en' }],
        ['GET', `/api/visitors/${owner.session.visitorId}/export`],
        ['DELETE', `/api/visitors/${owner.session.visitorId}`],
      ];
      const loggedOut = await login(server.url);
      expect((await api(server.url, loggedOut, 'POST', '/api/auth/logout')).status).toBe(200);
      for (const cookie of [undefined, 'sc_session=forged-session-token', 'sc_session=', loggedOut, `sc_session=${'a'.repeat(5000)}`]) {
        for (const [method, path, body] of routes) {
          const res = await api(server.url, cookie, method, path, body);
          expect({ route: `${method} ${path}`, status: res.status, body: res.body }).toEqual({
            route: `${method} ${path}`,
            status: 401,
            body: { ok: false, error: { code: 'UNAUTHORIZED' } },
          });
        }
      }
      // Nothing behind them moved.
      expect(await db.select().from(faqEntries).where(eq(faqEntries.id, entry.id))).toEqual([entry]);
      expect((await db.select().from(feedback).where(eq(feedback.id, fb.id)))[0].status).toBe('new');
      expect((await db.select().from(messages).where(eq(messages.conversationId, owner.conversation.id))).length).toBeGreaterThan(0);
      expect(await db.select().from(faqEntries).where(eq(faqEntries.question, 'Sneaky question?'))).toEqual([]);
    });

    it('refuses admin-only actions to a plain agent', async () => {
      const owner = await escalatedVisitor();
      const before = await db.select({ id: faqEntries.id }).from(faqEntries);
      const entry = { question: 'Imported by a plain agent?', answer: 'It should not be.', language: 'en' };
      const csv = 'question,variants,answer,language,tags,articleUrls\n"Imported by a plain agent?",,"It should not be.",en,,\n';
      const attempts = [
        await api(server.url, plainAgent, 'POST', '/api/faqs/import?siteId=demo', { entries: [entry] }),
        await api(server.url, plainAgent, 'POST', '/api/faqs/import?siteId=demo', { replace: true, entries: [entry] }),
        await fetch(`${server.url}/api/faqs/import?siteId=demo&format=csv`, { method: 'POST', headers: { cookie: plainAgent, 'content-type': 'text/csv' }, body: csv }).then(
          async (r) => ({ status: r.status, body: await r.json() }),
        ),
        await api(server.url, plainAgent, 'GET', `/api/visitors/${owner.session.visitorId}/export`),
        await api(server.url, plainAgent, 'DELETE', `/api/visitors/${owner.session.visitorId}`),
      ];
      for (const res of attempts) expect(res).toEqual({ status: 403, body: { ok: false, error: { code: 'FORBIDDEN' } } });
      expect(await db.select({ id: faqEntries.id }).from(faqEntries)).toHaveLength(before.length);
      const [v] = await db.select().from(visitors).where(eq(visitors.id, owner.session.visitorId));
      expect(v.tokenHash).toBeTruthy();
      const still = await ok<MessageDTO[]>(owner.v, 'messages:sync', { conversationId: owner.conversation.id, afterSeq: 0 });
      expect(still.some((m) => m.body === UNKNOWN_QUESTION)).toBe(true);
      // The same requests work for an admin: the refusal above is about the role.
      const exported = await api(server.url, admin, 'GET', `/api/visitors/${owner.session.visitorId}/export`);
      expect(exported.status).toBe(200);
      expect(JSON.stringify(exported.body)).not.toContain('tokenHash');
    });
  });

  describe('an agent of another site', () => {
    it('sees only their own sites in the console API', async () => {
      const owner = await escalatedVisitor();
      const fb = await ok<FeedbackDTO>(owner.v, 'feedback:submit', { content: 'Demo feedback, demo eyes only.' });
      const [demoEntry] = await db.select().from(faqEntries).where(eq(faqEntries.siteId, 'demo')).limit(1);
      const range = `from=${encodeURIComponent(new Date(Date.now() - 3600_000).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`;
      const get = async (path: string) => api(server.url, otherAgent, 'GET', path);
      const data = async (path: string) => {
        const res = await get(path);
        expect(res.status, path).toBe(200);
        return (res.body as Ack<any> & { ok: true }).data;
      };

      expect((await data('/api/sites')).map((s: { id: string }) => s.id)).toEqual([other.id]);
      expect((await data('/api/auth/me')).siteIds).toEqual([other.id]);
      for (const path of ['/api/conversations', '/api/conversations?siteId=demo', '/api/feedback', '/api/feedback?siteId=demo', '/api/faqs', '/api/articles']) {
        const list = (await data(path)) as { siteId: string }[];
        expect(list.filter((x) => x.siteId !== other.id), path).toEqual([]);
      }
      for (const path of [`/api/metrics?${range}&siteId=demo`, `/api/metrics?${range}`]) {
        const m = await data(path);
        expect(m).toMatchObject({ questions: 0, escalated: 0, tickets: 0, feedback: { received: 0, processed: 0 }, topEntries: [] });
      }
      const adminView = await api(server.url, admin, 'GET', `/api/metrics?${range}&siteId=demo`);
      expect((adminView.body as any).data.tickets).toBeGreaterThan(0);

      const notFound = { ok: false, error: { code: 'NOT_FOUND' } };
      const forbidden = { ok: false, error: { code: 'FORBIDDEN' } };
      const input = { question: 'Moved question?', answer: 'Moved answer.', language: 'en' };
      const cases: [string, string, unknown, number, unknown][] = [
        ['GET', `/api/conversations/${owner.conversation.id}`, undefined, 404, notFound],
        ['POST', `/api/feedback/${fb.id}/process`, { note: 'Not mine to process.' }, 404, notFound],
        ['GET', '/api/faqs?siteId=demo', undefined, 403, forbidden],
        ['POST', '/api/faqs', { ...input, siteId: 'demo' }, 403, forbidden],
        ['POST', '/api/faqs?siteId=demo', input, 403, forbidden],
        ['PUT', `/api/faqs/${demoEntry.id}`, input, 404, notFound],
        ['DELETE', `/api/faqs/${demoEntry.id}`, undefined, 404, notFound],
        ['GET', '/api/faqs/export?siteId=demo', undefined, 403, forbidden],
        ['GET', '/api/faqs/demand?siteId=demo', undefined, 403, forbidden],
        ['POST', '/api/faqs/from-conversation', { conversationId: owner.conversation.id }, 404, notFound],
        ['POST', `/api/faqs/${demoEntry.id}/publish`, undefined, 404, notFound],
        ['POST', '/api/faqs/assist', { conversationId: owner.conversation.id }, 404, notFound],
        ['POST', '/api/faqs/learned', { conversationId: owner.conversation.id, entryId: demoEntry.id, source: 'marked' }, 404, notFound],
        ['GET', '/api/articles?siteId=demo', undefined, 403, forbidden],
        ['PUT', '/api/articles?siteId=demo', { url: 'https://other.example/a', title: 'Planted', language: 'en' }, 403, forbidden],
        ['PUT', '/api/articles', { siteId: 'demo', url: 'https://other.example/a', title: 'Planted', language: 'en' }, 403, forbidden],
        ['PUT', '/api/articles', [{ url: 'https://other.example/a', title: 'Mine', language: 'en' }, { siteId: 'demo', url: 'https://other.example/b', title: 'Planted', language: 'en' }], 403, forbidden],
        ['GET', `/api/visitors/${owner.session.visitorId}/export`, undefined, 403, forbidden],
        ['DELETE', `/api/visitors/${owner.session.visitorId}`, undefined, 403, forbidden],
      ];
      for (const [method, path, body, code, expected] of cases) {
        const res = await api(server.url, otherAgent, method, path, body);
        expect({ route: `${method} ${path}`, status: res.status, body: res.body }).toEqual({ route: `${method} ${path}`, status: code, body: expected });
      }
      // A site's secret opens only that site's articles API.
      const bearer = await fetch(`${server.url}/api/articles?siteId=demo`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${other.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url: 'https://other.example/c', title: 'Planted', language: 'en' }),
      });
      expect(bearer.status).toBe(401);

      expect(await db.select().from(faqEntries).where(eq(faqEntries.id, demoEntry.id))).toEqual([demoEntry]);
      expect((await db.select().from(feedback).where(eq(feedback.id, fb.id)))[0].status).toBe('new');
      const demoArticles = await api(server.url, admin, 'GET', '/api/articles?siteId=demo');
      expect(JSON.stringify(demoArticles.body)).not.toContain('Planted');
    });

    it('cannot move their own FAQ entry into a site they do not belong to', async () => {
      const created = await api(server.url, otherAgent, 'POST', '/api/faqs', { question: 'Where is the other site?', answer: 'Here.', language: 'en' });
      expect(created.status).toBe(200);
      const id = (created.body as any).data.id;
      const moved = await api(server.url, otherAgent, 'PUT', `/api/faqs/${id}`, { siteId: 'demo', question: 'Where is the other site?', answer: 'Moved?', language: 'en' });
      expect(moved.status).toBe(200);
      const [row] = await db.select().from(faqEntries).where(eq(faqEntries.id, id));
      expect(row.siteId).toBe(other.id);
    });

    it('cannot list, open, claim, answer or resolve a demo ticket over the socket', async () => {
      const owner = await escalatedVisitor();
      const s = await agent(otherAgent);
      const queue = await ok(s, 'queue:list', {});
      expect([...queue.waiting, ...queue.mine].map((c: ConversationDTO) => c.siteId).filter((id: string) => id !== other.id)).toEqual([]);
      const ref = { conversationId: owner.conversation.id };
      const notFound = { ok: false, error: { code: 'NOT_FOUND' } };
      expect(await call(s, 'conversation:open', ref)).toEqual(notFound);
      expect(await call(s, 'conversation:claim', ref)).toEqual(notFound);
      expect(await call(s, 'messages:sync', { ...ref, afterSeq: 0 })).toEqual(notFound);
      expect(await call(s, 'message:send', { ...ref, clientId: clientId(), body: 'Hello from another site' })).toEqual(notFound);
      // Not even whether a message with that id exists.
      expect(await call(s, 'message:send', { ...ref, clientId: owner.clientId, body: 'Hello from another site' })).toEqual(notFound);
      expect(await call(s, 'conversation:resolve', ref)).toEqual(notFound);
      const [row] = await db.select().from(conversations).where(eq(conversations.id, owner.conversation.id));
      expect(row).toMatchObject({ status: 'open', assignedAgentId: null, resolvedAt: null });
      const msgs = await ok<MessageDTO[]>(owner.v, 'messages:sync', { ...ref, afterSeq: 0 });
      expect(msgs.filter((m) => m.author === 'agent' || m.meta.notice === 'agent_joined')).toEqual([]);
    });

    it('does not hear about demo conversations', async () => {
      const adminSocket = await agent(admin);
      const s = await agent(otherAgent);
      const heard: ConversationDTO[] = [];
      s.on('conversation:updated', (c) => heard.push(c));
      const demoTicket = next<ConversationDTO>(adminSocket, 'conversation:updated', (c) => c.siteId === 'demo' && c.status === 'open');
      await escalatedVisitor();
      await demoTicket;
      // A ticket of their own site, escalated after the demo one: once it arrives, the demo one would have too.
      const ownTicket = next<ConversationDTO>(s, 'conversation:updated', (c) => c.siteId === other.id);
      await escalatedVisitor(other.id);
      await ownTicket;
      expect(heard.length).toBeGreaterThan(0);
      expect(heard.filter((c) => c.siteId !== other.id)).toEqual([]);
    });
  });

  describe('the /agent socket', () => {
    const agentAt = (opts: { cookie?: string; origin?: string; site?: string; transports?: string[] }) => {
      const s = connect(`${server.url}/agent`, {
        query: opts.site ? { site: opts.site } : {},
        extraHeaders: { ...(opts.cookie ? { cookie: opts.cookie } : {}), ...(opts.origin ? { origin: opts.origin } : {}) },
        transports: opts.transports ?? ['websocket'],
        forceNew: true,
        reconnection: false,
      });
      open.push(s);
      return s;
    };

    it('refuses a missing or invalid session cookie', async () => {
      for (const cookie of [undefined, 'sc_session=forged-session-token', 'sc_session=', 'other=1']) {
        const err = await refused(agentAt({ cookie }));
        expect(err.message).toBe('UNAUTHORIZED');
      }
    });

    it('ends an open socket when its session logs out', async () => {
      const cookie = await login(server.url);
      const s = await agent(cookie);
      const other = await agent(admin);
      await ok(s, 'queue:list', {});
      const closed = new Promise<string>((resolve) => s.once('disconnect', (reason) => resolve(reason)));
      expect((await api(server.url, cookie, 'POST', '/api/auth/logout')).status).toBe(200);
      expect(await closed).toBe('io server disconnect');
      await expect(connected(agentAt({ cookie }))).rejects.toThrow('UNAUTHORIZED');
      // Only that session: the same agent's other session stays.
      await ok(other, 'queue:list', {});
    });

    it('refuses a handshake from a foreign origin even with a valid cookie', async () => {
      // Engine handshake: refused before any namespace is reached.
      const polling = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: { cookie: admin, origin: EVIL } });
      expect(polling.status).toBe(403);
      expect(await polling.text()).toContain('ORIGIN_NOT_ALLOWED');
      for (const origin of [EVIL, 'null', `${server.url}.evil.example`, `https://evil.example/${new URL(server.url).host}`]) {
        const err = await refused(agentAt({ cookie: admin, origin }));
        expect(err.message).not.toBe('UNAUTHORIZED');
      }
      // Namespace: the engine lets a widget site's origin in, the /agent namespace still says no.
      const evilSite = await createSite(db, { name: `Evil ${backend}`, origins: [EVIL] });
      const err = await refused(agentAt({ cookie: admin, origin: EVIL, site: evilSite.id }));
      expect(err.message).toBe('ORIGIN_NOT_ALLOWED');
      // The console's own origin is welcome.
      await connected(agentAt({ cookie: admin, origin: new URL(server.url).origin }));
    });
  });

  describe('the /widget handshake', () => {
    it('refuses an origin the site does not allow and accepts one it does', async () => {
      for (const origin of [EVIL, 'null', 'https://other.example.evil.example', 'https://other.example:8443', 'http://other.example', 'https://evil.example/https://other.example']) {
        const polling = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling&site=${other.id}`, { headers: { origin } });
        expect(polling.status, origin).toBe(403);
        expect(await polling.text()).toContain('ORIGIN_NOT_ALLOWED');
        await refused(visitorSocket(server.url, { site: other.id, origin }));
      }
      const accepted = visitorSocket(server.url, { site: other.id, origin: 'https://other.example' });
      await connected(accepted);
      const session = await ok<SessionDTO>(accepted, 'session:hello', {});
      expect(session.siteName).toBe('Other site');
      const demo = visitorSocket(server.url, { origin: new URL(server.url).origin });
      await connected(demo);
      // The demo site does not allow the other site's origin.
      await refused(visitorSocket(server.url, { origin: 'https://other.example' }));
    });
  });
});
