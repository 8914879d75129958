/**
 * patches/postgres+3.4.9.patch, proven against the machine's PostgreSQL through a TCP proxy that resets
 * a connection when a chosen query passes through it:
 * - the array-type fetch (porsager/postgres#1192, #1205, #1223): a new connection first asks the
 *   catalog for array types, and the driver dropped that query's promise. A connection reset during it
 *   (a database stopping just as the pool reconnects) was an unhandled rejection in the server (seen
 *   once in outage-db.test.ts).
 * - queries sent to a connection that is going away (porsager/postgres#1130, #1142): after a socket
 *   error the driver kept the failed query as the connection's current one, so a query sent before the
 *   socket's 'close' (a retry from the failed query's catch, as the message path's group commit does)
 *   was queued behind it, and the close, having seen an error, failed nothing: that query never
 *   settled. On a one-connection pool every later query waited behind it (outage-db.test.ts: a message
 *   lane hung for good after an outage, and the sockets waiting on it held their in-flight slots).
 */
import net from 'node:net';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';

const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)('the PostgreSQL driver, patched', () => {
  const open: net.Socket[] = [];
  const proxies: net.Server[] = [];
  afterAll(() => {
    for (const s of open) s.destroy();
    for (const p of proxies) p.close();
  });

  /** A pool of one connection through a proxy that resets the first connection to send `marker`. */
  async function resetOnce(marker: string) {
    const target = new URL(url!);
    const state = { resets: 0 };
    const proxy = net.createServer((client) => {
      const server = net.connect(Number(target.port || 5432), target.hostname);
      open.push(client, server);
      client.on('data', (chunk) => {
        if (state.resets === 0 && chunk.includes(marker)) {
          state.resets += 1;
          client.resetAndDestroy();
          server.destroy();
          return;
        }
        server.write(chunk);
      });
      server.on('data', (chunk) => client.write(chunk));
      for (const [a, b] of [[client, server], [server, client]]) {
        a.on('error', () => b.destroy());
        a.on('close', () => b.destroy());
      }
    });
    proxies.push(proxy);
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const sql = postgres({
      host: '127.0.0.1',
      port: (proxy.address() as net.AddressInfo).port,
      user: decodeURIComponent(target.username) || 'postgres',
      password: decodeURIComponent(target.password) || undefined,
      database: target.pathname.slice(1) || 'postgres',
      max: 1,
    });
    return { sql, state };
  }

  it('settles a connection reset while it fetches the array types, with no unhandled rejection, and works after it', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => void unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    const { sql, state } = await resetOnce('pg_catalog.pg_type');
    try {
      await expect(sql`select 1 as x`).rejects.toMatchObject({ code: 'ECONNRESET' });
      // The connection opens again, fetches the types and reads arrays typed.
      expect(await sql`select array['a', 'b']::text[] as x`).toEqual([{ x: ['a', 'b'] }]);
      await new Promise((r) => setTimeout(r, 50));
      expect(state.resets).toBe(1);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await sql.end({ timeout: 1 });
    }
  });

  it('settles a query sent from the catch of one that failed on a reset, before the socket closed, and works after it', async () => {
    const { sql, state } = await resetOnce('reset me here');
    try {
      expect(await sql`select 1 as x`).toEqual([{ x: 1 }]);
      // The retry is sent as soon as the failure is known: in the microtasks after the socket's
      // 'error', while its 'close' is still to come.
      const retried = sql.unsafe("select 'reset me here' as x").catch(() => sql.unsafe('select 2 as x'));
      const outcome = await Promise.race([
        retried.then(
          (rows) => ({ rows }),
          (err: { code?: string }) => ({ code: err.code }),
        ),
        new Promise((resolve) => setTimeout(resolve, 5_000, 'still waiting after 5 s')),
      ]);
      // Refused as sent to a closed connection (or, had it waited for the next one, answered).
      expect([{ code: 'CONNECTION_CLOSED' }, { rows: [{ x: 2 }] }]).toContainEqual(outcome);
      expect(state.resets).toBe(1);
      expect(await sql`select 3 as x`).toEqual([{ x: 3 }]);
    } finally {
      await sql.end({ timeout: 1 });
    }
  });
});
