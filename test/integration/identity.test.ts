/**
 * A site's back end vouches for its logged-in user with HMAC-SHA256(site secret, `${id}:${ts}`):
 * the widget passes the signature on, the server checks it. The signing code below is the one the
 * README shows to site owners.
 */
import { createHmac } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageDTO, SessionDTO } from '../../shared/types.ts';
import { conversations, messages, sites, visitors, type Site } from '../../server/db/schema.ts';
import { findSite } from '../../server/sites/sites.repository.ts';
import { createSite } from '../../server/sites/sites.service.ts';
import { BACKENDS } from '../support/db.ts';
import { connect } from 'socket.io-client';
import { createVisitorLink } from '../../server/visitors/links.ts';
import { call, clientId, connected, ok, startTestServer, visitorSocket, type TestServer } from '../support/server.ts';

/** What a site's server runs for its logged-in user, then hands to the page. */
function signIdentity(secret: string, user: { id: string; name?: string; email?: string }) {
  const ts = Math.floor(Date.now() / 1000);
  const hash = createHmac('sha256', secret).update(`${user.id}:${ts}`).digest('hex');
  return { ...user, ts, hash };
}

const secondsAgo = (s: number) => Math.floor(Date.now() / 1000) - s;
const sign = (secret: string, id: string, ts: number) => createHmac('sha256', secret).update(`${id}:${ts}`).digest('hex');

