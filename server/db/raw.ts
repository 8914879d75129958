/**
 * Hand-written SQL for the hot path (storing and delivering a message), sent to the driver under
 * drizzle as it is: a prepared statement, parsed and planned once per connection on PostgreSQL
 * (postgres.js) and once per database on PGlite (below). Everything else goes through drizzle's query
 * builder; here its per-call query building was the largest single cost of a stored message.
 */
import { createHash } from 'node:crypto';
import { parse as pgliteParse, protocol, type PGlite } from '@electric-sql/pglite';
import type { Db } from './client.ts';
import { observeQuery } from '../ops/counters.ts';

export type RawQuery = <T extends object>(text: string, params: unknown[]) => Promise<T[]>;
export interface Statement {
  text: string;
  params: unknown[];
}
/** Runs statements in one transaction, in order: all of them commit, or none (the promise rejects). */
export type RawTransaction = (statements: Statement[]) => Promise<object[][]>;

export interface RawClient {
  query: RawQuery;
  transaction: RawTransaction;
  /** Statements the database runs at once: a pool's connections on PostgreSQL, one on PGlite (a single backend). */
  concurrent: number;
}

interface PostgresJs {
  unsafe(text: string, params: unknown[], options: { prepare: boolean }): Promise<unknown[]>;
  begin<T>(fn: (tx: PostgresJs) => Promise<T>): Promise<T>;
}

/** Raw queries on the same connection pool (or PGlite instance) as `db`. */
export function rawClient(db: Db): RawClient {
  const client = (db as unknown as { $client: PostgresJs | PGlite }).$client;
  if ('unsafe' in client && typeof client.unsafe === 'function') {
    const pg = client as PostgresJs;
    const run = (on: PostgresJs, s: Statement) => on.unsafe(s.text, s.params, { prepare: true }) as Promise<object[]>;
    return {
      query: async <T extends object>(text: string, params: unknown[]) => (await run(pg, { text, params })) as T[],
      // Sent together on one connection (the driver pipelines them), committed once.
      transaction: (statements) => pg.begin((tx) => Promise.all(statements.map((s) => run(tx, s)))),
      concurrent: (client as { options?: { max?: number } }).options?.max ?? 10,
    };
  }
  const lite = client as unknown as PGlite;
  const prepared = preparedOn(lite);
  // Timed here, as ops/db-timing.ts times the rest: these statements bypass the client it wraps
  // (postgres.js's raw queries go through it), and the hot path's store is one of them. A query's
  // time starts when it is asked (its wait for the one backend included, as a pool connection's
  // wait is on PostgreSQL) and ends with its rows, not with the loop turn that may follow.
  const run = async (text: string, params: unknown[], since: number) => {
    try {
      return await prepared(text, params);
    } finally {
      observeQuery(text, (performance.now() - since) / 1000);
    }
  };
  return {
    // In a transaction of its own: it holds PGlite's transaction lock, so it never runs inside another
    // caller's open transaction (whose rollback would take it along).
    query: <T extends object>(text: string, params: unknown[]) => {
      const asked = performance.now();
      return lite.transaction(async () => {
        const started = performance.now();
        const rows = await run(text, params, asked);
        await loopTurn(started);
        return rows;
      }) as Promise<T[]>;
    },
    transaction: (statements) =>
      lite.transaction(async () => {
        const results: object[][] = [];
        for (const s of statements) {
          const started = performance.now();
          results.push(await run(s.text, s.params, started));
          await loopTurn(started);
        }
        return results;
      }),
    concurrent: 1,
  };
}

/**
 * PGlite runs each statement on this thread, and its promises resolve in microtasks: statements that
 * follow each other (a transaction's, or a job's many transactions, like the metrics rollup's) never let
 * the event loop turn, so sockets, timers and HTTP waited for all of them at once (1-2 s for the rollup
 * at 100,000 tickets, though none of its statements took 50 ms; bench:stalls). After a statement, once
 * the loop has not turned for TURN_EVERY_MS, it is made to turn (other statements still wait for the
 * transaction). A pending fullTurn sees the loop turn, by itself or made to, so a short statement that
 * runs alone never waits.
 */
async function loopTurn(startedAt: number): Promise<void> {
  if (!watching) {
    // The first statement since the loop last turned: the hold starts with it.
    watching = true;
    heldSince = startedAt;
    fullTurn(() => {
      watching = false;
    });
  }
  if (performance.now() - heldSince >= TURN_EVERY_MS) await new Promise<void>((resolve) => fullTurn(resolve));
}
/**
 * Calls `f` once the event loop has gone all the way round (timers, I/O, immediates). One setImmediate
 * is not enough: scheduled from I/O or timer callbacks, it runs in the same turn's check phase, before
 * any other timer or socket (bench:stalls saw two 30 ms statements held back to back that way); one
 * scheduled from the check phase runs in the next turn.
 */
