/**
 * Many widget sockets that only stay connected: memory per socket and connects per second, on a
 * fresh server each, opened by several load generators at once when one cannot open them fast enough.
 */
import type { LoadGenerator } from './load-client.ts';
import { procStat } from './proc.ts';
import { progress } from './report.ts';
import type { Target } from './servers.ts';

export interface IdleResult {
  target: Target['name'];
  connected: number;
  failed: number;
  errors: Record<string, number>;
  connectsPerSec: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  kbPerSocket: number;
  /** The server's CPU (user + system) per socket connected, while connecting. */
  serverCpuMsPerConnect: number;
  /** Of each load generator, in % of one core, while connecting. */
  loadCpuPct: number[];
  /** Connecting stopped at the time limit before every socket was open. */
  timedOut: boolean;
  timeLimitMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Connections being opened at once, over all load generators. */
const CONCURRENCY = 100;

export async function idleSockets(
  loads: LoadGenerator[],
  count: number,
  opts: {
    product: () => Promise<Target>;
    relay: () => Promise<Target>;
    site: string;
    timeLimitMs: (t: Target['name']) => number;
    release: (t: Target) => void;
    /** Run around the product's connecting (the CPU profiler: bench/relay/profile-hook.ts). */
    aroundProduct?: { before: (t: Target) => Promise<void>; after: (t: Target) => Promise<void> };
  },
): Promise<IdleResult[]> {
  const results: IdleResult[] = [];
  for (const start of [opts.product, opts.relay]) {
    const t = await start();
    try {
      // Start-up work (JIT, the first queries) settles before the baseline.
      await sleep(1500);
      const { rssBytes: before, cpuMs: cpuBefore } = procStat(t.child.pid)!;
      progress(`idle: opening ${count} widget sockets on the ${t.name} from ${loads.length} load generator(s)`);
      const share = (i: number) => Math.floor(count / loads.length) + (i < count % loads.length ? 1 : 0);
      const timeLimitMs = opts.timeLimitMs(t.name);
      const around = t.name === 'product' ? opts.aroundProduct : undefined;
      await around?.before(t);
      const parts = await Promise.all(loads.map((l, i) => l.idle(t.url, opts.site, share(i), Math.ceil(CONCURRENCY / loads.length), timeLimitMs)));
      const cpuAfter = procStat(t.child.pid)!.cpuMs;
      await around?.after(t);
      await sleep(2000);
      const after = procStat(t.child.pid)!.rssBytes;
      const connected = parts.reduce((a, p) => a + p.connected, 0);
      const elapsedMs = Math.max(...parts.map((p) => p.elapsedMs));
      const errors: Record<string, number> = {};
      for (const p of parts) for (const [k, n] of Object.entries(p.errors)) errors[k] = (errors[k] ?? 0) + n;
      results.push({
        target: t.name,
        connected,
        failed: parts.reduce((a, p) => a + p.failed, 0),
        errors,
        connectsPerSec: connected / (elapsedMs / 1000),
        rssBeforeMb: before / 2 ** 20,
        rssAfterMb: after / 2 ** 20,
        kbPerSocket: (after - before) / 1024 / Math.max(1, connected),
        serverCpuMsPerConnect: (cpuAfter - cpuBefore) / Math.max(1, connected),
        loadCpuPct: parts.map((p) => p.loadCpuPct),
        timedOut: connected + parts.reduce((a, p) => a + p.failed, 0) < count,
        timeLimitMs,
      });
      progress(`  ${connected} connected in ${elapsedMs} ms`);
    } finally {
      await Promise.all(loads.map((l) => l.closeIdle()));
      await t.child.stop();
      opts.release(t);
    }
  }
  return results;
}