describe.each(BACKENDS)('signed identity on %s', (backend) => {
  let server: TestServer;
  let demo: Site;

  beforeAll(async () => {
    server = await startTestServer(backend);
    demo = (await findSite(server.database.db, 'demo'))!;
  });
  afterAll(() => server?.close());

  async function visitor(site = 'demo') {
    const v = visitorSocket(server.url, { site });
    await connected(v);
    const session = await ok<SessionDTO>(v, 'session:hello', { locale: 'en' });
    return { v, session };
  }

  const storedVisitor = async (id: string) => (await server.database.db.select().from(visitors).where(eq(visitors.id, id)))[0];

  it('identifies a visitor whose site signed their id', async () => {
    const { v, session } = await visitor();
    expect(session.identified).toBe(false);
    const identity = signIdentity(demo.secret, { id: 'user-42', name: 'Ada Lovelace', email: 'ada@example.com' });
    const after = await ok<SessionDTO>(v, 'session:identify', identity);
    expect(after).toMatchObject({ visitorId: session.visitorId, identified: true });
    expect(await storedVisitor(session.visitorId)).toMatchObject({ externalId: 'user-42', name: 'Ada Lovelace', email: 'ada@example.com' });
    // The visitor stays identified on the next page.
    const again = visitorSocket(server.url, { token: session.token });
    await connected(again);
    expect(await ok<SessionDTO>(again, 'session:hello', {})).toMatchObject({ visitorId: session.visitorId, identified: true });
  });

  it('refuses a contact typed in a tab that connected before another tab of the browser was identified', async () => {
    const { v, session } = await visitor();
    const older = visitorSocket(server.url, { token: session.token });
    await connected(older);
    await ok<SessionDTO>(older, 'session:hello', {});
    await ok<SessionDTO>(v, 'session:identify', signIdentity(demo.secret, { id: `tabs-${backend}`, name: 'Grace Hopper', email: 'grace@example.com' }));
    const refused = await call(older, 'visitor:contact', { name: 'Mallory', email: 'mallory@example.net' });
    expect(!refused.ok && refused.error.code).toBe('FORBIDDEN');
    expect(await storedVisitor(session.visitorId)).toMatchObject({ externalId: `tabs-${backend}`, name: 'Grace Hopper', email: 'grace@example.com' });
  });

  it('accepts a signature made a little under a day ago', async () => {
    const { v } = await visitor();
    const ts = secondsAgo(23 * 3600);
    expect(await ok<SessionDTO>(v, 'session:identify', { id: 'user-43', ts, hash: sign(demo.secret, 'user-43', ts) })).toMatchObject({ identified: true });
  });

  it('refuses a wrong signature and leaves the visitor anonymous', async () => {
    const { v, session } = await visitor();
    const ts = secondsAgo(0);
    const good = sign(demo.secret, 'user-7', ts);
    const other = await createSite(server.database.db, { name: `Other ${backend}`, origins: ['https://other.example'] });
    const forgeries = [
      { id: 'user-7', ts, hash: good.replace(/^./, (c) => (c === '0' ? '1' : '0')) },
      { id: 'admin', ts, hash: good },
      { id: 'user-7', ts: ts - 1, hash: good },
      { id: 'user-7', ts, hash: sign(other.secret, 'user-7', ts) },
      { id: 'user-7', ts, hash: sign('', 'user-7', ts) },
      { id: 'user-7', ts, hash: createHmac('sha256', demo.secret).update(`user-7${ts}`).digest('hex') },
      { id: 'user-7', ts, hash: createHmac('sha1', demo.secret).update(`user-7:${ts}`).digest('hex').padEnd(64, '0') },
    ];
    for (const forged of forgeries) {
      expect(await call(v, 'session:identify', { ...forged, name: 'Mallory' })).toEqual({ ok: false, error: { code: 'INVALID_IDENTITY' } });
    }
    expect(await call(v, 'session:identify', { id: 'user-7', ts, hash: good.toUpperCase() })).toEqual({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(await storedVisitor(session.visitorId)).toMatchObject({ externalId: null, name: null, email: null });
    expect(await ok<SessionDTO>(v, 'session:hello', {})).toMatchObject({ identified: false });
  });

  it('refuses a signature older than the site allows, or from the future', async () => {
    const { v, session } = await visitor();
    const tooOld = secondsAgo(24 * 3600 + 60);
    const future = secondsAgo(-3600);
    const inMs = Date.now();
    for (const ts of [tooOld, future, inMs]) {
      expect(await call(v, 'session:identify', { id: 'user-8', ts, hash: sign(demo.secret, 'user-8', ts) })).toEqual({ ok: false, error: { code: 'INVALID_IDENTITY' } });
    }
    const strict = await createSite(server.database.db, { name: `Strict ${backend}`, origins: [] });
    await server.database.db.update(sites).set({ identityMaxAgeSec: 60 }).where(eq(sites.id, strict.id));
    const { v: w, session: s2 } = await visitor(strict.id);
    const twoMinutes = secondsAgo(120);
    expect(await call(w, 'session:identify', { id: 'user-9', ts: twoMinutes, hash: sign(strict.secret, 'user-9', twoMinutes) })).toEqual({
      ok: false,
      error: { code: 'INVALID_IDENTITY' },
    });
    const fresh = secondsAgo(0);
    expect(await ok<SessionDTO>(w, 'session:identify', { id: 'user-9', ts: fresh, hash: sign(strict.secret, 'user-9', fresh) })).toMatchObject({ identified: true });
    expect((await storedVisitor(session.visitorId)).externalId).toBeNull();
    expect((await storedVisitor(s2.visitorId)).externalId).toBe('user-9');
  });

  it('keeps an unidentified visitor from chatting on a site that requires identity, and stores nothing', async () => {
    const members = await createSite(server.database.db, { name: `Members ${backend}`, origins: [] });
    await server.database.db.update(sites).set({ requireIdentity: true }).where(eq(sites.id, members.id));
    const { v, session } = await visitor(members.id);
    for (const body of ['Hello?', 'Can anyone hear me?']) {
      expect(await call(v, 'message:send', { clientId: clientId(), body })).toEqual({ ok: false, error: { code: 'IDENTITY_REQUIRED' } });
    }
    const ts = secondsAgo(0);
    expect(await call(v, 'session:identify', { id: 'member-1', ts, hash: sign(demo.secret, 'member-1', ts) })).toEqual({ ok: false, error: { code: 'INVALID_IDENTITY' } });
    expect(await call(v, 'message:send', { clientId: clientId(), body: 'Still me, unsigned.' })).toEqual({ ok: false, error: { code: 'IDENTITY_REQUIRED' } });
    const db = server.database.db;
    expect(await db.select().from(conversations).where(eq(conversations.visitorId, session.visitorId))).toEqual([]);
    expect(await ok<SessionDTO>(v, 'session:hello', {})).toMatchObject({ conversation: null, messages: [] });

    // Once the site vouches for them, they may.
    await ok(v, 'session:identify', signIdentity(members.secret, { id: 'member-1', name: 'Grace' }));
    const sent = await ok(v, 'message:send', { clientId: clientId(), body: 'Now signed in.' });
    expect(sent.conversation.visitorName).toBe('Grace');
    const stored = await db.select({ body: messages.body }).from(messages).where(eq(messages.conversationId, sent.conversation.id));
    expect(stored.map((m) => m.body)).toContain('Now signed in.');
    expect(stored.map((m) => m.body)).not.toContain('Hello?');
  });

  it('gives the next user signed in on a browser their own visitor, never the last one’s', async () => {
    const { v, session } = await visitor();
    const alice = await ok<SessionDTO>(v, 'session:identify', signIdentity(demo.secret, { id: `alice-${backend}`, name: 'Alice' }));
    expect(alice.visitorId).toBe(session.visitorId);
    await ok(v, 'message:send', { clientId: clientId(), body: 'Alice here: my refund for the design course?' });

    // Alice signs out, Bob signs in, on the same browser: Bob gets a visitor of his own and a token for it.
    const bob = await ok<SessionDTO>(v, 'session:identify', signIdentity(demo.secret, { id: `bob-${backend}`, name: 'Bob' }));
    expect(bob.visitorId).not.toBe(session.visitorId);
    expect(bob.token).toMatch(/^[\w-]{40,}$/);
    expect(bob).toMatchObject({ conversation: null, messages: [], identified: true });
    expect(await storedVisitor(session.visitorId)).toMatchObject({ externalId: `alice-${backend}`, name: 'Alice' });
    expect(await storedVisitor(bob.visitorId)).toMatchObject({ externalId: `bob-${backend}`, name: 'Bob' });
    const sent = await ok(v, 'message:send', { clientId: clientId(), body: 'Bob here: where is my invoice?' });
    expect(sent.conversation.visitorId).toBe(bob.visitorId);

    // Alice again, on this browser: her own visitor, with her conversation.
    const back = await ok<SessionDTO>(v, 'session:identify', signIdentity(demo.secret, { id: `alice-${backend}`, name: 'Alice' }));
    expect(back.visitorId).toBe(session.visitorId);
    expect(back.messages.map((m: MessageDTO) => m.body)).toContain('Alice here: my refund for the design course?');
    // The token each identify gave opens that visitor on the next page.
    const next = visitorSocket(server.url, { token: bob.token });
    await connected(next);
    expect((await ok<SessionDTO>(next, 'session:hello', {})).visitorId).toBe(bob.visitorId);
    next.disconnect();
    v.disconnect();
  });

  it('never lends a signed identity to a visitor that a reply email’s link opens in another browser', async () => {
    // The attacker's own visitor, with their own token; a link to it, sent to the victim.
    const { v: attacker, session: theirs } = await visitor();
    const link = await createVisitorLink(server.database.db, theirs.visitorId, null, new Date(Date.now() + 3600_000));
    const victim = connect(`${server.url}/widget`, { query: { site: 'demo' }, auth: { link }, transports: ['websocket'], reconnection: false, forceNew: true });
    await connected(victim);
    // The victim is asked first (a link is another visitor's until they say the address is theirs); say they do.
    expect((await ok<SessionDTO>(victim, 'session:hello', {})).link).toBe('pending');
    expect((await ok<SessionDTO>(victim, 'session:link', { link })).visitorId).toBe(theirs.visitorId);
    const heard: string[] = [];
    attacker.on('message:created', (m: MessageDTO) => heard.push(m.body));

    // The victim's page signs them in: they become a visitor of their own, the attacker's stays anonymous.
    const signed = await ok<SessionDTO>(victim, 'session:identify', signIdentity(demo.secret, { id: `victim-${backend}`, name: 'Victim' }));
    expect(signed.visitorId).not.toBe(theirs.visitorId);
    expect(await storedVisitor(theirs.visitorId)).toMatchObject({ externalId: null, name: null });
    await ok(victim, 'message:send', { clientId: clientId(), body: 'My card number is in my account settings' });
    await ok(attacker, 'session:hello', {});
    expect(heard).toEqual([]);
    victim.disconnect();
    attacker.disconnect();
  });

  it('asks a site that requires identity for a signature on every connection, not one stored by an earlier one', async () => {
    const members = await createSite(server.database.db, { name: `Members again ${backend}`, origins: [] });
    await server.database.db.update(sites).set({ requireIdentity: true }).where(eq(sites.id, members.id));
    const { v, session } = await visitor(members.id);
    await ok(v, 'session:identify', signIdentity(members.secret, { id: 'member-2', name: 'Hopper' }));
    await ok(v, 'message:send', { clientId: clientId(), body: 'Signed in, asking.' });
    v.disconnect();
    // The next page: the user has signed out, so the site does not identify them.
    const later = visitorSocket(server.url, { site: members.id, token: session.token });
    await connected(later);
    expect((await ok<SessionDTO>(later, 'session:hello', {})).visitorId).toBe(session.visitorId);
    expect(await call(later, 'message:send', { clientId: clientId(), body: 'Signed out, still writing.' })).toEqual({ ok: false, error: { code: 'IDENTITY_REQUIRED' } });
    expect(await call(later, 'feedback:submit', { content: 'Signed out feedback' })).toEqual({ ok: false, error: { code: 'IDENTITY_REQUIRED' } });
    await ok(later, 'session:identify', signIdentity(members.secret, { id: 'member-2', name: 'Hopper' }));
    await ok(later, 'message:send', { clientId: clientId(), body: 'Signed in again.' });
    later.disconnect();
  });
});
