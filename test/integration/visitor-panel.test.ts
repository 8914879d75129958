/**
 * The visitor beside the conversation (GET /api/conversations/:id/visitor): who they are and how that is
 * known, their browser, OS, device and time zone, the site's attributes and their earlier conversations,
 * to agents of the conversation's site only.
 */
import { createHmac } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VisitorPanelDTO } from '../../shared/http.ts';
import type { ConversationDTO, SessionDTO } from '../../shared/types.ts';
import { conversations, visitors } from '../../server/db/schema.ts';
import { findSite } from '../../server/sites/sites.repository.ts';
import { createSite } from '../../server/sites/sites.service.ts';
import { BACKENDS } from '../support/db.ts';
import { addAgent, api, call, clientId, connected, login, ok, startTestServer, visitorSocket, type TestServer } from '../support/server.ts';

const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
const WINDOWS_CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const SECRET_PAGE = 'https://courses.example/account/reset?token=s3cr3t-reset-token#access_token=s3cr3t-fragment';
const STRIPPED = 'https://courses.example/account/reset';

function signed(secret: string, id: string, extra: Record<string, unknown> = {}) {
  const ts = Math.floor(Date.now() / 1000);
  return { id, ts, hash: createHmac('sha256', secret).update(`${id}:${ts}`).digest('hex'), ...extra };
}

