/**
 * Page URLs can carry password-reset links and access tokens in their query string or fragment;
 * agents see the stored URL. They are stored as origin and path unless the site keeps full URLs.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationDTO, FeedbackDTO, SessionDTO } from '../../shared/types.ts';
import { conversations, feedback, sites } from '../../server/db/schema.ts';
import { pageUrlToStore } from '../../server/sites/page-url.ts';
import { BACKENDS } from '../support/db.ts';
import { addAgent, api, clientId, connected, login, ok, startTestServer, visitorSocket, type TestServer } from '../support/server.ts';

const SECRET_PAGE = 'https://courses.example/account/reset?token=s3cr3t-reset-token&utm=x#access_token=s3cr3t-fragment';
const STRIPPED = 'https://courses.example/account/reset';

describe('pageUrlToStore', () => {
  const strip = { keepFullPageUrls: false };
  const keep = { keepFullPageUrls: true };

  it('keeps only origin and path by default', () => {
    expect(pageUrlToStore(strip, SECRET_PAGE)).toBe(STRIPPED);
    expect(pageUrlToStore(strip, 'https://user:password@courses.example:8443/a/b/?q=1')).toBe('https://courses.example:8443/a/b/');
    expect(pageUrlToStore(strip, 'http://example.com')).toBe('http://example.com/');
    expect(pageUrlToStore(strip, 'not a url')).toBeNull();
  });

  it('keeps the whole URL for a site that asks for it, and stores nothing for no URL', () => {
    expect(pageUrlToStore(keep, SECRET_PAGE)).toBe(SECRET_PAGE);
    for (const site of [strip, keep]) {
      expect(pageUrlToStore(site, undefined)).toBeNull();
      expect(pageUrlToStore(site, '')).toBeNull();
    }
  });
});

describe.each(BACKENDS)('stored page URLs on %s', (backend) => {
  let server: TestServer;
  let admin: string;
  beforeAll(async () => {
    server = await startTestServer(backend);
    admin = await login(server.url);
  });
  afterAll(() => server?.close());

  async function visitor() {
    const v = visitorSocket(server.url);
    await connected(v);
    await ok<SessionDTO>(v, 'session:hello', { locale: 'en', pageUrl: SECRET_PAGE });
    return v;
  }

  async function storedFeedbackUrl(content: string) {
    const v = await visitor();
    const dto = await ok<FeedbackDTO>(v, 'feedback:submit', { content, pageUrl: SECRET_PAGE, pageTitle: 'Reset your password' });
    const [row] = await server.database.db.select().from(feedback).where(eq(feedback.id, dto.id));
    const listed = (await api<FeedbackDTO[]>(server.url, admin, 'GET', '/api/feedback?siteId=demo')).body;
    expect(listed.ok).toBe(true);
    const seen = listed.ok ? listed.data.find((f) => f.id === dto.id)?.pageUrl : undefined;
    expect([dto.pageUrl, seen]).toEqual([row.pageUrl, row.pageUrl]);
    return row.pageUrl;
  }

  async function storedConversationUrl() {
    const v = await visitor();
    const sent = await ok(v, 'message:send', { clientId: clientId(), body: 'How do I get a refund?', pageUrl: SECRET_PAGE });
    const [row] = await server.database.db.select().from(conversations).where(eq(conversations.id, (sent.conversation as ConversationDTO).id));
    return row.pageUrl;
  }

  it('drops the query string and fragment of feedback and conversation pages by default', async () => {
    expect(await storedFeedbackUrl('The reset page is broken')).toBe(STRIPPED);
    expect(await storedConversationUrl()).toBe(STRIPPED);
  });

  it('keeps them once an admin sets the site to keep full URLs, and only an admin may', async () => {
    const agent = await addAgent(server, `plain-${backend}@test.local`, ['demo']);
    expect((await api(server.url, agent, 'PUT', '/api/sites/demo', { keepFullPageUrls: true })).body).toEqual({ ok: false, error: { code: 'FORBIDDEN' } });
    expect((await api(server.url, admin, 'PUT', '/api/sites/demo', { keepFullPageUrls: 'yes' })).body).toEqual({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect((await api(server.url, admin, 'PUT', '/api/sites/demo', { keepFullPageUrls: true })).status).toBe(200);
    const [site] = await server.database.db.select().from(sites).where(eq(sites.id, 'demo'));
    expect(site.keepFullPageUrls).toBe(true);
    expect(await storedFeedbackUrl('The reset page is broken again')).toBe(SECRET_PAGE);
    expect(await storedConversationUrl()).toBe(SECRET_PAGE);
    await api(server.url, admin, 'PUT', '/api/sites/demo', { keepFullPageUrls: false });
    expect(await storedFeedbackUrl('Still broken')).toBe(STRIPPED);
  });
});
