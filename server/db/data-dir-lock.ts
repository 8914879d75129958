/**
 * One process at a time on a PGlite folder. PGlite keeps the database in the memory of the process
 * that opened it and writes it back to the folder: two processes on one folder each work on their
 * own copy, and what one of them writes is lost (a CLI's new site never reached a running server,
 * not even after a restart). So whoever opens the folder writes its PID into OWNER_FILE first,
 * exclusively; a file whose PID is no longer running is left over from a crash and is taken over.
 */
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Inside DATA_DIR, beside PostgreSQL's own files (which it ignores). */
export const OWNER_FILE = 'support-chat.owner.json';

export interface DataDirOwner {
  pid: number;
  /** What the owner is: 'server' or a CLI command, to tell the user what to stop. */
  role: string;
}

/** The folder is open in another process that is still running. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: DataDirOwner,
  ) {
    super(`${owner.role === 'server' ? 'the server' : owner.role} (pid ${owner.pid}) owns DATA_DIR ${dataDir}`);
    this.name = 'DataDirInUseError';
  }
}

/** Folders this process holds: opening one twice in one process is the same mistake. */
const held = new Set<string>();

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): DataDirOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as Partial<DataDirOwner>;
    return Number.isInteger(owner.pid) && owner.pid! > 0 ? { pid: owner.pid!, role: String(owner.role ?? 'a process') } : undefined;
  } catch {
    return undefined; // gone, or half-written by a process that died while writing it
  }
}

/**
 * Claims the folder for this process; throws DataDirInUseError when a running process holds it.
 * Returns the release function (idempotent), to call once the database is closed.
 */
export function claimDataDir(dataDir: string, role: string): () => void {
  const dir = path.resolve(dataDir);
  const file = path.join(dir, OWNER_FILE);
  if (held.has(dir)) throw new DataDirInUseError(dir, { pid: process.pid, role: 'this process' });
  const me: DataDirOwner = { pid: process.pid, role };
  mkdirSync(dir, { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(me), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw err;
      const owner = readOwner(file);
      // Our own PID in a file we do not hold: left by an earlier run that had the same PID (a
      // container's PID 1 after a restart), so stale like any other dead owner.
      if (owner && owner.pid !== process.pid && isRunning(owner.pid)) throw new DataDirInUseError(dir, owner);
      unlinkSync(file);
    }
  }
  held.add(dir);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    held.delete(dir);
    try {
      if (readOwner(file)?.pid === process.pid) unlinkSync(file);
    } catch {
      // Already gone: nothing to release.
    }
  };
}
