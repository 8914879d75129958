/**
 * db/raw.ts, the hot path's driver access, on both databases: parameters of every kind the hot path
 * sends, errors with their codes (and the connection usable after them), many distinct statements,
 * and on PGlite (named prepared statements over its protocol) never running inside another caller's
 * open transaction.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawClient, type RawClient } from '../../server/db/raw.ts';
import { isUniqueViolation } from '../../server/errors.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';

describe.each(BACKENDS)('raw queries on %s', (backend) => {
  let database: TestDatabase;
  let raw: RawClient;
  beforeAll(async () => {
    database = await createTestDatabase(backend);
    raw = rawClient(database.db);
    await raw.query('CREATE TABLE raw_probe (k text PRIMARY KEY, n int, tags text[], at timestamptz)', []);
  });
  afterAll(() => database?.drop());

  it('passes text, numbers, arrays, timestamps and nulls, and reads the rows back typed', async () => {
    const at = new Date('2026-12-02T05:00:00.000Z');
    await raw.query('INSERT INTO raw_probe (k, n, tags, at) VALUES ($1, $2, $3::text[], $4)', ['a', 7, ['x', 'y'], at.toISOString()]);
    await raw.query('INSERT INTO raw_probe (k, n, tags, at) VALUES ($1, $2, $3::text[], $4)', ['b', null, [], null]);
    const rows = await raw.query<{ k: string; n: number | null; tags: string[]; ms: number | null }>(
      'SELECT k, n, tags, (extract(epoch FROM at) * 1000)::float8 AS ms FROM raw_probe WHERE k = ANY($1::text[]) ORDER BY k',
      [['a', 'b']],
    );
    expect(rows).toEqual([
      { k: 'a', n: 7, tags: ['x', 'y'], ms: at.getTime() },
      { k: 'b', n: null, tags: [], ms: null },
    ]);
  });

  it('reports a unique violation with its code and stays usable; a statement that does not parse can be fixed and run', async () => {
    const dup = await raw.query('INSERT INTO raw_probe (k) VALUES ($1)', ['a']).catch((err: unknown) => err);
    expect(isUniqueViolation(dup)).toBe(true);
    expect(await raw.query('SELECT count(*)::int AS n FROM raw_probe', [])).toEqual([{ n: 2 }]);
    await expect(raw.query('SELEC 1', [])).rejects.toThrow();
    await expect(raw.query('SELECT k FROM no_such_table', [])).rejects.toThrow();
    expect(await raw.query('SELECT 1 AS one', [])).toEqual([{ one: 1 }]);
  });

  it('runs a failing group as a whole: nothing of it is kept', async () => {
    const failed = await raw
      .transaction([
        { text: 'INSERT INTO raw_probe (k) VALUES ($1)', params: ['c'] },
        { text: 'INSERT INTO raw_probe (k) VALUES ($1)', params: ['a'] },
      ])
      .catch((err: unknown) => err);
    expect(isUniqueViolation(failed)).toBe(true);
    expect(await raw.query('SELECT k FROM raw_probe WHERE k = $1', ['c'])).toEqual([]);
  });

  it('commits a group whole, and leaves no connection inside a failed one', async () => {
    // More failed groups than the pool has connections: a connection left in its aborted
    // transaction would fail what follows on it, or keep its rows uncommitted.
    for (let i = 0; i < 12; i++) {
      const failed = await raw
        .transaction([
          { text: 'INSERT INTO raw_probe (k) VALUES ($1)', params: ['a'] },
          { text: 'INSERT INTO raw_probe (k) VALUES ($1)', params: [`never-${i}`] },
        ])
        .catch((err: unknown) => err);
      expect(isUniqueViolation(failed)).toBe(true);
    }
    expect(await raw.query("SELECT count(*)::int AS n FROM raw_probe WHERE k LIKE 'never-%'", [])).toEqual([{ n: 0 }]);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        raw.transaction([
          { text: 'INSERT INTO raw_probe (k, n) VALUES ($1, $2) RETURNING k', params: [`g${i}-1`, i] },
          { text: 'INSERT INTO raw_probe (k, n) VALUES ($1, $2) RETURNING n', params: [`g${i}-2`, i] },
        ]),
      ),
    );
    expect(results[5]).toEqual([[{ k: 'g5-1' }], [{ n: 5 }]]);
    expect(await raw.query("SELECT count(*)::int AS n FROM raw_probe WHERE k LIKE 'g%'", [])).toEqual([{ n: 24 }]);
    await raw.query("DELETE FROM raw_probe WHERE k LIKE 'g%'", []);
  });

  it('keeps working past the number of statements it keeps prepared', async () => {
    for (let i = 0; i < 130; i++) expect(await raw.query(`SELECT $1::int + ${i} AS v`, [1])).toEqual([{ v: 1 + i }]);
    expect(await raw.query('SELECT $1::int + 0 AS v', [5])).toEqual([{ v: 5 }]);
  });

  it.runIf(backend === 'pglite')('never runs inside another caller’s open transaction: that one’s rollback does not take it along', async () => {
    let release!: () => void;
    let opened!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const isOpen = new Promise<void>((r) => (opened = r));
    const other = database.db
      .transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO raw_probe (k) VALUES ('in-the-other')`);
        opened();
        await held;
        tx.rollback();
      })
      .catch(() => undefined);
    await isOpen;
    // Asked while the other transaction is open: it waits for it, then commits on its own.
    const mine = raw.query('INSERT INTO raw_probe (k) VALUES ($1) RETURNING k', ['mine']);
    await new Promise((r) => setTimeout(r, 50));
    release();
    await other;
    expect(await mine).toEqual([{ k: 'mine' }]);
    expect((await raw.query<{ k: string }>(`SELECT k FROM raw_probe WHERE k IN ('mine', 'in-the-other')`, [])).map((r) => r.k)).toEqual(['mine']);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('the PostgreSQL driver after a query fails part-way through its rows', () => {
  // patches/postgres+3.4.9.patch (porsager/postgres#1119, #1181): the driver's row counter stayed where
  // the failed query stopped, and the next query on the connection came back with that many holes
  // before its rows; the group commit's `new Map(rows…)` threw on them while a server was being stopped.
  it('gives the next query on the connection its own rows, pipelined or not', async () => {
    const { default: postgres } = await import('postgres');
    const one = postgres(process.env.TEST_DATABASE_URL!, { max: 1, onnotice: () => {} });
    try {
      const failing = () => one.unsafe('SELECT i, 1 / (4 - i) AS boom FROM generate_series(1, 10) i').catch((err: { code?: string }) => err.code);
      const [code, pipelined] = await Promise.all([failing(), one.unsafe('SELECT x FROM generate_series(1, 5) x')]);
      expect(code).toBe('22012');
      expect([...pipelined]).toEqual([1, 2, 3, 4, 5].map((x) => ({ x })));
      expect(await failing()).toBe('22012');
      const after = await one.unsafe('SELECT x FROM generate_series(1, 2) x');
      expect(after).toHaveLength(2);
      expect(Object.keys(after)).toEqual(['0', '1']);
    } finally {
      await one.end();
    }
  });
});
