/**
 * A database a benchmark fills and drops: a database of its own on `base`'s PostgreSQL server, or,
 * with no `base`, PGlite in a temp folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { openDatabase, type Database } from '../server/db/client.ts';
import { socketOf } from '../server/db/pg-url.ts';

/** A postgres.js client of a benchmark's own, for a URL as the server reads it (a Unix socket's `?host=/dir` too). */
export function postgresAt(url: string, options: postgres.Options<Record<string, postgres.PostgresType>> = {}): postgres.Sql {
  const socket = socketOf(url);
  return postgres(socket.url, { ...socket.connect, onnotice: () => {}, ...options });
}

export interface ThrowawayDatabase extends Database {
  /** What it runs on, for the printed results: `PGlite` or `PostgreSQL (host:port)`. */
  label: string;
  /** On PostgreSQL, its URL, for a benchmark's own connection to it. */
  url?: string;
  /** Closes it and deletes it (or, with `keep`, prints its name and leaves it in place). */
  drop(): Promise<void>;
  /**
   * Closes its connections and opens new ones, as a server restarted on it would (new PostgreSQL
   * backends, with nothing read yet); from then on `db`, `reports`, `warm`, `close` and `drop` are the new ones'.
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
    return following(() => openDatabase({ dataDir: path.join(dir, 'pgdata') }), 'PGlite', async (current) => {
      await current.close();
      await rm(dir, { recursive: true, force: true });
    });
  }
  const dbName = `${name}_${process.pid}`;
  const admin = postgresAt(base, { max: 1 });
  await admin.unsafe(`create database ${dbName}`);
  const url = new URL(base);
  url.pathname = `/${dbName}`;
  const database = await following(() => openDatabase({ url: url.toString() }), `PostgreSQL (${url.host})`, async (current) => {
    await current.close();
    if (keep) console.log(`  kept database ${dbName}`);
    else await admin.unsafe(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  });
  return Object.assign(database, { url: url.toString() });
}

/** A ThrowawayDatabase whose fields are those of the connections opened last (by `open`, again on `reopen`). */
async function following(open: () => Promise<Database>, label: string, drop: (current: Database) => Promise<void>): Promise<ThrowawayDatabase> {
  let current = await open();
  return {
    get db() {
      return current.db;
    },
    get reports() {
      return current.reports;
    },
    get kind() {
      return current.kind;
    },
    close: () => current.close(),
    warm: () => current.warm(),
    label,
    drop: () => drop(current),
    reopen: async () => {
      await current.close();
      return (current = await open());
    },
  };
}
