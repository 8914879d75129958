/**
 * Where attachment bytes live, behind one small interface: a directory (DATA_DIR/uploads, the
 * default) or an S3-compatible bucket (S3_BUCKET, storage-s3.ts). An upload is first written to a
 * local temporary file (its size is known and its type checked before anything is kept), then
 * handed to `put`, which takes the file over.
 */
import { createReadStream } from 'node:fs';
import { mkdir, opendir, readdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { UploadsConfig } from '../config.ts';
import { AppError } from '../errors.ts';
import { s3Storage } from './storage-s3.ts';

export interface Storage {
  /** Where uploads are written while they arrive (same file system as the disk store, so `put` is a rename). */
  readonly tmpDir: string;
  /** Keeps the temporary file at `tmpPath` (`size` bytes) under `key`; the temporary file is gone afterwards. */
  put(key: string, tmpPath: string, size: number): Promise<void>;
  /** The stored bytes; NOT_FOUND when there are none under `key`. */
  get(key: string): Promise<Readable>;
  /** Removes the bytes under `key`; nothing stored there is not an error. */
  delete(key: string): Promise<void>;
  /**
   * The keys of everything stored before `before`, in pages (of at most LIST_PAGE), for the sweep of
   * files no row refers to (sweep.ts). Anything else in the folder or bucket is not listed; a part of
   * it that cannot be read is handed to `unreadable` and the listing goes on with the rest.
   */
  list(before: Date, unreadable?: (where: string, err: unknown) => void): AsyncIterable<string[]>;
}

/** Keys per page of `Storage.list` (S3's own page size). */
export const LIST_PAGE = 1000;

/** Keys are ours (`<siteId>/<uuid>`), never a sender's file name: checked anyway, since they become paths. */
const KEY = /^[A-Za-z0-9_-]{1,64}\/[0-9a-f-]{36}$/;
/** What the first part of a key can be: any other folder (`lost+found`, `.tmp`) is not the product's. */
const SITE_FOLDER = /^[A-Za-z0-9_-]{1,64}$/;

export const isKey = (key: string) => KEY.test(key);

export function checkKey(key: string): string {
  if (!KEY.test(key)) throw new Error('invalid storage key');
  return key;
}

/** Files under `dir`, one per key; the temporary files in `dir/.tmp`. */
export function diskStorage(dir: string): Storage {
  const tmpDir = path.join(dir, '.tmp');
  const file = (key: string) => path.join(dir, checkKey(key));
  return {
    tmpDir,
    async put(key, tmpPath) {
      await mkdir(path.dirname(file(key)), { recursive: true });
      await rename(tmpPath, file(key));
    },
    async get(key) {
      const p = file(key);
      // A missing file is NOT_FOUND now, not an error event on the stream after the headers went out.
      if (!(await stat(p).catch(() => undefined))?.isFile()) throw new AppError('NOT_FOUND');
      return createReadStream(p);
    },
    async delete(key) {
      await rm(file(key), { force: true });
    },
    async *list(before, unreadable) {
      let page: string[] = [];
      const sites = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return [];
        throw err;
      });
      for (const site of sites) {
        // A volume's root has a root-only lost+found: never opened, so it cannot stop the sweep.
        if (!site.isDirectory() || !SITE_FOLDER.test(site.name)) continue;
        // One directory entry at a time: a site folder may hold a great many files.
        const entries = await opendir(path.join(dir, site.name)).catch((err: unknown) => void unreadable?.(site.name, err));
        if (!entries) continue;
        for await (const entry of entries) {
          const key = `${site.name}/${entry.name}`;
          if (!entry.isFile() || !isKey(key)) continue;
          const mtime = (await stat(path.join(dir, key)).catch(() => undefined))?.mtimeMs;
          if (mtime === undefined || mtime >= before.getTime()) continue;
          page.push(key);
          if (page.length >= LIST_PAGE) {
            yield page;
            page = [];
          }
        }
      }
      if (page.length) yield page;
    },
  };
}

/** The store the configuration names. */
export function createStorage(config: UploadsConfig): Storage {
  if (config.driver === 'disk') return diskStorage(path.resolve(config.dir));
  return s3Storage(config, path.join(os.tmpdir(), 'support-chat-uploads'));
}
