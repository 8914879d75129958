/**
 * Hostile input: more than 10,000 random and malformed payloads, from a seeded generator, at every
 * socket event of both namespaces and every HTTP route. The server must stay up, answer only with
 * a known error code (never INTERNAL, never a message or a stack), or with a valid answer for the
 * rare valid payload, and store nothing that the shared schemas would refuse.
 */
import { createHmac } from 'node:crypto';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_BYTES } from '../../shared/protocol.ts';
import { ERROR_CODES } from '../../shared/result.ts';
import { ArticleInput, FaqEntryInput, FeedbackSubmit, MessageBody, PageTitle, PageUrl } from '../../shared/schemas.ts';
import type { SessionDTO } from '../../shared/types.ts';
import { HTTP_STATUS } from '../../server/errors.ts';
import { liftRateLimits } from '../support/limits.ts';
import { articles, conversations, faqEntries, feedback, messages } from '../../server/db/schema.ts';
import { findSite } from '../../server/sites/sites.repository.ts';
import { BACKENDS } from '../support/db.ts';
import { XSS_PAYLOADS } from '../support/xss-payloads.ts';
import { addAgent, clientId, connected, login, ok, startTestServer, type TestServer } from '../support/server.ts';

const SOCKET_PAYLOADS = 8_000;
const HTTP_REQUESTS = 2_200;

// ---- a small deterministic generator ----

/** mulberry32: a seeded PRNG, so a failure can be replayed with the same seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof prng>;

const hex = (r: Rng, n: number) => Array.from({ length: n }, () => r.int(16).toString(16)).join('');
/** A random (v4-shaped) uuid from the seeded generator. */
const uuid = (r: Rng) => `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-${r.pick(['8', '9', 'a', 'b'])}${hex(r, 3)}-${hex(r, 12)}`;
const seededClientId = (r: Rng) => `h${hex(r, 20)}`;

const SEED = Number(process.env.HOSTILE_SEED ?? 20_240_601);

const NASTY_STRINGS = [
  '', ' ', '\t\n\r ', 'a', '\u0000', 'a\u0000b', '\ud800', '\udfff', 'x\ud83d', '\ud83dx', '😀', '\u202e', '\ufeff', '\u200b\u200d',
  'Z̷͉̝a̸l̷g̵o̴', 'ǅİßﬃ', '\r\n', 'NaN', 'null', 'undefined', 'true', '0', '-1', '1e309', '__proto__', 'constructor', 'prototype',
  '../../etc/passwd', '..\\..\\windows\\win.ini', '%00', '%2e%2e%2f', "'; DROP TABLE messages; --", "' OR '1'='1", '$where', '{"$gt":""}',
  'javascript:alert(1)', 'http://', 'https://', 'ftp://example.com/x', 'https://example.com/' + 'a'.repeat(2100), 'https://exa mple.com',
  'https://example.com/a', 'http://localhost/en/articles/x', 'a@b', 'a@b.c', 'x'.repeat(200) + '@example.com', 'admin@test.local',
  '2020-01-01T00:00:00Z', '2020-13-45T99:99:99Z', '9999-12-31T23:59:59Z', '0000-01-01T00:00:00Z', '+275760-09-13T00:00:00.000Z',
  '00000000-0000-0000-0000-000000000000', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', 'zh', 'en', 'fr', 'EN', 'solved', 'human', 'new', 'processed',
  'open', 'resolved', 'csv', 'json', 'demo', 'demo\u0000', ' demo', 'x'.repeat(64), 'x'.repeat(65), 'x'.repeat(3999), ' '.repeat(4001),
  'x'.repeat(4000), 'x'.repeat(4001), '界'.repeat(4000), '😀'.repeat(2000), '😀'.repeat(2001), '%s%s%s%n', '${7*7}', '\\', '"', "'",
  ...XSS_PAYLOADS,
];
/** What Postgres refuses or alters: NUL anywhere, lone surrogates. Often enough to reach every column. */
const POISON = ['\u0000', 'demo\u0000', 'a\u0000b', '\ud800', 'x\udfff', 'Lone \ud83d surrogate', 'NUL \u0000 inside'];
const NUMBERS = [0, -0, 1, -1, 0.5, 2 ** 31, 2 ** 31 - 1, 2 ** 40, 2 ** 53 + 1, -(2 ** 53), 1e308, Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity];
// No 'replace': an import that replaces a site's FAQ would delete rows, which the final count forbids.
const KEYS = [
  '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '', ' ', '\u0000', '$gt', '0', 'length',
  'id', 'ids', 'body', 'clientId', 'conversationId', 'questionId', 'entryId', 'action', 'afterSeq', 'content', 'contact', 'pageUrl',
  'pageTitle', 'locale', 'ts', 'hash', 'name', 'email', 'siteId', 'question', 'answer', 'variants', 'tags', 'language', 'entries', 'url',
  'title', 'summary', 'note', 'password', 'status', 'from', 'to', 'format', 'q', 'role', 'isAdmin', 'visitorId', 'agentId',
];

function randomText(r: Rng, max = 40): string {
  let s = '';
  const n = r.int(max);
  for (let i = 0; i < n; i++) {
    const kind = r.int(6);
    // U+FFFD is left out on purpose: finding it in the database means a lone surrogate was replaced.
    const cp = kind === 0 ? r.int(0x80) : kind === 1 ? 0xd800 + r.int(0x800) : kind === 2 ? 0x10000 + r.int(0x1000) : 0x80 + r.int(0xfff0 - 0x80);
    s += cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp === 0xfffd ? 0xfffc : cp);
  }
  return s;
}

