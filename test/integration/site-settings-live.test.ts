/**
 * Sites are read from memory (sites/site-cache.ts), one object per site shared by its sockets: a change
 * of settings must still reach sockets that are already open, and a site unknown a moment ago must
 * be found once it exists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSite } from '../../server/sites/sites.service.ts';
import { BACKENDS } from '../support/db.ts';
import { api, call, clientId, connected, login, ok, startTestServer, visitorSocket, type TestServer } from '../support/server.ts';

describe.each(BACKENDS)('site settings on open sockets (%s)', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(() => server?.close());

  it('applies a change of settings to a widget socket opened before it', async () => {
    const cookie = await login(server.url);
    const v = visitorSocket(server.url);
    await connected(v);
    await ok(v, 'session:hello', {});
    await ok(v, 'message:send', { clientId: clientId(), body: 'Before the change' });
    expect((await api(server.url, cookie, 'PUT', '/api/sites/demo', { requireIdentity: true })).status).toBe(200);
    const refused = await call(v, 'message:send', { clientId: clientId(), body: 'After the change' });
    expect(refused).toEqual({ ok: false, error: { code: 'IDENTITY_REQUIRED' } });
    await api(server.url, cookie, 'PUT', '/api/sites/demo', { requireIdentity: false });
    await ok(v, 'message:send', { clientId: clientId(), body: 'Allowed again' });
    v.disconnect();
  });

  it('finds a site created after its key was asked for', async () => {
    const key = `new-site-${backend}`;
    const early = await fetch(`${server.url}/api/widget/status?site=${key}`);
    expect((await early.json()).error.code).toBe('UNKNOWN_SITE');
    await createSite(server.database.db, { id: key, name: 'Created later', origins: ['https://later.example'] });
    // An unknown key is remembered for a few seconds so that floods of it do not reach the database.
    await expect
      .poll(async () => (await (await fetch(`${server.url}/api/widget/status?site=${key}`)).json()).data?.siteName, { timeout: 10_000, interval: 250 })
      .toBe('Created later');
  });
});
