/** Opens the database: PostgreSQL through `postgres` when a URL is given, else PGlite in a folder. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { TransactionSql } from 'postgres';
import * as schema from './schema.ts';
import { claimDataDir } from './data-dir-lock.ts';
import { LANES } from './group-commit.ts';
import { socketOf } from './pg-url.ts';
import { timePGlite, timePostgres } from '../ops/db-timing.ts';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  /**
   * Reports' connections (metrics, exports, the rollup job): a pool of their own on PostgreSQL, so that
   * a year's metrics, which send a dozen statements at once, never hold the message path's connections;
   * the same as `db` on PGlite.
   */
  reports: Db;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
  /**
   * Opens every connection of both pools now rather than on a first burst of statements, and has each
   * reports connection read the rollups once (PGlite: nothing to do). A backend's first read of a
   * table's pages maps them into its memory: on this machine's VM a year's visitor days cost a new
   * backend 30–70 ms more the first time, and a year's totals right after a start took 330–430 ms.
   */
  warm(): Promise<void>;
  /**
   * PostgreSQL: a connection of its own for each group-commit lane of the message path
   * (db/group-commit.ts), so that a lane's groups always reach the same backend. Through the pool,
   * each group went to whichever connection had been idle longest: in turn every backend of the pool,
   * each with its own caches to bring back. bench:relay, two runs each way alternating (2026-12-06
   * 03:10–03:18 UTC, load about 2): the database's CPU per message 0.251–0.271 ms against 0.263–0.282
   * at 2,400 msg/s, 0.211–0.224 against 0.219–0.233 at 3,200; the passing rates the same within the
   * noise. Absent on PGlite (one backend for everything).
   */
  messageLanes?: Db[];
}

/** Connections in the server's pool, for every request but reports and the message path's lanes (LANES more). */
const POOL = 8;
/**
 * Connections for reports. Few: a report's statements run at once, each sorting or scanning on a core,
 * so more connections than cores only queue them in PostgreSQL, and each new backend pays the first
 * read of every rollup again (see warm). Measured on 2 cores, a year's totals in the 5 requests after a
 * start: median 117–140 ms, slowest 187–230 with 4 connections; 158–238 and 253–290 with the 10 of
 * the main pool.
 */
const REPORTS_POOL = 4;

/**
 * The rollups a report reads (metrics/rollup.ts), each with an index led by its site: read once by
 * each reports connection at start (see warm).
 */
const ROLLUPS = ['metrics_visitor_days', 'metrics_tickets', 'metrics_entry_days', 'metrics_page_days', 'metrics_question_days', 'metrics_ticket_days'];

/** How long after a reports connection closed the pool is warmed again, and the longest wait between tries. */
const REWARM_MS = 1_000;
const REWARM_MAX_MS = 30_000;

/**
 * Warms the reports pool again after one of its connections closed (the database restarted, the
 * network failed): the driver opens a new connection at the next report, whose backend would pay the
 * first reads of the rollups in that report (30–75 ms a table on this VM). Once the connections are
 * back, a second after the last close; retried with a growing wait while the database is away. Only
 * after start() (the server's warm-up), and never after stop() (ending the pool closes them too).
 */
function rewarmer(warm: () => Promise<void>) {
  let started = false;
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let delayMs = REWARM_MS;
  const schedule = () => {
    // The warm-up's own failed connections close too: its outcome decides what comes next.
    if (!started || running || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      running = true;
      warm().then(
        () => {
          running = false;
          delayMs = REWARM_MS;
        },
        () => {
          running = false;
          delayMs = Math.min(delayMs * 2, REWARM_MAX_MS);
          schedule();
        },
      );
    }, delayMs);
    timer.unref();
  };
  return {
    start: () => void (started = true),
    stop: () => {
      started = false;
      clearTimeout(timer);
      timer = undefined;
    },
    closed: schedule,
  };
}

/**
 * Server-side limits of a session, in milliseconds (PostgreSQL's statement_timeout, lock_timeout and
 * idle_in_transaction_session_timeout; 0 is no limit, which none of ours uses).
 */
export interface SessionLimits {
  statementMs: number;
  lockMs: number;
  idleInTransactionMs: number;
}

