/**
 * Throwaway PostgreSQL and Redis servers for tests that stop them on purpose: each on a free port of
 * 127.0.0.1, with its data in a temp folder, stopped and started again on the same port and data, and
 * removed afterwards. The machine's own PostgreSQL and Redis are shared by everything else and are
 * never touched.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { freePort } from './process.ts';

/** Where Debian puts the newest installed PostgreSQL's programs (PG_BIN overrides). */
function postgresBin(): string | undefined {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin/pg_ctl'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] && path.join(root, versions[0], 'bin');
}

const onPath = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** What a test of `needs` lacks on this machine, as a sentence for a skip message; empty when nothing. */
export function missingServices(needs: ('postgres' | 'redis')[]): string[] {
  const missing: string[] = [];
  if (needs.includes('postgres') && !postgresBin()) missing.push('PostgreSQL server programs (/usr/lib/postgresql/*/bin or PG_BIN)');
  if (needs.includes('redis') && !onPath('redis-server')) missing.push('redis-server');
  return missing;
}

const CI = ['true', '1'].includes(String(process.env.CI).toLowerCase());

/**
 * Whether the test file `name`, which needs `needs`, should skip: outside CI a machine that lacks
 * them skips, saying why; in CI the test runs and fails.
 */
export function skipWithoutServices(name: string, needs: ('postgres' | 'redis')[]): boolean {
  const missing = missingServices(needs);
  if (missing.length && !CI) console.warn(`${name}: skipping, this machine lacks ${missing.join(', ')}`);
  return missing.length > 0 && !CI;
}

/** Undo steps run after the file's tests, last added first; one that fails is reported and the rest still run. */
export function cleanupAfterAll(): (() => Promise<unknown>)[] {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const fn of cleanup.reverse()) await fn().catch((err) => console.warn('cleanup failed:', err));
  });
  return cleanup;
}

// A test worker that dies must not leave servers behind.
const leftovers = new Set<() => void>();
process.once('exit', () => {
  for (const fn of leftovers) fn();
});

/** PostgreSQL refuses to run as root: as root, its programs run as the `postgres` user. */
function asPostgres(cmd: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out}`))));
  });
}

export interface ThrowawayPostgres {
  port: number;
  /** A connection string to `database` (default `postgres`) as the superuser `postgres`, trust auth. */
  url(database?: string): string;
  /** Stops the server: `fast` ends sessions with 57P01 admin_shutdown, `immediate` drops them like a crash. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it if running and deletes its data. Safe to call twice. */
  remove(): Promise<void>;
}

/** initdb into a temp folder owned by `postgres`, then start on a free port (TCP on 127.0.0.1, its socket in /tmp). */
export async function startPostgres(): Promise<ThrowawayPostgres> {
  const bin = postgresBin();
  if (!bin) throw new Error(missingServices(['postgres']).join(', '));
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sc-pg-'));
  const data = path.join(dir, 'data');
  if (process.getuid?.() === 0) {
    const uid = Number(spawnSync('id', ['-u', 'postgres']).stdout.toString());
    const gid = Number(spawnSync('id', ['-g', 'postgres']).stdout.toString());
    await chown(dir, uid, gid);
  }
  const port = await freePort();
  const pgctl = path.join(bin, 'pg_ctl');
  await run(...asPostgres(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']));
  // fsync off: nothing here outlives the test, and the two cores are shared.
  const opts = `-p ${port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  let running = false;
  const start = async () => {
    await run(...asPostgres(pgctl, ['-D', data, '-o', opts, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']));
    running = true;
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    await run(...asPostgres(pgctl, ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']));
    running = false;
  };
  const kill = () => {
    if (running) spawnSync(...asPostgres(pgctl, ['-D', data, '-m', 'immediate', 'stop']));
    running = false;
    rmSync(dir, { recursive: true, force: true });
  };
  leftovers.add(kill);
  try {
    await start();
  } catch (err) {
    kill();
    leftovers.delete(kill);
    throw err;
  }
  return {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    stop,
    start,
    async remove() {
      if (running) await stop('immediate').catch(() => {});
      leftovers.delete(kill);
      kill();
    },
  };
}

export interface ThrowawayRedis {
  port: number;
  url: string;
  /** SIGTERM, and resolves once the process has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty: nothing is kept on disk). */
  start(): Promise<void>;
  remove(): Promise<void>;
}

/** `redis-server` on a free port, nothing saved to disk, in the foreground so its PID stops it. */
export async function startRedis(): Promise<ThrowawayRedis> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sc-redis-'));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const start = async () => {
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let out = '';
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server not ready after 30 s:\n${out}`)), 30_000);
      const onData = (c: Buffer) => {
        out = (out + c.toString()).slice(-4000);
        if (/Ready to accept connections/i.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-4000)));
      proc.once('error', (err) => (clearTimeout(timer), reject(err)));
      proc.once('exit', (code) => (clearTimeout(timer), reject(new Error(`redis-server exited ${code}:\n${out}`))));
    });
  };
  const stop = async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    child = undefined;
  };
  const kill = () => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  leftovers.add(kill);
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    async remove() {
      await stop();
      leftovers.delete(kill);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
