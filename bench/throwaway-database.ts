/**
 * A database a benchmark fills and drops: a database of its own on `base`'s PostgreSQL server, or,
 * with no `base`, PGlite in a temp folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Database } from '../server/db/client.ts';

export interface ThrowawayDatabase extends Database {
  /** What it runs on, for the printed results: `PGlite` or `PostgreSQL (host:port)`. */
  label: string;
  /** Closes it and deletes it (or, with `keep`, prints its name and leaves it in place). */
  drop(): Promise<void>;
  /**
   * Closes its connections and opens new ones, as a server restarted on it would (new PostgreSQL
   * backends, with nothing read yet); `drop` then closes those.
   */
  reopen(): Promise<Database>;
}

/**
 * @param name the database's name (the process id is added) or the temp folder's prefix
 * @param keep leave the PostgreSQL database in place, to read plans with EXPLAIN ANALYZE
 * @example const database = await throwawayDatabase('sc_stalls', process.env.BENCH_DATABASE_URL);
 */
export async function throwawayDatabase(name: string, base: string | undefined, { keep = false } = {}): Promise<ThrowawayDatabase> {
  if (!base) {
    const dir = await mkdtemp(path.join(os.tmpdir(), `${name.replaceAll('_', '-')}-`));
    const dataDir = path.join(dir, 'pgdata');
    let current = await openDatabase({ dataDir });
    return {
      ...current,
      label: 'PGlite',
      drop: async () => { await current.close(); await rm(dir, { recursive: true, force: true }); },
      reopen: async () => { await current.close(); return (current = await openDatabase({ dataDir })); },
    };
  }
  const dbName = `${name}_${process.pid}`;
  const { default: postgres } = await import('postgres');
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${dbName}`);
  const url = new URL(base);
  url.pathname = `/${dbName}`;
  let current = await openDatabase({ url: url.toString() });
  return {
    ...current,
    label: `PostgreSQL (${url.host})`,
    async drop() {
      await current.close();
      if (keep) console.log(`  kept database ${dbName}`);
      else await admin.unsafe(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    },
    reopen: async () => { await current.close(); return (current = await openDatabase({ url: url.toString() })); },
  };
}
