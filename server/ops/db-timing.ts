/**
 * Times every query the drivers run, for the `support_db_query_duration_seconds` histogram. Neither
 * driver says when a query ends (postgres.js's `debug` hook fires when it is sent, drizzle's logger
 * before it runs), so the client handed to drizzle and to db/raw.ts is wrapped: the same object
 * with its query methods timed, and the clients of its transactions wrapped in turn.
 */
import { observeQuery } from './counters.ts';

type Fn = (...args: unknown[]) => unknown;

/**
 * A proxy of `target` whose methods named in `wrap` are replaced. With `bind`, methods run on the
 * target itself (PGlite's use private fields); without, they are returned as they are (postgres.js's
 * are closures, some carrying properties of their own that binding would drop).
 */
function proxy<T extends object>(target: T, wrap: Record<string, (original: Fn) => Fn>, bind: boolean): T {
  const cache = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(t, prop) {
      const value = Reflect.get(t, prop, t) as unknown;
      if (typeof value !== 'function') return value;
      if (!cache.has(prop)) {
        const bound = bind ? (value as Fn).bind(t) : (value as Fn);
        cache.set(prop, typeof prop === 'string' && Object.hasOwn(wrap, prop) ? wrap[prop](bound) : bound);
      }
      return cache.get(prop);
    },
  });
}

/** Wraps every function argument (a transaction's callback) so that the client it receives is timed too. */
const wrapCallbacks = (original: Fn, wrapClient: (c: object) => object): Fn => (...args) =>
  original(...args.map((a) => (typeof a === 'function' ? (client: object) => (a as Fn)(wrapClient(client)) : a)));

/**
 * postgres.js: `unsafe()` returns a lazy query that runs when first awaited; the clock starts then
 * and stops when it settles. `.values()`, `.cursor()` and the rest keep working on the same object
 * (a cursor is not awaited, so a streamed export is not timed as one query).
 */
export function timePostgres<T extends object>(sql: T): T {
  const wrapClient = (client: object): object =>
    proxy(client, {
      unsafe: (original) => (...args) => {
        const query = original(...args) as { then: Fn };
        const then = query.then;
        let started = false;
        query.then = function (this: unknown, ...handlers: unknown[]) {
          if (!started) {
            started = true;
            const t0 = performance.now();
            const stop = () => observeQuery(String(args[0]), (performance.now() - t0) / 1000);
            then.call(this, stop, stop);
          }
          return then.apply(this, handlers);
        };
        return query;
      },
      begin: (original) => wrapCallbacks(original, wrapClient),
      savepoint: (original) => wrapCallbacks(original, wrapClient),
    }, false);
  return wrapClient(sql) as T;
}

/** PGlite: `query` and `exec` return promises; a transaction's client is wrapped like the instance. */
export function timePGlite<T extends object>(client: T): T {
  const timed = (original: Fn): Fn => async (...args) => {
    const t0 = performance.now();
    try {
      return await original(...args);
    } finally {
      observeQuery(String(args[0]), (performance.now() - t0) / 1000);
    }
  };
  const wrapClient = (c: object): object => proxy(c, { query: timed, exec: timed, transaction: (original) => wrapCallbacks(original, wrapClient) }, true);
  return wrapClient(client) as T;
}
