/**
 * The command-line tools against a running server process, as an operator runs them: on the
 * embedded database they refuse with a sentence saying why and what to do (a write from a second
 * process would be lost); on PostgreSQL they work, and the running server sees the change.
 * Nothing they print contains a password, a password hash or a query's parameters.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { OWNER_FILE } from '../../server/db/data-dir-lock.ts';
import { sql } from 'drizzle-orm';
import { createTestDatabase, rowsOf, type TestDatabase } from '../support/db.ts';
import { startServerProcess, type ServerProcess } from '../support/process.ts';
import { ADMIN, api, login } from '../support/server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// Each test starts a server and CLI processes (tsx compiles each one): room for a loaded machine.
const SLOW = 120_000;

interface Run {
  code: number;
  out: string;
}

/** Runs `scripts/<name>.ts` as `npm run` would, with only the database variables of `env`, and no terminal. */
function cli(name: string, args: string[], env: TestDatabase['env']): Promise<Run> {
  const childEnv: Record<string, string> = { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'silent', ...env } as Record<string, string>;
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', `scripts/${name}.ts`, ...args], { cwd: root, env: childEnv }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
    child.stdin?.end();
  });
}

const undo: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of undo.splice(0).reverse()) await fn().catch((err) => console.warn('cleanup failed:', err));
});

async function database(backend: 'pglite' | 'postgres'): Promise<TestDatabase> {
  const db = await createTestDatabase(backend);
  undo.push(() => db.drop());
  // The folder is the server process's from now on: this process lets go of it.
  if (backend === 'pglite') await db.close();
  return db;
}

async function server(env: TestDatabase['env']): Promise<ServerProcess> {
  const p = await startServerProcess({ database: env });
  undo.push(() => p.stop());
  return p;
}

const siteName = async (url: string, key: string) => (await api(url, undefined, 'GET', `/api/widget/status?site=${key}`)).body;

function expectNothingSecret(run: Run, password?: string) {
  expect(run.out).not.toMatch(/scrypt\$/);
  expect(run.out).not.toMatch(/params:/i);
  if (password) expect(run.out).not.toContain(password);
}

