/**
 * Sites are read from memory (sites/site-cache.ts), one object per site shared by its sockets: a change
 * of settings must still reach sockets that are already open, and a site unknown a moment ago must
 * be found once it exists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiteAdminDTO, TeamAgentDTO } from '../../shared/http.ts';
import { createSite } from '../../server/sites/sites.service.ts';
import { BACKENDS } from '../support/db.ts';
import { addAgent, api, call, clientId, connected, login, ok, startTestServer, visitorSocket, type TestServer } from '../support/server.ts';

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

  it('saves every team, widget and FAQ setting, returns it, and the cached site follows', async () => {
    const cookie = await login(server.url);
    const settings = {
      assignmentMode: 'auto',
      reopenWindowSec: 3 * 86400,
      csatEnabled: false,
      replySound: true,
      emailUnseenAfterSec: 600,
      prechatForm: 'name_email',
      attachmentMaxBytes: 2 * 1024 * 1024,
      attachmentTypes: ['image/png', 'application/pdf'],
      faqTargetPrecision: 0.9,
      faqReviewLearned: true,
      businessHours: { timezone: 'Asia/Shanghai', days: { '1': [540, 1080], '5': [540, 1440] } },
    };
    const res = await api<SiteAdminDTO>(server.url, cookie, 'PUT', '/api/sites/demo', settings);
    expect(res.status).toBe(200);
    expect(res.body.ok && res.body.data).toMatchObject(settings);
    expect((await api<SiteAdminDTO>(server.url, cookie, 'GET', '/api/sites/demo')).body).toMatchObject({ ok: true, data: settings });
    expect(await server.app.ctx.sites.get('demo')).toMatchObject(settings);
    // Types are stored lower-case and once; null means the default set again; no business hours.
    const again = await api<SiteAdminDTO>(server.url, cookie, 'PUT', '/api/sites/demo', { attachmentTypes: ['Image/PNG', 'image/png'], businessHours: null });
    expect(again.body).toMatchObject({ ok: true, data: { attachmentTypes: ['image/png'], businessHours: null } });
    const reset = await api<SiteAdminDTO>(server.url, cookie, 'PUT', '/api/sites/demo', { attachmentTypes: null, assignmentMode: 'manual', csatEnabled: true });
    expect(reset.body).toMatchObject({ ok: true, data: { attachmentTypes: null, assignmentMode: 'manual', csatEnabled: true } });
  });

  it('refuses each invalid setting with INVALID_PAYLOAD and changes nothing', async () => {
    const cookie = await login(server.url);
    const before = (await api<SiteAdminDTO>(server.url, cookie, 'GET', '/api/sites/demo')).body;
    const bad: Record<string, unknown>[] = [
      { assignmentMode: 'random' },
      { reopenWindowSec: -1 },
      { reopenWindowSec: 1.5 },
      { reopenWindowSec: 91 * 86400 },
      { csatEnabled: 'yes' },
      { replySound: 1 },
      { emailUnseenAfterSec: 10 },
      { prechatForm: 'phone' },
      { attachmentMaxBytes: 0 },
      { attachmentMaxBytes: 101 * 1024 * 1024 },
      { attachmentTypes: [] },
      { attachmentTypes: ['png'] },
      { attachmentTypes: ['image/png; charset=x'] },
      { attachmentTypes: 'image/png' },
      { faqTargetPrecision: 0.49 },
      { faqTargetPrecision: 1 },
      { faqReviewLearned: null },
      { businessHours: { timezone: 'Mars/Olympus', days: {} } },
      { businessHours: { timezone: 'Asia/Shanghai', days: { '1': [600, 540] } } },
      { businessHours: { timezone: 'Asia/Shanghai', days: { '1': [0, 1441] } } },
      { businessHours: { timezone: 'Asia/Shanghai', days: { '8': [0, 60] } } },
      { businessHours: { timezone: 'Asia/Shanghai', days: { '1': [0] } } },
      { businessHours: { days: { '1': [0, 60] } } },
      // One bad field refuses the whole change, the good ones with it.
      { csatEnabled: false, faqTargetPrecision: 2 },
    ];
    for (const body of bad) {
      const res = await api(server.url, cookie, 'PUT', '/api/sites/demo', body);
      expect([JSON.stringify(body), res.status, res.body]).toEqual([JSON.stringify(body), 400, { ok: false, error: { code: 'INVALID_PAYLOAD' } }]);
    }
    expect((await api(server.url, cookie, 'GET', '/api/sites/demo')).body).toEqual(before);
  });

  it('sets an agent’s capacity from the Agents page, and refuses one out of range', async () => {
    const admin = await login(server.url);
    await addAgent(server, `capacity-${backend}@test.local`);
    const team = (await api<TeamAgentDTO[]>(server.url, admin, 'GET', '/api/agents')).body;
    const agent = team.ok ? team.data.find((a) => a.email === `capacity-${backend}@test.local`)! : undefined;
    expect(agent?.capacity).toBe(5);
    const saved = await api<TeamAgentDTO>(server.url, admin, 'PUT', `/api/agents/${agent!.id}`, { capacity: 2 });
    expect(saved.body).toMatchObject({ ok: true, data: { capacity: 2 } });
    for (const capacity of [-1, 101, 2.5, '3']) {
      expect((await api(server.url, admin, 'PUT', `/api/agents/${agent!.id}`, { capacity })).body).toEqual({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    }
    const after = (await api<TeamAgentDTO[]>(server.url, admin, 'GET', '/api/agents')).body;
    expect(after.ok && after.data.find((a) => a.id === agent!.id)?.capacity).toBe(2);
  });
});