describe.each(BACKENDS)('the visitor panel on %s', (backend) => {
  let server: TestServer;
  let admin: string;
  let secret: string;

  beforeAll(async () => {
    server = await startTestServer(backend);
    admin = await login(server.url);
    secret = (await findSite(server.database.db, 'demo'))!.secret;
  });
  afterAll(() => server?.close());

  /** A visitor on a page with a token in its URL who asks a question: their socket, session and conversation. */
  async function visitorAsking(opts: { userAgent?: string; tz?: string } = {}) {
    const v = visitorSocket(server.url, { userAgent: opts.userAgent });
    await connected(v);
    const session = await ok<SessionDTO>(v, 'session:hello', { locale: 'en', pageUrl: SECRET_PAGE, pageTitle: 'Reset your password', ...(opts.tz ? { tz: opts.tz } : {}) });
    const sent = await ok(v, 'message:send', { clientId: clientId(), body: 'I need a person about my invoice', pageUrl: SECRET_PAGE });
    return { v, session, conversationId: (sent.conversation as ConversationDTO).id };
  }

  const panel = (cookie: string | undefined, id: string) => api<VisitorPanelDTO>(server.url, cookie, 'GET', `/api/conversations/${id}/visitor`);

  it("shows the browser, OS and device parsed from the User-Agent, the visitor's time zone and their signed identity with the site's attributes", async () => {
    const { v, conversationId } = await visitorAsking({ userAgent: IPHONE, tz: 'Asia/Shanghai' });
    const attributes = { courses: 'Calculus I, Linear Algebra', progress: 0.4, member: true, memberUntil: '2027-06-30' };
    await ok(v, 'session:identify', signed(secret, 'user-7', { name: 'Li Lei', email: 'lilei@example.com', attributes }));
    const res = await panel(admin, conversationId);
    expect(res.status).toBe(200);
    expect(res.body.ok && res.body.data).toMatchObject({
      name: 'Li Lei',
      email: 'lilei@example.com',
      identity: 'signed',
      externalId: 'user-7',
      attributes,
      browser: 'Mobile Safari 17.0',
      os: 'iOS 17.0',
      device: { type: 'mobile', model: 'Apple iPhone' },
      timezone: 'Asia/Shanghai',
      earlier: [],
    });
  });

  it('calls a desktop a desktop, and a visitor who gave no name anonymous', async () => {
    const { conversationId } = await visitorAsking({ userAgent: WINDOWS_CHROME });
    const res = await panel(admin, conversationId);
    expect(res.body.ok && res.body.data).toMatchObject({
      identity: null,
      browser: 'Chrome 120.0.0.0',
      os: 'Windows 10',
      device: { type: 'desktop', model: null },
      timezone: null,
      attributes: {},
    });
  });

  it('shows a name and email the visitor typed as claimed, not verified', async () => {
    const { v, conversationId } = await visitorAsking();
    await ok(v, 'visitor:contact', { name: 'Han Meimei', email: 'han@example.com' });
    const res = await panel(admin, conversationId);
    expect(res.body.ok && res.body.data).toMatchObject({ name: 'Han Meimei', email: 'han@example.com', identity: 'claimed', externalId: null });
  });

  it('stores the page without its query string and fragment, and whole once the site keeps full URLs', async () => {
    const first = await visitorAsking();
    const stored = async (id: string) => (await server.database.db.select().from(conversations).where(eq(conversations.id, id)))[0].pageUrl;
    const seen = async (id: string) => {
      const res = await api<{ conversation: ConversationDTO }>(server.url, admin, 'GET', `/api/conversations/${id}`);
      return res.body.ok ? res.body.data.conversation.pageUrl : undefined;
    };
    expect([await stored(first.conversationId), await seen(first.conversationId)]).toEqual([STRIPPED, STRIPPED]);

    expect((await api(server.url, admin, 'PUT', '/api/sites/demo', { keepFullPageUrls: true })).status).toBe(200);
    try {
      const second = await visitorAsking();
      expect([await stored(second.conversationId), await seen(second.conversationId)]).toEqual([SECRET_PAGE, SECRET_PAGE]);
    } finally {
      await api(server.url, admin, 'PUT', '/api/sites/demo', { keepFullPageUrls: false });
    }
  });

  it('lists the visitor’s earlier conversations, newest first, without the open one', async () => {
    const { session, conversationId } = await visitorAsking();
    const older = async (question: string, daysAgo: number) => {
      const at = new Date(Date.now() - daysAgo * 86_400_000);
      const [row] = await server.database.db
        .insert(conversations)
        .values({ siteId: 'demo', visitorId: session.visitorId, status: 'resolved', question, createdAt: at, escalatedAt: at, resolvedAt: at, updatedAt: at })
        .returning();
      return row.id;
    };
    const monthAgo = await older('Where is my certificate?', 30);
    const weekAgo = await older('Can I get an invoice?', 7);
    const res = await panel(admin, conversationId);
    expect(res.body.ok && res.body.data.earlier).toMatchObject([
      { id: weekAgo, status: 'resolved', question: 'Can I get an invoice?' },
      { id: monthAgo, status: 'resolved', question: 'Where is my certificate?' },
    ]);
    // Each one opens in the console like any conversation.
    expect((await api(server.url, admin, 'GET', `/api/conversations/${weekAgo}`)).status).toBe(200);
  });

  it("refuses an agent of another site, anyone signed out, and an id that is not one, the same way as the conversation itself", async () => {
    const { conversationId } = await visitorAsking({ userAgent: IPHONE });
    await createSite(server.database.db, { id: `other-${backend}`, name: 'Other', origins: ['https://other.example'] });
    const outsider = await addAgent(server, `outsider-${backend}@test.local`, [`other-${backend}`]);
    const insider = await addAgent(server, `insider-${backend}@test.local`, ['demo']);
    expect(await panel(outsider, conversationId)).toEqual({ status: 404, body: { ok: false, error: { code: 'NOT_FOUND' } } });
    expect((await panel(undefined, conversationId)).status).toBe(401);
    expect((await panel(admin, 'not-a-uuid')).body).toEqual({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect((await panel(insider, conversationId)).body).toMatchObject({ ok: true, data: { browser: 'Mobile Safari 17.0' } });
  });

  it('exports what the panel shows about a visitor, and erases it with them', async () => {
    const { v, session, conversationId } = await visitorAsking({ userAgent: IPHONE, tz: 'Europe/Berlin' });
    await ok(v, 'session:identify', signed(secret, 'user-9', { name: 'Erika', attributes: { plan: 'gold-plan-x' } }));
    const exported = JSON.stringify((await api(server.url, admin, 'GET', `/api/visitors/${session.visitorId}/export`)).body);
    for (const kept of ['gold-plan-x', 'Europe/Berlin', 'iPhone']) expect(exported).toContain(kept);
    expect((await api(server.url, admin, 'DELETE', `/api/visitors/${session.visitorId}`)).status).toBe(200);
    const res = await panel(admin, conversationId);
    expect(res.body.ok && res.body.data).toMatchObject({ name: null, identity: null, externalId: null, attributes: {}, browser: null, os: null, device: null, timezone: null });
  });

  it('refuses attributes that are not flat strings, numbers or booleans, or too many or too long, and changes nothing', async () => {
    const { v, session } = await visitorAsking();
    const manyKeys = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, i]));
    for (const attributes of [{ nested: { plan: 'gold' } }, { list: ['a'] }, { empty: null }, manyKeys, { long: 'x'.repeat(501) }, { '': 'no name' }, 'gold']) {
      expect(await call(v, 'session:identify', signed(secret, 'user-8', { attributes }))).toEqual({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    }
    const [row] = await server.database.db.select().from(visitors).where(eq(visitors.id, session.visitorId));
    expect(row).toMatchObject({ externalId: null, attributes: {} });
  });

  it('keeps only a time zone the server knows, and refuses one that is not a zone name at all', async () => {
    const v = visitorSocket(server.url);
    await connected(v);
    const session = await ok<SessionDTO>(v, 'session:hello', { locale: 'en', tz: 'Mars/Olympus_Mons' });
    expect(await call(v, 'session:hello', { tz: '<script>alert(1)</script>' })).toEqual({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    const [row] = await server.database.db.select().from(visitors).where(eq(visitors.id, session.visitorId));
    expect(row.timezone).toBeNull();
  });
});
