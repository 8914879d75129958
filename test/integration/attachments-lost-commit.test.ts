/**
 * Attachments whose write failed: the kept bytes go at once only when the write was refused. A lost
 * reply to COMMIT (the connection reset, the database stopped) may hide a committed message that the
 * client's retry replays: its file must still be there; the uploads sweep (uploads-sweep.test.ts)
 * removes it later if no row came.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Db } from '../../server/db/client.ts';
import { conversations } from '../../server/db/schema.ts';
import { AppError } from '../../server/errors.ts';
import type { Logger } from '../../server/logger.ts';
import { discardIfRefused } from '../../server/attachments/attachments.service.ts';
import { diskStorage } from '../../server/attachments/storage.ts';
import { BACKENDS, createTestDatabase } from '../support/db.ts';
import { clientId, helloVisitor, type TestServer } from '../support/server.ts';
import { png, startUploadsServer, storedFiles, visitorUpload } from '../support/uploads.ts';

/** What the `postgres` driver throws when the server closes the socket (here: before the reply to COMMIT). */
const connectionClosed = () => Object.assign(new Error('write CONNECTION_CLOSED 127.0.0.1:5432'), { code: 'CONNECTION_CLOSED', errno: 'CONNECTION_CLOSED' });

/**
 * The next transaction of `db` runs `inside` at the end of its callback (throwing there rolls it
 * back), then `after` once it committed. Resolves, once that transaction is over, with whether it was used.
 */
function onNextTransaction(db: Db, hooks: { inside?: () => void; after?: () => void }): () => boolean {
  const real = db.transaction.bind(db);
  let used = false;
  db.transaction = (async (fn: (tx: unknown) => Promise<unknown>, config?: unknown) => {
    // Own property over the prototype's method: removed, the real one is back.
    delete (db as { transaction?: unknown }).transaction;
    used = true;
    const out = await real(async (tx) => {
      const value = await fn(tx);
      hooks.inside?.();
      return value;
    }, config as never);
    hooks.after?.();
    return out;
  }) as typeof db.transaction;
  return () => used;
}

describe.each(BACKENDS)('an attachment whose write failed, on %s', (backend) => {
  let server: TestServer;
  let uploads: string;
  let admin: string;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => ({ server, uploads, admin, close } = await startUploadsServer(backend)));
  afterAll(() => close?.());

  const visitorToken = async () => (await helloVisitor(server.url)).token;

  it('keeps the file of a message that was stored though the reply to its COMMIT was lost: the retry replays it, and it downloads', async () => {
    const token = await visitorToken();
    const cid = clientId();
    const image = png(5, 4);
    const before = await storedFiles(uploads);
    const used = onNextTransaction(server.database.db, { after: () => { throw connectionClosed(); } });

    const first = await visitorUpload(server.url, 'demo', token, { name: 'receipt.png', bytes: image, type: 'image/png' }, cid);
    expect(used()).toBe(true);
    // The client is told to try again…
    expect(first.status).toBe(503);
    expect(first.body).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    // …and the stored message's bytes are still there.
    expect(await storedFiles(uploads)).toHaveLength(before.length + 1);

    const retry = await visitorUpload(server.url, 'demo', token, { name: 'receipt.png', bytes: image, type: 'image/png' }, cid);
    if (!retry.body.ok) throw new Error(retry.body.error.code);
    const id: string = retry.body.data.message.meta.attachment.id;
    const files = await storedFiles(uploads);
    // The replay stored nothing more: one file, the replayed message's.
    expect(files).toHaveLength(before.length + 1);
    expect(files.filter((f) => f.endsWith(id))).toHaveLength(1);
    const download = await fetch(`${server.url}/api/attachments/${id}`, { headers: { cookie: admin } });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(image);
  });

  it('removes the file of an upload the transaction refused (the conversation closed meanwhile), and stores no message', async () => {
    const token = await visitorToken();
    const cid = clientId();
    const before = await storedFiles(uploads);
    const used = onNextTransaction(server.database.db, { inside: () => { throw new AppError('CONVERSATION_CLOSED'); } });

    const refused = await visitorUpload(server.url, 'demo', token, { name: 'late.png', bytes: png(), type: 'image/png' }, cid);
    expect(used()).toBe(true);
    expect([refused.status, refused.body]).toEqual([409, { ok: false, error: { code: 'CONVERSATION_CLOSED' } }]);
    expect(await storedFiles(uploads)).toEqual(before);

    // Nothing was stored under that clientId: sent again, it is a new message with its own file.
    const again = await visitorUpload(server.url, 'demo', token, { name: 'late.png', bytes: png(), type: 'image/png' }, cid);
    if (!again.body.ok) throw new Error(again.body.error.code);
    const id: string = again.body.data.message.meta.attachment.id;
    expect((await storedFiles(uploads)).filter((f) => !before.includes(f))).toEqual([expect.stringMatching(new RegExp(`${id}$`))]);
  });
});

describe.each(BACKENDS)('discardIfRefused on %s', (backend) => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sc-uploads-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** A file kept under a new key, as keep() leaves it before the write. */
  async function keptFile() {
    const store = diskStorage(dir);
    const id = randomUUID();
    const key = `demo/${id}`;
    const tmp = path.join(dir, `upload-${id}`);
    await writeFile(tmp, png());
    await store.put(key, tmp, png().length);
    return { store, id, key, exists: async () => (await storedFiles(dir)).some((f) => f.endsWith(id)) };
  }

  const spyLog = () => ({ warn: vi.fn(), info: vi.fn(), error: vi.fn() });

  /** Errors of a database that refused a statement, then went away (closed). */
  async function databaseErrors() {
    const database = await createTestDatabase(backend);
    // A real refusal first, while it is up: a conversation of no visitor, an integrity constraint (drizzle's error, the driver's in `cause`).
    const refusal = await database.db
      .insert(conversations)
      .values([{ id: randomUUID(), siteId: 'demo', visitorId: randomUUID() }])
      .then(() => undefined, (err: unknown) => err);
    await database.drop();
    const lost = await database.db.select().from(conversations).limit(1).then(() => undefined, (err: unknown) => err);
    expect(lost).toBeDefined();
    return { refusal, lost };
  }

  it('removes the bytes of a refusal at once', async () => {
    const { refusal } = await databaseErrors();
    expect(refusal).toMatchObject({ cause: { code: expect.stringMatching(/^23/) } });
    for (const err of [new AppError('CONVERSATION_CLOSED'), new AppError('RATE_LIMITED', 1000), refusal]) {
      const file = await keptFile();
      const log = spyLog();
      await discardIfRefused({ uploads: file.store, log: log as unknown as Logger }, file.key, err);
      expect(await file.exists()).toBe(false);
      expect(log.info).not.toHaveBeenCalled();
    }
  });

  it('keeps the bytes of any other failure, which may hide a stored message, and says the sweep will decide', async () => {
    const { lost } = await databaseErrors();
    for (const err of [connectionClosed(), Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }), lost]) {
      const file = await keptFile();
      const log = spyLog();
      await discardIfRefused({ uploads: file.store, log: log as unknown as Logger }, file.key, err);
      expect(await file.exists()).toBe(true);
      expect(log.info).toHaveBeenCalledWith(expect.objectContaining({ err, storageKey: file.key }), expect.stringContaining('sweep'));
    }
  });
});
