/** Many widget sockets that only stay connected: memory per socket and connects per second, on a fresh server. */
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
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Connections being opened at once: enough to keep both sides busy, few enough not to time out. */
const CONCURRENCY = 100;

export async function idleSockets(
  load: LoadGenerator,
  count: number,
  opts: { product: () => Promise<Target>; relay: () => Promise<Target>; site: string; release: (t: Target) => void },
): Promise<IdleResult[]> {
  const results: IdleResult[] = [];
  for (const start of [opts.product, opts.relay]) {
    const t = await start();
    try {
      // Start-up work (JIT, the first queries) settles before the baseline.
      await sleep(1500);
      const before = procStat(t.child.pid)!.rssBytes;
      progress(`idle: opening ${count} widget sockets on the ${t.name}`);
      const r = await load.idle(t.url, opts.site, count, CONCURRENCY);
      await sleep(2000);
      const after = procStat(t.child.pid)!.rssBytes;
      results.push({
        target: t.name,
        connected: r.connected,
        failed: r.failed,
        errors: r.errors,
        connectsPerSec: r.connected / (r.elapsedMs / 1000),
        rssBeforeMb: before / 2 ** 20,
        rssAfterMb: after / 2 ** 20,
        kbPerSocket: (after - before) / 1024 / Math.max(1, r.connected),
      });
      progress(`  ${r.connected} connected (${r.failed} failed) in ${r.elapsedMs} ms`);
    } finally {
      await load.closeIdle();
      await t.child.stop();
      opts.release(t);
    }
  }
  return results;
}