/**
 * What each kind of connection may take before PostgreSQL cancels its statement (57014, lock_timeout
 * 55P03: the request is answered INTERNAL) or ends its session (an open transaction idle too long,
 * 25P03: its next statement fails, the pool opens a new connection). Without them a stuck statement, or
 * a transaction a bug left open, held its connection and its row locks for good, and every request
 * needing those rows queued behind it.
 * - `main`: the message path and every request but reports, whose statements take milliseconds (a
 *   search of every ticket, the slowest, well under a second); a lock waited on for seconds is a
 *   transaction that is stuck, not one that is busy.
 * - `reports`: metrics, exports and the rollup, whose first run on a large database is a backfill of
 *   every ticket (34 s at 100,000 tickets a year on PostgreSQL, bench:metrics; minutes for years), and whose
 *   advisory lock waits for another node's run; a tickets export reads through a cursor, idle in its
 *   transaction while its client reads (tickets-export.ts cuts a download stalled for 60 s).
 * - `migrations`: a migration rewriting a large table, and a node waiting for another's migrations.
 * PGlite has none of these: it runs in this thread and cannot interrupt its own statement (its timers
 * never fire: `select pg_sleep(1)` under a 200 ms statement_timeout completes), and it has one
 * connection, so there is no other session's lock to wait on.
 */
export const SESSION_LIMITS: Record<'main' | 'reports' | 'migrations', SessionLimits> = {
  main: { statementMs: 30_000, lockMs: 10_000, idleInTransactionMs: 60_000 },
  reports: { statementMs: 600_000, lockMs: 600_000, idleInTransactionMs: 300_000 },
  migrations: { statementMs: 3_600_000, lockMs: 3_600_000, idleInTransactionMs: 3_600_000 },
};

/** A session's limits as the startup parameters the driver sends (strings: the driver drops a 0). */
function limitParams(limits: SessionLimits): Record<string, string> {
  return {
    statement_timeout: String(limits.statementMs),
    lock_timeout: String(limits.lockMs),
    idle_in_transaction_session_timeout: String(limits.idleInTransactionMs),
  };
}

const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Connects and applies the committed migrations. A PGlite folder is claimed for this process first
 * (data-dir-lock.ts): `owner` names this process to whoever finds the folder taken ('server', or a
 * CLI command); DataDirInUseError when another running process holds it. `limits` replaces
 * SESSION_LIMITS on PostgreSQL (tests use short ones).
 */
