/**
 * Hand-written SQL for the hot path (storing and delivering a message), sent to the driver under
 * drizzle as it is: a prepared statement on PostgreSQL (parsed and planned once per connection),
 * the extended protocol on PGlite. Everything else goes through drizzle's query builder; here its
 * per-call query building was the largest single cost of a stored message.
 */
import type { Db } from './client.ts';

export type RawQuery = <T extends object>(text: string, params: unknown[]) => Promise<T[]>;

interface PostgresJs {
  unsafe(text: string, params: unknown[], options: { prepare: boolean }): Promise<unknown[]>;
}
interface PGliteLike {
  query(text: string, params: unknown[]): Promise<{ rows: unknown[] }>;
}

/** A raw query function on the same connection pool (or PGlite instance) as `db`. */
export function rawQuery(db: Db): RawQuery {
  const client = (db as unknown as { $client: PostgresJs | PGliteLike }).$client;
  if ('unsafe' in client && typeof client.unsafe === 'function') {
    const pg = client as PostgresJs;
    return async <T extends object>(text: string, params: unknown[]) => (await pg.unsafe(text, params, { prepare: true })) as T[];
  }
  const lite = client as PGliteLike;
  return async <T extends object>(text: string, params: unknown[]) => (await lite.query(text, params)).rows as T[];
}
