/**
 * The sweep of stored files that no attachment row refers to. They come from: a write whose outcome
 * the server could not know (the connection lost around COMMIT: the file is kept, since the message
 * may be stored, see attachments.service.ts `discardIfRefused`); a server stopped between keeping a
 * file and committing its row; an erasure whose file deletion failed (the store away at the time:
 * the erased visitor's file must still go). And temporary files of uploads a stopped server left.
 *
 * Only what is older than GRACE_MS is looked at: a row commits within seconds of its file (statements
 * are limited to 30 s, idle transactions to 60), so a file that old with no row never gets one. A file
 * is removed only when the database answered that no row has its key and that its site is one of
 * this database's: the folder or bucket is this deployment's alone (README, Attachments). Every node
 * may sweep; removing twice is harmless.
 */
import { opendir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Ctx } from '../context.ts';
import { countSwept } from '../ops/counters.ts';
import { periodic } from '../ops/periodic.ts';

/** Files younger than this are never swept. */
export const GRACE_MS = 60 * 60_000;
/** How often each node sweeps, and how long after it starts it first does. */
const EVERY_MS = 6 * 60 * 60_000;
const FIRST_AFTER_MS = 5 * 60_000;
/**
 * Warnings a sweep logs one by one, for the first files or folders it cannot remove or read; past them,
 * one summary at the end. A store that refuses every delete (an S3 bucket whose policy forbids them)
 * would otherwise log a line for each of its files at every sweep. The count is exact either way.
 */
export const WARN_EACH = 10;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Per listed key: whether an attachment row has it, and whether its site is known. By primary keys only. */
const CHECK = `
SELECT k.key, a.id IS NOT NULL AS referenced, s.id IS NOT NULL AS site_known
FROM unnest($1::text[], $2::uuid[], $3::text[]) AS k(key, id, site_id)
LEFT JOIN attachments a ON a.id = k.id AND a.storage_key = k.key
LEFT JOIN sites s ON s.id = k.site_id`;

export interface SweepResult {
  /** Stored files old enough to be looked at. */
  checked: number;
  /** Of those, removed: no row referred to them. */
  removed: number;
  /** Temporary files of uploads that never finished, removed. */
  temporary: number;
  /** Files to remove that could not be, and folders that could not be read: logged, tried again at the next sweep. */
  failed: number;
}

type SweepCtx = Pick<Ctx, 'raw' | 'uploads' | 'log'>;

/** `signal`: aborted when the node stops; the sweep then ends after the file it is at (the next sweep goes on). */
export async function sweepUploads(ctx: SweepCtx, graceMs = GRACE_MS, signal?: AbortSignal): Promise<SweepResult> {
  // Real time, not ctx.clock: the files' times are the file system's (or the store's).
  const before = new Date(Date.now() - graceMs);
  const result: SweepResult = { checked: 0, removed: 0, temporary: 0, failed: 0 };
  // One file or folder that cannot be removed or read never stops the rest of the sweep.
  const failed = (where: string, err: unknown) => {
    result.failed++;
    countSwept('failed_files');
    if (result.failed <= WARN_EACH) ctx.log.warn({ err, where }, 'the uploads sweep could not remove or read this; the next sweep tries again');
  };
  result.temporary = await sweepTemporary(ctx.uploads.tmpDir, before, failed);
  countSwept('temporary', result.temporary);
  for await (const listed of ctx.uploads.list(before, failed)) {
    if (signal?.aborted) break;
    const keys = listed.filter((key) => UUID.test(key.slice(key.indexOf('/') + 1)));
    if (!keys.length) continue;
    result.checked += keys.length;
    const rows = await ctx.raw<{ key: string; referenced: boolean; site_known: boolean }>(CHECK, [
      keys,
      keys.map((key) => key.slice(key.indexOf('/') + 1)),
      keys.map((key) => key.slice(0, key.indexOf('/'))),
    ]);
    for (const row of rows) {
      if (row.referenced || !row.site_known) continue;
      if (signal?.aborted) break;
      try {
        await ctx.uploads.delete(row.key);
      } catch (err) {
        failed(row.key, err);
        continue;
      }
      result.removed++;
      countSwept('removed');
    }
  }
  if (result.failed > WARN_EACH) {
    ctx.log.warn(
      { failed: result.failed, notLogged: result.failed - WARN_EACH },
      'the uploads sweep could not remove or read more files than it logs one by one; the next sweep tries again',
    );
  }
  return result;
}

/** Removes the files in `dir` last written before `before`; returns how many. */
async function sweepTemporary(dir: string, before: Date, failed: (where: string, err: unknown) => void): Promise<number> {
  let removed = 0;
  const entries = await opendir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') failed('.tmp', err);
  });
  if (!entries) return 0;
  for await (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = path.join(dir, entry.name);
    const mtime = (await stat(file).catch(() => undefined))?.mtimeMs;
    if (mtime === undefined || mtime >= before.getTime()) continue;
    try {
      await rm(file, { force: true });
      removed++;
    } catch (err) {
      failed(`.tmp/${entry.name}`, err);
    }
  }
  return removed;
}

/** Sweeps FIRST_AFTER_MS after start, then every EVERY_MS, on this node; a failed sweep is logged and tried at the next. */
export function uploadsSweeper(ctx: SweepCtx): ReturnType<typeof periodic> {
  return periodic(
    async (signal) => {
      const r = await sweepUploads(ctx, GRACE_MS, signal);
      if (r.removed || r.temporary || r.failed) ctx.log.info(r, 'uploads swept: files no message refers to removed');
    },
    {
      everyMs: EVERY_MS,
      firstAfterMs: FIRST_AFTER_MS,
      onError: (err) => {
        countSwept('failed_sweeps');
        ctx.log.warn({ err }, 'sweeping uploads failed; the next sweep tries again');
      },
    },
  );
}