export async function openDatabase(opts: { url?: string; dataDir?: string; owner?: string; limits?: Partial<typeof SESSION_LIMITS> }): Promise<Database> {
  if (opts.url) {
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    // The driver runs with patches/postgres+3.4.9.patch (applied by `npm install`): without it, a
    // server stopped under traffic killed this process from inside the driver (the ROLLBACK that
    // begin() sends after a failed query, written to a socket already closed: porsager/postgres#1208).
    const { url, connect } = socketOf(opts.url);
    const options = {
      ...connect,
      onnotice: () => {},
      // While the server is down a request must fail in seconds (UNAVAILABLE), not wait 30 s for a
      // connection that cannot be made…
      connect_timeout: 5,
      // …and once it is back, closed connections must retry at once: the default backoff grows with
      // every failed attempt of the outage (3^n / 100 s, up to 20 s), which kept requests waiting
      // long after the server had returned.
      backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
      // No parallel workers for this pool's statements: the server already runs a request's statements
      // at once, each on its own connection, and workers on top only contended with them. Measured on
      // the year's visitor count at 200,000 visitor days (2 cores): 44 ms with a worker, 28.5 ms without.
      // A string: the driver drops a 0. (More sort memory was tried and not kept: a year's first-response
      // times sorted by day in memory took 63 ms instead of 85, but its tickets sorted by page 170 instead of 140.)
      // No JIT either: PostgreSQL compiles a statement whose estimated cost passes jit_above_cost on every
      // execution, and none of ours runs long enough to earn it back. The metrics rollup's upsert (an
      // estimate of 739,000 for 400 rows) took 458 ms, nearly all of it compiling, and an email-job insert
      // 107-251 ms, each on one of the two cores the message path needed (auto_explain, bench:relay).
      connection: { max_parallel_workers_per_gather: '0', jit: 'off' },
    };
    const limits = { ...SESSION_LIMITS, ...opts.limits };
    const sql = postgres(url, { ...options, connection: { ...options.connection, ...limitParams(limits.main), application_name: 'support-chat' }, max: POOL });
    // Kept open for good: a connection the driver replaced (by default after 30–60 min) would make the next report pay its first reads again.
    // One that closed anyway (the database restarted, the network failed) is opened and warmed again (rewarm below).
    const rewarm = rewarmer(warmReports);
    const reportSql = postgres(url, {
      ...options,
      connection: { ...options.connection, ...limitParams(limits.reports), application_name: 'support-chat reports' },
      max: REPORTS_POOL,
      max_lifetime: null,
      onclose: () => rewarm.closed(),
    });
    const laneSql = Array.from({ length: LANES }, () =>
      postgres(url, { ...options, connection: { ...options.connection, ...limitParams(limits.main), application_name: 'support-chat messages' }, max: 1 }),
    );
    const db = drizzle(timePostgres(sql), { schema });
    const reports = drizzle(timePostgres(reportSql), { schema });
    const messageLanes = laneSql.map((s) => drizzle(timePostgres(s), { schema }) as unknown as Db);
    // Nodes starting together on an empty database would each create the tables (drizzle's
    // migrator takes no lock): one at a time, the later ones finding the migrations applied. On the
    // lock's own connection, whose limits are a migration's, not a request's.
    const lock = postgres(url, { ...connect, max: 1, onnotice: () => {}, connection: { ...limitParams(limits.migrations), application_name: 'support-chat migrations' } });
    try {
      await lock`select pg_advisory_lock(hashtext('support-chat migrations'))`;
      await migrate(drizzle(lock, { schema }), { migrationsFolder });
    } finally {
      await lock.end();
    }
    return {
      db: db as unknown as Db,
      reports: reports as unknown as Db,
      messageLanes,
      kind: 'postgres',
      close: async () => {
        rewarm.stop();
        await Promise.all([sql.end({ timeout: 5 }), reportSql.end({ timeout: 5 }), ...laneSql.map((s) => s.end({ timeout: 5 }))]);
      },
      // Statements sent at once take a connection each; a pool opens one per statement up to its size.
      warm: async () => {
        try {
          await Promise.all([...Array.from({ length: POOL }, () => sql`select 1`), ...laneSql.map((s) => s`select 1`), warmReports()]);
        } finally {
          rewarm.start();
        }
      },
    };

    /** Each reports connection (opened if closed) reads the rollups and their site indexes once. */
    async function warmReports(): Promise<void> {
      const set = (tx: TransactionSql, settings: Record<string, 'on' | 'off'>) =>
        tx.unsafe(`select ${Object.entries(settings).map(([name, value]) => `set_config('${name}', '${value}', true)`).join(', ')}`);
      // A table past a quarter of shared_buffers is scanned through a small ring of buffers: reading it
      // whole at start would cost a full scan per connection and leave little mapped, so it is skipped.
      const small = (t: string) => `pg_relation_size('${t}') < pg_size_bytes(current_setting('shared_buffers')) / 4`;
      const read = async (tx: TransactionSql) => {
        // Every page of each rollup, as a sequential scan reads it (a count alone would read an index)…
        await set(tx, { enable_indexscan: 'off', enable_indexonlyscan: 'off', enable_bitmapscan: 'off' });
        await tx.unsafe(`select ${ROLLUPS.map((t) => `coalesce(case when ${small(t)} then (select count(*) from ${t}) end, 0)`).join(' + ')}`);
        // …and its index by site, which reports read instead once their statements' generic plans take over.
        await set(tx, { enable_indexonlyscan: 'on', enable_seqscan: 'off' });
        await tx.unsafe(`select ${ROLLUPS.map((t) => `(select count(*) from ${t} where site_id >= '')`).join(' + ')}`);
      };
      await Promise.all(Array.from({ length: REPORTS_POOL }, () => reportSql.begin(read)));
    }
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  const dataDir = opts.dataDir ?? './data';
  const release = claimDataDir(dataDir, opts.owner ?? 'a process');
  try {
    const client = new PGlite(dataDir);
    // A new WAL segment is otherwise written full of zeros first, on this thread: 30-44 ms COMMITs,
    // one every 16 MB written, held the event loop during the metrics backfill (bench:stalls). PGlite's
    // files are not preallocated for crash safety the way a server's are; skipping it loses nothing.
    await client.exec('set wal_init_zero = off');
    const db = drizzle(timePGlite(client), { schema });
    await migrate(db, { migrationsFolder });
    return { db: db as unknown as Db, reports: db as unknown as Db, kind: 'pglite', close: () => client.close().finally(release), warm: async () => {} };
  } catch (err) {
    release();
    throw err;
  }
}
