import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirInUseError, OWNER_FILE, claimDataDir } from '../../server/db/data-dir-lock.ts';

/** Temporary parents of the folders below, removed after the file's tests (each run left four in /tmp). */
const made: string[] = [];
const folder = () => {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'sc-lock-'));
  made.push(parent);
  return path.join(parent, 'data');
};
afterAll(() => {
  for (const parent of made) rmSync(parent, { recursive: true, force: true });
});

describe('one process per PGlite folder', () => {
  it('records this process as the owner, and lets go on release', () => {
    const dir = folder();
    const release = claimDataDir(dir, 'server');
    expect(JSON.parse(readFileSync(path.join(dir, OWNER_FILE), 'utf8'))).toEqual({ pid: process.pid, role: 'server' });
    release();
    release();
    expect(existsSync(path.join(dir, OWNER_FILE))).toBe(false);
  });

  it('refuses a folder held in this process, then gives it once released', () => {
    const dir = folder();
    const release = claimDataDir(dir, 'server');
    expect(() => claimDataDir(dir, 'npm run site:add')).toThrow(DataDirInUseError);
    release();
    claimDataDir(dir, 'npm run site:add')();
  });

  it('refuses a folder owned by another running process, naming it', async () => {
    const dir = folder();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      claimDataDir(dir, 'x')();
      writeFileSync(path.join(dir, OWNER_FILE), JSON.stringify({ pid: other.pid, role: 'server' }));
      let error: unknown;
      try {
        claimDataDir(dir, 'npm run agent:add');
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(DataDirInUseError);
      expect((error as Error).message).toBe(`the server (pid ${other.pid}) owns DATA_DIR ${dir}`);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over a folder whose owner is gone, or whose owner file is unreadable', () => {
    const dir = folder();
    claimDataDir(dir, 'x')();
    for (const content of [JSON.stringify({ pid: 4_194_305, role: 'server' }), '{"pid":', JSON.stringify({ pid: process.pid, role: 'server' })]) {
      writeFileSync(path.join(dir, OWNER_FILE), content);
      claimDataDir(dir, 'server')();
    }
  });
});
