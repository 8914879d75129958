/**
 * Canned replies: the site's, written by its admins, and each agent's own. An agent sees their
 * sites' replies and their own, and nothing of another site or another agent; bad input is
 * INVALID_PAYLOAD, a taken code CONFLICT.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CannedReplyDTO } from '../../shared/types.ts';
import { createSite } from '../../server/sites/sites.service.ts';
import { BACKENDS } from '../support/db.ts';
import { addAgent, api, apiData, login, refusal, startTestServer, type TestServer } from '../support/server.ts';

describe.each(BACKENDS)('canned replies on %s', (backend) => {
  let server: TestServer;
  let admin: string;
  let mei: string;
  let li: string;
  let other: string;
  const data = <T>(cookie: string, method: string, path: string, body?: unknown) => apiData<T>(server.url, cookie, method, path, body);

  beforeAll(async () => {
    server = await startTestServer(backend);
    await createSite(server.database.db, { id: 'other', name: 'Other', origins: ['https://other.example'] });
    admin = await login(server.url);
    mei = await addAgent(server, 'mei@test.local', ['demo']);
    li = await addAgent(server, 'li@test.local', ['demo']);
    other = await addAgent(server, 'otto@test.local', ['other']);
  });
  afterAll(() => server?.close());

  it('lets an admin write the site’s replies, which every agent of the site sees and none of another site', async () => {
    const reply = await data<CannedReplyDTO>(admin, 'POST', '/api/canned-replies', {
      siteId: 'demo',
      personal: false,
      shortCode: 'refund',
      title: 'Refund policy',
      body: 'Hi {visitor.name}, refunds take 5 days. {agent.name}',
    });
    expect(reply).toMatchObject({ siteId: 'demo', personal: false, shortCode: 'refund', title: 'Refund policy' });
    expect((await data<CannedReplyDTO[]>(mei, 'GET', '/api/canned-replies')).map((r) => r.id)).toContain(reply.id);
    expect(await data<CannedReplyDTO[]>(other, 'GET', '/api/canned-replies')).toEqual([]);
    expect((await api(server.url, other, 'GET', '/api/canned-replies?siteId=demo')).body).toEqual({ ok: true, data: [] });
    expect((await api(server.url, other, 'PUT', `/api/canned-replies/${reply.id}`, { body: 'mine now' })).body).toEqual(refusal('NOT_FOUND'));
    expect((await api(server.url, other, 'DELETE', `/api/canned-replies/${reply.id}`)).body).toEqual(refusal('NOT_FOUND'));
    expect((await api(server.url, other, 'POST', '/api/canned-replies', { siteId: 'demo', personal: true, shortCode: 'x', body: 'x' })).body).toEqual(
      refusal('NOT_FOUND'),
    );
  });

  it('keeps an agent from writing the site’s replies, but not their own, which nobody else sees', async () => {
    expect((await api(server.url, mei, 'POST', '/api/canned-replies', { siteId: 'demo', personal: false, shortCode: 'hi', body: 'Hello' })).body).toEqual(
      refusal('FORBIDDEN'),
    );
    const [site] = (await data<CannedReplyDTO[]>(mei, 'GET', '/api/canned-replies?siteId=demo')).filter((r) => !r.personal);
    expect((await api(server.url, mei, 'PUT', `/api/canned-replies/${site.id}`, { body: 'changed' })).body).toEqual(refusal('FORBIDDEN'));

    const own = await data<CannedReplyDTO>(mei, 'POST', '/api/canned-replies', { siteId: 'demo', personal: true, shortCode: '退款', body: '您好 {visitor.name}' });
    expect(own).toMatchObject({ personal: true, shortCode: '退款', title: '' });
    expect((await data<CannedReplyDTO[]>(li, 'GET', '/api/canned-replies')).map((r) => r.id)).not.toContain(own.id);
    expect((await data<CannedReplyDTO[]>(admin, 'GET', '/api/canned-replies')).map((r) => r.id)).not.toContain(own.id);
    expect((await api(server.url, li, 'PUT', `/api/canned-replies/${own.id}`, { body: 'not yours' })).body).toEqual(refusal('NOT_FOUND'));
    expect((await api(server.url, admin, 'DELETE', `/api/canned-replies/${own.id}`)).body).toEqual(refusal('NOT_FOUND'));

    const edited = await data<CannedReplyDTO>(mei, 'PUT', `/api/canned-replies/${own.id}`, { title: '退款说明', body: '您好' });
    expect(edited).toMatchObject({ title: '退款说明', body: '您好', shortCode: '退款' });
    // Li may have a reply with the same code: codes are unique per agent, and per site among the site's.
    await data(li, 'POST', '/api/canned-replies', { siteId: 'demo', personal: true, shortCode: '退款', body: 'li' });
    expect((await api(server.url, mei, 'POST', '/api/canned-replies', { siteId: 'demo', personal: true, shortCode: '退款', body: 'again' })).body).toEqual(
      refusal('CONFLICT'),
    );
    expect(
      (await api(server.url, admin, 'POST', '/api/canned-replies', { siteId: 'demo', personal: false, shortCode: 'refund', body: 'again' })).body,
    ).toEqual(refusal('CONFLICT'));
    await data(mei, 'DELETE', `/api/canned-replies/${own.id}`);
    expect((await data<CannedReplyDTO[]>(mei, 'GET', '/api/canned-replies')).map((r) => r.id)).not.toContain(own.id);
  });

  it('answers INVALID_PAYLOAD to bad input and UNAUTHORIZED without a session', async () => {
    for (const body of [
      {},
      { siteId: 'demo', personal: true, shortCode: 'has space', body: 'x' },
      { siteId: 'demo', personal: true, shortCode: '', body: 'x' },
      { siteId: 'demo', personal: true, shortCode: 'ok', body: '' },
      { siteId: 'demo', personal: true, shortCode: 'ok', body: 'x'.repeat(4001) },
      { siteId: 'demo', personal: 'yes', shortCode: 'ok', body: 'x' },
      { siteId: 'demo', personal: true, shortCode: 'ok', body: 'nul \u0000' },
    ]) {
      expect((await api(server.url, mei, 'POST', '/api/canned-replies', body)).body).toEqual(refusal('INVALID_PAYLOAD'));
    }
    expect((await api(server.url, mei, 'PUT', '/api/canned-replies/not-a-uuid', { body: 'x' })).body).toEqual(refusal('INVALID_PAYLOAD'));
    const [any] = await data<CannedReplyDTO[]>(mei, 'GET', '/api/canned-replies');
    expect((await api(server.url, admin, 'PUT', `/api/canned-replies/${any.id}`, {})).body).toEqual(refusal('INVALID_PAYLOAD'));
    expect((await api(server.url, undefined, 'GET', '/api/canned-replies')).body).toEqual(refusal('UNAUTHORIZED'));
  });
});
