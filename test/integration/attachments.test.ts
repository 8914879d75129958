/**
 * Attachments: visitors and agents send files; the bytes are checked (size while they arrive, type
 * from the content), kept, and served only to that conversation's visitor and the site's agents,
 * never as a page.
 */
import { request } from 'node:http';
import { readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageDTO } from '../../shared/types.ts';
import { attachmentRefusal, DEFAULT_ATTACHMENT_TYPES } from '../../shared/attachments.ts';
import { createSite } from '../../server/sites/sites.service.ts';
import { LIMITS } from '../../server/limits.ts';
import { BACKENDS } from '../support/db.ts';
import { addAgent, agentSocket, api, clientId, connected, helloVisitor, next, ok, type TestServer } from '../support/server.ts';
import { agentUpload, pdf, png, startUploadsServer, visitorUpload } from '../support/uploads.ts';

/** Every stored file under the uploads directory (temporary ones included). */
async function storedFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) if (e.isFile()) out.push(path.join(e.parentPath, e.name));
  return out;
}

/**
 * Streams a multipart upload of `totalBytes` and stops writing once the server has answered:
 * resolves with the status, the body and how much had been written by then.
 */
function streamUpload(url: string, opts: { totalBytes: number; declareLength: boolean; token: string }): Promise<{ status: number; body: any; written: number }> {
  const boundary = 'x-boundary-7MA4YWxkTrZu0gW';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="token"\r\n\r\n${opts.token}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="clientId"\r\n\r\nbig-file-123\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const chunk = Buffer.concat([png(), Buffer.alloc(1024 * 1024 - png().length, 7)]);
  return new Promise((resolve, reject) => {
    let answered = false;
    let written = 0;
    const req = request(url, {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        ...(opts.declareLength ? { 'content-length': String(head.length + opts.totalBytes + tail.length) } : {}),
      },
    });
    req.on('response', (res) => {
      answered = true;
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text), written }));
    });
    // Once answered, we stop sending and drop the connection: not a failure of the test.
    req.on('error', (err) => (answered ? undefined : reject(err)));
    const pump = async () => {
      req.write(head);
      for (let sent = 0; sent < opts.totalBytes && !answered; sent += chunk.length) {
        written += chunk.length;
        if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
        await new Promise((r) => setTimeout(r, 5));
      }
      if (answered) req.destroy();
      else req.end(tail);
    };
    pump().catch(() => {});
  });
}

