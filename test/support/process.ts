/**
 * The real server as a child process, started exactly like production (`node --import tsx
 * server/index.ts`), so that a test can kill it with a signal and start it again on the same data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN } from './server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerProcess {
  url: string;
  port: number;
  /** The server's own PID: tsx runs in-process (`--import`), so there is no wrapper process to outlive a kill. */
  pid: number;
  /** Sends a signal and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited within a few seconds. Safe to call twice. */
  stop(): Promise<void>;
  /** The last lines the process wrote, for failure messages. */
  output(): string;
}

export interface ServerProcessOptions {
  /** DATABASE_URL or DATA_DIR (see TestDatabase.env). A PGlite folder must not be open anywhere else. */
  database: { DATABASE_URL?: string; DATA_DIR?: string };
  port?: number;
  redisUrl?: string;
  /** More variables, or undefined to leave one out. */
  env?: Record<string, string | undefined>;
  readyTimeoutMs?: number;
}

/** A port nobody listens on right now: listen on 0, read it, close. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Whether a process with that id is running (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// A test worker that dies must not leave servers behind: kill whatever is still running on exit.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts `server/index.ts` in a child process and resolves once it answers and has seeded. */
export async function startServerProcess(opts: ServerProcessOptions): Promise<ServerProcess> {
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  // Only what the server needs: an inherited DATABASE_URL or REDIS_URL would point it elsewhere.
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[key]) env[key] = process.env[key]!;
  const wanted: Record<string, string | undefined> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    ...opts.database,
    REDIS_URL: opts.redisUrl,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'warn',
    DEMO: '1',
    RATE_MESSAGES_PER_MINUTE: '100000',
    RATE_MESSAGES_PER_MINUTE_IP: '100000',
    RATE_NEW_VISITORS_PER_HOUR_IP: '100000',
    RATE_EVENTS_SCALE: '1000',
    ...opts.env,
  };
  for (const [k, v] of Object.entries(wanted)) if (v !== undefined) env[k] = v;

  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-8000);
  };
  // Pipes are always drained: a full pipe would block the server's writes.
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    const done = () => {
      running.delete(child);
      resolve();
    };
    child.once('exit', done);
    // Could not be started at all: there will be no 'exit'.
    child.once('error', (err) => {
      keep(Buffer.from(`spawn failed: ${err.message}\n`));
      done();
    });
  });
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (!hasExited) child.kill(signal);
    await exited;
  };
  const stop = async () => {
    if (hasExited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await waitUntilReady(url, () => hasExited, () => tail, opts.readyTimeoutMs ?? 60_000);
  } catch (err) {
    await kill('SIGKILL');
    throw err;
  }
  return { url, port, pid: child.pid!, kill, stop, output: () => tail };
}

/**
 * The HTTP server answers /api/health before the first-start seeding (admin, demo site) is done;
 * server/index.ts prints the console's address once it is. Both are waited for.
 */
async function waitUntilReady(url: string, hasExited: () => boolean, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error(`server exited before it was ready:\n${output()}`);
    const healthy = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) }).then(
      (res) => res.ok,
      () => false,
    );
    if (healthy && output().includes('Agent console:')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server not ready after ${timeoutMs} ms:\n${output()}`);
}