/** 4 KB to 70 KB of UTF-8: past the message limit, and sometimes past Socket.IO's packet limit. */
function hugeString(r: Rng): string {
  const bytes = 4_000 + r.int(70_000 - 4_000);
  const [unit, width] = r.pick([['x', 1], ['界', 3], [' ', 1], ['😀', 4], ['<', 1]] as const);
  return unit.repeat(Math.floor(bytes / width));
}

function nasty(r: Rng): string {
  const k = r.int(10);
  if (k < 1) return r.pick(POISON);
  if (k < 6) return r.pick(NASTY_STRINGS);
  if (k < 8) return randomText(r);
  if (k < 9) return uuid(r);
  return `${r.pick(NASTY_STRINGS)}${randomText(r, 8)}`;
}

/** Sets a key as an own enumerable property, even `__proto__`, so JSON carries it. */
function put(o: Record<string, unknown>, key: string, value: unknown) {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function junk(r: Rng, depth = 0): unknown {
  const k = r.int(depth > 3 ? 6 : 9);
  if (k === 0) return null;
  if (k === 1) return r.chance(0.5);
  if (k === 2) return r.pick(NUMBERS);
  if (k === 3 || k === 4) return nasty(r);
  if (k === 5) return undefined;
  if (k === 6) return Array.from({ length: r.int(5) }, () => junk(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = r.int(5); i > 0; i--) put(o, r.pick(KEYS), junk(r, depth + 1));
  return o;
}

/** Any generated value as query-string text (String() throws on an object whose toString is junk). */
const text = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? 'undefined'));

function deep(r: Rng): unknown {
  let v: unknown = nasty(r);
  const array = r.chance(0.5);
  for (let i = 1 + r.int(3000); i > 0; i--) v = array ? [v] : { a: v };
  return v;
}

function pollute(o: Record<string, unknown>) {
  const polluted = { ...o };
  put(polluted, '__proto__', { isAdmin: true, role: 'admin', siteIds: ['demo'] });
  put(polluted, 'constructor', { prototype: { isAdmin: true } });
  return polluted;
}

/** A payload for an event or a route: usually the valid one, broken in one place. */
function mutate(r: Rng, valid: Record<string, unknown> | Record<string, unknown>[]): unknown {
  const roll = r.next();
  if (Array.isArray(valid)) return roll < 0.05 ? valid : r.chance(0.5) ? valid.map((v) => mutate(r, v as Record<string, unknown>)) : junk(r);
  if (roll < 0.05) return valid;
  const keys = Object.keys(valid);
  const field = keys.length && r.chance(0.9) ? r.pick(keys) : r.pick(KEYS);
  if (roll < 0.4) return { ...valid, [field]: junk(r) };
  if (roll < 0.5) {
    const copy = { ...valid };
    delete copy[field];
    return copy;
  }
  if (roll < 0.58) return pollute(valid);
  if (roll < 0.68) return { ...valid, [field]: nasty(r) };
  if (roll < 0.73) return r.chance(0.5) ? deep(r) : { ...valid, [field]: deep(r) };
  if (roll < 0.82) return r.pick([null, 0, -1, true, 'payload', '', [], [valid], nasty(r), r.pick(NUMBERS), new Uint8Array([1, 2, 3])]);
  if (roll < 0.86) return { ...valid, [field]: hugeString(r) };
  return junk(r);
}

// ---- what an answer may look like ----

const CODES = new Set<string>(ERROR_CODES);

/** Node's HTTP parser refuses a request line over its 16 KB header limit before any of our code runs. */
const refusedByNode = (status: number, body: string, url: string) => status === 431 && body === '' && new URL(url).href.length > 16_000;

/** A refusal: `{ ok: false, error: { code } }` (with retryAfterMs for limits), nothing else. */
function refusalProblem(res: unknown): string | undefined {
  if (typeof res !== 'object' || res === null) return `not an object: ${String(res)}`;
  const a = res as { ok?: unknown; error?: { code?: unknown; retryAfterMs?: unknown }; data?: unknown };
  if (a.ok === true) return undefined;
  if (a.ok !== false) return `no ok flag: ${JSON.stringify(res).slice(0, 200)}`;
  if (Object.keys(a).sort().join() !== 'error,ok') return `extra keys: ${Object.keys(a)}`;
  const e = a.error ?? {};
  if (!Object.keys(e).every((k) => k === 'code' || k === 'retryAfterMs')) return `extra error keys: ${JSON.stringify(e).slice(0, 200)}`;
  if (typeof e.code !== 'string' || !CODES.has(e.code)) return `unknown code: ${String(e.code)}`;
  if (e.code === 'INTERNAL') return 'INTERNAL: an exception escaped';
  if ('retryAfterMs' in e && !(typeof e.retryAfterMs === 'number' && e.retryAfterMs > 0)) return `bad retryAfterMs: ${String(e.retryAfterMs)}`;
  return undefined;
}

/** No NUL and no lone surrogate. */
const wellFormed = (s: string) => !/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
const strings = (v: unknown): string[] => (typeof v === 'string' ? [v] : v !== null && typeof v === 'object' ? Object.values(v).flatMap(strings) : []);
/**
 * Socket payloads travel as JSON, which keeps a lone surrogate as it is; the generator never makes
 * U+FFFD. So U+FFFD in what a socket stored means the database replaced a lone surrogate.
 * (HTTP text bodies are different: fetch itself encodes a lone surrogate as U+FFFD.)
 */
const unreplaced = (s: string) => wellFormed(s) && !s.includes('\ufffd');

/** The value unchanged by the schema: it is exactly what a valid input would have stored. */
function normalized(schema: { safeParse(v: unknown): { success: boolean; data?: unknown } }, value: unknown, check = wellFormed): boolean {
  const parsed = schema.safeParse(value);
  return parsed.success && JSON.stringify(parsed.data) === JSON.stringify(value) && strings(value).every(check);
}

