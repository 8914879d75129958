/**
 * A new visitor's row is written at its socket's first event, not at the handshake
 * (visitors.handlers.ts saveVisitorFirst): a widget opened and left without a word costs no write,
 * and every handler still finds the row it relies on.
 */
import { createHash } from 'node:crypto';
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationDTO, MessageDTO, SessionDTO } from '../../shared/types.ts';
import { visitors } from '../../server/db/schema.ts';
import { createSite } from '../../server/sites/sites.service.ts';
import { BACKENDS } from '../support/db.ts';
import { call, clientId, connected, ok, startTestServer, visitorSocket, type TestServer } from '../support/server.ts';

const SITE = 'quiet-readers';

describe.each(BACKENDS)('a new visitor’s row on %s', (backend) => {
  let server: TestServer;
  const rows = async () => (await server.database.db.select({ n: count() }).from(visitors).where(eq(visitors.siteId, SITE)))[0].n;
  const row = async (id: string) => (await server.database.db.select().from(visitors).where(and(eq(visitors.id, id), eq(visitors.siteId, SITE))))[0];

  beforeAll(async () => {
    server = await startTestServer(backend);
    await createSite(server.database.db, { id: SITE, name: 'Quiet readers', origins: ['http://localhost'] });
  });
  afterAll(() => server?.close());

  it('is not written for sockets that connect and say nothing, nor for an event refused before any handler', async () => {
    const quiet = Array.from({ length: 5 }, () => visitorSocket(server.url, { site: SITE }));
    await Promise.all(quiet.map(connected));
    // Not in the protocol: the flood guard answers it, and no handler runs.
    expect(await call(quiet[0], 'no:such-event', {})).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(await rows()).toBe(0);
    for (const s of quiet) s.disconnect();
  });

  it('is written before the first event is handled, with the issued token, and holds on the next page', async () => {
    const before = new Date();
    const v = visitorSocket(server.url, { site: SITE });
    await connected(v);
    // Three events back to back, before the row can be written: each waits for it, in order.
    const [session, sent, feedback] = await Promise.all([
      ok<SessionDTO>(v, 'session:hello', { locale: 'zh' }),
      ok<{ message: MessageDTO; conversation: ConversationDTO }>(v, 'message:send', { clientId: clientId(), body: '课程证书在哪里下载？' }),
      ok<unknown[]>(v, 'feedback:list', {}),
    ]);
    expect(feedback).toEqual([]);
    expect(sent.conversation.visitorId).toBe(session.visitorId);
    const stored = await row(session.visitorId);
    expect(stored).toMatchObject({ id: session.visitorId, locale: 'zh' });
    expect(stored.tokenHash).toBe(createHash('sha256').update(session.token!).digest('hex'));
    expect(stored.createdAt.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    expect(await rows()).toBe(1);
    v.disconnect();

    // The token issued with the in-memory visitor finds the stored one on the next page, with its conversation.
    const again = visitorSocket(server.url, { site: SITE, token: session.token });
    await connected(again);
    const next = await ok<SessionDTO>(again, 'session:hello', {});
    expect(next.visitorId).toBe(session.visitorId);
    expect(next.token).toBeUndefined();
    expect(next.conversation?.id).toBe(sent.conversation.id);
    expect(await rows()).toBe(1);
    again.disconnect();
  });
});
