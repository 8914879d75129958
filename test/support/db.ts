/** A fresh, migrated database per test file: a copy of the PGlite template, or a new PostgreSQL database. */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../server/db/client.ts';

export type Backend = 'pglite' | 'postgres';

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set. */
export const BACKENDS: Backend[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDatabase extends Database {
  /** What a child process needs to open the same database. */
  env: { DATABASE_URL?: string; DATA_DIR?: string };
  drop(): Promise<void>;
}

export async function createTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sc-db-'));
    const dataDir = path.join(dir, 'pgdata');
    await cp(inject('pgliteTemplate'), dataDir, { recursive: true });
    const db = await openDatabase({ dataDir });
    return {
      ...db,
      env: { DATA_DIR: dataDir },
      async drop() {
        await db.close().catch(() => {});
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const base = process.env.TEST_DATABASE_URL!;
  const name = `sc_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const { default: postgres } = await import('postgres');
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString() });
  return {
    ...db,
    env: { DATABASE_URL: url.toString() },
    async drop() {
      await db.close().catch(() => {});
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** The rows of `db.execute()`: an object with `rows` from PGlite's driver, the array itself from postgres-js. */
export function rowsOf<T = Record<string, string>>(result: unknown): T[] {
  return (result as { rows?: T[] }).rows ?? (result as T[]);
}