describe('the CLI on the embedded database', { timeout: SLOW }, () => {
  it('refuses while the server owns the folder, saying which process and what to do, and writes nothing', async () => {
    const db = await database('pglite');
    const srv = await server(db.env);

    const site = await cli('site-add', ['--name', 'Refused', '--origin', 'https://refused.example', '--key', 'refused'], db.env);
    expect(site.code).toBe(1);
    expect(site.out).toContain(`the server (pid ${srv.pid}) owns DATA_DIR ${db.env.DATA_DIR}`);
    expect(site.out).toContain("use the console's Sites page");
    expect(site.out).not.toContain('site key');

    const agent = await cli('agent-add', ['--email', 'late@test.local', '--password', 'late-password-1'], db.env);
    expect(agent.code).toBe(1);
    expect(agent.out).toContain(`the server (pid ${srv.pid}) owns DATA_DIR`);
    expect(agent.out).toContain("use the console's Agents page");
    expectNothingSecret(agent, 'late-password-1');

    const password = await cli('agent-password', ['--email', ADMIN.email, '--password', 'other-password-1'], db.env);
    expect(password.code).toBe(1);
    expect(password.out).toContain(`the server (pid ${srv.pid}) owns DATA_DIR`);

    expect((await siteName(srv.url, 'refused')).ok).toBe(false);
    // A clean stop however long it takes (stop() would SIGKILL after 5 s on a loaded machine).
    await srv.kill('SIGTERM');
    // Nothing was written in the meantime: after a restart there is still no such site, and the old password works.
    const again = await server(db.env);
    expect((await siteName(again.url, 'refused')).ok).toBe(false);
    await login(again.url);
  });

  it('refuses a second server on the same folder', async () => {
    const db = await database('pglite');
    const first = await server(db.env);
    await expect(startServerProcess({ database: db.env, readyTimeoutMs: 30_000 })).rejects.toThrow(`Cannot start: the server (pid ${first.pid}) owns DATA_DIR`);
  });

  it('works once the server is stopped, and the server sees it on its next start', async () => {
    const db = await database('pglite');
    const srv = await server(db.env);
    await srv.kill('SIGTERM');
    const site = await cli('site-add', ['--name', 'Later', '--origin', 'https://later.example', '--key', 'later'], db.env);
    expect(site.code, site.out).toBe(0);
    expect(site.out).toContain('data-site="later"');
    const again = await server(db.env);
    expect(await siteName(again.url, 'later')).toEqual({ ok: true, data: { siteName: 'Later' } });
  });

  it('takes over a folder whose owner died without letting go of it', async () => {
    const db = await database('pglite');
    // PID 2^22 + 1 is above Linux's pid_max: no process has it.
    await writeFile(path.join(db.env.DATA_DIR!, OWNER_FILE), JSON.stringify({ pid: 4_194_305, role: 'server' }));
    const site = await cli('site-add', ['--name', 'Stale', '--origin', 'https://stale.example'], db.env);
    expect(site.code, site.out).toBe(0);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('the CLI on PostgreSQL, while the server runs', { timeout: SLOW }, () => {
  it('adds a site the running server serves at once', async () => {
    const db = await database('postgres');
    const srv = await server(db.env);
    // On PostgreSQL DATA_DIR holds only files such as the secret's: a folder of the test's own.
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sc-cli-secret-'));
    undo.push(() => rm(dataDir, { recursive: true, force: true }));
    const run = await cli('site-add', ['--name', 'Live', '--origin', 'https://live.example', '--key', 'live-site'], { ...db.env, DATA_DIR: dataDir });
    expect(run.code, run.out).toBe(0);
    expect(await siteName(srv.url, 'live-site')).toEqual({ ok: true, data: { siteName: 'Live' } });
    // The secret is in a file of its owner, never in the output.
    const file = path.join(dataDir, 'site-live-site-secret');
    expect(run.out).toContain(`site secret: in ${file}`);
    const [{ secret }] = rowsOf<{ secret: string }>(await db.db.execute(sql`select secret from sites where id = 'live-site'`));
    expect((await readFile(file, 'utf8')).trim()).toBe(secret);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(run.out).not.toContain(secret);
    const twice = await cli('site-add', ['--name', 'Live', '--origin', 'https://live.example', '--key', 'live-site'], db.env);
    expect(twice.code).toBe(1);
    expect(twice.out).toContain('a site with the key live-site already exists');
    expectNothingSecret(twice);
  });

  it('adds an agent who can log in; an existing email is named with the way to reset its password, and no secret is printed', async () => {
    const db = await database('postgres');
    const srv = await server(db.env);
    const added = await cli('agent-add', ['--email', 'Ana@Test.local', '--password', 'ana-password-1', '--name', 'Ana', '--site', 'demo'], db.env);
    expect(added.code, added.out).toBe(0);
    expect(added.out).toContain('added agent ana@test.local (Ana) for sites: demo');
    expectNothingSecret(added, 'ana-password-1');
    await login(srv.url, 'ana@test.local', 'ana-password-1');

    const again = await cli('agent-add', ['--email', 'ana@test.local', '--password', 'another-password-2'], db.env);
    expect(again.code).toBe(1);
    expect(again.out).toContain('an agent with the email ana@test.local already exists; to give it a new password: npm run agent:password -- --email ana@test.local');
    expectNothingSecret(again, 'another-password-2');

    // A password typed unquoted leaves a stray argument: refused with the usage, the argument not quoted back.
    for (const [name, args] of [
      ['agent-add', ['--email', 'bo@test.local', '--password', 'bo-first', 'bo-second-half']],
      ['agent-password', ['--email', 'ana@test.local', '--password', 'bo-first', 'bo-second-half']],
    ] as const) {
      const stray = await cli(name, [...args], db.env);
      expect(stray.code, stray.out).toBe(2);
      expect(stray.out).toContain('unexpected or malformed arguments');
      expect(stray.out).toContain(`usage: npm run ${name.replace('-', ':')}`);
      expectNothingSecret(stray, 'bo-second-half');
      expectNothingSecret(stray, 'bo-first');
    }
  });

  it('sets a new password and ends every session of that agent', async () => {
    const db = await database('postgres');
    const srv = await server(db.env);
    const cookie = await login(srv.url);
    expect((await api(srv.url, cookie, 'GET', '/api/auth/me')).status).toBe(200);
    const run = await cli('agent-password', ['--email', ADMIN.email, '--password', 'renewed-password-1'], db.env);
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain(`new password set for ${ADMIN.email}; 1 session ended`);
    expectNothingSecret(run, 'renewed-password-1');
    expect((await api(srv.url, cookie, 'GET', '/api/auth/me')).status).toBe(401);
    await expect(login(srv.url)).rejects.toThrow();
    await login(srv.url, ADMIN.email, 'renewed-password-1');

    const short = await cli('agent-password', ['--email', ADMIN.email, '--password', 'short'], db.env);
    expect(short.code).toBe(2);
    expect(short.out).toContain('a password has 8 to 200 characters; nothing was changed.');
    const noTerminal = await cli('agent-password', ['--email', ADMIN.email], db.env);
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.out).toContain('no --password given and no terminal to ask on');
  });
});
