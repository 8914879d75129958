/**
 * Labels: created by a site's admins, put on its conversations by its agents, heard at once by the
 * site's consoles and by no other site's, filterable in history; never sent to the visitor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationDTO, ConversationLabelsDTO, LabelDTO, SessionDTO } from '../../shared/types.ts';
import { createSite } from '../../server/sites/sites.service.ts';
import { BACKENDS } from '../support/db.ts';
import { seedConversation } from '../support/conversations.ts';
import { png, visitorUpload } from '../support/uploads.ts';
import { addAgent, agentSocket, api, apiData, clientId, connected, login, next, ok, refusal, startTestServer, visitorSocket, type TestServer } from '../support/server.ts';

describe.each(BACKENDS)('labels on %s', (backend) => {
  let server: TestServer;
  let admin: string;
  let mei: string;
  let otto: string;
  let demoConv: string;
  let otherConv: string;
  const data = <T>(cookie: string, method: string, path: string, body?: unknown) => apiData<T>(server.url, cookie, method, path, body);

  beforeAll(async () => {
    server = await startTestServer(backend);
    await createSite(server.database.db, { id: 'other', name: 'Other', origins: ['https://other.example'] });
    admin = await login(server.url);
    mei = await addAgent(server, 'mei@test.local', ['demo']);
    otto = await addAgent(server, 'otto@test.local', ['other']);
    demoConv = await seedConversation(server.database.db, { siteId: 'demo', lines: ['我想申请退款'] });
    otherConv = await seedConversation(server.database.db, { siteId: 'other', lines: ['refund please'] });
  });
  afterAll(() => server?.close());

  it('lets only admins create labels, and shows a site’s labels only to its agents', async () => {
    const vip = await data<LabelDTO>(admin, 'POST', '/api/labels', { siteId: 'demo', name: 'VIP', color: '#e11d48' });
    expect(vip).toMatchObject({ siteId: 'demo', name: 'VIP', color: '#e11d48' });
    expect((await api(server.url, mei, 'POST', '/api/labels', { siteId: 'demo', name: '退款' })).body).toEqual(refusal('FORBIDDEN'));
    expect((await api(server.url, mei, 'PUT', `/api/labels/${vip.id}`, { name: 'mine' })).body).toEqual(refusal('FORBIDDEN'));
    expect((await data<LabelDTO[]>(mei, 'GET', '/api/labels')).map((l) => l.name)).toEqual(['VIP']);
    expect(await data<LabelDTO[]>(otto, 'GET', '/api/labels')).toEqual([]);
    expect(await data<LabelDTO[]>(otto, 'GET', '/api/labels?siteId=demo')).toEqual([]);
    expect((await api(server.url, admin, 'POST', '/api/labels', { siteId: 'demo', name: 'VIP' })).body).toEqual(refusal('CONFLICT'));
    const renamed = await data<LabelDTO>(admin, 'PUT', `/api/labels/${vip.id}`, { name: '贵宾' });
    expect(renamed.name).toBe('贵宾');
  });

  it('puts a label on a conversation, tells the site’s consoles and no other site’s, and filters history by it', async () => {
    const [label] = await data<LabelDTO[]>(mei, 'GET', '/api/labels?siteId=demo');
    const meiSocket = agentSocket(server.url, mei);
    const ottoSocket = agentSocket(server.url, otto);
    await Promise.all([connected(meiSocket), connected(ottoSocket)]);
    let ottoHeard = false;
    ottoSocket.on('conversation:labels', () => (ottoHeard = true));
    const heard = next<ConversationLabelsDTO>(meiSocket, 'conversation:labels');
    const delta = await data<ConversationLabelsDTO>(admin, 'POST', `/api/conversations/${demoConv}/labels`, { labelId: label.id, on: true });
    expect(delta).toEqual({ conversationId: demoConv, siteId: 'demo', labels: [label.id] });
    expect(await heard).toEqual(delta);
    // Twice on is still once.
    expect((await data<ConversationLabelsDTO>(mei, 'POST', `/api/conversations/${demoConv}/labels`, { labelId: label.id, on: true })).labels).toEqual([label.id]);

    const history = await data<ConversationDTO[]>(mei, 'GET', `/api/conversations?label=${label.id}`);
    expect(history.map((c) => [c.id, c.labels])).toEqual([[demoConv, [label.id]]]);
    expect((await data<ConversationDTO[]>(mei, 'GET', '/api/conversations')).length).toBeGreaterThan(0);

    // Another site's agent can neither use the label nor label another site's conversation with it.
    expect((await api(server.url, otto, 'POST', `/api/conversations/${demoConv}/labels`, { labelId: label.id, on: false })).body).toEqual(refusal('NOT_FOUND'));
    expect((await api(server.url, admin, 'POST', `/api/conversations/${otherConv}/labels`, { labelId: label.id, on: true })).body).toEqual(refusal('NOT_FOUND'));
    expect(ottoHeard).toBe(false);

    const off = await data<ConversationLabelsDTO>(mei, 'POST', `/api/conversations/${demoConv}/labels`, { labelId: label.id, on: false });
    expect(off.labels).toEqual([]);
    expect(await data<ConversationDTO[]>(mei, 'GET', `/api/conversations?label=${label.id}`)).toEqual([]);
  });

  it('tells the site’s open consoles, and no other site’s, when an admin makes, changes or deletes a label', async () => {
    const meiSocket = agentSocket(server.url, mei);
    const ottoSocket = agentSocket(server.url, otto);
    await Promise.all([connected(meiSocket), connected(ottoSocket)]);
    let ottoHeard = 0;
    ottoSocket.on('labels:changed', () => (ottoHeard += 1));
    const made = next<{ siteId: string }>(meiSocket, 'labels:changed');
    const label = await data<LabelDTO>(admin, 'POST', '/api/labels', { siteId: 'demo', name: 'Urgent' });
    expect(await made).toEqual({ siteId: 'demo' });
    const renamed = next<{ siteId: string }>(meiSocket, 'labels:changed');
    await data<LabelDTO>(admin, 'PUT', `/api/labels/${label.id}`, { name: '加急' });
    expect(await renamed).toEqual({ siteId: 'demo' });
    const deleted = next<{ siteId: string }>(meiSocket, 'labels:changed');
    expect((await api(server.url, admin, 'DELETE', `/api/labels/${label.id}`)).status).toBe(200);
    expect(await deleted).toEqual({ siteId: 'demo' });
    // A refused change tells nobody.
    const refused = await api(server.url, mei, 'POST', '/api/labels', { siteId: 'demo', name: 'Nope' });
    expect(refused.body).toEqual(refusal('FORBIDDEN'));
    // A round trip on Otto's socket: a push sent to him before it would have arrived by now.
    await ok(ottoSocket, 'agent:availability', { availability: 'online' }).catch(() => undefined);
    expect(ottoHeard).toBe(0);
  });

  it('takes a deleted label off every conversation', async () => {
    const gone = await data<LabelDTO>(admin, 'POST', '/api/labels', { siteId: 'demo', name: 'gone' });
    await data(mei, 'POST', `/api/conversations/${demoConv}/labels`, { labelId: gone.id, on: true });
    expect((await api(server.url, otto, 'DELETE', `/api/labels/${gone.id}`)).body).toEqual(refusal('FORBIDDEN'));
    await data(admin, 'DELETE', `/api/labels/${gone.id}`);
    const [row] = await data<ConversationDTO[]>(mei, 'GET', '/api/conversations');
    expect(row.labels).not.toContain(gone.id);
    expect((await api(server.url, admin, 'DELETE', `/api/labels/${gone.id}`)).body).toEqual(refusal('NOT_FOUND'));
  });

  it('never sends a conversation’s labels to its visitor', async () => {
    const [label] = await data<LabelDTO[]>(mei, 'GET', '/api/labels?siteId=demo');
    const v = visitorSocket(server.url);
    await connected(v);
    const session = await ok<SessionDTO>(v, 'session:hello', { locale: 'en' });
    const first = await ok(v, 'message:send', { clientId: clientId(), body: 'My certificate shows the wrong spelling of my village, can a person fix it?' });
    await data(mei, 'POST', `/api/conversations/${first.conversation.id}/labels`, { labelId: label.id, on: true });
    const again = await ok(v, 'message:send', { clientId: clientId(), body: 'Still there?' });
    expect(again.conversation.id).toBe(first.conversation.id);
    expect(again.conversation).not.toHaveProperty('labels');
    // An FAQ entry picked while typing, and a file: their answers carry the conversation too.
    const { suggestions } = await ok<{ suggestions: { entryId: string }[] }>(v, 'faq:suggest', { text: 'how do I get a refund' });
    const picked = await ok(v, 'faq:pick', { entryId: suggestions[0].entryId });
    expect(picked.conversation.id).toBe(first.conversation.id);
    expect(picked.conversation).not.toHaveProperty('labels');
    const uploaded = await visitorUpload(server.url, 'demo', session.token!, { name: 'photo.png', bytes: png(2, 2) }, clientId());
    if (!uploaded.body.ok) throw new Error(uploaded.body.error.code);
    expect(uploaded.body.data.conversation.id).toBe(first.conversation.id);
    expect(uploaded.body.data.conversation).not.toHaveProperty('labels');
    v.disconnect();
    const history = await data<ConversationDTO[]>(mei, 'GET', `/api/conversations?label=${label.id}`);
    expect(history.map((c) => c.id)).toContain(first.conversation.id);
  });

  it('answers INVALID_PAYLOAD to bad input', async () => {
    for (const body of [{}, { siteId: 'demo', name: '' }, { siteId: 'demo', name: 'x', color: 'red' }, { siteId: 'demo', name: 'x'.repeat(41) }]) {
      expect((await api(server.url, admin, 'POST', '/api/labels', body)).body).toEqual(refusal('INVALID_PAYLOAD'));
    }
    expect((await api(server.url, mei, 'POST', `/api/conversations/${demoConv}/labels`, { labelId: 'nope', on: true })).body).toEqual(refusal('INVALID_PAYLOAD'));
    expect((await api(server.url, mei, 'POST', `/api/conversations/${demoConv}/labels`, { labelId: demoConv })).body).toEqual(refusal('INVALID_PAYLOAD'));
    expect((await api(server.url, mei, 'GET', '/api/conversations?label=nope')).body).toEqual(refusal('INVALID_PAYLOAD'));
  });
});
