/**
 * Answers by email: a visitor who leaves an address gets the agent's unseen reply by mail, with a
 * one-time link that brings any browser back into the conversation. A real SMTP server runs in
 * this process (test/support/smtp.ts).
 */
import { eq, sql } from 'drizzle-orm';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationDTO, MessageDTO, SessionDTO } from '../../shared/types.ts';
import { conversations, mailJobs, sites, visitorLinks } from '../../server/db/schema.ts';
import { BACKENDS } from '../support/db.ts';
import { agentSocket, call, clientId, connected, login, ok, startTestServer, visitorSocket, type TestServer, type VisitorSocket } from '../support/server.ts';
import { linkOf, startSmtpServer, type TestInbox } from '../support/smtp.ts';
import type { ParsedMail } from 'mailparser';
import { twoNodes, type TwoNodes } from '../support/cluster.ts';

const FROM = 'Support <support@test.local>';

/** Polls until `fn` returns something truthy (the worker marks a job after the SMTP server answered). */
async function until<T>(fn: () => Promise<T | undefined | null | false>): Promise<T> {
  for (;;) {
    const value = await fn();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A browser that arrives with a mail's link (and maybe a token of its own from an earlier visit). */
function linkedSocket(url: string, link: string, token?: string): VisitorSocket {
  return connect(`${url}/widget`, { query: { site: 'demo' }, auth: { link, ...(token ? { token } : {}) }, transports: ['websocket'], reconnection: false, forceNew: true });
}

describe.each(BACKENDS)('answers by email on %s', (backend) => {
  let server: TestServer;
  let inbox: TestInbox;
  let agent: ReturnType<typeof agentSocket>;
  const sockets: { disconnect(): unknown }[] = [];

  beforeAll(async () => {
    inbox = await startSmtpServer();
    server = await startTestServer(backend, { mail: { smtpUrl: inbox.url, from: FROM, linkTtlMs: 3600_000, scanIntervalMs: 100 } });
    await server.database.db.update(sites).set({ emailUnseenAfterSec: 0 }).where(eq(sites.id, 'demo'));
    await server.app.ctx.sites.changed('demo');
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await server?.close();
    await inbox?.close();
  });

  async function visitor(locale: 'en' | 'zh' = 'en', token?: string) {
    const v = visitorSocket(server.url, { token });
    await connected(v);
    return { v, session: await ok<SessionDTO>(v, 'session:hello', { locale }) };
  }

  /** A question that reaches a person, with no agent online. */
  async function ask(v: VisitorSocket, body: string): Promise<ConversationDTO> {
    let { conversation } = await ok<{ conversation: ConversationDTO }>(v, 'message:send', { clientId: clientId(), body });
    if (conversation.status === 'bot') conversation = (await ok(v, 'conversation:escalate', { conversationId: conversation.id })).conversation;
    return conversation;
  }

  async function reply(conversationId: string, body: string) {
    if (!agent) {
      agent = agentSocket(server.url, await login(server.url));
      await connected(agent);
    }
    await call(agent, 'conversation:claim', { conversationId });
    return ok<{ message: MessageDTO }>(agent, 'message:send', { conversationId, clientId: clientId(), body });
  }

  const jobsOf = (conversationId: string) => server.database.db.select().from(mailJobs).where(eq(mailJobs.conversationId, conversationId));

  it('mails an unseen reply to the address a visitor left with no agent online, and its link brings a new browser into the conversation', async () => {
    const { v, session } = await visitor();
    expect(session.agentsOnline).toBe(false);
    expect(session.contact).toMatchObject({ email: null, signed: false, prechatForm: 'off', emailEnabled: true });
    const conversation = await ask(v, 'My certificate shows the wrong name of my village, can a person fix it?');
    const contact = await ok(v, 'visitor:contact', { name: 'Ada', email: 'ada@example.com' });
    expect(contact).toMatchObject({ name: 'Ada', email: 'ada@example.com' });

    await reply(conversation.id, 'Fixed: <b>Grandmother’s village</b> & spelled right.');
    const mail = await inbox.next((m) => m.subject?.includes('New reply') === true);
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toBe('ada@example.com');
    expect(mail.from?.text).toContain('support@test.local');
    expect(mail.text).toContain('Fixed: <b>Grandmother’s village</b> & spelled right.');
    // The HTML shows the reply as text, never as markup.
    expect(mail.html).toContain('Fixed: &lt;b&gt;Grandmother’s village&lt;/b&gt; &amp; spelled right.');
    const { url, token } = linkOf(mail);
    expect(url.startsWith(`${server.url}`) || url.startsWith('http')).toBe(true);

    // The reply mail went out once, for that reply.
    const job = await until(async () => (await jobsOf(conversation.id)).find((j) => j.sentAt));
    expect(job).toMatchObject({ kind: 'reply', attempts: 1, lastError: null, dedupeKey: `reply:${conversation.id}:${job.payload.seq}` });

    // A second browser follows the link. It is told whose the link is (masked) and stays itself, the
    // conversation unseen, until the visitor says the address is theirs; then it is the same visitor,
    // in the same conversation.
    const other = linkedSocket(server.url, token);
    sockets.push(other);
    await connected(other);
    const asked = await ok<SessionDTO>(other, 'session:hello', { locale: 'en' });
    expect(asked).toMatchObject({ link: 'pending', linkTo: 'a***@example.com', conversation: null, messages: [] });
    expect(asked.visitorId).not.toBe(session.visitorId);
    // Only the link this handshake left pending opens anything.
    expect(await call(other, 'session:link', { link: 'x'.repeat(43) })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await call(v, 'session:link', { link: token })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const bound = await ok<SessionDTO>(other, 'session:link', { link: token });
    expect(bound).toMatchObject({ visitorId: session.visitorId, link: 'bound' });
    expect(bound.linkTo).toBeUndefined();
    expect(bound.token).toBeTruthy();
    expect(bound.token).not.toBe(token);
    expect(bound.conversation?.id).toBe(conversation.id);
    expect(bound.messages.some((m) => m.body.startsWith('Fixed:'))).toBe(true);

    // Its new token keeps it bound on the next page; the first browser is still the visitor too.
    const later = await visitor('en', bound.token);
    expect(later.session).toMatchObject({ visitorId: session.visitorId });
    expect(later.session.link).toBeUndefined();
    const first = await visitor('en', session.token);
    expect(first.session.visitorId).toBe(session.visitorId);

    // The link works once: a third browser with it is a stranger.
    const third = linkedSocket(server.url, token);
    sockets.push(third);
    await connected(third);
    const refused = await ok<SessionDTO>(third, 'session:hello', {});
    expect(refused.link).toBe('refused');
    expect(refused.visitorId).not.toBe(session.visitorId);
    expect(refused.conversation).toBeNull();
  });

  it('a link someone sends to another browser moves it nowhere until its visitor says the address is theirs', async () => {
    // The sender leaves their own address and gets a reply with a link, then passes the link on.
    const sender = await visitor();
    const theirs = await ask(sender.v, 'Can a person check the date on my invoice, please?');
    await ok(sender.v, 'visitor:contact', { email: 'mallory@example.net' });
    await reply(theirs.id, 'It is right, see you.');
    const { token: link } = linkOf(await inbox.next((m) => m.to !== undefined && 'text' in m.to && m.to.text === 'mallory@example.net'));

    // The receiver has a chat of their own; the link arrives with their token.
    const receiver = await visitor();
    const own = await ask(receiver.v, 'My password reset mail never came, can someone help?');
    const arrived = linkedSocket(server.url, link, receiver.session.token);
    sockets.push(arrived);
    await connected(arrived);
    const asked = await ok<SessionDTO>(arrived, 'session:hello', {});
    expect(asked).toMatchObject({ visitorId: receiver.session.visitorId, link: 'pending', linkTo: 'm***@example.net' });
    expect(asked.conversation?.id).toBe(own.id);
    // What they write stays theirs: the sender's conversation gets nothing.
    await ok(arrived, 'message:send', { clientId: clientId(), body: 'Here is my account number 1234' });
    const senderView = await visitor('en', sender.session.token);
    expect(senderView.session.messages.some((m) => m.body.includes('1234'))).toBe(false);
    // The link is not spent by arriving: its own visitor's browser spends it, and stays what it was.
    const back = linkedSocket(server.url, link, sender.session.token);
    sockets.push(back);
    await connected(back);
    const home = await ok<SessionDTO>(back, 'session:hello', {});
    expect(home).toMatchObject({ visitorId: sender.session.visitorId, link: 'bound' });
    expect(home.token).toBeUndefined();
    // Spent now: the receiver answering "yes" late gets a refusal and stays themselves.
    const late = await ok<SessionDTO>(arrived, 'session:link', { link });
    expect(late).toMatchObject({ visitorId: receiver.session.visitorId, link: 'refused' });
    expect(late.token).toBeUndefined();
  });

  it('mails in the visitor’s language, and a link that has expired binds nothing', async () => {
    const { v, session } = await visitor('zh');
    const conversation = await ask(v, '我的证书上的名字拼错了，能请人工帮我改吗？');
    await ok(v, 'visitor:contact', { email: 'li@example.com' });
    await reply(conversation.id, '已经为您改好了。');
    const mail = await inbox.next((m) => m.to !== undefined && 'text' in m.to && m.to.text === 'li@example.com');
    expect(mail.subject).toContain('客服回复了您');
    expect(mail.text).toContain('已经为您改好了。');
    expect(mail.text).toContain('继续会话');
    const { token } = linkOf(mail);

    await server.database.db.update(visitorLinks).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(visitorLinks.visitorId, session.visitorId));
    const late = linkedSocket(server.url, token);
    sockets.push(late);
    await connected(late);
    const refused = await ok<SessionDTO>(late, 'session:hello', {});
    expect(refused.link).toBe('refused');
    expect(refused.visitorId).not.toBe(session.visitorId);
  });

  it('links a mail only to a page of the site, whatever page the visitor’s widget named', async () => {
    const { v } = await visitor();
    // A widget (or a script speaking for one) says it was on a page elsewhere.
    let { conversation } = await ok<{ conversation: ConversationDTO }>(v, 'message:send', { clientId: clientId(), body: 'Can a person look at my refund, please?', pageUrl: 'https://phish.example/login' });
    if (conversation.status === 'bot') conversation = (await ok(v, 'conversation:escalate', { conversationId: conversation.id })).conversation;
    await ok(v, 'visitor:contact', { email: 'elsewhere@example.com' });
    await reply(conversation.id, 'Refunded today.');
    const mail = await inbox.next((m) => m.to !== undefined && 'text' in m.to && m.to.text === 'elsewhere@example.com');
    const [site] = await server.database.db.select().from(sites).where(eq(sites.id, 'demo'));
    const { url } = linkOf(mail);
    expect(`${mail.text} ${mail.html}`).not.toContain('phish.example');
    expect(url.startsWith(`${site!.origins[0]}/#support-chat-link=`)).toBe(true);
  });

  it('mails transcripts to one mailbox at most a few times an hour, whoever asks', async () => {
    const asked: { ok: boolean; error?: { code: string } }[] = [];
    for (const n of [1, 2]) {
      const { v } = await visitor();
      const conversation = await ask(v, `Can a person send me the course outline, part ${n}?`);
      await ok(v, 'visitor:contact', { email: 'Target@Example.com' });
      for (let i = 0; i < 3; i++) asked.push(await call(v, 'transcript:email', { conversationId: conversation.id }));
    }
    // Three from the first visitor, two from the second, then the mailbox's hour is full.
    expect(asked.map((a) => a.ok)).toEqual([true, true, true, true, true, false]);
    expect(asked[5]).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    // Asked again at the same point, a transcript is one mail: one for each conversation.
    const toTarget = (m: ParsedMail) => m.to !== undefined && 'text' in m.to && /target@example\.com/i.test(m.to.text);
    await inbox.next(toTarget);
    await inbox.next(toTarget);
  });

  it('does not mail a reply the visitor has seen', async () => {
    const { v } = await visitor();
    const conversation = await ask(v, 'Can a person tell me when the next course starts?');
    await ok(v, 'visitor:contact', { email: 'seen@example.com' });
    // The visitor's read position reaches the reply before the scan sees it (as a read receipt records it).
    await server.app.mail.stop();
    try {
      const { message } = await reply(conversation.id, 'Next Monday.');
      await server.database.db.execute(sql`update conversations set visitor_read_seq = ${message.seq} where id = ${conversation.id}`);
      await server.app.mail.poke();
      expect(await jobsOf(conversation.id)).toEqual([]);
    } finally {
      server.app.mail.start();
    }
  });

  it('retries a mail the SMTP server refused, later, and sends it once', async () => {
    const { v } = await visitor();
    const conversation = await ask(v, 'Can a person resend my invoice please?');
    await ok(v, 'visitor:contact', { email: 'retry@example.com' });
    inbox.failNext(1);
    const before = Date.now();
    await reply(conversation.id, 'Sent again.');
    // The first attempt fails and is put off by the backoff (30 s), not retried at once.
    const job = await until(async () => (await jobsOf(conversation.id)).find((j) => j.lastError));
    expect(job).toMatchObject({ attempts: 1, sentAt: null, failedAt: null });
    expect(job.lastError).toMatch(/try again later/);
    expect(job.runAt.getTime()).toBeGreaterThan(before + 20_000);
    // As if the backoff had passed.
    await server.database.db.update(mailJobs).set({ runAt: new Date() }).where(eq(mailJobs.id, job.id));
    const mail = await inbox.next((m) => m.to !== undefined && 'text' in m.to && m.to.text === 'retry@example.com');
    expect(mail.text).toContain('Sent again.');
    const done = await until(async () => (await jobsOf(conversation.id)).find((j) => j.sentAt));
    expect(done).toMatchObject({ attempts: 2, lastError: null });
    expect(done.sentAt).not.toBeNull();
    expect(inbox.mails.filter((m) => m.to !== undefined && 'text' in m.to && m.to.text === 'retry@example.com')).toHaveLength(1);
  });

  it('emails the transcript when the visitor asks, and only with an address', async () => {
    const { v } = await visitor();
    const conversation = await ask(v, 'Can a person explain the exam rules to me?');
    expect(await call(v, 'transcript:email', { conversationId: conversation.id })).toMatchObject({ ok: false, error: { code: 'CONTACT_REQUIRED' } });
    await ok(v, 'visitor:contact', { email: 'transcript@example.com' });
    await reply(conversation.id, 'Two hours, open book.');
    // A private note between the reply and the transcript: agents only, never in a mail.
    await ok(agent, 'note:add', { conversationId: conversation.id, clientId: clientId(), body: 'NOTE-PRIVATE checked the exam file' });
    const replyMail = await inbox.next((m) => m.subject?.includes('New reply') === true && m.to !== undefined && 'text' in m.to && m.to.text === 'transcript@example.com');
    expect(await ok(v, 'transcript:email', { conversationId: conversation.id })).toEqual({ queued: true });
    const mail = await inbox.next((m) => m.subject?.includes('Your conversation with') === true && m.to !== undefined && 'text' in m.to && m.to.text === 'transcript@example.com');
    expect(mail.text).toContain('Can a person explain the exam rules to me?');
    expect(mail.text).toContain('Two hours, open book.');
    for (const m of [mail, replyMail]) expect(`${m.text} ${m.html}`).not.toContain('NOTE-PRIVATE');
    linkOf(mail);
    // Someone else's conversation is not theirs to mail.
    const { v: stranger } = await visitor();
    await ok(stranger, 'visitor:contact', { email: 'stranger@example.com' });
    expect(await call(stranger, 'transcript:email', { conversationId: conversation.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('refuses a bad address, and a visitor the site identified is not asked', async () => {
    const { v } = await visitor();
    expect(await call(v, 'visitor:contact', { email: 'not an address' })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    const { v: w, session } = await visitor();
    await server.database.db.execute(sql`update visitors set external_id = 'user-1', identity_source = 'signed' where id = ${session.visitorId}`);
    const again = await visitor('en', session.token);
    expect(again.session.contact.signed).toBe(true);
    expect(await call(again.v, 'visitor:contact', { email: 'x@example.com' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    w.disconnect();
  });

  it('asks for the pre-chat form first when the site requires it', async () => {
    await server.database.db.update(sites).set({ prechatForm: 'name_email' }).where(eq(sites.id, 'demo'));
    await server.app.ctx.sites.changed('demo');
    try {
      const { v, session } = await visitor();
      expect(session.contact.prechatForm).toBe('name_email');
      expect(await call(v, 'message:send', { clientId: clientId(), body: 'Hello?' })).toMatchObject({ ok: false, error: { code: 'CONTACT_REQUIRED' } });
      await ok(v, 'visitor:contact', { email: 'form@example.com' });
      expect(await call(v, 'message:send', { clientId: clientId(), body: 'Hello?' })).toMatchObject({ ok: false, error: { code: 'CONTACT_REQUIRED' } });
      await ok(v, 'visitor:contact', { name: 'Form', email: 'form@example.com' });
      await ok(v, 'message:send', { clientId: clientId(), body: 'Hello?' });

      // No way around it: a suggestion picked while typing, then "talk to a person", asks for the form too.
      const { v: w } = await visitor();
      const { suggestions: [suggestion] } = await ok<{ suggestions: { entryId: string }[] }>(w, 'faq:suggest', { text: 'how do I get a refund' });
      expect(suggestion).toBeDefined();
      expect(await call(w, 'faq:pick', { entryId: suggestion.entryId })).toMatchObject({ ok: false, error: { code: 'CONTACT_REQUIRED' } });
      expect(await server.database.db.select().from(conversations).where(eq(conversations.visitorId, (await ok<SessionDTO>(w, 'session:hello', {})).visitorId))).toEqual([]);
    } finally {
      await server.database.db.update(sites).set({ prechatForm: 'off' }).where(eq(sites.id, 'demo'));
      await server.app.ctx.sites.changed('demo');
    }
  });
});

describe.each(BACKENDS)('without SMTP on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { mail: { linkTtlMs: 3600_000, scanIntervalMs: 100 } });
    await server.database.db.update(sites).set({ emailUnseenAfterSec: 0 }).where(eq(sites.id, 'demo'));
    await server.app.ctx.sites.changed('demo');
  });
  afterAll(() => server?.close());

  it('says email is off, to the console and the widget, and makes no link', async () => {
    const cookie = await login(server.url);
    const res = await fetch(`${server.url}/api/mail/status`, { headers: { cookie } });
    expect(await res.json()).toEqual({ ok: true, data: { enabled: false } });
    expect((await fetch(`${server.url}/api/mail/status`)).status).toBe(401);

    const v = visitorSocket(server.url);
    await connected(v);
    const session = await ok<SessionDTO>(v, 'session:hello', {});
    expect(session.contact.emailEnabled).toBe(false);
    await ok(v, 'visitor:contact', { email: 'off@example.com' });
    let { conversation } = await ok<{ conversation: ConversationDTO }>(v, 'message:send', { clientId: clientId(), body: 'Can a person call me back?' });
    if (conversation.status === 'bot') conversation = (await ok(v, 'conversation:escalate', { conversationId: conversation.id })).conversation;
    await ok(v, 'transcript:email', { conversationId: conversation.id });
    const job = await until(async () => (await server.database.db.select().from(mailJobs).where(eq(mailJobs.conversationId, conversation.id))).find((j) => j.failedAt));
    expect(job).toMatchObject({ kind: 'transcript', lastError: 'email off', sentAt: null });
    expect(await server.database.db.select().from(visitorLinks).where(eq(visitorLinks.visitorId, session.visitorId))).toEqual([]);
  });
});

describe.runIf(Boolean(process.env.TEST_REDIS_URL)).each(BACKENDS)('two nodes on %s', (backend) => {
  let cluster: TwoNodes;
  let inbox: TestInbox;
  const sockets: { disconnect(): unknown }[] = [];
  beforeAll(async () => {
    inbox = await startSmtpServer();
    cluster = await twoNodes(backend, process.env.TEST_REDIS_URL!, { mail: { smtpUrl: inbox.url, from: FROM, linkTtlMs: 3600_000, scanIntervalMs: 100 } });
    await cluster.database.db.update(sites).set({ emailUnseenAfterSec: 0 }).where(eq(sites.id, 'demo'));
    for (const node of cluster.nodes) await node.app.ctx.sites.changed('demo');
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await cluster?.close();
    await inbox?.close();
  });

  it('sends each mail once, though both nodes scan and send', async () => {
    const [a, b] = cluster.nodes;
    const v = visitorSocket(a.url);
    const agent = agentSocket(b.url, await login(b.url));
    sockets.push(v, agent);
    await Promise.all([connected(v), connected(agent)]);
    const session = await ok<SessionDTO>(v, 'session:hello', {});
    let { conversation } = await ok<{ conversation: ConversationDTO }>(v, 'message:send', { clientId: clientId(), body: 'Can a person check my exam result?' });
    if (conversation.status === 'bot') conversation = (await ok(v, 'conversation:escalate', { conversationId: conversation.id })).conversation;
    await ok(v, 'visitor:contact', { email: 'twice@example.com' });
    await ok(agent, 'conversation:claim', { conversationId: conversation.id });
    await ok(agent, 'message:send', { conversationId: conversation.id, clientId: clientId(), body: 'You passed.' });
    await inbox.next((m) => m.text?.includes('You passed.') === true);

    // Twenty transcripts queued at once, and both nodes told to send right away, again and again.
    const db = cluster.database.db;
    await db.insert(mailJobs).values(
      Array.from({ length: 20 }, (_, i) => ({
        siteId: 'demo',
        visitorId: session.visitorId,
        conversationId: conversation.id,
        kind: 'transcript' as const,
        dedupeKey: `load:${conversation.id}:${i}`,
        payload: { upToSeq: conversation.lastSeq + 10 },
      })),
    );
    await Promise.all([a, b, a, b].map((node) => node.app.mail.poke()));
    await until(async () => (await db.select().from(mailJobs).where(eq(mailJobs.visitorId, session.visitorId))).every((j) => j.sentAt));
    await Promise.all([a, b].map((node) => node.app.mail.poke()));
    const mine = inbox.mails.filter((m) => m.to !== undefined && 'text' in m.to && m.to.text === 'twice@example.com');
    expect(mine.filter((m) => m.text?.includes('You passed.') && m.subject?.includes('New reply'))).toHaveLength(1);
    expect(mine.filter((m) => m.subject?.includes('Your conversation with'))).toHaveLength(20);
    const jobs = await db.select().from(mailJobs).where(eq(mailJobs.visitorId, session.visitorId));
    expect(jobs.map((j) => j.attempts)).toEqual(jobs.map(() => 1));
  }, 120_000);
});
