/**
 * Attachments in S3-compatible object storage (S3_BUCKET…), against a real S3 server over HTTP
 * (s3rver, test/support/s3.ts) rather than through the Storage interface alone: what the SDK puts
 * on the wire must be what a compatible store keeps, byte for byte.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageDTO, SessionDTO } from '../../shared/types.ts';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { sweepUploads } from '../../server/attachments/sweep.ts';
import { loadConfig } from '../../server/config.ts';
import { BACKENDS } from '../support/db.ts';
import { startS3Server, type TestBucket } from '../support/s3.ts';
import { addAgent, agentSocket, api, clientId, connected, helloVisitor, login, next, ok, startTestServer, visitorSocket, type TestServer } from '../support/server.ts';
import { agentUpload, pdf, png, visitorUpload } from '../support/uploads.ts';

/** The objects s3rver keeps for the bucket (its files, whatever it names them). */
async function objectFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true }).catch(() => [] as string[])).map(String);
}

// One database is enough: what is tested is the storage, not the backend.
const backend = BACKENDS.includes('postgres') ? 'postgres' : BACKENDS[0];

describe(`attachments in an S3-compatible bucket (${backend})`, () => {
  let bucket: TestBucket;
  let server: TestServer;
  let admin: string;
  beforeAll(async () => {
    bucket = await startS3Server();
    server = await startTestServer(backend, { uploads: bucket.config });
    admin = await login(server.url);
  });
  afterAll(async () => {
    await server?.close();
    await bucket?.close();
  });

  async function newVisitor() {
    const v = visitorSocket(server.url);
    await connected(v);
    const session = await ok<SessionDTO>(v, 'session:hello', {});
    return { v, session, token: session.token! };
  }

  it('keeps a visitor’s image byte for byte in the bucket, for the agent and for the visitor’s link', async () => {
    const { v, token } = await newVisitor();
    // Larger than one network write, so a streamed body's framing would show in what is kept.
    const image = Buffer.concat([png(40, 30), Buffer.alloc(200_000, 9)]);
    const sent = await visitorUpload(server.url, 'demo', token, { name: 'screen.png', bytes: image, type: 'image/png' }, clientId());
    expect(sent.status).toBe(200);
    if (!sent.body.ok) throw new Error(sent.body.error.code);
    const id = (sent.body.data.message as MessageDTO).meta.attachment!.id;
    expect((await objectFiles(bucket.dir)).length).toBeGreaterThan(0);

    const byAgent = await fetch(`${server.url}/api/attachments/${id}`, { headers: { cookie: admin } });
    expect(byAgent.status).toBe(200);
    expect(byAgent.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await byAgent.arrayBuffer()).equals(image)).toBe(true);

    const { links } = await ok(v, 'attachment:links', { ids: [id] });
    const byVisitor = await fetch(`${server.url}${links[id].url}`);
    expect(byVisitor.status).toBe(200);
    expect(Buffer.from(await byVisitor.arrayBuffer()).equals(image)).toBe(true);
  });

  it('delivers an agent’s PDF to the visitor as a download, from the bucket', async () => {
    const { v, token } = await newVisitor();
    const first = await visitorUpload(server.url, 'demo', token, { name: 'a.txt', bytes: Buffer.from('hello\n') }, clientId());
    if (!first.body.ok) throw new Error(first.body.error.code);
    const agentCookie = await addAgent(server, `s3-${backend}@test.local`);
    const pushed = next<MessageDTO>(v, 'message:created', (m) => m.kind === 'attachment' && m.author === 'agent');
    const sent = await agentUpload(server.url, agentCookie, first.body.data.message.conversationId, { name: 'invoice.pdf', bytes: pdf() }, clientId());
    expect(sent.status).toBe(200);
    const id = (await pushed).meta.attachment!.id;
    const { links } = await ok(v, 'attachment:links', { ids: [id] });
    const res = await fetch(`${server.url}${links[id].url}`);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(Buffer.from(await res.arrayBuffer()).equals(pdf())).toBe(true);
  });

  it('removes the visitor’s objects from the bucket on erasure', async () => {
    const { session, token } = await newVisitor();
    const before = await objectFiles(bucket.dir);
    const sent = await visitorUpload(server.url, 'demo', token, { name: 'private.png', bytes: png(3, 3) }, clientId());
    if (!sent.body.ok) throw new Error(sent.body.error.code);
    const id = sent.body.data.message.meta.attachment.id;
    expect((await objectFiles(bucket.dir)).length).toBeGreaterThan(before.length);
    expect((await api(server.url, admin, 'DELETE', `/api/visitors/${session.visitorId}`)).status).toBe(200);
    expect(await objectFiles(bucket.dir)).toEqual(before);
    expect((await fetch(`${server.url}/api/attachments/${id}`, { headers: { cookie: admin } })).status).toBe(404);
  });

  it('sweeps the objects no message refers to, and only those', async () => {
    const { token } = await newVisitor();
    const sent = await visitorUpload(server.url, 'demo', token, { name: 'kept.png', bytes: png(4, 4) }, clientId());
    if (!sent.body.ok) throw new Error(sent.body.error.code);
    const keptId: string = sent.body.data.message.meta.attachment.id;
    // An object stored the way an upload stores it, whose row never came (a server stopped before the commit).
    const store = server.app.ctx.uploads;
    await mkdir(store.tmpDir, { recursive: true });
    const tmp = path.join(store.tmpDir, `upload-${randomUUID()}`);
    await writeFile(tmp, png(2, 2));
    const orphan = `demo/${randomUUID()}`;
    await store.put(orphan, tmp, png(2, 2).length);
    const listed = async () => {
      const keys: string[] = [];
      for await (const page of store.list(new Date(Date.now() + 60_000))) keys.push(...page);
      return keys;
    };
    expect(await listed()).toEqual(expect.arrayContaining([orphan, `demo/${keptId}`]));

    // A grace period of minus a minute: every object counts as old enough.
    const result = await sweepUploads(server.app.ctx, -60_000);
    expect(result.removed).toBe(1);
    expect(await listed()).not.toContain(orphan);
    expect(await listed()).toContain(`demo/${keptId}`);
    expect((await fetch(`${server.url}/api/attachments/${keptId}`, { headers: { cookie: admin } })).status).toBe(200);
  });

  it('keeps a deployment with S3_PREFIX under its folder: two deployments share the bucket and sweep only their own', async () => {
    const { config } = bucket;
    const all = async () => {
      const client = new S3Client({ region: config.region, endpoint: config.endpoint, forcePathStyle: true, credentials: { accessKeyId: config.accessKeyId!, secretAccessKey: config.secretAccessKey! } });
      const out = await client.send(new ListObjectsV2Command({ Bucket: config.bucket }));
      client.destroy();
      return (out.Contents ?? []).map((o) => o.Key!);
    };
    // What S3_PREFIX=staging gives: the final slash added.
    const { uploads } = loadConfig({ S3_BUCKET: config.bucket, S3_PREFIX: 'staging' });
    expect(uploads).toMatchObject({ driver: 's3', prefix: 'staging/' });
    for (const bad of ['../up', '/root', 'a//b', 'with space', '.hidden']) expect(() => loadConfig({ S3_BUCKET: config.bucket, S3_PREFIX: bad })).toThrow('S3_PREFIX');
    // Another deployment (its own database, the same site id) on the same bucket, under the prefix.
    const staging = await startTestServer(backend, { uploads: { ...config, prefix: 'staging/' } });
    try {
      const ours = await newVisitor();
      const oursSent = await visitorUpload(server.url, 'demo', ours.token, { name: 'ours.png', bytes: png(3, 3) }, clientId());
      if (!oursSent.body.ok) throw new Error(oursSent.body.error.code);
      const oursId: string = oursSent.body.data.message.meta.attachment.id;
      const theirs = await helloVisitor(staging.url);
      const image = png(5, 5);
      const theirsSent = await visitorUpload(staging.url, 'demo', theirs.token, { name: 'theirs.png', bytes: image }, clientId());
      if (!theirsSent.body.ok) throw new Error(theirsSent.body.error.code);
      const theirsId: string = theirsSent.body.data.message.meta.attachment.id;

      const keys = await all();
      expect(keys).toContain(`staging/demo/${theirsId}`);
      expect(keys).toContain(`demo/${oursId}`);
      expect(keys).not.toContain(`demo/${theirsId}`);
      const stagingAdmin = await login(staging.url);
      const download = await fetch(`${staging.url}/api/attachments/${theirsId}`, { headers: { cookie: stagingAdmin } });
      expect(download.status).toBe(200);
      expect(Buffer.from(await download.arrayBuffer()).equals(image)).toBe(true);

      // Each sweeps with every object old enough (grace of minus a minute): neither removes the other's.
      expect((await sweepUploads(staging.app.ctx, -60_000)).removed).toBe(0);
      expect((await sweepUploads(server.app.ctx, -60_000)).removed).toBe(0);
      expect(await all()).toEqual(expect.arrayContaining([`staging/demo/${theirsId}`, `demo/${oursId}`]));
      // An orphan under the prefix is the staging deployment's to sweep, and only its.
      const orphan = `demo/${randomUUID()}`;
      const tmp = path.join(staging.app.ctx.uploads.tmpDir, `upload-${randomUUID()}`);
      await mkdir(path.dirname(tmp), { recursive: true });
      await writeFile(tmp, image);
      await staging.app.ctx.uploads.put(orphan, tmp, image.length);
      expect(await all()).toContain(`staging/${orphan}`);
      expect((await sweepUploads(server.app.ctx, -60_000)).removed).toBe(0);
      expect((await sweepUploads(staging.app.ctx, -60_000)).removed).toBe(1);
      expect(await all()).not.toContain(`staging/${orphan}`);
      expect(await all()).toEqual(expect.arrayContaining([`staging/demo/${theirsId}`, `demo/${oursId}`]));
    } finally {
      await staging.close();
    }
  });

  it('answers UNAVAILABLE and stores no message while the bucket is unreachable, and works again when it is back', async () => {
    const { v, token } = await newVisitor();
    const agent = agentSocket(server.url, admin);
    await connected(agent);
    const kept = await visitorUpload(server.url, 'demo', token, { name: 'kept.png', bytes: png(2, 2) }, clientId());
    if (!kept.body.ok) throw new Error(kept.body.error.code);
    await bucket.stop();
    try {
      const cid = clientId();
      const refused = await visitorUpload(server.url, 'demo', token, { name: 'x.png', bytes: png(2, 2) }, cid);
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
      const current = await ok<SessionDTO>(v, 'session:hello', {});
      expect((current.messages ?? []).some((m: MessageDTO) => m.clientId === cid)).toBe(false);
      // A file already stored cannot be read either: said as such, not as a server fault.
      const unreadable = await fetch(`${server.url}/api/attachments/${kept.body.data.message.meta.attachment.id}`, { headers: { cookie: admin } });
      expect(unreadable.status).toBe(503);
      await bucket.start();
      const stored = await visitorUpload(server.url, 'demo', token, { name: 'y.png', bytes: png(2, 2) }, cid);
      expect(stored.status).toBe(200);
    } finally {
      await bucket.start();
    }
  });
});
