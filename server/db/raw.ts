/**
 * Hand-written SQL for the hot path (storing and delivering a message), sent to the driver under
 * drizzle as it is: a prepared statement on PostgreSQL (parsed and planned once per connection),
 * the extended protocol on PGlite. Everything else goes through drizzle's query builder; here its
 * per-call query building was the largest single cost of a stored message.
 */
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
}

interface PostgresJs {
  unsafe(text: string, params: unknown[], options: { prepare: boolean }): Promise<unknown[]>;
  begin<T>(fn: (tx: PostgresJs) => Promise<T>): Promise<T>;
}
interface PGliteLike {
  query(text: string, params: unknown[]): Promise<{ rows: unknown[] }>;
  transaction<T>(fn: (tx: PGliteLike) => Promise<T>): Promise<T>;
}

/** Raw queries on the same connection pool (or PGlite instance) as `db`. */
export function rawClient(db: Db): RawClient {
  const client = (db as unknown as { $client: PostgresJs | PGliteLike }).$client;
  if ('unsafe' in client && typeof client.unsafe === 'function') {
    const pg = client as PostgresJs;
    const run = (on: PostgresJs, s: Statement) => on.unsafe(s.text, s.params, { prepare: true }) as Promise<object[]>;
    return {
      query: async <T extends object>(text: string, params: unknown[]) => (await run(pg, { text, params })) as T[],
      // Sent together on one connection (the driver pipelines them), committed once.
      transaction: (statements) => pg.begin((tx) => Promise.all(statements.map((s) => run(tx, s)))),
    };
  }
  const lite = client as PGliteLike;
  return {
    query: async <T extends object>(text: string, params: unknown[]) => (await lite.query(text, params)).rows as T[],
    transaction: (statements) =>
      lite.transaction(async (tx) => {
        const results: object[][] = [];
        for (const s of statements) results.push((await tx.query(s.text, s.params)).rows as object[]);
        return results;
      }),
  };
}
