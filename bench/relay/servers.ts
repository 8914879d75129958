/** The two servers under test, as child processes on 127.0.0.1, and what they report on /metrics. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { baseEnv, freePort, root, startNode, type Child } from './proc.ts';

export type TargetName = 'product' | 'relay';

export interface Target {
  name: TargetName;
  url: string;
  child: Child;
}

const HIGH = '1000000000';

/**
 * Every rate and flood limit the product reads from the environment, set out of the way: the
 * benchmark measures the engine, not the limiter. Limits without a variable (conversations and
 * in-flight events per IP) are met as in real life: each visitor and agent connects from its own
 * loopback address (bench/relay/load.ts).
 */
export const LIMIT_ENV: Record<string, string> = {
  RATE_MESSAGES_PER_MINUTE: HIGH,
  RATE_MESSAGES_PER_MINUTE_IP: HIGH,
  RATE_NEW_VISITORS_PER_HOUR_IP: HIGH,
  // Multiplies every per-event token bucket of server/realtime/flood.ts.
  RATE_EVENTS_SCALE: '1000000',
};

/** Variables server/limits.ts reads that this benchmark does not set: a new limit may throttle the load. */
export function unsetLimitVariables(): string[] {
  const source = readFileSync(path.join(root, 'server/limits.ts'), 'utf8');
  const names = new Set([...source.matchAll(/process\.env\.([A-Z0-9_]+)|process\.env\[['"]([A-Z0-9_]+)['"]\]/g)].map((m) => m[1] ?? m[2]));
  return [...names].filter((n) => !(n in LIMIT_ENV));
}

export const BENCH_ADMIN = { email: 'bench-admin@bench.local' };

/**
 * `node --import tsx server/index.ts`, as in production. `database` is DATABASE_URL or DATA_DIR;
 * `profileFile` loads the bench's profiler hook (SIGUSR2 starts and stops a CPU profile).
 */
export async function startProduct(database: Record<string, string>, opts: { adminPassword: string; profileFile?: string }): Promise<Target> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    ...baseEnv(),
    ...database,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: url,
    LOG_LEVEL: 'warn',
    DEMO: '1',
    ADMIN_EMAIL: BENCH_ADMIN.email,
    ADMIN_PASSWORD: opts.adminPassword,
    ...LIMIT_ENV,
  };
  const nodeArgs: string[] = (process.env.BENCH_PRODUCT_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  if (opts.profileFile) {
    env.BENCH_CPU_PROF_FILE = opts.profileFile;
    nodeArgs.push('--import', './bench/relay/profile-hook.ts');
  }
  const child = startNode('server/index.ts', { env, nodeArgs });
  try {
    // index.ts prints the console's address once it listens and has seeded.
    await child.waitFor(/Agent console:/, 120_000);
    const health = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(10_000) });
    if (!health.ok) throw new Error(`product health check: ${health.status}`);
  } catch (err) {
    await child.stop(1000);
    throw err;
  }
  return { name: 'product', url, child };
}

export async function startRelay(): Promise<Target> {
  const child = startNode('bench/relay/relay-server.ts', { env: { ...baseEnv(), PORT: '0' } });
  try {
    const [, port] = await child.waitFor(/listening (\d+)/, 60_000);
    return { name: 'relay', url: `http://127.0.0.1:${port}`, child };
  } catch (err) {
    await child.stop(1000);
    throw err;
  }
}

export const LOOP_RESOLUTION_MS = 10;

export interface LoopDelay {
  p99Ms: number;
  maxMs: number;
  /** Database queries the server has run since it started (the product's query histogram; the relay has none). */
  queries?: number;
}

/** Event-loop delay since the previous scrape (both servers reset their histogram on every scrape). */
export async function scrapeLoopDelay(target: Target): Promise<LoopDelay | undefined> {
  try {
    const res = await fetch(`${target.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) return undefined;
    const text = await res.text();
    // monitorEventLoopDelay records the time between its timer's runs, sampling interval included:
    // the delay is what exceeds the interval (10 ms in both servers: prom-client's default).
    const gauge = (name: string) => Math.max(0, Number(text.match(new RegExp(`^${name}(?:\\{[^}]*\\})? ([^\\s]+)$`, 'm'))?.[1] ?? NaN) * 1000 - LOOP_RESOLUTION_MS);
    const counts = [...text.matchAll(/^support_db_query_duration_seconds_count(?:\{[^}]*\})? ([^\s]+)$/gm)].map((m) => Number(m[1]));
    return {
      p99Ms: gauge('nodejs_eventloop_lag_p99_seconds'),
      maxMs: gauge('nodejs_eventloop_lag_max_seconds'),
      queries: counts.length ? counts.reduce((a, b) => a + b, 0) : undefined,
    };
  } catch {
    return undefined;
  }
}