describe.each(BACKENDS)('attachments on %s', (backend) => {
  let server: TestServer;
  let uploads: string;
  let admin: string;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => ({ server, uploads, admin, close } = await startUploadsServer(backend)));
  afterAll(() => close?.());

  const newVisitor = () => helloVisitor(server.url);

  it('tells the widget the site’s limits: 10 MB, images, PDF, plain text and office files by default', async () => {
    const { session } = await newVisitor();
    // The default list is not sent on every connect: the widget has it (shared/attachments.ts).
    expect(session.attachments).toEqual({ maxBytes: 10 * 1024 * 1024 });
    expect(DEFAULT_ATTACHMENT_TYPES).toEqual(expect.arrayContaining(['image/png', 'image/jpeg', 'application/pdf', 'text/plain', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document']));
    expect(DEFAULT_ATTACHMENT_TYPES).not.toContain('image/svg+xml');
    expect(DEFAULT_ATTACHMENT_TYPES).not.toContain('text/html');
    const file = (name: string, type: string, size = 1000) => ({ name, type, size });
    expect(attachmentRefusal(file('shot.png', 'image/png'), session.attachments)).toBeUndefined();
    expect(attachmentRefusal(file('notes.md', ''), session.attachments)).toBeUndefined();
    expect(attachmentRefusal(file('x.svg', 'image/svg+xml'), session.attachments)).toBe('FILE_TYPE_NOT_ALLOWED');
    expect(attachmentRefusal(file('big.pdf', 'application/pdf', 11 * 1024 * 1024), session.attachments)).toBe('FILE_TOO_LARGE');
  });

  it('lets a visitor send a screenshot that the agent sees and downloads, and the visitor opens through a short-lived link', async () => {
    const { v, token } = await newVisitor();
    const agent = agentSocket(server.url, admin);
    await connected(agent);
    const image = png(4, 3);
    const sent = await visitorUpload(server.url, 'demo', token, { name: 'screen shot.png', bytes: image, type: 'image/png' }, clientId());
    expect(sent.status).toBe(200);
    if (!sent.body.ok) throw new Error(sent.body.error.code);
    const message: MessageDTO = sent.body.data.message;
    expect(message.kind).toBe('attachment');
    expect(message.author).toBe('visitor');
    expect(message.meta.attachment).toEqual({ id: expect.any(String), name: 'screen shot.png', size: image.length, mime: 'image/png', isImage: true });
    // A file needs a person: the conversation waits for one.
    expect(sent.body.data.conversation.status).toBe('open');
    const id = message.meta.attachment!.id;

    // The agent's console: the conversation opens with the attachment in it, and the file downloads with the session cookie.
    const opened = await ok(agent, 'conversation:open', { conversationId: message.conversationId });
    expect(opened.messages.find((m: MessageDTO) => m.id === message.id)?.meta.attachment?.id).toBe(id);
    const byAgent = await fetch(`${server.url}/api/attachments/${id}`, { headers: { cookie: admin } });
    expect(byAgent.status).toBe(200);
    expect(byAgent.headers.get('content-type')).toBe('image/png');
    expect(byAgent.headers.get('x-content-type-options')).toBe('nosniff');
    expect(byAgent.headers.get('content-disposition')).toMatch(/^inline; filename="screen shot.png"/);
    expect(byAgent.headers.get('content-security-policy')).toContain('sandbox');
    expect(Buffer.from(await byAgent.arrayBuffer())).toEqual(image);
    // Without a session, nothing.
    expect((await fetch(`${server.url}/api/attachments/${id}`)).status).toBe(404);

    // The visitor's widget asks for links; the link works without any cookie, a changed one does not.
    const { links } = await ok(v, 'attachment:links', { ids: [id] });
    const link = links[id];
    expect(new Date(link.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const byVisitor = await fetch(`${server.url}${link.url}`);
    expect(byVisitor.status).toBe(200);
    expect(Buffer.from(await byVisitor.arrayBuffer())).toEqual(image);
    const forged = link.url.replace(/sig=([0-9a-f])/, (_m: string, c: string) => `sig=${c === '0' ? '1' : '0'}`);
    expect((await fetch(`${server.url}${forged}`)).status).toBe(404);
    const later = link.url.replace(/exp=(\d+)/, (_m: string, e: string) => `exp=${Number(e) + 3600_000}`);
    expect((await fetch(`${server.url}${later}`)).status).toBe(404);
    const expired = link.url.replace(/exp=(\d+)/, 'exp=1000');
    expect((await fetch(`${server.url}${expired}`)).status).toBe(404);
  });

  it('lets an agent send a PDF that the visitor receives and can only download, never view in our origin', async () => {
    const { v, token } = await newVisitor();
    const first = await visitorUpload(server.url, 'demo', token, { name: 'a.txt', bytes: Buffer.from('my order number is 42\n') }, clientId());
    if (!first.body.ok) throw new Error(first.body.error.code);
    const conversationId = first.body.data.message.conversationId;
    const agentCookie = await addAgent(server, `pdf-${backend}@test.local`);
    const pushed = next<MessageDTO>(v, 'message:created', (m) => m.kind === 'attachment' && m.author === 'agent');
    const sent = await agentUpload(server.url, agentCookie, conversationId, { name: 'Rechnung «März».pdf', bytes: pdf() }, clientId());
    expect(sent.status).toBe(200);
    const message = await pushed;
    expect(message.meta.attachment).toMatchObject({ name: 'Rechnung «März».pdf', mime: 'application/pdf', isImage: false });
    const { links } = await ok(v, 'attachment:links', { ids: [message.meta.attachment!.id] });
    const res = await fetch(`${server.url}${links[message.meta.attachment!.id].url}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="Rechnung _M_rz_.pdf"; filename*=UTF-8''${encodeURIComponent('Rechnung «März».pdf')}`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');

    // Plain text is a download too, in UTF-8.
    const text = await fetch(`${server.url}/api/attachments/${first.body.data.message.meta.attachment.id}`, { headers: { cookie: agentCookie } });
    expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(text.headers.get('content-disposition')).toMatch(/^attachment;/);
  });

  it('limits the files an agent sends, refusing the next before reading it and storing nothing', async () => {
    const { v, token } = await newVisitor();
    const first = await visitorUpload(server.url, 'demo', token, { name: 'a.png', bytes: png() }, clientId());
    if (!first.body.ok) throw new Error(first.body.error.code);
    const conversationId = first.body.data.message.conversationId;
    const agentCookie = await addAgent(server, `limit-${backend}@test.local`);
    const saved = LIMITS.attachmentsPerAgent;
    LIMITS.attachmentsPerAgent = { limit: 2, windowMs: 60_000 };
    try {
      for (let i = 0; i < 2; i++) expect((await agentUpload(server.url, agentCookie, conversationId, { name: `${i}.pdf`, bytes: pdf() }, clientId())).status).toBe(200);
      const cid = clientId();
      const refused = await agentUpload(server.url, agentCookie, conversationId, { name: 'third.pdf', bytes: pdf() }, cid);
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
      const messages = await ok<MessageDTO[]>(v, 'messages:sync', { conversationId, afterSeq: 0 });
      expect(messages.filter((m) => m.kind === 'attachment' && m.author === 'agent')).toHaveLength(2);
      expect(messages.some((m) => m.clientId === cid)).toBe(false);
    } finally {
      LIMITS.attachmentsPerAgent = saved;
    }
  });

  it('refuses an HTML page renamed to .png, an SVG with a script, and HTML sent as text, from their bytes', async () => {
    const { token } = await newVisitor();
    const html = Buffer.from('<!doctype html><html><body><script>fetch("/api/auth/me")</script></body></html>');
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.domain)</script></svg>');
    const xmlSvg = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const hidden = Buffer.from('Just some notes\n\n   <script>alert(1)</script>');
    for (const [name, bytes, type] of [
      ['photo.png', html, 'image/png'],
      ['logo.svg', svg, 'image/svg+xml'],
      ['logo.png', xmlSvg, 'image/png'],
      ['notes.txt', hidden, 'text/plain'],
      ['page.html', html, 'text/html'],
    ] as const) {
      const res = await visitorUpload(server.url, 'demo', token, { name, bytes, type }, clientId());
      expect([name, res.status, res.body]).toEqual([name, 415, { ok: false, error: { code: 'FILE_TYPE_NOT_ALLOWED' } }]);
    }
    // Nothing refused was kept.
    expect((await storedFiles(uploads)).filter((f) => f.includes(`${path.sep}.tmp${path.sep}`))).toEqual([]);
  });

  it('refuses a 50 MB file as it arrives, declared or not, without reading it to the end or keeping any of it', async () => {
    const { token } = await newVisitor();
    const before = await storedFiles(uploads);
    for (const declareLength of [true, false]) {
      const res = await streamUpload(`${server.url}/api/widget/attachments?site=demo`, { totalBytes: 50 * 1024 * 1024, declareLength, token });
      expect(res.status).toBe(413);
      expect(res.body).toEqual({ ok: false, error: { code: 'FILE_TOO_LARGE' } });
      // Answered long before the end: the server did not wait for (or hold) the whole file.
      expect(res.written).toBeLessThan(20 * 1024 * 1024);
    }
    await expect.poll(() => storedFiles(uploads), { timeout: 3000 }).toEqual(before);
  });

  it('refuses a stranger before reading their file: a wrong token is answered at the start of the file part', async () => {
    const before = await storedFiles(uploads);
    // 8 MB, under the site's limit: read to its end, it would have been refused only there.
    const res = await streamUpload(`${server.url}/api/widget/attachments?site=demo`, { totalBytes: 8 * 1024 * 1024, declareLength: false, token: 'not-a-token' });
    expect([res.status, res.body]).toEqual([401, { ok: false, error: { code: 'UNAUTHORIZED' } }]);
    expect(res.written).toBeLessThan(4 * 1024 * 1024);
    await expect.poll(() => storedFiles(uploads), { timeout: 3000 }).toEqual(before);
  });

  it('keeps a file from anyone outside its conversation: another visitor, an agent of another site, a stranger', async () => {
    const a = await newVisitor();
    const sent = await visitorUpload(server.url, 'demo', a.token, { name: 'mine.png', bytes: png() }, clientId());
    if (!sent.body.ok) throw new Error(sent.body.error.code);
    const id = sent.body.data.message.meta.attachment.id;
    const conversationId = sent.body.data.message.conversationId;

    // Another visitor of the same site asks for a link to it by id: not theirs, no link.
    const b = await newVisitor();
    expect(await ok(b.v, 'attachment:links', { ids: [id] })).toEqual({ links: {} });

    // An agent of another site: not found, for the file and for uploading into the conversation.
    const other = await createSite(server.database.db, { name: `Other ${backend}`, origins: [] });
    const outsider = await addAgent(server, `outsider-${backend}@test.local`, [other.id]);
    expect((await fetch(`${server.url}/api/attachments/${id}`, { headers: { cookie: outsider } })).status).toBe(404);
    const into = await agentUpload(server.url, outsider, conversationId, { name: 'x.png', bytes: png() }, clientId());
    expect([into.status, into.body]).toEqual([404, { ok: false, error: { code: 'NOT_FOUND' } }]);

    // A visitor token of one site does not upload to another, nor does no token.
    expect((await visitorUpload(server.url, other.id, a.token, { name: 'x.png', bytes: png() }, clientId())).status).toBe(401);
    expect((await visitorUpload(server.url, 'demo', undefined, { name: 'x.png', bytes: png() }, clientId())).status).toBe(401);
    // A link signed for the wrong visitor (b's widget cannot get one for a's file, so sign nothing): a made-up signature fails.
    expect((await fetch(`${server.url}/api/attachments/${id}?exp=${Date.now() + 60_000}&sig=${'0'.repeat(64)}`)).status).toBe(404);
  });

  it('answers a retried upload with the message already stored, not a second copy', async () => {
    const { token } = await newVisitor();
    const cid = clientId();
    const one = await visitorUpload(server.url, 'demo', token, { name: 'r.png', bytes: png() }, cid);
    const two = await visitorUpload(server.url, 'demo', token, { name: 'r.png', bytes: png() }, cid);
    if (!one.body.ok || !two.body.ok) throw new Error('upload failed');
    expect(two.body.data.message.id).toBe(one.body.data.message.id);
  });

  it('follows the site’s own limits', async () => {
    const site = await createSite(server.database.db, { name: `Small ${backend}`, origins: [] });
    const res = await api(server.url, admin, 'PUT', `/api/sites/${site.id}`, { attachmentMaxBytes: 2048, attachmentTypes: ['application/pdf'] });
    expect(res.status).toBe(200);
    const { session } = await helloVisitor(server.url, { site: site.id });
    expect(session.attachments).toEqual({ maxBytes: 2048, types: ['application/pdf'] });
    const image = await visitorUpload(server.url, site.id, session.token, { name: 'a.png', bytes: png() }, clientId());
    expect(image.body).toEqual({ ok: false, error: { code: 'FILE_TYPE_NOT_ALLOWED' } });
    const big = await visitorUpload(server.url, site.id, session.token, { name: 'a.pdf', bytes: Buffer.concat([pdf(), Buffer.alloc(4096, 32)]) }, clientId());
    expect(big.body).toEqual({ ok: false, error: { code: 'FILE_TOO_LARGE' } });
    expect((await visitorUpload(server.url, site.id, session.token, { name: 'a.pdf', bytes: pdf() }, clientId())).status).toBe(200);
  });

  it('asks for what a message needs first: a file waits for the pre-chat form like a message', async () => {
    const site = await createSite(server.database.db, { name: `Form ${backend}`, origins: [] });
    expect((await api(server.url, admin, 'PUT', `/api/sites/${site.id}`, { prechatForm: 'email' })).status).toBe(200);
    const { session } = await helloVisitor(server.url, { site: site.id });
    const res = await visitorUpload(server.url, site.id, session.token, { name: 'a.png', bytes: png() }, clientId());
    expect([res.status, res.body]).toEqual([403, { ok: false, error: { code: 'CONTACT_REQUIRED' } }]);
  });

  it('exports a visitor’s files with their download, and erasure removes them', async () => {
    const { session, token } = await newVisitor();
    const sent = await visitorUpload(server.url, 'demo', token, { name: 'private.png', bytes: png(3, 3) }, clientId());
    if (!sent.body.ok) throw new Error(sent.body.error.code);
    const id = sent.body.data.message.meta.attachment.id;
    const exported = await api(server.url, admin, 'GET', `/api/visitors/${session.visitorId}/export`);
    const files = (exported.body as any).data.attachments;
    expect(files).toEqual([expect.objectContaining({ id, name: 'private.png', mime: 'image/png', download: `/api/attachments/${id}` })]);
    expect(JSON.stringify(files)).not.toContain('storageKey');
    expect((await fetch(`${server.url}${files[0].download}`, { headers: { cookie: admin } })).status).toBe(200);
    const onDisk = (await storedFiles(uploads)).filter((f) => f.endsWith(id));
    expect(onDisk).toHaveLength(1);

    expect((await api(server.url, admin, 'DELETE', `/api/visitors/${session.visitorId}`)).status).toBe(200);
    expect((await storedFiles(uploads)).filter((f) => f.endsWith(id))).toEqual([]);
    expect((await fetch(`${server.url}/api/attachments/${id}`, { headers: { cookie: admin } })).status).toBe(404);
    expect((await api(server.url, admin, 'GET', `/api/visitors/${session.visitorId}/export`)).body).toMatchObject({ ok: true, data: { attachments: [] } });
  });

  it('closes the file of a download the browser cancels, and of every upload refused before (their temporary files)', async () => {
    const { token } = await newVisitor();
    // Large enough that the response is still being written when the client goes.
    const big = Buffer.alloc(4 * 1024 * 1024, 'an invoice line\n');
    const sent = await visitorUpload(server.url, 'demo', token, { name: 'long.txt', bytes: big, type: 'text/plain' }, clientId());
    if (!sent.body.ok) throw new Error(sent.body.error.code);
    const id = sent.body.data.message.meta.attachment.id;
    /** This process's open files under the uploads directory (the test server runs in it). */
    const openFiles = async () => {
      const links = await Promise.all((await readdir('/proc/self/fd')).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
      return links.filter((l) => l.startsWith(uploads)).length;
    };
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = request(`${server.url}/api/attachments/${id}`, { headers: { cookie: admin } }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', (err) => (req.destroyed ? resolve() : reject(err)));
        req.end();
      });
    }
    await expect.poll(openFiles).toBe(0);
  });

  it('refuses a request that is not a multipart upload', async () => {
    const res = await fetch(`${server.url}/api/widget/attachments?site=demo`, { method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
  });
});
