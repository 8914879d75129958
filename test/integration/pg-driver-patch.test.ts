/**
 * patches/postgres+3.4.9.patch, the array-type fetch (porsager/postgres#1192, #1205, #1223): a new
 * connection first asks the catalog for array types, and the driver dropped that query's promise. A
 * connection reset during it (a database stopping just as the pool reconnects) was an unhandled
 * rejection in the server (seen once in outage-db.test.ts). A TCP proxy in front of the machine's
 * PostgreSQL resets the first connection when that query passes through it.
 */
import net from 'node:net';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';

const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)('the PostgreSQL driver, patched', () => {
  const open: net.Socket[] = [];
  let proxy: net.Server | undefined;
  afterAll(() => {
    for (const s of open) s.destroy();
    proxy?.close();
  });

  it('settles a connection reset while it fetches the array types, with no unhandled rejection, and works after it', async () => {
    const target = new URL(url!);
    let resets = 0;
    proxy = net.createServer((client) => {
      const server = net.connect(Number(target.port || 5432), target.hostname);
      open.push(client, server);
      client.on('data', (chunk) => {
        if (resets === 0 && chunk.includes('pg_catalog.pg_type')) {
          resets += 1;
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
    await new Promise<void>((resolve) => proxy!.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as net.AddressInfo).port;

    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => void unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    const sql = postgres({
      host: '127.0.0.1',
      port,
      user: decodeURIComponent(target.username) || 'postgres',
      password: decodeURIComponent(target.password) || undefined,
      database: target.pathname.slice(1) || 'postgres',
      max: 1,
    });
    try {
      await expect(sql`select 1 as x`).rejects.toMatchObject({ code: 'ECONNRESET' });
      // The connection opens again, fetches the types and reads arrays typed.
      expect(await sql`select array['a', 'b']::text[] as x`).toEqual([{ x: ['a', 'b'] }]);
      await new Promise((r) => setTimeout(r, 50));
      expect(resets).toBe(1);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await sql.end({ timeout: 1 });
    }
  });
});
