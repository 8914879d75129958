/**
 * The reports' own pool on PostgreSQL (server/db/client.ts): warmed at start, and warmed again when
 * its connections are gone (the database restarted them, the network failed) rather than leaving the
 * next report's new backends to pay their first reads of the rollups. Only the connections of this
 * file's own database are terminated. Both pools' session settings are checked before it closes.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from 'postgres';
import { createTestDatabase, rowsOf, type TestDatabase } from '../support/db.ts';

describe.skipIf(!process.env.TEST_DATABASE_URL)('the reports pool on PostgreSQL', () => {
  let database: TestDatabase;
  let admin: Sql;
  /** On the file's own database: its statistics are only seen from there. */
  let own: Sql;
  let name: string;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    name = new URL(database.env.DATABASE_URL!).pathname.slice(1);
    const { default: postgres } = await import('postgres');
    admin = postgres(process.env.TEST_DATABASE_URL!, { max: 1, onnotice: () => {} });
    own = postgres(database.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await Promise.all([admin?.end(), own?.end()]);
    await database?.drop();
  });

  const reportsPids = async () =>
    (await admin<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${name} and application_name = 'support-chat reports'`).map((r) => r.pid);
  const reportsBackends = async () => (await reportsPids()).length;
  /** Sequential scans of one rollup, which only the warm-up makes (reports read it by its site index). */
  const rollupScans = async () => (await own<{ n: number }[]>`select coalesce(sum(seq_scan), 0)::int as n from pg_stat_user_tables where relname = 'metrics_tickets'`)[0]?.n ?? 0;
  const onThisDatabase = (query: string) => `select ${query} from pg_stat_activity where datname = '${name}' and application_name = 'support-chat reports'`;

  it('opens and warms its four connections at start, and again after they were terminated', async () => {
    await database.warm();
    expect(await reportsBackends()).toBe(4);
    // The warm-up read the rollup with a sequential scan on each connection (statistics flush when a backend goes idle).
    await expect.poll(rollupScans, { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
    const before = await rollupScans();
    const old = await reportsPids();

    await admin.unsafe(onThisDatabase('pg_terminate_backend(pid)'));
    // Nothing asks for a report: without the re-warm the driver would open them only at the next one.
    // Four new backends, none of the old (a terminated one stays listed for a moment after the signal).
    const fresh = async () => (await reportsPids()).filter((pid) => !old.includes(pid)).length;
    await expect.poll(fresh, { timeout: 15_000, interval: 250 }).toBe(4);
    await expect.poll(reportsBackends, { timeout: 5_000 }).toBe(4);
    await expect.poll(rollupScans, { timeout: 10_000 }).toBeGreaterThanOrEqual(before + 4);
  }, 40_000);

  // Both pools run without JIT or parallel workers: PostgreSQL compiled any statement whose estimate
  // passed jit_above_cost on each execution (the rollup's upsert of 400 rows took 458 ms, nearly all
  // of it compiling), on the cores the message path needs.
  it.each(['db', 'reports'] as const)('%s: jit and parallel workers off', async (pool) => {
    const rows = rowsOf(await database[pool].execute(sql`select current_setting('jit') as jit, current_setting('max_parallel_workers_per_gather') as workers`));
    expect({ ...rows[0] }).toEqual({ jit: 'off', workers: '0' });
  });

  it('does not open them again once the pool is closed', async () => {
    await database.close();
    await expect.poll(reportsBackends, { timeout: 5_000 }).toBe(0);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await reportsBackends()).toBe(0);
  }, 20_000);
});
