/** One load step against one server, with what the server itself says about it; and the rule a step must pass. */
import type { BenchDatabase } from './database.ts';
import type { LoadGenerator } from './load-client.ts';
import type { StepResult } from './load.ts';
import { procStat } from './proc.ts';
import { scrapeLoopDelay, type LoopDelay, type Target } from './servers.ts';

export const P99_LIMIT_MS = 50;

export interface StepRow {
  target: Target['name'];
  rate: number;
  load: StepResult;
  /** Server process CPU (user + system) per message sent. */
  cpuMsPerMsg: number;
  /** PostgreSQL backends' CPU per message sent (PGlite's is inside the server's). */
  dbMsPerMsg?: number;
  packetsPerMsg: number;
  /** Database queries the server sent per message (statements of a group commit count once). */
  queriesPerMsg?: number;
  rssMb: number;
  loop?: LoopDelay;
  pass: boolean;
  why: string;
  /** 1, or 2 when the step is the second try of a rate that failed once. */
  attempt?: number;
}

/** A step passes when p99 < 50 ms and every message was acknowledged and delivered once, in order. */
export function verdict(r: StepResult): { pass: boolean; why: string } {
  const problems: string[] = [];
  if (!(r.p99Ms < P99_LIMIT_MS)) problems.push(`p99 ≥ ${P99_LIMIT_MS} ms`);
  if (r.lost > 0) problems.push(`${r.lost} undelivered`);
  if (r.duplicated > 0) problems.push(`${r.duplicated} duplicated`);
  if (r.reordered > 0) problems.push(`${r.reordered} out of the order sent (${r.reorderedToVisitor} agent → visitor; ${r.seqInversions} pushed out of seq order)`);
  else if (r.seqInversions > 0) problems.push(`${r.seqInversions} pushed out of seq order`);
  if (r.acked < r.sent) problems.push(`${r.sent - r.acked} unacknowledged`);
  for (const [code, n] of Object.entries(r.ackErrors)) problems.push(`${n}× ${code}`);
  return { pass: problems.length === 0, why: problems.join(', ') };
}

export async function measureStep(
  load: LoadGenerator,
  target: Target,
  rate: number,
  opts: { durationMs: number; drainMs: number; db?: BenchDatabase },
): Promise<StepRow> {
  const loop0 = await scrapeLoopDelay(target); // resets the histogram: the next scrape covers this step only
  const before = procStat(target.child.pid);
  const db0 = opts.db ? await opts.db.backendCpuMs() : 0;
  const r = await load.step(target.name, rate, opts.durationMs, opts.drainMs);
  const after = procStat(target.child.pid);
  const db1 = opts.db ? await opts.db.backendCpuMs() : 0;
  const loop = await scrapeLoopDelay(target);
  const { pass, why } = verdict(r);
  return {
    target: target.name,
    rate,
    load: r,
    cpuMsPerMsg: before && after ? (after.cpuMs - before.cpuMs) / r.sent : NaN,
    dbMsPerMsg: opts.db ? (db1 - db0) / r.sent : undefined,
    packetsPerMsg: r.packets / r.sent,
    queriesPerMsg: loop0?.queries !== undefined && loop?.queries !== undefined ? (loop.queries - loop0.queries) / r.sent : undefined,
    rssMb: after ? after.rssBytes / 2 ** 20 : NaN,
    loop,
    pass,
    why,
  };
}

/**
 * Waits until the server has answered and delivered what the last step sent, so that a backlog of
 * one server does not take the CPU from the other's next step. False if it did not within the time.
 */
export async function settle(load: LoadGenerator, target: Target, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const o = await load.outstanding(target.name);
    if (o.undelivered === 0 && o.unacked === 0) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}
