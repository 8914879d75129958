/**
 * The uploads sweep (server/attachments/sweep.ts): stored files that no attachment row refers to, and
 * temporary files of uploads that never finished, go once they are older than the grace period; a
 * file a message refers to, a young one, a file of a site this database does not know and anything
 * not named as the product names files stay. An erasure whose file deletion failed is finished by it.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageDTO } from '../../shared/types.ts';
import { GRACE_MS, WARN_EACH, sweepUploads } from '../../server/attachments/sweep.ts';
import { processRegistry } from '../../server/ops/counters.ts';
import { BACKENDS } from '../support/db.ts';
import { api, clientId, helloVisitor, type TestServer } from '../support/server.ts';
import { png, startUploadsServer, storedFiles, visitorUpload } from '../support/uploads.ts';

describe.each(BACKENDS)('the uploads sweep on %s', (backend) => {
  let server: TestServer;
  let uploads: string;
  let admin: string;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => ({ server, uploads, admin, close } = await startUploadsServer(backend)));
  afterAll(() => close?.());

  /** A visitor's uploaded image: the visitor, and the stored file's key and path. */
  async function uploaded() {
    const { session, token } = await helloVisitor(server.url);
    const sent = await visitorUpload(server.url, 'demo', token, { name: 'photo.png', bytes: png(3, 3), type: 'image/png' }, clientId());
    if (!sent.body.ok) throw new Error(sent.body.error.code);
    const id = (sent.body.data.message as MessageDTO).meta.attachment!.id;
    return { visitorId: session.visitorId, id, file: path.join(uploads, 'demo', id) };
  }

  /** A file written under `relative` in the uploads folder, last written `ageMs` ago. */
  async function fileAt(relative: string, ageMs: number) {
    const file = path.join(uploads, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, 'bytes');
    const at = new Date(Date.now() - ageMs);
    await utimes(file, at, at);
    return file;
  }

  const old = GRACE_MS + 60_000;

  /** The server's logger, but its warnings go into `warned`. */
  const logInto = (warned: unknown[]): TestServer['app']['ctx']['log'] =>
    Object.assign(Object.create(server.app.ctx.log), { warn: (obj: unknown) => void warned.push(obj) });

  /** support_uploads_swept_total for one outcome, in this process. */
  async function sweptCount(outcome: string) {
    const text = await processRegistry().metrics();
    return Number(new RegExp(`^support_uploads_swept_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  }

  it('removes old files no message refers to and old temporary files, and nothing else', async () => {
    const kept = await uploaded();
    await utimes(kept.file, new Date(Date.now() - old), new Date(Date.now() - old));
    const orphan = await fileAt(`demo/${randomUUID()}`, old);
    const young = await fileAt(`demo/${randomUUID()}`, 60_000);
    const otherSite = await fileAt(`elsewhere/${randomUUID()}`, old);
    const notOurs = await fileAt('demo/notes.txt', old);
    const staleTemporary = await fileAt(`.tmp/upload-${randomUUID()}`, old);
    const freshTemporary = await fileAt(`.tmp/upload-${randomUUID()}`, 1_000);
    const before = await storedFiles(uploads);
    expect(before).toContain(orphan);

    const counted = async () => ({ removed: await sweptCount('removed'), temporary: await sweptCount('temporary') });
    const countedBefore = await counted();

    const result = await sweepUploads(server.app.ctx);

    expect(result).toEqual({ checked: 3, removed: 1, temporary: 1, failed: 0 });
    expect(await counted()).toEqual({ removed: countedBefore.removed + 1, temporary: countedBefore.temporary + 1 });
    const after = await storedFiles(uploads);
    expect(after).toEqual(before.filter((f) => f !== orphan));
    expect(after).toEqual(expect.arrayContaining([kept.file, young, otherSite, notOurs]));
    expect(await readdir(path.join(uploads, '.tmp'))).toEqual([path.basename(freshTemporary)]);
    expect(path.basename(staleTemporary)).not.toBe(path.basename(freshTemporary));
    // The file a message refers to still downloads.
    const download = await fetch(`${server.url}/api/attachments/${kept.id}`, { headers: { cookie: admin } });
    expect(download.status).toBe(200);

    // Swept again, nothing more goes.
    expect(await sweepUploads(server.app.ctx)).toEqual({ checked: 2, removed: 0, temporary: 0, failed: 0 });
  });

  it('finishes an erasure whose file deletion failed: the erased visitor’s file goes at the next sweep', async () => {
    const { visitorId, id, file } = await uploaded();
    const store = server.app.ctx.uploads;
    const realDelete = store.delete;
    store.delete = async () => {
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    };
    try {
      const erased = await api(server.url, admin, 'DELETE', `/api/visitors/${visitorId}`);
      expect(erased.body).toEqual({ ok: true, data: { erased: true } });
    } finally {
      store.delete = realDelete;
    }
    // The row is gone, the bytes not yet: nobody can reach them…
    expect(await storedFiles(uploads)).toContain(file);
    expect((await fetch(`${server.url}/api/attachments/${id}`, { headers: { cookie: admin } })).status).toBe(404);
    // …and within the grace period the sweep leaves them; past it, they go.
    await sweepUploads(server.app.ctx);
    expect(await storedFiles(uploads)).toContain(file);
    await utimes(file, new Date(Date.now() - old), new Date(Date.now() - old));
    const result = await sweepUploads(server.app.ctx);
    expect(result.removed).toBe(1);
    expect(await storedFiles(uploads)).not.toContain(file);
  });

  it('goes on past a file it cannot remove and a temporary folder it cannot read, counting and logging each', async () => {
    const stuck = await fileAt(`demo/${randomUUID()}`, old);
    const orphan = await fileAt(`demo/${randomUUID()}`, old);
    const notAFolder = await fileAt('not-a-folder', old);
    const store = server.app.ctx.uploads;
    const warned: unknown[] = [];
    const ctx = {
      ...server.app.ctx,
      log: logInto(warned),
      // The temporary folder a file (opendir fails), and one stored file that cannot be removed.
      uploads: {
        ...store,
        tmpDir: notAFolder,
        delete: async (key: string) => {
          if (path.join(uploads, key) === stuck) throw Object.assign(new Error('access denied'), { code: 'EACCES' });
          return store.delete(key);
        },
      },
    };
    const failedBefore = await sweptCount('failed_files');

    const result = await sweepUploads(ctx);

    expect(result).toMatchObject({ removed: 1, temporary: 0, failed: 2 });
    expect(await sweptCount('failed_files')).toBe(failedBefore + 2);
    expect(warned).toEqual([expect.objectContaining({ where: '.tmp' }), expect.objectContaining({ where: path.relative(uploads, stuck) })]);
    const after = await storedFiles(uploads);
    expect(after).toContain(stuck);
    expect(after).not.toContain(orphan);
    // The next sweep, with the store working again, removes it.
    expect((await sweepUploads(server.app.ctx)).removed).toBe(1);
    expect(await storedFiles(uploads)).not.toContain(stuck);
  });

  it('logs the first failures one by one and the rest in one summary, counting every one', async () => {
    const many = WARN_EACH + 5;
    const stuck = new Set<string>();
    for (let i = 0; i < many; i++) stuck.add(path.relative(uploads, await fileAt(`demo/${randomUUID()}`, old)));
    const store = server.app.ctx.uploads;
    const warned: unknown[] = [];
    // A store that refuses every delete, as an S3 bucket whose policy forbids them.
    const refusing = async () => {
      throw Object.assign(new Error('access denied'), { code: 'AccessDenied' });
    };
    const ctx = { ...server.app.ctx, log: logInto(warned), uploads: { ...store, delete: refusing } };
    const failedBefore = await sweptCount('failed_files');

    const result = await sweepUploads(ctx);

    expect(result).toMatchObject({ removed: 0, failed: many });
    expect(await sweptCount('failed_files')).toBe(failedBefore + many);
    expect(warned).toHaveLength(WARN_EACH + 1);
    for (const w of warned.slice(0, WARN_EACH)) expect(stuck.has((w as { where: string }).where)).toBe(true);
    expect(warned[WARN_EACH]).toEqual({ failed: many, notLogged: many - WARN_EACH });
    expect((await sweepUploads(server.app.ctx)).removed).toBe(many);
  });

  it('ends when the node stops (its signal aborted), leaving the rest to the next sweep', async () => {
    const orphan = await fileAt(`demo/${randomUUID()}`, old);
    expect(await sweepUploads(server.app.ctx, GRACE_MS, AbortSignal.abort())).toMatchObject({ removed: 0 });
    expect(await storedFiles(uploads)).toContain(orphan);
    expect(await sweepUploads(server.app.ctx)).toMatchObject({ removed: 1 });
    expect(await storedFiles(uploads)).not.toContain(orphan);
  });

  it('removes nothing when the database cannot answer', async () => {
    const orphan = await fileAt(`demo/${randomUUID()}`, old);
    const ctx = { ...server.app.ctx, raw: async () => { throw Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' }); } };
    await expect(sweepUploads(ctx)).rejects.toThrow('connection refused');
    expect(await storedFiles(uploads)).toContain(orphan);
  });
});
