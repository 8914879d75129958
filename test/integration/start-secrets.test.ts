/**
 * A server that cannot start says why without printing a secret: a connection URL it cannot read is
 * named, never shown (Node's ERR_INVALID_URL prints it whole, password included), and a database
 * failure while the first start seeds goes through the logger, which leaves out the query's values
 * (the first admin's password hash), where Node would print drizzle's error with its params.
 */
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKENDS, createTestDatabase } from '../support/db.ts';
import { startServerProcess, type ServerProcessOptions } from '../support/process.ts';

const undo: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of undo.splice(0).reverse()) await fn().catch((err) => console.warn('cleanup failed:', err));
});

/** What the server printed before it exited; fails the test if it started. */
async function refusedStart(opts: ServerProcessOptions): Promise<string> {
  const server = await startServerProcess({ ...opts, readyTimeoutMs: 30_000 }).catch((err: Error) => err);
  if (!(server instanceof Error)) {
    await server.stop();
    throw new Error('the server started');
  }
  expect(server.message).toMatch(/^server exited before it was ready/);
  return server.message;
}

describe('a start that fails', () => {
  it('names a connection URL it cannot read without printing it', { timeout: 60_000 }, async () => {
    const password = 'pw-7d3f0c9a1b2e';
    const out = await refusedStart({
      database: { DATABASE_URL: `postgres://sc:${password}@[db.internal/support` },
      redisUrl: `redis://:${password}@redis internal:6379`,
      env: { SMTP_URL: `smtps://mailer:${password}@[smtp` },
    });
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'SMTP_URL']) expect(out).toContain(`${name}: not a URL that can be read`);
    expect(out).not.toContain(password);
    expect(out).not.toContain('ERR_INVALID_URL');
  });

  it.each(BACKENDS)('logs a failure while seeding the first admin without its password hash (%s)', { timeout: 120_000 }, async (backend) => {
    const db = await createTestDatabase(backend);
    undo.push(() => db.drop());
    // The database refuses the first admin, as a full disk or a lost connection would.
    await db.db.execute(sql`create function refuse_agent() returns trigger language plpgsql as $$ begin raise exception 'agents refused by the test'; end $$`);
    await db.db.execute(sql`create trigger refuse_agent before insert on agents for each row execute function refuse_agent()`);
    if (backend === 'pglite') await db.close();
    const out = await refusedStart({ database: db.env, env: { LOG_LEVEL: 'info' } });
    expect(out).toContain('cannot start');
    expect(out).toContain('agents refused by the test');
    expect(out).toContain('insert into \\"agents\\"');
    // createAgent's hash (crypto.ts: scrypt$N$r$p$salt$hash), and drizzle's "params:" line that carries it.
    expect(out).not.toContain('scrypt$');
    expect(out).not.toContain('params:');
  });
});
