/**
 * Nothing secret in logs: a failed query is logged without its values (session and password
 * hashes, tokens), whether drizzle, the driver or PostgreSQL itself put them in the error.
 * The logger writes to a stream here, and the test reads exactly what would reach stdout.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger, type Logger } from '../../server/logger.ts';
import { sha256 } from '../../server/crypto.ts';
import { SESSION_COOKIE } from '../../shared/http.ts';
import { agents, sessions, visitors } from '../../server/db/schema.ts';
import { createSite } from '../../server/sites/sites.service.ts';
import { toFailure } from '../../server/realtime/handler.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { ADMIN, login } from '../support/server.ts';

/** A logger whose output lands in `lines`, one JSON object a line, as pino writes it. */
function capturedLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: createLogger('info', { write: (line: string) => void lines.push(line) }), lines };
}

const secret = (what: string) => `${what}-${randomBytes(16).toString('hex')}`;

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('the query was expected to fail');
}

describe.each(BACKENDS)('logged query failures on %s', (backend) => {
  let database: TestDatabase;
  let agentId: string;
  beforeAll(async () => {
    database = await createTestDatabase(backend);
    const [row] = await database.db.insert(agents).values({ email: `logs-${backend}@test.local`, name: 'Logs', passwordHash: secret('hash') }).returning();
    agentId = row.id;
  });
  afterAll(() => database?.drop());

  it('leave out a session hash that broke a unique key (drizzle params, PostgreSQL detail)', async () => {
    const { log, lines } = capturedLogger();
    const sessionHash = sha256(secret('token'));
    await database.db.insert(sessions).values({ id: sessionHash, agentId, expiresAt: new Date(Date.now() + 60_000) });
    const err = await failure(database.db.insert(sessions).values({ id: sessionHash, agentId, expiresAt: new Date(Date.now() + 60_000) }));
    log.error({ err }, 'insert failed');
    const out = lines.join('');
    expect(out).not.toContain(sessionHash);
    // Still useful: the statement, and PostgreSQL's code for a unique violation.
    expect(out).toContain('insert into \\"sessions\\"');
    expect(out).toContain('23505');
  });

  it('leave out a password hash in a failed insert', async () => {
    const { log, lines } = capturedLogger();
    const passwordHash = secret('scrypt$16384$8$1$salt');
    const err = await failure(database.db.insert(agents).values({ email: `logs-${backend}@test.local`, name: 'Again', passwordHash }));
    log.error({ err }, 'insert failed');
    expect(lines.join('')).not.toContain(passwordHash);
    expect(lines.join('')).toContain('Failed query');
  });

  it('leave out a token that PostgreSQL quotes in its own message', async () => {
    const { log, lines } = capturedLogger();
    const token = secret('token');
    const err = await failure(database.db.select().from(agents).where(eq(agents.id, token)));
    log.error({ err }, 'select failed');
    expect(lines.join('')).not.toContain(token);
    expect(lines.join('')).toContain('invalid input syntax for type uuid');
  });

  it('leave out values given to the driver itself, and to a hand-written query', async () => {
    const { log, lines } = capturedLogger();
    const token = secret('token');
    const client = (database.db as unknown as { $client: { unsafe?: (q: string, p: unknown[]) => Promise<unknown>; query?: (q: string, p: unknown[]) => Promise<unknown> } }).$client;
    const raw = client.unsafe ? client.unsafe('select $1::uuid', [token]) : client.query!('select $1::uuid', [token]);
    log.error({ err: await failure(Promise.resolve(raw)) }, 'raw query failed');
    log.error({ err: await failure(database.db.execute(sql`select ${token}::int`)) }, 'sql query failed');
    expect(lines).toHaveLength(2);
    expect(lines.join('')).not.toContain(token);
  });

  it('leave out a field of a JSON parameter that PostgreSQL quotes alone (a grouped statement)', async () => {
    const { log, lines } = capturedLogger();
    const tokenHash = sha256(secret('visitor'));
    await createSite(database.db, { id: 'logs', name: 'Logs', origins: ['https://logs.example'] });
    await database.db.insert(visitors).values({ siteId: 'logs', tokenHash });
    // As the group commit sends rows: one JSON text; the duplicate key's detail quotes token_hash alone.
    const rows = JSON.stringify([{ site_id: 'logs', token_hash: tokenHash }]);
    const err = await failure(
      database.db.execute(sql`insert into visitors (site_id, token_hash) select site_id, token_hash from jsonb_to_recordset(${rows}::text::jsonb) as t(site_id text, token_hash text)`),
    );
    log.error({ err }, 'grouped insert failed');
    const out = lines.join('');
    expect(out).toContain('23505');
    expect(out).not.toContain(tokenHash);
  });

  it('leave out values when a socket handler turns the error into INTERNAL', async () => {
    const { log, lines } = capturedLogger();
    const token = secret('token');
    const err = await failure(database.db.select().from(sessions).where(eq(sessions.agentId, token)));
    expect(toFailure(log, 'conversation:open', err)).toMatchObject({ ok: false });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(token);
  });
});

describe.each(BACKENDS)('a request whose query fails on %s', (backend) => {
  let database: TestDatabase;
  let app: App;
  let url: string;
  const { log, lines } = capturedLogger();
  beforeAll(async () => {
    database = await createTestDatabase(backend);
    const config = { ...loadConfig({ LOG_LEVEL: 'info' }), adminEmail: ADMIN.email, adminPassword: ADMIN.password, demo: false };
    app = createApp({ db: database.db, config, log });
    url = await app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('logs the failure without the session cookie or its hash', async () => {
    const cookie = await login(url);
    const token = decodeURIComponent(cookie.slice(`${SESSION_COOKIE}=`.length));
    // The sessions table goes away under the server: reading the session fails with its hash as a parameter.
    await database.db.execute(sql`alter table sessions rename to sessions_gone`);
    try {
      const res = await fetch(`${url}/api/auth/me`, { headers: { cookie } });
      expect(res.status).toBe(500);
    } finally {
      await database.db.execute(sql`alter table sessions_gone rename to sessions`);
    }
    const out = lines.join('');
    expect(out).toContain('sessions');
    expect(out).not.toContain(token);
    expect(out).not.toContain(sha256(token));
  });
});

describe.each(BACKENDS)('npm run agent:add on %s', (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(backend);
  });
  afterAll(() => database?.drop());

  it('says that the email is taken, without the query or the new password’s hash', async () => {
    const email = `taken-${backend}@test.local`;
    await database.db.insert(agents).values({ email, name: 'Taken', passwordHash: secret('hash') });
    await database.close(); // PGlite: one process at a time
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/agent-add.ts', '--email', email, '--password', 'a long enough password'], {
      env: { ...process.env, ...database.env, LOG_LEVEL: 'silent' },
    });
    const err = (await failure(run)) as { code: number; stderr: string; stdout: string };
    expect(err.code).toBe(1);
    expect(err.stderr.trim()).toBe(`could not add the agent: an agent with the email ${email} already exists; to give it a new password: npm run agent:password -- --email ${email}`);
    expect(err.stdout + err.stderr).not.toContain('scrypt');
  });
});
