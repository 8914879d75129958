/**
 * The admins' Agents and Sites API, and every agent's own password. Each change of rights or
 * sessions made through the API reaches a socket opened before it at once: the periodic check and
 * the check on use are slowed to an hour here, so only the server's own push can apply it.
 */
import { eq } from 'drizzle-orm';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCreatedDTO, InvitationDTO, SiteAdminDTO, SiteSecretDTO, TeamAgentDTO } from '../../shared/http.ts';
import type { ConversationDTO, SessionDTO } from '../../shared/types.ts';
import { RIGHTS } from '../../server/agents/agent-rights.ts';
import { hmacHex } from '../../server/crypto.ts';
import { agents, invitations } from '../../server/db/schema.ts';
import { BACKENDS } from '../support/db.ts';
import { twoNodes, type TwoNodes } from '../support/cluster.ts';
import {
  ADMIN,
  api,
  apiData,
  call,
  clientId,
  connected,
  login,
  ok,
  refusal,
  startTestServer,
  visitorSocket,
  type AgentClientSocket,
  type TestServer,
} from '../support/server.ts';

const PUBLIC_URL = 'https://chat.example.com';
const PASSWORD = 'agent-password-1';
const UNKNOWN_QUESTION = 'My certificate shows the wrong spelling of my grandmother’s village, can a person fix it?';
const DEFAULT_RIGHTS = { ...RIGHTS };
const sockets: Socket[] = [];
afterAll(() => {
  for (const s of sockets) s.disconnect();
});
async function agentSocket(url: string, cookie: string): Promise<AgentClientSocket> {
  const s: AgentClientSocket = connect(`${url}/agent`, { extraHeaders: { cookie }, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(s);
  await connected(s);
  return s;
}

/** Whether the socket's queue shows demo tickets (a read that changes nothing). */
async function seesDemo(s: AgentClientSocket): Promise<boolean> {
  const queue = await ok(s, 'queue:list', {});
  return [...queue.waiting, ...queue.mine].some((c: ConversationDTO) => c.siteId === 'demo');
}

describe.each(BACKENDS)('the team API on %s', (backend) => {
  let server: TestServer;
  let admin: string;
  let n = 0;
  const data = <T>(cookie: string | undefined, method: string, path: string, body?: unknown) => apiData<T>(server.url, cookie, method, path, body);

  beforeAll(async () => {
    // Only the push made by the API can apply a change within this test.
    Object.assign(RIGHTS, { maxAgeMs: 3600_000, checkEveryMs: 3600_000 });
    server = await startTestServer(backend);
    // The address this server tells browsers to use (PUBLIC_URL), set once it listens on its own.
    server.app.ctx.config.publicUrl = PUBLIC_URL;
    admin = await login(server.url);
  });
  afterAll(async () => {
    Object.assign(RIGHTS, DEFAULT_RIGHTS);
    await server?.close();
  });
  afterEach(() => {
    server.app.ctx.clock = () => new Date();
  });

  async function newAgent(role: 'admin' | 'agent' = 'agent', siteIds = ['demo']) {
    const email = `team-${backend}-${n++}@test.local`;
    const { agent } = await data<AgentCreatedDTO>(admin, 'POST', '/api/agents', { name: `Agent ${n}`, email, role, siteIds, password: PASSWORD });
    const cookie = await login(server.url, email, PASSWORD);
    return { agent, email, cookie, socket: await agentSocket(server.url, cookie) };
  }

  async function ticket(): Promise<ConversationDTO> {
    const v = visitorSocket(server.url);
    await connected(v);
    await ok<SessionDTO>(v, 'session:hello', { locale: 'en' });
    return (await ok(v, 'message:send', { clientId: clientId(), body: UNKNOWN_QUESTION })).conversation;
  }

  it('refuses every admin route to an agent and to no session, and changes nothing', async () => {
    const { agent, cookie } = await newAgent();
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/agents'],
      ['POST', '/api/agents', { name: 'X', email: 'x@test.local', role: 'admin', siteIds: [], password: PASSWORD }],
      ['PUT', `/api/agents/${agent.id}`, { role: 'admin' }],
      ['POST', `/api/agents/${agent.id}/invitation`],
      ['POST', '/api/sites', { name: 'Mine', origins: ['https://mine.example'] }],
      ['GET', '/api/sites/demo'],
      ['POST', '/api/sites/demo/secret'],
      ['PUT', '/api/sites/demo', { requireIdentity: true }],
    ];
    for (const [method, path, body] of routes) {
      expect((await api(server.url, cookie, method, path, body)).body, `${method} ${path}`).toEqual(refusal('FORBIDDEN'));
      expect((await api(server.url, undefined, method, path, body)).body, `${method} ${path}`).toEqual(refusal('UNAUTHORIZED'));
    }
    const team = await data<TeamAgentDTO[]>(admin, 'GET', '/api/agents');
    expect(team.find((a) => a.id === agent.id)).toMatchObject({ role: 'agent', siteIds: ['demo'] });
    expect(team.some((a) => a.email === 'x@test.local')).toBe(false);
    expect((await data<SiteAdminDTO>(admin, 'GET', '/api/sites/demo')).requireIdentity).toBe(false);
  });

  it('answers hostile input to every new route with a code, and changes nothing', async () => {
    const before = JSON.stringify([await data(admin, 'GET', '/api/agents'), await data(admin, 'GET', '/api/sites')]);
    const { agent } = await newAgent();
    const after = JSON.stringify([await data(admin, 'GET', '/api/agents'), await data(admin, 'GET', '/api/sites')]);
    const bodies: unknown[] = [
      null,
      [],
      'text',
      { __proto__: { role: 'admin' } },
      { name: 'N\u0000ul', email: 'nul@test.local', role: 'agent', siteIds: [], password: PASSWORD },
      { name: '\ud800', email: 'lone@test.local', role: 'agent', siteIds: [], password: PASSWORD },
      { name: 'x'.repeat(5000), email: 'long@test.local', role: 'agent', siteIds: [], password: PASSWORD },
      { name: 5, email: ['a@test.local'], role: 'agent', siteIds: 'demo', password: 12345678 },
      { name: ' ', origins: ['https://ok.example', 'ftp://x.example'] },
      { name: '', origins: [] },
      { siteIds: ['demo', '\u0000'] },
      { active: 'false' },
      { role: 'root' },
      {},
      { currentPassword: PASSWORD, newPassword: 'x'.repeat(201) },
      { password: 'x'.repeat(201) },
    ];
    const routes: [string, string][] = [
      ['POST', '/api/agents'],
      ['PUT', `/api/agents/${agent.id}`],
      ['PUT', '/api/agents/not-a-uuid'],
      ['POST', '/api/agents/%00/invitation'],
      ['POST', '/api/sites'],
      ['PUT', '/api/sites/demo'],
      ['POST', '/api/auth/password'],
      ['PUT', '/api/auth/me'],
      ['POST', `/api/invitations/${'a'.repeat(43)}/accept`],
      ['POST', '/api/invitations/..%2f..%2f/accept'],
    ];
    for (const [method, path] of routes) {
      for (const body of bodies) {
        const res = await api(server.url, admin, method, path, body);
        expect([400, 401, 404], `${method} ${path} ${JSON.stringify(body)}`).toContain(res.status);
        expect(res.body.ok, `${method} ${path}`).toBe(false);
      }
      const raw = await fetch(`${server.url}${path}`, { method, headers: { cookie: admin, 'content-type': 'application/json' }, body: '{"a":' });
      expect(raw.status).toBe(400);
    }
    expect(JSON.stringify([await data(admin, 'GET', '/api/agents'), await data(admin, 'GET', '/api/sites')])).toBe(after);
    expect(after).not.toBe(before);
    await login(server.url);
  });

  it('adds an agent who can log in; a taken email, an unknown site or a short password changes nothing', async () => {
    const { agent, email } = await newAgent('agent', ['demo']);
    expect(agent).toMatchObject({ email, role: 'agent', siteIds: ['demo'], active: true, invited: false });
    const again = await api(server.url, admin, 'POST', '/api/agents', { name: 'Again', email: email.toUpperCase(), role: 'agent', siteIds: [], password: PASSWORD });
    expect(again.body).toEqual(refusal('CONFLICT'));
    const base = { name: 'New', email: `fresh-${backend}@test.local`, role: 'agent' };
    expect((await api(server.url, admin, 'POST', '/api/agents', { ...base, siteIds: ['no-such-site'], password: PASSWORD })).body).toEqual(refusal('INVALID_PAYLOAD'));
    expect((await api(server.url, admin, 'POST', '/api/agents', { ...base, siteIds: [], password: 'short' })).body).toEqual(refusal('INVALID_PAYLOAD'));
    expect((await api(server.url, admin, 'POST', '/api/agents', { ...base, role: 'owner', siteIds: [], password: PASSWORD })).body).toEqual(refusal('INVALID_PAYLOAD'));
    expect((await data<TeamAgentDTO[]>(admin, 'GET', '/api/agents')).some((a) => a.email === base.email)).toBe(false);
  });

  it('removed from a site through the API, an open socket loses it at once', async () => {
    const { agent, socket } = await newAgent('agent', ['demo']);
    const conv = await ticket();
    await ok(socket, 'conversation:open', { conversationId: conv.id });
    expect(await seesDemo(socket)).toBe(true);
    expect(await data<TeamAgentDTO>(admin, 'PUT', `/api/agents/${agent.id}`, { siteIds: [] })).toMatchObject({ siteIds: [] });
    expect(await seesDemo(socket)).toBe(false);
    expect(await call(socket, 'conversation:open', { conversationId: conv.id })).toEqual(refusal('NOT_FOUND'));
    expect(await call(socket, 'message:send', { conversationId: conv.id, clientId: clientId(), body: 'after removal' })).toEqual(refusal('NOT_FOUND'));
    expect(await call(socket, 'conversation:claim', { conversationId: conv.id })).toEqual(refusal('NOT_FOUND'));
  });

  it('demoted through the API, an admin’s open socket loses the sites it saw as an admin at once', async () => {
    const { agent, socket } = await newAgent('admin', []);
    await ticket();
    expect(await seesDemo(socket)).toBe(true);
    expect(await data<TeamAgentDTO>(admin, 'PUT', `/api/agents/${agent.id}`, { role: 'agent' })).toMatchObject({ role: 'agent' });
    expect(await seesDemo(socket)).toBe(false);
  });

  it('deactivated through the API, an agent is disconnected at once, their sessions end, and they cannot log in until reactivated', async () => {
    const { agent, email, cookie, socket } = await newAgent();
    const closed = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    expect(await data<TeamAgentDTO>(admin, 'PUT', `/api/agents/${agent.id}`, { active: false })).toMatchObject({ active: false });
    // The API answered after the push: the socket is already closed by the server.
    expect(await closed).toBe('io server disconnect');
    expect((await api(server.url, cookie, 'GET', '/api/auth/me')).body).toEqual(refusal('UNAUTHORIZED'));
    const attempt = await api(server.url, undefined, 'POST', '/api/auth/login', { email, password: PASSWORD });
    expect(attempt.body).toEqual(refusal('INVALID_CREDENTIALS'));
    await data(admin, 'PUT', `/api/agents/${agent.id}`, { active: true });
    await login(server.url, email, PASSWORD);
  });

  it('does not let an admin demote or deactivate themselves', async () => {
    const me = (await data<TeamAgentDTO[]>(admin, 'GET', '/api/agents')).find((a) => a.email === ADMIN.email)!;
    expect((await api(server.url, admin, 'PUT', `/api/agents/${me.id}`, { role: 'agent' })).body).toEqual(refusal('FORBIDDEN'));
    expect((await api(server.url, admin, 'PUT', `/api/agents/${me.id}`, { active: false })).body).toEqual(refusal('FORBIDDEN'));
    expect((await data<TeamAgentDTO[]>(admin, 'GET', '/api/agents')).find((a) => a.id === me.id)).toMatchObject({ role: 'admin', active: true });
  });

  it('a password change needs the current password and ends the agent’s other sessions and their sockets, not this one', async () => {
    const { email, cookie, socket } = await newAgent();
    const other = await login(server.url, email, PASSWORD);
    const otherSocket = await agentSocket(server.url, other);
    const closed = new Promise<string>((resolve) => otherSocket.once('disconnect', (reason) => resolve(reason)));
    const wrong = await api(server.url, cookie, 'POST', '/api/auth/password', { currentPassword: 'not-it-at-all', newPassword: 'brand-new-password' });
    expect(wrong.body).toEqual(refusal('INVALID_CREDENTIALS'));
    expect((await api(server.url, other, 'GET', '/api/auth/me')).status).toBe(200);

    await data(cookie, 'POST', '/api/auth/password', { currentPassword: PASSWORD, newPassword: 'brand-new-password' });
    expect(await closed).toBe('io server disconnect');
    expect((await api(server.url, other, 'GET', '/api/auth/me')).body).toEqual(refusal('UNAUTHORIZED'));
    expect((await api(server.url, cookie, 'GET', '/api/auth/me')).status).toBe(200);
    expect(socket.connected).toBe(true);
    expect(await call(socket, 'queue:list', {})).toMatchObject({ ok: true });
    await expect(login(server.url, email, PASSWORD)).rejects.toThrow();
    await login(server.url, email, 'brand-new-password');
  });

  it('lets an agent rename themselves, and nothing else about them', async () => {
    const { cookie } = await newAgent('agent', []);
    const renamed = await data<{ name: string; role: string; siteIds: string[] }>(cookie, 'PUT', '/api/auth/me', { name: '  Li Lei  ', role: 'admin', siteIds: ['demo'] });
    expect(renamed).toMatchObject({ name: 'Li Lei', role: 'agent', siteIds: [] });
    expect((await data<{ name: string }>(cookie, 'GET', '/api/auth/me')).name).toBe('Li Lei');
    expect((await api(server.url, cookie, 'PUT', '/api/auth/me', { name: ' ' })).body).toEqual(refusal('INVALID_PAYLOAD'));
    expect((await api(server.url, undefined, 'PUT', '/api/auth/me', { name: 'Nobody' })).body).toEqual(refusal('UNAUTHORIZED'));
  });

  it('an invitation link works once, before it expires, and a newer link replaces it', async () => {
    const email = `invited-${backend}@test.local`;
    const created = await data<AgentCreatedDTO>(admin, 'POST', '/api/agents', { name: 'Invited', email, role: 'agent', siteIds: ['demo'] });
    expect(created.agent).toMatchObject({ invited: true, active: true });
    expect(created.invitation!.url).toMatch(new RegExp(`^${PUBLIC_URL}/console#invite=[A-Za-z0-9_-]{43}$`));
    const token = (url: string) => url.slice(url.indexOf('#invite=') + 8);
    // Nobody can log in as the invited agent before the link is used, whatever password they try.
    expect((await api(server.url, undefined, 'POST', '/api/auth/login', { email, password: '!invited' })).body).toEqual(refusal('INVALID_CREDENTIALS'));

    const accept = (t: string, password = 'chosen-password-1') => fetch(`${server.url}/api/invitations/${t}/accept`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password }) });
    expect((await (await accept(token(created.invitation!.url), 'short')).json())).toEqual(refusal('INVALID_PAYLOAD'));
    const res = await accept(token(created.invitation!.url));
    expect(await res.json()).toMatchObject({ ok: true, data: { email, role: 'agent', siteIds: ['demo'] } });
    const cookie = res.headers.get('set-cookie')!.split(';')[0];
    expect((await api(server.url, cookie, 'GET', '/api/auth/me')).status).toBe(200);
    expect(await (await accept(token(created.invitation!.url), 'another-password-2')).json()).toEqual(refusal('NOT_FOUND'));
    await login(server.url, email, 'chosen-password-1');
    expect((await data<TeamAgentDTO[]>(admin, 'GET', '/api/agents')).find((a) => a.email === email)).toMatchObject({ invited: false });

    // A new link: the previous unused one stops working; an expired one never works.
    const first = await data<InvitationDTO>(admin, 'POST', `/api/agents/${created.agent.id}/invitation`);
    const second = await data<InvitationDTO>(admin, 'POST', `/api/agents/${created.agent.id}/invitation`);
    expect(await (await accept(token(first.url))).json()).toEqual(refusal('NOT_FOUND'));
    server.app.ctx.clock = () => new Date(Date.parse(second.expiresAt) + 1000);
    expect(await (await accept(token(second.url))).json()).toEqual(refusal('NOT_FOUND'));
    server.app.ctx.clock = () => new Date();
    expect(await (await accept(token(second.url))).json()).toMatchObject({ ok: true });
    const used = await server.database.db.select().from(invitations).where(eq(invitations.agentId, created.agent.id));
    // Only hashes of the tokens are stored.
    expect(used.map((i) => i.tokenHash)).not.toContain(token(second.url));
    expect(used.every((i) => /^[0-9a-f]{64}$/.test(i.tokenHash))).toBe(true);
  });

  it('an invitation of a deactivated agent does not work', async () => {
    const email = `invited-off-${backend}@test.local`;
    const created = await data<AgentCreatedDTO>(admin, 'POST', '/api/agents', { name: 'Off', email, role: 'agent', siteIds: [] });
    await data(admin, 'PUT', `/api/agents/${created.agent.id}`, { active: false });
    const t = created.invitation!.url.split('#invite=')[1];
    const res = await fetch(`${server.url}/api/invitations/${t}/accept`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'chosen-password-1' }) });
    expect(await res.json()).toEqual(refusal('NOT_FOUND'));
    const [row] = await server.database.db.select().from(agents).where(eq(agents.id, created.agent.id));
    expect(row.active).toBe(false);
  });

  it('creates a site whose widget connects from its origin at once, with its snippet on the public address', async () => {
    const created = await data<SiteSecretDTO>(admin, 'POST', '/api/sites', { name: 'Courses', origins: ['https://Courses.example/'] });
    const key = created.site.id;
    expect(created.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.site).toMatchObject({ name: 'Courses', origins: ['https://courses.example'], requireIdentity: false });
    expect(created.site.snippet).toBe(`<script src="${PUBLIC_URL}/widget.js" data-site="${key}" async></script>`);
    const shown = await data<SiteAdminDTO>(admin, 'GET', `/api/sites/${key}`);
    expect(JSON.stringify(shown)).not.toContain(created.secret);
    expect(shown.snippet).toBe(created.site.snippet);

    const v = visitorSocket(server.url, { site: key, origin: 'https://courses.example' });
    await connected(v);
    // Another origin is refused at the engine's handshake, before any namespace.
    const polling = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling&site=${key}`, { headers: { origin: 'https://elsewhere.example' } });
    expect(await polling.text()).toContain('ORIGIN_NOT_ALLOWED');
    // The admin's open socket sees the new site without logging in again.
    const s = await agentSocket(server.url, admin);
    const sent = await ok(v, 'message:send', { clientId: clientId(), body: UNKNOWN_QUESTION });
    const queue = await ok(s, 'queue:list', {});
    expect(queue.waiting.some((c: ConversationDTO) => c.id === sent.conversation.id)).toBe(true);

    const edited = await data<SiteAdminDTO>(admin, 'PUT', `/api/sites/${key}`, { faqThreshold: 0.6, requireIdentity: true, identityMaxAgeSec: 3600, keepFullPageUrls: true, firstResponseTargetSec: 120 });
    expect(edited).toMatchObject({ faqThreshold: 0.6, requireIdentity: true, identityMaxAgeSec: 3600, keepFullPageUrls: true, firstResponseTargetSec: 120 });
    expect((await api(server.url, admin, 'POST', '/api/sites', { name: 'Bad', origins: ['javascript:alert(1)'] })).body).toEqual(refusal('INVALID_PAYLOAD'));
  });

  it('after a rotation the old secret verifies identities during the grace period only', async () => {
    const { site, secret: oldSecret } = await data<SiteSecretDTO>(admin, 'POST', '/api/sites', { name: 'Rotating', origins: ['https://rotating.example'] });
    const rotated = await data<SiteSecretDTO>(admin, 'POST', `/api/sites/${site.id}/secret`);
    expect(rotated.secret).not.toBe(oldSecret);
    const graceEnds = Date.parse(rotated.site.previousSecretExpiresAt!);
    expect(graceEnds - Date.now()).toBeGreaterThan(23 * 3600_000);

    const v = visitorSocket(server.url, { site: site.id, origin: 'https://rotating.example' });
    await connected(v);
    const identify = (secret: string, at: number) => {
      const ts = Math.floor(at / 1000);
      return call(v, 'session:identify', { id: 'user-7', ts, hash: hmacHex(secret, `user-7:${ts}`) });
    };
    expect(await identify(oldSecret, Date.now())).toMatchObject({ ok: true });
    expect(await identify(rotated.secret, Date.now())).toMatchObject({ ok: true });
    expect(await identify('not-the-secret', Date.now())).toEqual(refusal('INVALID_IDENTITY'));
    // The site's back end registers its articles with the secret too: the old one works as long.
    const putArticle = (secret: string) =>
      fetch(`${server.url}/api/articles`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: JSON.stringify({ siteId: site.id, url: 'https://rotating.example/a', title: 'A', language: 'en' }),
      }).then((r) => r.status);
    expect(await putArticle(oldSecret)).toBe(200);

    const later = graceEnds + 60_000;
    server.app.ctx.clock = () => new Date(later);
    expect(await identify(oldSecret, later)).toEqual(refusal('INVALID_IDENTITY'));
    expect(await identify(rotated.secret, later)).toMatchObject({ ok: true });
    expect(await putArticle(oldSecret)).toBe(401);
    expect(await putArticle(rotated.secret)).toBe(200);
    expect((await data<SiteAdminDTO>(admin, 'GET', `/api/sites/${site.id}`)).previousSecretExpiresAt).toBeNull();
  });
});

const REDIS_URL = process.env.TEST_REDIS_URL;


describe.skipIf(!REDIS_URL).each(BACKENDS)('a change made through the API on one node, through Redis, on %s', (backend) => {
  let cluster: TwoNodes;
  beforeAll(async () => {
    // Neither the periodic check nor the check on use may notice: only the push can.
    Object.assign(RIGHTS, { maxAgeMs: 3600_000, checkEveryMs: 3600_000 });
    cluster = await twoNodes(backend, REDIS_URL!);
  });
  afterAll(async () => {
    Object.assign(RIGHTS, DEFAULT_RIGHTS);
    for (const s of sockets) s.disconnect();
    await cluster?.close();
  });

  it('reaches the agent’s old socket on the other node: removed from a site, then deactivated', async () => {
    const [a, b] = cluster.nodes;
    const admin = await login(a.url);
    const email = `far-${backend}@test.local`;
    const created = await api<AgentCreatedDTO>(a.url, admin, 'POST', '/api/agents', { name: 'Far', email, role: 'agent', siteIds: ['demo'], password: PASSWORD });
    expect(created.body.ok).toBe(true);
    const id = (created.body as { data: AgentCreatedDTO }).data.agent.id;
    const old = await agentSocket(b.url, await login(b.url, email, PASSWORD));
    const v = visitorSocket(a.url);
    await connected(v);
    await ok(v, 'message:send', { clientId: clientId(), body: UNKNOWN_QUESTION });
    expect(await seesDemo(old)).toBe(true);

    expect((await api(a.url, admin, 'PUT', `/api/agents/${id}`, { siteIds: [] })).status).toBe(200);
    await expect.poll(() => seesDemo(old), { timeout: 5000 }).toBe(false);

    const closed = new Promise<string>((resolve) => old.once('disconnect', (reason) => resolve(reason)));
    expect((await api(a.url, admin, 'PUT', `/api/agents/${id}`, { active: false })).status).toBe(200);
    expect(await closed).toBe('io server disconnect');
  });
});
