/** The attachment store's contract, on the disk store (the S3 one implements the same interface), and type detection from bytes. */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm, writeFile, mkdir, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diskStorage, type Storage } from '../../server/attachments/storage.ts';
import { detectType } from '../../server/attachments/detect.ts';
import { cleanName } from '../../server/attachments/receive.ts';
import { pdf, png } from '../support/uploads.ts';

describe('the disk attachment store', () => {
  let dir: string;
  let store: Storage;
  const key = 'demo/6f1c2a3b-1d2e-4f50-8a9b-0c1d2e3f4a5b';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sc-store-'));
    store = diskStorage(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function tmpFile(bytes: Buffer) {
    await mkdir(store.tmpDir, { recursive: true });
    const p = path.join(store.tmpDir, `t${Math.random().toString(36).slice(2)}`);
    await writeFile(p, bytes);
    return p;
  }

  it('keeps a file under its key, takes the temporary file over, gives the bytes back and deletes them', async () => {
    const bytes = png();
    const tmp = await tmpFile(bytes);
    await store.put(key, tmp, bytes.length);
    expect(await readdir(store.tmpDir)).toEqual([]);
    expect(await buffer(await store.get(key))).toEqual(bytes);
    await store.delete(key);
    await expect(store.get(key)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Deleting what is not there is not an error.
    await store.delete(key);
  });

  it('refuses a key that could leave its directory', async () => {
    const tmp = await tmpFile(Buffer.from('x'));
    for (const bad of ['../etc/passwd', 'demo/../../x', '/abs/6f1c2a3b-1d2e-4f50-8a9b-0c1d2e3f4a5b', 'demo/not-a-uuid']) {
      await expect(store.put(bad, tmp, 1)).rejects.toThrow('invalid storage key');
      await expect(store.get(bad)).rejects.toThrow('invalid storage key');
    }
  });
});

describe('listing the disk store for the uploads sweep', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sc-list-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** A file at `relative`, last written a day ago. */
  async function oldFile(relative: string) {
    const file = path.join(dir, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, 'bytes');
    await utimes(file, new Date(Date.now() - 86_400_000), new Date(Date.now() - 86_400_000));
  }

  it('goes on past a folder it cannot open, reporting it, and never opens one that cannot be a site’s (lost+found)', async () => {
    const key = 'demo/6f1c2a3b-1d2e-4f50-8a9b-0c1d2e3f4a5b';
    await oldFile(key);
    await oldFile('locked/0a1b2c3d-1d2e-4f50-8a9b-0c1d2e3f4a5b');
    await oldFile('lost+found/1a1b2c3d-1d2e-4f50-8a9b-0c1d2e3f4a5b');
    await chmod(dir, 0o755);
    await chmod(path.join(dir, 'demo'), 0o755);
    await chmod(path.join(dir, 'locked'), 0o700);
    await chmod(path.join(dir, 'lost+found'), 0o700);
    // As an unprivileged user, as a server runs: root would open any folder.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/support/list-uploads.ts', dir], asUser);
    expect(JSON.parse(stdout)).toEqual({ keys: [key], unreadable: ['locked'] });
  });
});

describe('what a file is, from its bytes', () => {
  it('knows images and PDF whatever their names say', async () => {
    expect(await detectType(png(), 'document.pdf')).toBe('image/png');
    expect(await detectType(pdf(), 'image.png')).toBe('application/pdf');
  });

  it('takes UTF-8 text as plain text, in any language', async () => {
    expect(await detectType(Buffer.from('订单号 42，谢谢\r\nOrder 42\tthanks\n'), 'a.txt')).toBe('text/plain');
  });

  it('never takes markup, binary junk or an empty file for text', async () => {
    for (const s of ['<html><body>x</body></html>', '  <!DOCTYPE html>', 'notes\n<svg onload=alert(1)>', 'a\u0000b', '']) {
      expect([s, await detectType(Buffer.from(s), 'a.txt')]).toEqual([s, undefined]);
    }
    // XML is recognised as what it is, which no default list accepts.
    expect(await detectType(Buffer.from('<?xml version="1.0"?><a/>'), 'a.txt')).toBe('application/xml');
    expect(await detectType(Buffer.from([0x01, 0x02, 0x03, 0x80, 0x81, 0x00]), 'a.txt')).toBeUndefined();
  });

  it('shows a sender’s file name without path, quotes or control characters', () => {
    expect(cleanName('C:\\Users\\me\\shot.png')).toBe('shot.png');
    expect(cleanName('../../etc/passwd')).toBe('passwd');
    expect(cleanName('a"b\r\nc.txt')).toBe('abc.txt');
    expect(cleanName('')).toBe('file');
  });
});
