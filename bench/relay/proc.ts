/**
 * Child processes of the benchmark: started through `bash -c 'ulimit -n …; exec node …'` (so the
 * PID is node's own after exec, and 10,000 sockets fit), stopped by PID, and read from /proc.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FD_LIMIT = 65536;
const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
const PAGE_BYTES = Number(execFileSync('getconf', ['PAGESIZE']).toString().trim());

export interface Child {
  pid: number;
  proc: ChildProcess;
  /** The last output lines, for error messages. */
  output(): string;
  /** Resolves with the first output line matching, or rejects when the process exits first or time runs out. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
  exited: Promise<void>;
}

const running = new Set<Child>();

/** Every child still running, killed at once: for exit paths that cannot wait. */
export function killAll(): void {
  for (const c of running) c.proc.kill('SIGKILL');
}

/** `node [nodeArgs] --import tsx script` with a raised file-descriptor limit, in the project folder. */
export function startNode(script: string, opts: { env: Record<string, string>; nodeArgs?: string[]; ipc?: boolean }): Child {
  const args = ['--import', 'tsx', ...(opts.nodeArgs ?? []), script].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  // Without the right to raise it this far, the hard limit is the most there is.
  const limit = `ulimit -n ${FD_LIMIT} 2>/dev/null || ulimit -n "$(ulimit -Hn)"`;
  const proc = spawn('bash', ['-c', `${limit}; exec '${process.execPath}' ${args}`], {
    cwd: root,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe', ...(opts.ipc ? (['ipc'] as const) : [])],
  });
  let tail = '';
  const waiters = new Set<{ pattern: RegExp; resolve: (m: RegExpMatchArray) => void }>();
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-20_000);
    for (const w of waiters) {
      const m = tail.match(w.pattern);
      if (m) {
        waiters.delete(w);
        w.resolve(m);
      }
    }
  };
  // Pipes are always drained: a full pipe would block the child's writes.
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  let hasExited = false;
  const exited = new Promise<void>((resolve) => {
    proc.once('exit', () => resolve());
    proc.once('error', (err) => {
      tail += `\nspawn failed: ${err.message}`;
      resolve();
    });
  }).then(() => {
    hasExited = true;
    running.delete(child);
  });
  const child: Child = {
    pid: proc.pid!,
    proc,
    exited,
    output: () => tail,
    waitFor(pattern, timeoutMs) {
      const now = tail.match(pattern);
      if (now) return Promise.resolve(now);
      return new Promise((resolve, reject) => {
        const w = { pattern, resolve: (m: RegExpMatchArray) => (clearTimeout(timer), resolve(m)) };
        const timer = setTimeout(() => (waiters.delete(w), reject(new Error(`${script}: no ${pattern} after ${timeoutMs} ms:\n${tail.slice(-3000)}`))), timeoutMs);
        waiters.add(w);
        void exited.then(() => {
          if (!waiters.delete(w)) return;
          clearTimeout(timer);
          reject(new Error(`${script} exited:\n${tail.slice(-3000)}`));
        });
      });
    },
    async stop(graceMs = 5000) {
      if (hasExited) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(child);
  return child;
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface ProcStat {
  /** User + system CPU time, in ms. */
  cpuMs: number;
  rssBytes: number;
}

/** CPU time and resident memory of a process, from /proc/PID/stat; undefined once it is gone. */
export function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name may contain spaces and parentheses: fields are counted after the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS, rssBytes: Number(f[21]) * PAGE_BYTES };
}

/** The whole machine's CPU time so far, in ticks: all of it, and what the hypervisor took for other guests. */
export interface HostCpu {
  total: number;
  steal: number;
}

/** /proc/stat's first line: user nice system idle iowait irq softirq steal …; undefined where there is none. */
export function hostCpu(): HostCpu | undefined {
  let line: string;
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  } catch {
    return undefined;
  }
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return { total: f.reduce((a, b) => a + b, 0), steal: f[7] ?? 0 };
}

/** The share of the machine's CPU time the hypervisor took between two readings, in %. */
export function stolenPct(before: HostCpu | undefined, after: HostCpu | undefined): number {
  if (!before || !after || after.total <= before.total) return NaN;
  return (100 * (after.steal - before.steal)) / (after.total - before.total);
}

/** Only what a child needs from this environment: an inherited DATABASE_URL would point it elsewhere. */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[key]) env[key] = process.env[key]!;
  return env;
}
