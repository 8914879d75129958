/** One load step against one server, with what the server itself says about it; and the rule a step must pass. */
import type { BenchDatabase, DbWaits } from './database.ts';
import type { LoadGenerator } from './load-client.ts';
import type { StepResult } from './load.ts';
import { hostCpu, procStat, stolenPct } from './proc.ts';
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
  /**
   * The machine's CPU time the hypervisor gave other guests during the step, in %: a step that lost
   * the cores to a neighbour says so (this VM's steal was 1% of its CPU time over its first 25 minutes
   * on 2026-12-07, and 3% over the next hour, while runs of the same code scattered most).
   */
  stolenPct: number;
  loop?: LoopDelay;
  /** What the database's busy backends were doing over the step, sampled (BENCH_DB_WAITS=1, PostgreSQL). */
  dbWaits?: DbWaits;
  pass: boolean;
  why: string;
  /** 1, or 2 when the step is the second try of a rate that failed once. */
  attempt?: number;
  /** A rate between the highest passing and the lowest failing one (Ladder). */
  refining?: boolean;
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
  opts: { durationMs: number; drainMs: number; db?: BenchDatabase; dbWaits?: boolean },
): Promise<StepRow> {
  const loop0 = await scrapeLoopDelay(target); // resets the histogram: the next scrape covers this step only
  const before = procStat(target.child.pid);
  const db0 = opts.db ? await opts.db.backendCpuMs() : 0;
  const host0 = hostCpu();
  const stopSampling = opts.dbWaits ? opts.db?.sampleWaits?.() : undefined;
  const r = await load.step(target.name, rate, opts.durationMs, opts.drainMs);
  const dbWaits = await stopSampling?.();
  const host1 = hostCpu();
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
    stolenPct: stolenPct(host0, host1),
    loop,
    dbWaits,
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

/**
 * How far apart the highest passing and the lowest failing rate may be, relative to the passing one,
 * before the ladder tries the rate between them. The ladder's own steps are a quarter apart where the
 * servers top out (4,000 then 4,800; 12,800 then 16,000), so a server's highest passing rate read up
 * to a quarter low, and the ratio of two such readings anywhere within a factor of 1.25 either way.
 */
export const REFINE_GAP = 0.1;

/**
 * The rates one server is offered: the ladder (`rates`) up to the first rate that fails twice, then
 * the rate halfway between the highest passing and the lowest failing one (rounded to 100 msg/s),
 * again while they are more than REFINE_GAP apart. Both servers follow the same rule, so the ratio of
 * their highest passing rates is known to about a tenth instead of a quarter.
 */
export class Ladder {
  best = 0;
  /** The lowest rate that failed twice, once one has. */
  lowestFailed: number | undefined;
  private i = 0;

  constructor(private readonly rates: number[]) {}

  /** Past the ladder: trying rates between a pass and a failure. */
  get refining(): boolean {
    return this.lowestFailed !== undefined;
  }

  next(): number | undefined {
    if (this.lowestFailed === undefined) return this.rates[this.i];
    // Nothing passed (the first rate failed): there is no lower bound to refine from.
    if (!this.best || this.lowestFailed - this.best <= this.best * REFINE_GAP) return undefined;
    const between = Math.round((this.best + this.lowestFailed) / 200) * 100;
    return between > this.best && between < this.lowestFailed ? between : undefined;
  }

  passed(rate: number): void {
    this.best = Math.max(this.best, rate);
    if (this.lowestFailed === undefined) this.i++;
  }

  failed(rate: number): void {
    this.lowestFailed = Math.min(this.lowestFailed ?? Infinity, rate);
  }
}
