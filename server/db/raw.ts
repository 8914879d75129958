/**
 * Hand-written SQL for the hot path (storing and delivering a message), sent to the driver under
 * drizzle as it is: a prepared statement, parsed and planned once per connection on PostgreSQL
 * (postgres.js) and once per database on PGlite (below). Everything else goes through drizzle's query
 * builder; here its per-call query building was the largest single cost of a stored message.
 */
import { createHash } from 'node:crypto';
import { parse as pgliteParse, protocol, type PGlite } from '@electric-sql/pglite';
import type { Db } from './client.ts';

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
  const run = preparedOn(lite);
  return {
    // In a transaction of its own: it holds PGlite's transaction lock, so it never runs inside another
    // caller's open transaction (whose rollback would take it along).
    query: <T extends object>(text: string, params: unknown[]) => lite.transaction(() => run(text, params)) as Promise<T[]>,
    // PGlite runs each statement on this thread, and a transaction's statements follow each other in
    // microtasks: a long one (the metrics rollup's, 15 statements) held the event loop for all of them at
    // once, 0.85 s a minute at 100,000 tickets (bench:stalls). After a statement of YIELD_AFTER_MS or more,
    // the loop turns once before the next (sockets, timers, HTTP; other statements still wait for the
    // transaction), so it is held for the longest statement instead of their sum.
    transaction: (statements) =>
      lite.transaction(async () => {
        const results: object[][] = [];
        for (const s of statements) {
          const started = performance.now();
          results.push(await run(s.text, s.params));
          if (performance.now() - started >= YIELD_AFTER_MS) await new Promise((resolve) => setImmediate(resolve));
        }
        return results;
      }),
    concurrent: 1,
  };
}

/** A PGlite statement that ran this long lets the event loop turn before the transaction's next one. */
const YIELD_AFTER_MS = 10;

/** Statements kept prepared per PGlite database at most; the least recently used is closed past it. */
const MAX_PREPARED = 100;
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
  const prepared = new Map<string, { name: string; types: number[] }>();
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
      return { name, types: pgliteParse.parseDescribeStatementResults(described) };
    } catch (err) {
      // Parsed but not described: closed, so that the next try can parse the name again.
      await exchange(protocol.serialize.close({ type: 'S', name }), protocol.serialize.sync());
      throw err;
    }
  };
  return (text, params) =>
    lite.runExclusive(async () => {
      let statement = prepared.get(text);
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