describe.each(BACKENDS)('hostile input on %s', (backend) => {
  let server: TestServer;
  let admin: string;
  let plain: string;
  let restoreLimits: (() => void) | undefined;
  const problems: string[] = [];
  const note = (where: string, problem: string | undefined) => {
    if (problem && problems.length < 50) problems.push(`${where}: ${problem}`);
  };
  /** How answers were spread: proof that payloads got past validation, not only bounced off it. */
  const tally: Record<string, number> = {};
  const tallyAnswer = (res: unknown) => {
    const a = res as { ok?: boolean; error?: { code?: string } };
    const key = a?.ok ? 'ok' : String(a?.error?.code);
    tally[key] = (tally[key] ?? 0) + 1;
  };
  /** What valid payloads created, to check the database against. */
  const created = { messages: new Set<string>(), feedback: new Set<string>(), faqs: 0, articles: 0, conversations: new Set<string>() };
  /** What payloads sent without an ack may have created: their answer is never seen. */
  const unanswered = { clientIds: new Set<string>(), feedback: 0 };
  let startedAt: Date;
  let before: { table: string; ids: Set<string> }[];
  let ids: {
    ownConversation: string[];
    ownQuestion: string[];
    ownFeedback: string[];
    otherConversation: string;
    otherQuestion: string;
    otherFeedback: string;
    ticket: string;
    entries: string[];
    visitor: string;
    tokens: string[];
    secret: string;
  };
  let fired = 0;

  const health = async () => {
    const res = await fetch(`${server.url}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, data: { status: 'ok', database: 'up' } });
  };

  beforeAll(async () => {
    // Limits would refuse most valid payloads after the first few; the point here is what gets stored.
    // So would the flood limits on socket events: each lane fires as fast as the server answers.
    restoreLimits = liftRateLimits();
    server = await startTestServer(backend);
    admin = await login(server.url);
    plain = await addAgent(server, `plain-${backend}@test.local`);
    const demo = (await findSite(server.database.db, 'demo'))!;
    const visitorWithData = async () => {
      const v = connect(`${server.url}/widget`, { query: { site: 'demo' }, transports: ['websocket'], forceNew: true, reconnection: false });
      await connected(v);
      const session = await ok<SessionDTO>(v, 'session:hello', {});
      const sent = await ok(v, 'message:send', { clientId: clientId(), body: 'How do I get a refund?' });
      const msgs = await ok(v, 'messages:sync', { conversationId: sent.conversation.id, afterSeq: 0 });
      const fb = await ok(v, 'feedback:submit', { content: 'Hostile test feedback' });
      v.disconnect();
      const question = msgs.find((m: { meta: { questionId?: string } }) => m.meta.questionId).meta.questionId as string;
      return { token: session.token!, visitorId: session.visitorId, conversation: sent.conversation.id as string, question, feedback: fb.id as string };
    };
    const workers = [await visitorWithData(), await visitorWithData(), await visitorWithData()];
    const other = await visitorWithData();
    const t = connect(`${server.url}/widget`, { query: { site: 'demo' }, transports: ['websocket'], forceNew: true, reconnection: false });
    await connected(t);
    const ticket = await ok(t, 'message:send', { clientId: clientId(), body: 'My certificate shows the wrong spelling of my village, can a person fix it?' });
    t.disconnect();
    const entries = (await server.database.db.select({ id: faqEntries.id }).from(faqEntries).limit(3)).map((e) => e.id);
    ids = {
      ownConversation: workers.map((w) => w.conversation),
      ownQuestion: workers.map((w) => w.question),
      ownFeedback: workers.map((w) => w.feedback),
      otherConversation: other.conversation,
      otherQuestion: other.question,
      otherFeedback: other.feedback,
      ticket: ticket.conversation.id,
      entries,
      visitor: other.visitorId,
      tokens: workers.map((w) => w.token),
      secret: demo.secret,
    };
    const db = server.database.db;
    before = [
      { table: 'messages', ids: new Set((await db.select({ id: messages.id }).from(messages)).map((r) => r.id)) },
      { table: 'conversations', ids: new Set((await db.select({ id: conversations.id }).from(conversations)).map((r) => r.id)) },
      { table: 'feedback', ids: new Set((await db.select({ id: feedback.id }).from(feedback)).map((r) => r.id)) },
      { table: 'faq_entries', ids: new Set((await db.select({ id: faqEntries.id }).from(faqEntries)).map((r) => r.id)) },
      { table: 'articles', ids: new Set((await db.select({ id: articles.id }).from(articles)).map((r) => r.id)) },
    ];
    startedAt = new Date();
  });

  afterAll(async () => {
    restoreLimits?.();
    await server?.close();
  });

  // ---- sockets ----

  type Lane = { namespace: 'widget' | 'agent'; index: number };
  const anyId = (r: Rng, own: string[]) => r.pick([...own, ...own, ids.otherConversation, ids.ticket, uuid(r)]);

  /** A valid payload for each event; the generator breaks it. */
  function validPayload(r: Rng, lane: Lane, event: string): Record<string, unknown> {
    const me = lane.index;
    const page = { pageUrl: 'https://example.com/a', pageTitle: 'A page' };
    if (lane.namespace === 'widget') {
      const ts = Math.floor(Date.now() / 1000);
      switch (event) {
        case 'session:hello': return { locale: 'en', ...page };
        case 'session:identify': return { id: `user-${me}`, name: 'Hostile', email: 'h@example.com', ts, hash: createHmac('sha256', ids.secret).update(`user-${me}:${ts}`).digest('hex') };
        case 'message:send': return { clientId: seededClientId(r), body: `hello ${r.int(1000)}`, ...page };
        case 'messages:sync': return { conversationId: r.pick([ids.ownConversation[me], ids.otherConversation]), afterSeq: r.int(5) };
        case 'faq:respond': return { questionId: r.pick([ids.ownQuestion[me], ids.otherQuestion]), action: r.pick(['solved', 'human']) };
        case 'faq:choose': return { questionId: r.pick([ids.ownQuestion[me], ids.otherQuestion]), entryId: r.pick(ids.entries) };
        case 'conversation:escalate': return { conversationId: r.pick([ids.ownConversation[me], ids.otherConversation]) };
        case 'feedback:submit': return { content: `feedback ${r.int(1000)}`, contact: 'me@example.com', ...page };
        case 'feedback:seen': return { ids: [ids.ownFeedback[me], ids.otherFeedback] };
        case 'conversation:read': return { conversationId: r.pick([ids.ownConversation[me], ids.otherConversation]), seq: r.int(5) };
        case 'typing': return { conversationId: r.pick([ids.ownConversation[me], ids.otherConversation]), typing: r.pick([true, false]) };
        default: return {};
      }
    }
    switch (event) {
      case 'message:send': return { conversationId: anyId(r, [ids.ticket]), clientId: seededClientId(r), body: `reply ${r.int(1000)}` };
      case 'messages:sync': return { conversationId: anyId(r, [ids.ticket]), afterSeq: r.int(5) };
      case 'queue:list': return {};
      case 'conversation:read': return { conversationId: anyId(r, [ids.ticket]), seq: r.int(5) };
      case 'typing': return { conversationId: anyId(r, [ids.ticket]), typing: r.pick([true, false]) };
      default: return { conversationId: anyId(r, [ids.ticket]) };
    }
  }

  const WIDGET_EVENTS = ['session:hello', 'session:identify', 'message:send', 'messages:sync', 'faq:respond', 'faq:choose', 'conversation:escalate', 'feedback:submit', 'feedback:list', 'feedback:seen', 'conversation:read', 'typing'];
  const AGENT_EVENTS = ['queue:list', 'conversation:open', 'conversation:close', 'conversation:claim', 'conversation:resolve', 'message:send', 'messages:sync', 'conversation:read', 'typing'];

  function open(lane: Lane) {
    const s =
      lane.namespace === 'widget'
        ? connect(`${server.url}/widget`, { query: { site: 'demo' }, auth: { token: ids.tokens[lane.index] }, transports: ['websocket'], forceNew: true, reconnection: false })
        : connect(`${server.url}/agent`, { extraHeaders: { cookie: lane.index === 0 ? admin : plain }, transports: ['websocket'], forceNew: true, reconnection: false });
    return s;
  }

  /** Checks an ok answer: what it created is what was asked, and never someone else's data. */
  function checkAccepted(lane: Lane, event: string, payload: unknown, data: any) {
    const p = payload as Record<string, unknown>;
    const text = JSON.stringify(payload);
    if (lane.namespace === 'widget' && [ids.otherConversation, ids.otherQuestion].some((id) => text.includes(id))) {
      if (event !== 'feedback:seen') return note(event, `accepted another visitor's id: ${text.slice(0, 200)}`);
    }
    if (event === 'feedback:seen' && data.count !== 0) note(event, `marked ${data.count} items seen`);
    if (event === 'message:send') {
      const { message } = data;
      if (message.body !== String(p.body).trim()) note(event, `stored ${JSON.stringify(message.body).slice(0, 80)} for ${JSON.stringify(p.body).slice(0, 80)}`);
      created.messages.add(message.id);
      if (lane.namespace === 'widget') created.conversations.add(data.conversation.id);
    }
    if (event === 'feedback:submit') {
      if (data.content !== String(p.content).trim()) note(event, `stored ${JSON.stringify(data.content).slice(0, 80)}`);
      created.feedback.add(data.id);
    }
  }

  /** Fires payloads at one socket, one at a time; reconnects when an oversized one closes it. */
  async function runLane(lane: Lane, count: number, seed: number) {
    const r = prng(seed);
    const events = lane.namespace === 'widget' ? WIDGET_EVENTS : AGENT_EVENTS;
    let s = open(lane);
    await connected(s);
    for (let i = 0; i < count; i++) {
      if (!s.connected) {
        s = open(lane);
        await connected(s);
      }
      const event = r.pick(events);
      const payload = mutate(r, validPayload(r, lane, event));
      const size = Buffer.byteLength(JSON.stringify([event, payload]) ?? '');
      // Oversized payloads close the connection, so they always go with an ack to see it happen.
      const style = size > MAX_PAYLOAD_BYTES / 2 ? 4 : r.int(20);
      fired++;
      if (style === 0) {
        s.emit(event, payload);
        const p = payload as { clientId?: unknown } | null;
        if (event === 'message:send' && typeof p?.clientId === 'string') unanswered.clientIds.add(p.clientId);
        if (event === 'feedback:submit') unanswered.feedback++;
        continue;
      }
      if (style === 1) {
        s.emit(event, junk(r), junk(r));
        continue;
      }
      const args = style === 2 ? [] : style === 3 ? [payload, junk(r)] : [payload];
      const answer = await new Promise<{ res?: unknown; closed?: boolean; silent?: boolean }>((resolve) => {
        const onClose = () => resolve({ closed: true });
        s.once('disconnect', onClose);
        s.timeout(20_000).emit(event, ...args, (err: Error | null, res: unknown) => {
          s.off('disconnect', onClose);
          resolve(err ? { silent: true } : { res });
        });
      });
      if (answer.silent) {
        note(event, `no answer for ${JSON.stringify(args).slice(0, 200)}`);
        continue;
      }
      if (answer.closed) {
        // Only an oversized packet may end the connection (Socket.IO's maxHttpBufferSize).
        if (size < MAX_PAYLOAD_BYTES - 100) note(event, `connection closed on a ${size}-byte payload: ${JSON.stringify(args).slice(0, 200)}`);
        s.disconnect();
        continue;
      }
      tallyAnswer(answer.res);
      const problem = refusalProblem(answer.res);
      if (problem) note(`${lane.namespace} ${event}`, `${problem} for ${JSON.stringify(args).slice(0, 300)}`);
      else if ((answer.res as { ok: boolean }).ok) checkAccepted(lane, event, payload, (answer.res as { data: unknown }).data);
      if (i % 500 === 0) await health();
    }
    s.disconnect();
  }

  it('answers every malformed socket payload, on both namespaces, with an error code', async () => {
    problems.length = 0;
    const lanes: Lane[] = [
      { namespace: 'widget', index: 0 },
      { namespace: 'widget', index: 1 },
      { namespace: 'widget', index: 2 },
      { namespace: 'agent', index: 0 },
      { namespace: 'agent', index: 1 },
    ];
    const per = Math.ceil(SOCKET_PAYLOADS / lanes.length);
    await Promise.all(lanes.map((lane, i) => runLane(lane, per, SEED + i)));
    await health();
    expect(problems).toEqual([]);
    expect(tally.ok).toBeGreaterThan(SOCKET_PAYLOADS / 50);
    expect(tally.NOT_FOUND).toBeGreaterThan(0);
  }, 120_000);

  // ---- HTTP ----

  interface Route {
    method: string;
    /** The route as shared/http.ts lists it. */
    name?: string;
    path: (r: Rng) => string;
    query?: (r: Rng) => Record<string, string>;
    body?: (r: Rng) => Record<string, unknown> | Record<string, unknown>[];
    /** Whose session: the logout route must not end the admin's. */
    anonymous?: boolean;
  }

  const faqInput = (r: Rng) => ({ question: `Hostile question ${r.int(1e6)}?`, variants: ['another way'], answer: 'An answer.', language: 'en', tags: ['t'], articleUrls: ['https://example.com/a'] });
  const article = (r: Rng) => ({ url: `https://example.com/hostile/${r.int(1e6)}`, title: 'Hostile', summary: 's', body: 'b', language: 'en' });
  const range = () => ({ from: '2020-01-01T00:00:00Z', to: '2040-01-01T00:00:00Z' });
  const routes: Route[] = [
    { method: 'POST', path: () => '/api/auth/login', body: (r) => ({ email: r.pick(['admin@test.local', 'nobody@test.local']), password: r.pick(['admin-password-1', 'wrong-password']) }) },
    { method: 'POST', path: () => '/api/auth/logout', anonymous: true },
    { method: 'GET', path: () => '/api/auth/me' },
    { method: 'GET', path: () => '/api/sites' },
    { method: 'GET', path: () => '/api/health' },
    { method: 'GET', path: () => '/api/metrics', query: () => ({ ...range(), siteId: 'demo' }) },
    { method: 'GET', path: () => '/api/feedback', query: () => ({ status: 'new', siteId: 'demo' }) },
    { method: 'POST', path: () => `/api/feedback/${ids.otherFeedback}/process`, body: () => ({ note: 'Processed by the hostile test.' }) },
    { method: 'GET', path: () => '/api/conversations', query: () => ({ status: 'open', siteId: 'demo' }) },
    { method: 'GET', path: () => `/api/conversations/${ids.ticket}` },
    { method: 'GET', path: () => '/api/faqs', query: () => ({ siteId: 'demo', q: 'refund' }) },
    { method: 'POST', name: 'faq-create', path: () => '/api/faqs', query: () => ({ siteId: 'demo' }), body: faqInput },
    { method: 'PUT', path: (r) => `/api/faqs/${r.pick(ids.entries)}`, body: faqInput },
    { method: 'DELETE', path: (r) => `/api/faqs/${uuid(r)}` },
    { method: 'GET', name: 'export', path: () => '/api/faqs/export', query: (r) => ({ siteId: 'demo', format: r.pick(['csv', 'json']) }) },
    { method: 'POST', name: 'import', path: () => '/api/faqs/import', query: () => ({ siteId: 'demo' }), body: (r) => ({ entries: [faqInput(r)] }) },
    { method: 'POST', name: 'csv', path: () => '/api/faqs/import', query: () => ({ siteId: 'demo', format: 'csv' }) },
    { method: 'POST', name: 'faq-create', path: () => '/api/faqs/from-conversation', body: () => ({ conversationId: ids.ticket, language: 'en' }) },
    { method: 'GET', path: () => '/api/faqs/demand', query: () => ({ siteId: 'demo', ...range() }) },
    { method: 'GET', path: () => '/api/articles', query: () => ({ siteId: 'demo' }) },
    { method: 'PUT', name: 'articles', path: () => '/api/articles', query: () => ({ siteId: 'demo' }), body: (r) => (r.chance(0.5) ? article(r) : [article(r), article(r)]) },
    { method: 'GET', path: () => `/api/visitors/${ids.visitor}/export` },
    { method: 'DELETE', path: (r) => `/api/visitors/${uuid(r)}` },
    { method: 'GET', path: () => '/api/no-such-route' },
  ];

  const BAD_IDS = ['', 'not-a-uuid', '..%2f..%2fetc%2fpasswd', '%00', '%', '%E0%A4%A', '%2e%2e', 'a'.repeat(5000), '😀', '%F0%9F%98%80', '00000000-0000-0000-0000-000000000000', '1 OR 1=1', "'", '__proto__', 'constructor'];
  const BAD_QUERY = ['%E0%A4%A', '%00', '%', '&&&', '=', '__proto__[isAdmin]=1', 'siteId[]=demo', 'siteId=demo&siteId=other', 'constructor[prototype][x]=1', 'a'.repeat(8000), 'from=2020-13-45&to=x'];
  const JSON_TEXTS = ['{', '{"a":', '[1,2', 'nul', '"\\ud800"', '{"__proto__":{"isAdmin":true}}', '\u0000', 'NaN', '{"a":1}garbage', '\ufeff{}', '[]', '""', '1e999', '{"a":"\\u0000"}'];
  const CONTENT_TYPES = ['text/plain', 'text/csv', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/json; charset=foo', 'APPLICATION/JSON', 'application/json-patch+json', 'application/xml', ''];

  /** encodeURIComponent, but a lone surrogate goes out as its (invalid) UTF-8 bytes instead of throwing. */
  const enc = (s: string) => {
    try {
      return encodeURIComponent(s);
    } catch {
      return s.replace(/[\ud800-\udfff]/g, '%ED%A0%80').replace(/[^%\w.~-]/g, (c) => encodeURIComponent(c));
    }
  };

  function encodeQuery(r: Rng, q: Record<string, string>): string {
    const roll = r.next();
    if (roll < 0.15) return r.pick(BAD_QUERY);
    const entries = Object.entries(q);
    if (roll < 0.5 && entries.length) {
      const i = r.int(entries.length);
      entries[i] = [entries[i][0], r.chance(0.7) ? nasty(r) : text(junk(r))];
    }
    if (r.chance(0.1)) entries.push([r.pick(KEYS), text(junk(r))]);
    return entries.map(([k, v]) => `${enc(k)}=${r.chance(0.05) ? v : enc(v)}`).join('&');
  }

  function request(r: Rng, route: Route): { url: string; init: RequestInit; route: Route } {
    let path = route.path(r);
    if (/[0-9a-f-]{36}/.test(path) && r.chance(0.3)) path = path.replace(/[0-9a-f-]{36}/, r.pick(BAD_IDS));
    const query = route.query ? encodeQuery(r, route.query(r)) : r.chance(0.1) ? r.pick(BAD_QUERY) : '';
    const headers: Record<string, string> = {};
    const cookies = [undefined, 'sc_session=forged', `sc_session=${'\u00e9'.repeat(10)}`, 'sc_session=%E0%A4%A', 'sc_session=%00', 'sc_session="x"; sc_session=y'];
    const who = route.anonymous ? r.pick(cookies) : r.chance(0.85) ? admin : r.pick([plain, ...cookies]);
    if (who) headers.cookie = who;
    if (route.name === 'articles' && r.chance(0.3)) headers.authorization = r.pick([`Bearer ${ids.secret}`, `Bearer ${ids.secret}`, 'Bearer x', 'Bearer \u00ff', 'Basic abc']);
    let body: string | Blob | undefined;
    if (route.name === 'csv' && r.chance(0.8)) {
      // A valid row with one hostile cell, so that the hostile value reaches the insert.
      const row = [`Question ${r.int(1e6)}?`, 'another way', 'An answer.', 'en', 'tag', 'https://example.com/a'];
      row[r.int(row.length)] = nasty(r);
      headers['content-type'] = r.pick(['text/csv', 'text/plain', 'text/csv; charset=latin1']);
      body = `question,variants,answer,language,tags,articleUrls\n${row.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')}\n`;
    } else if (route.method !== 'GET') {
      const roll = r.next();
      if (roll < 0.6 && route.body) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(mutate(r, route.body(r))) ?? 'null';
      } else if (roll < 0.72) {
        headers['content-type'] = 'application/json';
        body = r.chance(0.2) ? '['.repeat(100_000) : r.pick(JSON_TEXTS);
      } else if (roll < 0.88) {
        headers['content-type'] = r.pick(CONTENT_TYPES);
        body = r.chance(0.5) ? `question,variants,answer,language,tags,articleUrls\n"${nasty(r)}",,"${nasty(r)}",en,,\n` : nasty(r);
      } else if (roll < 0.93) {
        headers['content-type'] = 'application/json';
        headers['content-encoding'] = r.pick(['gzip', 'deflate', 'br', 'compress', 'x-unknown']);
        body = new Blob([JSON.stringify(route.body?.(r) ?? {})]);
      } else if (roll < 0.94) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify({ pad: 'x'.repeat(1_100_000) });
      }
    }
    const url = `${server.url}${path}${query ? `?${query}` : ''}`;
    return { url, init: { method: route.method, headers, body }, route };
  }

  async function send(r: Rng) {
    const route = r.pick(routes);
    const { url, init } = request(r, route);
    fired++;
    const where = `${init.method} ${url.slice(server.url.length, server.url.length + 120)} [${(init.headers as Record<string, string>)['content-type'] ?? ''}]`;
    let res: Response;
    let answer: string;
    try {
      res = await fetch(url, init);
      answer = await res.text();
    } catch (err) {
      // 'fetch failed' is the connection going wrong; any other error is fetch refusing to send it.
      if ((err as Error).message === 'fetch failed') note(where, `no answer: ${String((err as { cause?: unknown }).cause)}`);
      return;
    }
    if (route.name === 'export' && res.status === 200) {
      if (!/attachment/.test(res.headers.get('content-disposition') ?? '')) note(where, 'export without a download header');
      return;
    }
    if (refusedByNode(res.status, answer, url)) return;
    let json: unknown;
    try {
      json = JSON.parse(answer);
    } catch {
      return note(where, `${res.status} not JSON: ${answer.slice(0, 200)}`);
    }
    tallyAnswer(json);
    const problem = refusalProblem(json);
    if (problem) return note(where, `${res.status} ${problem}`);
    const a = json as { ok: boolean; error?: { code: keyof typeof HTTP_STATUS }; data?: any };
    if (!a.ok && res.status !== HTTP_STATUS[a.error!.code]) note(where, `status ${res.status} for ${a.error!.code}`);
    if (a.ok && res.status !== 200) note(where, `status ${res.status} for an ok answer`);
    if (a.ok && route.name === 'faq-create') created.faqs += 1;
    if (a.ok && (route.name === 'import' || route.name === 'csv')) created.faqs += a.data.imported;
    if (a.ok && route.name === 'articles') created.articles += a.data.count;
  }

  it('answers every malformed HTTP request with an error code', async () => {
    problems.length = 0;
    for (const key of Object.keys(tally)) delete tally[key];
    const r = prng(SEED + 100);
    const requests = Array.from({ length: HTTP_REQUESTS }, () => () => send(r));
    let i = 0;
    // A few requests in flight at once, like several browsers.
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (i < requests.length) {
          const n = i++;
          await requests[n]();
          if (n % 500 === 0) await health();
        }
      }),
    );
    await health();
    expect(problems).toEqual([]);
    expect(tally.ok).toBeGreaterThan(HTTP_REQUESTS / 50);
    for (const code of ['NOT_FOUND', 'FORBIDDEN', 'UNAUTHORIZED']) expect(tally[code], code).toBeGreaterThan(0);
  }, 120_000);

  it('refuses NUL and lone surrogates in every text field, which the database would refuse or alter', async () => {
    const widget = connect(`${server.url}/widget`, { query: { site: 'demo' }, auth: { token: ids.tokens[0] }, transports: ['websocket'], forceNew: true, reconnection: false });
    const agent = connect(`${server.url}/agent`, { extraHeaders: { cookie: admin }, transports: ['websocket'], forceNew: true, reconnection: false });
    await Promise.all([connected(widget), connected(agent)]);
    const page = { pageUrl: 'https://example.com/a', pageTitle: 'A page' };
    const ts = Math.floor(Date.now() / 1000);
    const sign = (id: string) => createHmac('sha256', ids.secret).update(`${id}:${ts}`).digest('hex');
    const refused = { ok: false, error: { code: 'INVALID_PAYLOAD' } };
    for (const bad of ['\u0000', 'nul \u0000 inside', 'lone \ud800 high', 'lone \udc00 low', 'reversed \ude00\ud83d pair']) {
      const socketCases: [typeof widget, string, Record<string, unknown>][] = [
        [widget, 'message:send', { clientId: clientId(), body: `x${bad}`, ...page }],
        [widget, 'message:send', { clientId: clientId(), body: 'fine', ...page, pageTitle: bad }],
        [widget, 'feedback:submit', { content: `x${bad}` }],
        [widget, 'feedback:submit', { content: 'fine', contact: bad }],
        [widget, 'session:hello', { ...page, pageTitle: bad }],
        [widget, 'session:identify', { id: `u${bad}`, ts, hash: sign(`u${bad}`) }],
        [widget, 'session:identify', { id: 'u1', name: bad, ts, hash: sign('u1') }],
        [agent, 'message:send', { conversationId: ids.ticket, clientId: clientId(), body: `x${bad}` }],
      ];
      for (const [s, event, payload] of socketCases) expect(await s.timeout(10_000).emitWithAck(event, payload), `${event} ${JSON.stringify(payload)}`).toEqual(refused);
      const faq = { siteId: 'demo', question: 'Q?', answer: 'A.', language: 'en' };
      const art = { url: 'https://example.com/p', title: 'T', language: 'en' };
      const httpCases: [string, string, unknown, Record<string, string>?][] = [
        ['POST', '/api/faqs', { ...faq, question: `Q${bad}` }],
        ['POST', '/api/faqs', { ...faq, variants: [`v${bad}`] }],
        ['POST', '/api/faqs', { ...faq, tags: [bad] }],
        ['PUT', `/api/faqs/${ids.entries[0]}`, { ...faq, answer: `A${bad}` }],
        ['POST', '/api/faqs/import?siteId=demo', { entries: [{ ...faq, answer: `A${bad}` }] }],
        // A text body cannot carry a lone surrogate (fetch sends U+FFFD for it), but it can carry NUL.
        ...(bad.includes('\u0000') ? [['POST', '/api/faqs/import?siteId=demo&format=csv', `question,variants,answer,language,tags,articleUrls\n"Q${bad}",,A,en,,\n`, { 'content-type': 'text/csv' }] as [string, string, string, Record<string, string>]] : []),
        ['PUT', '/api/articles?siteId=demo', { ...art, title: `T${bad}` }],
        ['PUT', '/api/articles?siteId=demo', [{ ...art, body: bad }]],
        ['POST', `/api/feedback/${ids.otherFeedback}/process`, { note: `n${bad}` }],
        ...(bad.includes('\u0000') ? [['GET', `/api/faqs?siteId=demo&q=${encodeURIComponent(bad)}`, undefined] as [string, string, undefined]] : []),
      ];
      for (const [method, path, body, headers] of httpCases) {
        const res = await fetch(`${server.url}${path}`, {
          method,
          headers: { cookie: admin, 'content-type': 'application/json', ...headers },
          body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        });
        expect({ route: `${method} ${path}`, status: res.status, body: await res.json() }).toEqual({ route: `${method} ${path}`, status: 400, body: refused });
      }
      const bearer = await fetch(`${server.url}/api/articles?siteId=demo${encodeURIComponent('\u0000')}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${ids.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify(art),
      });
      // The query is parsed (SiteQuery) before the secret is checked: refused as bad input.
      expect({ status: bearer.status, body: await bearer.json() }).toEqual({ status: 400, body: refused });
    }
    widget.disconnect();
    agent.disconnect();
  });

  it('refuses malformed handshakes with a known code, and ignores a malformed visitor token', async () => {
    const r = prng(SEED + 200);
    const origins = [undefined, 'https://evil.example', 'null', '', 'http://', 'file://', 'https://exa mple.com', `${server.url}.evil.example`];
    for (let i = 0; i < 80; i++) {
      const site = enc(r.chance(0.7) ? nasty(r) : text(junk(r)));
      const origin = r.pick(origins);
      const url = `${server.url}/socket.io/?EIO=4&transport=polling&site=${site}`;
      const res = await fetch(url, { headers: origin === undefined ? {} : { origin } });
      const answer = await res.text();
      if (refusedByNode(res.status, answer, url)) continue;
      const body = JSON.parse(answer) as { code: number; message: string };
      expect({ site, status: res.status, known: CODES.has(body.message) && body.message !== 'INTERNAL' }).toEqual({ site, status: 403, known: true });
    }
    for (let i = 0; i < 30; i++) {
      const token = junk(r);
      const v = connect(`${server.url}/widget`, { query: { site: 'demo' }, auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
      await connected(v);
      const session = await ok<SessionDTO>(v, 'session:hello', {});
      expect(session.token, JSON.stringify(token)).toBeTruthy();
      expect(ids.tokens).not.toContain(token);
      v.disconnect();
    }
    await health();
  });

  it('fired more than 10,000 payloads and is still up, answering, and unpolluted', async () => {
    expect(fired).toBeGreaterThanOrEqual(10_000);
    // The server runs in this process: a polluted prototype would show here.
    for (const key of ['isAdmin', 'role', 'siteIds', 'x']) expect(Object.prototype.hasOwnProperty.call(Object.prototype, key), key).toBe(false);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    await health();
    const v = connect(`${server.url}/widget`, { query: { site: 'demo' }, transports: ['websocket'], forceNew: true, reconnection: false });
    await connected(v);
    const sent = await ok(v, 'message:send', { clientId: clientId(), body: 'How do I get a refund?' });
    expect(sent.message.body).toBe('How do I get a refund?');
    v.disconnect();
  });

  it('stored nothing that the shared schemas would refuse', async () => {
    const db = server.database.db;
    const after = {
      messages: await db.select().from(messages),
      conversations: await db.select().from(conversations),
      feedback: await db.select().from(feedback),
      faq_entries: await db.select().from(faqEntries),
      articles: await db.select().from(articles),
    };
    // Nothing was deleted.
    for (const { table, ids: existing } of before) {
      const now = new Set(after[table as keyof typeof after].map((row) => row.id));
      expect([...existing].filter((id) => !now.has(id)), table).toEqual([]);
    }
    const isNew = (table: string, id: string) => !before.find((b) => b.table === table)!.ids.has(id);

    // The last check sent one message of its own.
    const typed = after.messages.filter((m) => isNew('messages', m.id) && (m.author === 'visitor' || m.author === 'agent'));
    expect(typed.length).toBeGreaterThanOrEqual(created.messages.size + 1);
    const unexpected = typed.filter((m) => !created.messages.has(m.id) && !unanswered.clientIds.has(m.clientId!) && m.body !== 'How do I get a refund?');
    expect(unexpected).toEqual([]);
    for (const m of typed) expect(normalized(MessageBody, m.body, m.author === 'visitor' ? unreplaced : wellFormed), JSON.stringify(m.body).slice(0, 100)).toBe(true);
    for (const m of after.messages.filter((x) => isNew('messages', x.id))) expect(strings(m).every(wellFormed), m.id).toBe(true);

    const newConversations = after.conversations.filter((c) => isNew('conversations', c.id));
    expect(newConversations.length).toBeLessThanOrEqual(created.conversations.size + 1);
    for (const c of newConversations) {
      if (c.pageUrl !== null) expect(normalized(PageUrl, c.pageUrl, unreplaced), c.pageUrl).toBe(true);
      if (c.pageTitle !== null) expect(normalized(PageTitle, c.pageTitle, unreplaced), c.pageTitle).toBe(true);
      if (c.question !== null) expect(normalized(MessageBody, c.question, unreplaced), c.question).toBe(true);
    }

    const newFeedback = after.feedback.filter((f) => isNew('feedback', f.id));
    expect(newFeedback.length).toBeGreaterThanOrEqual(created.feedback.size);
    expect(newFeedback.length).toBeLessThanOrEqual(created.feedback.size + unanswered.feedback);
    for (const f of newFeedback) {
      const input = { content: f.content, contact: f.contact ?? undefined, pageUrl: f.pageUrl ?? undefined, pageTitle: f.pageTitle ?? undefined };
      expect(normalized(FeedbackSubmit, input, unreplaced), JSON.stringify(input).slice(0, 200)).toBe(true);
    }
    for (const f of after.feedback.filter((x) => x.note !== null)) {
      expect(f.note!.length).toBeGreaterThan(0);
      expect(f.note!.length).toBeLessThanOrEqual(2000);
      expect(f.note!.trim() === f.note && wellFormed(f.note!), f.note!).toBe(true);
    }

    expect(after.faq_entries.filter((e) => isNew('faq_entries', e.id)).length).toBe(created.faqs);
    for (const e of after.faq_entries.filter((x) => x.updatedAt >= startedAt)) {
      const input = { question: e.question, variants: e.variants, answer: e.answer, language: e.language, tags: e.tags, articleUrls: e.articleUrls };
      expect(normalized(FaqEntryInput, input), JSON.stringify(input).slice(0, 200)).toBe(true);
    }

    expect(after.articles.filter((a) => isNew('articles', a.id)).length).toBeLessThanOrEqual(created.articles);
    for (const a of after.articles.filter((x) => x.updatedAt >= startedAt)) {
      const input = { url: a.url, title: a.title, summary: a.summary, body: a.body, language: a.language };
      expect(normalized(ArticleInput, input), JSON.stringify(input).slice(0, 200)).toBe(true);
    }
  });
});
