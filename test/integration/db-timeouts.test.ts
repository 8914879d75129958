/**
 * PostgreSQL's own limits on the server's sessions (SESSION_LIMITS in server/db/client.ts), here made
 * short: a stuck statement is cancelled and a transaction left open is ended by the server, so neither
 * holds a connection and its locks for good, while reports keep their longer limits. PGlite cannot
 * interrupt its own statements (it runs in this thread): nothing to check there.
 */
import { sql } from 'drizzle-orm';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../server/db/client.ts';
import { knownError } from '../../server/errors.ts';
import { rowsOf } from '../support/db.ts';

const base = process.env.TEST_DATABASE_URL;

describe.skipIf(!base)('PostgreSQL session limits', () => {
  const name = `sc_test_limits_${process.pid}`;
  let admin: Sql;
  let database: Database;
  let url: string;

  beforeAll(async () => {
    admin = postgres(base!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const own = new URL(base!);
    own.pathname = `/${name}`;
    url = own.toString();
    database = await openDatabase({
      url,
      limits: {
        main: { statementMs: 1_000, lockMs: 200, idleInTransactionMs: 300 },
        reports: { statementMs: 30_000, lockMs: 30_000, idleInTransactionMs: 30_000 },
      },
    });
  });
  afterAll(async () => {
    await database?.close();
    await admin?.unsafe(`drop database if exists ${name} with (force)`);
    await admin?.end();
  });

  const errorOf = (p: Promise<unknown>) => p.then(() => null, (err: unknown) => err as { code?: string; cause?: { code?: string } });
  const codeOf = (err: { code?: string; cause?: { code?: string } } | null) => err?.cause?.code ?? err?.code;

  it('cancels a statement that runs past the limit, and the pool keeps serving', async () => {
    const err = await errorOf(database.db.execute(sql`select pg_sleep(5)`));
    expect(codeOf(err)).toBe('57014');
    // Not an outage: the caller answers INTERNAL and logs it, the process goes on.
    expect(knownError(err)).toBeUndefined();
    const [row] = rowsOf<{ n: number }>(await database.db.execute(sql`select 1 as n`));
    expect(row.n).toBe(1);
  });

  it('gives up waiting for a lock another transaction holds', async () => {
    await database.db.execute(sql`create table if not exists limits_probe (id int primary key)`);
    const own = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await own.begin(async (tx) => {
        await tx`lock table limits_probe in access exclusive mode`;
        const err = await errorOf(database.db.execute(sql`select * from limits_probe`));
        expect(codeOf(err)).toBe('55P03');
      });
    } finally {
      await own.end();
    }
  });

  it('ends a transaction left idle, and the next statement on the pool works', async () => {
    let pid = 0;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const tx = errorOf(
      database.db.transaction(async (t) => {
        [{ pid }] = rowsOf<{ pid: number }>(await t.execute(sql`select pg_backend_pid() as pid`));
        await held;
      }),
    );
    await expect.poll(() => pid).toBeGreaterThan(0);
    // The server ends the session it left idle in its transaction…
    await expect.poll(async () => (await admin`select count(*)::int as n from pg_stat_activity where pid = ${pid}`)[0].n).toBe(0);
    release();
    // …which fails the transaction rather than the process. How the driver learns of it depends on
    // timing: the server's FATAL message (25P03), the socket closing before the next statement is
    // written (CONNECTION_CLOSED), or, when the COMMIT is written to a socket the server has already
    // closed, the kernel's reset (ECONNRESET; seen once in a clean-clone CI run on a loaded machine).
    expect(['CONNECTION_CLOSED', '25P03', 'ECONNRESET']).toContain(codeOf(await tx));
    const [row] = rowsOf<{ n: number }>(await database.db.execute(sql`select 1 as n`));
    expect(row.n).toBe(1);
  });

  it('lets reports run longer than the requests’ limit', async () => {
    const [row] = rowsOf<{ slept: string }>(await database.reports.execute(sql`select pg_sleep(1.5)::text as slept`));
    expect(row.slept).toBe('');
  });
});
