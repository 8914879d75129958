/**
 * DATABASE_URL as libpq reads it: `?host=/var/run/postgresql` reaches PostgreSQL through its Unix
 * socket (server/db/pg-url.ts), with migrations, both pools and the hot path's raw statements. Runs
 * where the machine's PostgreSQL has its socket there (Debian's default).
 */
import { existsSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../server/db/client.ts';
import { rawClient } from '../../server/db/raw.ts';
import { rowsOf } from '../support/db.ts';

const SOCKET_DIR = '/var/run/postgresql';
const base = process.env.TEST_DATABASE_URL;
const port = base ? new URL(base).port || '5432' : '5432';
const available = !!base && existsSync(`${SOCKET_DIR}/.s.PGSQL.${port}`);

describe.skipIf(!available)('PostgreSQL through its Unix socket', () => {
  const name = `sc_test_socket_${process.pid}`;
  const admin = available ? postgres(base!, { max: 1, onnotice: () => {} }) : undefined;
  let database: Database | undefined;
  afterAll(async () => {
    await database?.close();
    await admin?.unsafe(`drop database if exists ${name} with (force)`);
    await admin?.end();
  });

  it('opens, migrates and serves both pools with ?host=<socket directory>', async (ctx) => {
    // Debian's default pg_hba.conf lets only the OS user of the same name in through the socket (peer):
    // such a machine cannot run this test, which is not the product's failure.
    const probe = postgres({ path: `${SOCKET_DIR}/.s.PGSQL.${port}`, user: new URL(base!).username || 'postgres', database: 'postgres', max: 1, onnotice: () => {} });
    const refused = await probe`select 1`.then(() => null, (err: { code?: string }) => err.code);
    await probe.end();
    if (refused === '28000' || refused === '28P01') ctx.skip();
    expect(refused).toBeNull();
    await admin!.unsafe(`create database ${name}`);
    const url = new URL(base!);
    url.pathname = `/${name}`;
    url.searchParams.set('host', SOCKET_DIR);
    database = await openDatabase({ url: url.toString() });
    await database.warm();
    // A Unix socket's connection has no client address; TCP's would be 127.0.0.1.
    const [mine] = rowsOf<{ addr: string | null }>(await database.db.execute(sql`select inet_client_addr()::text as addr`));
    expect(mine.addr).toBeNull();
    const [report] = rowsOf<{ addr: string | null }>(await database.reports.execute(sql`select inet_client_addr()::text as addr`));
    expect(report.addr).toBeNull();
    const rows = await rawClient(database.db).query<{ n: number }>('select $1::int + 1 as n', [41]);
    expect(rows).toEqual([{ n: 42 }]);
    const [{ count }] = rowsOf<{ count: string }>(await database.db.execute(sql`select count(*)::text as count from sites`));
    expect(Number(count)).toBeGreaterThanOrEqual(0);
  });
});