function fullTurn(f: () => void): void {
  setImmediate(() => setImmediate(f));
}
let heldSince = 0;
let watching = false;
/** How long PGlite statements may hold the event loop before it is made to turn. */
const TURN_EVERY_MS = 10;

/** Statements kept prepared per PGlite database at most; the least recently used is closed past it. */
const MAX_PREPARED = 100;
/**
 * A statement prepared this long ago is prepared again. A generic plan is cached for good once chosen,
 * and PGlite has no autovacuum, whose ANALYZE would invalidate it: a plan chosen while a table was small
 * (a seq scan) stayed after it grew (a rollup delete at 100,000 rows went from 1.5 to 140 ms). Planning
 * anew every few minutes costs nothing that counts.
 */
const REPLAN_MS = 5 * 60_000;
const PROTOCOL = { syncToFs: false };

/**
 * PGlite's query() sends an unnamed statement, which PostgreSQL plans anew each time: for the hot
 * path's one-statement store (six CTEs) that planning was 2-6 ms of this thread's 3-4 ms per message,
 * the WASM backend running on it. Here each text is parsed once as a named statement (its plan
 * cached, generic after a few runs, as on PostgreSQL) and then only bound and executed, with PGlite's
 * own protocol serializer and result parser, each exchange in one buffer: 1.1-1.2 ms per stored
 * message instead of 2.9-3.9 (a probe timing storeAgentText one at a time, 2026-12-02). Must be
 * called inside lite.transaction(), which holds the transaction lock; runExclusive holds the query
 * lock for one statement's messages, as PGlite's own tx.query does.
 */
function preparedOn(lite: PGlite): (text: string, params: unknown[]) => Promise<object[]> {
  const known = runners.get(lite);
  if (known) return known;
  const run = preparedRunner(lite);
  runners.set(lite, run);
  return run;
}

/** One runner per database: its prepared statements live in the one backend every rawClient of it shares. */
const runners = new WeakMap<PGlite, (text: string, params: unknown[]) => Promise<object[]>>();

function preparedRunner(lite: PGlite): (text: string, params: unknown[]) => Promise<object[]> {
  const prepared = new Map<string, { name: string; types: number[]; at: number }>();
  /** Protocol messages sent as one buffer, ended by Sync: after an error the backend skips to it, and the call throws. */
  const exchange = (...messages: Uint8Array[]) => {
    const buffer = new Uint8Array(messages.reduce((n, m) => n + m.length, 0));
    let at = 0;
    for (const m of messages) {
      buffer.set(m, at);
      at += m.length;
    }
    return lite.execProtocolStream(buffer, PROTOCOL);
  };
  const prepare = async (text: string) => {
    const name = `sc_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    try {
      const described = await exchange(protocol.serialize.parse({ name, text }), protocol.serialize.describe({ type: 'S', name }), protocol.serialize.sync());
      return { name, types: pgliteParse.parseDescribeStatementResults(described), at: performance.now() };
    } catch (err) {
      // Parsed but not described: closed, so that the next try can parse the name again.
      await exchange(protocol.serialize.close({ type: 'S', name }), protocol.serialize.sync());
      throw err;
    }
  };
  return (text, params) =>
    lite.runExclusive(async () => {
      let statement = prepared.get(text);
      if (statement && performance.now() - statement.at > REPLAN_MS) {
        prepared.delete(text);
        await exchange(protocol.serialize.close({ type: 'S', name: statement.name }), protocol.serialize.sync());
        statement = undefined;
      }
      if (statement) {
        // Most recently used last: the first key is the one to close when there are too many.
        prepared.delete(text);
      } else {
        statement = await prepare(text);
        for (const [oldText, old] of prepared) {
          if (prepared.size < MAX_PREPARED) break;
          prepared.delete(oldText);
          await exchange(protocol.serialize.close({ type: 'S', name: old.name }), protocol.serialize.sync());
        }
      }
      prepared.set(text, statement);
      const { name, types } = statement;
      const values = params.map((v, i) => (v === null || v === undefined ? null : (lite.serializers[types[i]]?.(v) ?? String(v))));
      const messages = await exchange(
        protocol.serialize.bind({ statement: name, values }),
        protocol.serialize.describe({ type: 'P' }),
        protocol.serialize.execute({}),
        protocol.serialize.sync(),
      );
      return pgliteParse.parseResults(messages, lite.parsers)[0]?.rows ?? [];
    });
}
