/**
 * The first start on an empty database without ADMIN_PASSWORD, as `npm start` runs it: the admin's
 * generated password is written to DATA_DIR/first-admin-password, readable by its owner only, and
 * appears nowhere in what the server prints; it signs in. A second start leaves the file alone.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIRST_ADMIN_FILE } from '../../server/seed.ts';
import { BACKENDS, createTestDatabase } from '../support/db.ts';
import { startServerProcess } from '../support/process.ts';
import { api } from '../support/server.ts';

const undo: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of undo.splice(0).reverse()) await fn().catch((err) => console.warn('cleanup failed:', err));
});

describe.each(BACKENDS)('the first admin on %s', (backend) => {
  it('gets a password in a file of its owner, never printed, that signs in', { timeout: 120_000 }, async () => {
    const db = await createTestDatabase(backend);
    undo.push(() => db.drop());
    if (backend === 'pglite') await db.close();
    // On PostgreSQL DATA_DIR holds only files such as this one: a folder of the test's own.
    const dataDir = db.env.DATA_DIR ?? (await mkdtemp(path.join(os.tmpdir(), 'sc-first-admin-')));
    if (!db.env.DATA_DIR) undo.push(() => rm(dataDir, { recursive: true, force: true }));
    const file = path.join(dataDir, FIRST_ADMIN_FILE);
    // A file left from an earlier database, readable by all, is replaced and closed to others.
    await writeFile(file, 'stale\n', { mode: 0o644 });

    const env = { ADMIN_EMAIL: undefined, ADMIN_PASSWORD: undefined, LOG_LEVEL: 'info' };
    const first = await startServerProcess({ database: { ...db.env, DATA_DIR: dataDir }, env });
    undo.push(() => first.stop());
    const password = (await readFile(file, 'utf8')).trim();
    expect(password).toMatch(/^\S{12,}$/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(first.output()).toContain(`Created the first admin: admin@demo.local. Its password is in ${file}`);
    expect(first.output()).not.toContain(password);

    const signIn = (pw: string) => api(first.url, undefined, 'POST', '/api/auth/login', { email: 'admin@demo.local', password: pw });
    expect((await signIn(password)).status).toBe(200);
    expect((await signIn('stale')).status).toBe(401);

    await first.stop();
    const second = await startServerProcess({ database: { ...db.env, DATA_DIR: dataDir }, env });
    undo.push(() => second.stop());
    expect(second.output()).not.toContain('Created the first admin');
    expect((await readFile(file, 'utf8')).trim()).toBe(password);
  });
});
