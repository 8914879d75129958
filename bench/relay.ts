/**
 * `npm run bench:relay`: the product's message path against a plain Socket.IO 4.8 relay, side by
 * side, from one load generator in its own process (issue 8, "The benchmark"). Only 127.0.0.1.
 *
 *   npm run bench:relay                                                        # PGlite in a temp folder
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:relay  # a fresh database inside
 *
 * Optional: BENCH_RATES=200,400,… (msg/s), BENCH_STEP_SECONDS=3, BENCH_IDLE_SOCKETS=10000,
 * BENCH_CPU_PROF=1 (one extra product step of scenario (a) under V8's profiler; top functions printed;
 * BENCH_CPU_PROF=b: of scenario (b); BENCH_CPU_PROF=idle: the product while its idle sockets connect),
 * BENCH_PERF=a or b (one more step of the product and one of the relay, at the rate the CPU profile would take, under
 * `perf record -a`: the machine's CPU per message by process, and inside the database's backends by phase),
 * BENCH_PRODUCT_NODE_ARGS='--flag …' (node options for the product's process only, to compare runtime settings),
 * BENCH_DB_WAITS=1 (PostgreSQL: during each product step, what its database's busy backends were doing,
 * sampled every 5 ms from pg_stat_activity: on a core, flushing the WAL, waiting for another's flush…;
 * the sampling takes a little of the machine's CPU, in the product's steps only).
 * Output: markdown on stdout and in .tmp/bench-relay.md; progress on stderr.
 */
import os from 'node:os';
import path from 'node:path';
import { buildPublic } from '../scripts/build.ts';
import { randomToken } from '../server/crypto.ts';
import { createBenchDatabase, seedAgents, type BenchDatabase } from './relay/database.ts';
import { idleSockets, type IdleResult } from './relay/idle.ts';
import { startLoadGenerator, type LoadGenerator } from './relay/load-client.ts';
import { killAll, root, type Child } from './relay/proc.ts';
import type { ProfileSummary } from './relay/profile.ts';
import { fmt, progress, Report } from './relay/report.ts';
import { profileStep, profileTables, startProfile, stopProfile, summaryTables, type ProfiledStep } from './relay/profile-step.ts';
import { perfAvailable, perfStep, perfTables, type PerfStep } from './relay/perf-step.ts';
import { startProduct, startRelay, unsetLimitVariables, type Target } from './relay/servers.ts';
import { Ladder, measureStep, REFINE_GAP, settle, type StepRow } from './relay/steps.ts';
import { widgetBytes } from './relay/widget.ts';

const started = Date.now();
const DEADLINE_MS = 9.5 * 60_000;
/** Load steps end by then; idle sockets and the browser measurement get the rest. */
const STEPS_UNTIL_MS = 5.5 * 60_000;
/**
 * Finer than doubling where the product and the relay top out: with steps of 2× the ratio of their
 * highest passing rates could only read 1/4 or 1/8, whatever it was between. Steps of at most a
 * quarter where both top out on this machine (the product 3,200-4,800, the relay 9,600-25,600): with
 * 3,200 then 4,800, a product passing 4,000 against a relay of 12,800 (0.3125) read as 0.25. Up to
 * 38,400: on a quiet machine the relay passed 25,600 (2026-12-03), and a capped relay only bounds the
 * ratio from above. Past a server's last passing step, rates between it and the failing one are tried
 * (Ladder in relay/steps.ts), so each highest passing rate is known to a tenth, not a quarter.
 */
const RATES = (process.env.BENCH_RATES ?? '200,400,800,1200,1600,2000,2400,3200,4000,4800,6400,8000,9600,12800,16000,19200,25600,32000,38400').split(',').map(Number);
const STEP_MS = Number(process.env.BENCH_STEP_SECONDS ?? 3) * 1000;
const WARMUP_RATE = 200;
const DRAIN_MS = 3000;
const CONVERSATIONS = 200;
const IDLE_SOCKETS = Number(process.env.BENCH_IDLE_SOCKETS ?? 10_000);
/** Load generators opening the idle sockets together (the same program as for the steps). */
const IDLE_PROCS = Math.max(1, Number(process.env.BENCH_IDLE_PROCS ?? 2));
/** Which scenario gets one more step under the CPU profiler: 'a' (BENCH_CPU_PROF=1 or a), 'b', or none. */
const PROFILE = process.env.BENCH_CPU_PROF === '1' || process.env.BENCH_CPU_PROF === 'a' ? 0 : process.env.BENCH_CPU_PROF === 'b' ? 1 : -1;
const PROFILE_IDLE = process.env.BENCH_CPU_PROF === 'idle';
/** Which scenario gets one more step of each server under `perf record -a`: 'a', 'b', or none. */
const PERF = process.env.BENCH_PERF === 'a' ? 0 : process.env.BENCH_PERF === 'b' ? 1 : -1;
const DB_WAITS = process.env.BENCH_DB_WAITS === '1';
const DEMO_SITE = 'demo';
const TARGET_RATIO = { postgres: 1 / 3, pglite: 1 / 10 };

const report = new Report(path.join(root, '.tmp/bench-relay.md'));
const children = new Set<Child>();
const own = <T extends { child: Child }>(x: T): T => (children.add(x.child), x);
let db: BenchDatabase | undefined;
let profiled: ProfiledStep | undefined;
let perfed: { rate: number; steps: PerfStep[] } | undefined;
let load: LoadGenerator | undefined;
const timeLeft = () => DEADLINE_MS - (Date.now() - started);

function maskedUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

let stopping: Promise<void> | undefined;
/** Stops every child and drops the database; the signal handler and the normal end may both call it. */
function stopAll(): Promise<void> {
  stopping ??= (async () => {
    await Promise.allSettled([...children].map((c) => c.stop(3000)));
    children.clear();
    await db?.drop().catch((err) => progress(`could not drop the bench database: ${err}`));
  })();
  return stopping;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    progress(`${signal}: stopping everything this run started`);
    void stopAll().finally(() => process.exit(130));
  });
}
// Last resort (an exception past every finally): no child outlives the benchmark.
process.on('exit', killAll);

interface Scenario {
  title: string;
  specs: { site: string; cookie: string }[];
  rows: StepRow[];
  best: Record<Target['name'], number>;
  capped: Record<Target['name'], boolean>;
  note: string[];
}

async function runScenario(sc: Scenario, adminPassword: string, profileFile?: string, perf = false): Promise<void> {
  progress(`scenario: ${sc.title}`);
  const product = own(await startProduct(db!.env, { adminPassword, profileFile }));
  const relay = own(await startRelay());
  try {
    for (const t of [product, relay]) {
      const o = await load!.open(t.name, t.url, t.name === 'product' ? sc.specs : sc.specs.map((s) => ({ site: s.site })));
      progress(`  ${t.name}: ${o.conversations} conversations opened and claimed in ${o.setupMs} ms`);
    }
    // One step each that is not measured: the first seconds of load on a fresh server (JIT, each
    // pooled connection preparing its statements and reading the tables) failed whatever step came first.
    for (const t of [product, relay]) {
      await measureStep(load!, t, WARMUP_RATE, { durationMs: STEP_MS, drainMs: DRAIN_MS });
      await settle(load!, t, 20_000);
    }
    progress(`  both warmed up by a step at ${WARMUP_RATE} msg/s, not counted`);
    const active = new Set([product, relay]);
    const ladders = new Map([product, relay].map((t) => [t, new Ladder(RATES)]));
    while (active.size) {
      for (const t of [product, relay]) {
        if (!active.has(t)) continue;
        const ladder = ladders.get(t)!;
        const rate = ladder.next();
        if (rate === undefined) {
          active.delete(t);
          continue;
        }
        // A failed step is run once more: on a shared machine one neighbour's burst can sink a step.
        for (let attempt = 1; attempt <= 2 && active.has(t); attempt++) {
          if (Date.now() - started > STEPS_UNTIL_MS) {
            sc.note.push(`stopped before ${t.name} at ${rate} msg/s: the steps' share of the run's 10 minutes was spent`);
            active.clear();
            break;
          }
          const row = await measureStep(load!, t, rate, { durationMs: STEP_MS, drainMs: DRAIN_MS, db: t.name === 'product' && db!.kind === 'postgres' ? db : undefined, dbWaits: DB_WAITS });
          row.attempt = attempt;
          row.refining = ladder.refining;
          sc.rows.push(row);
          progress(`  ${t.name} ${rate}/s${ladder.refining ? ' (between)' : ''}: p50 ${row.load.p50Ms} p99 ${row.load.p99Ms} ms, lost ${row.load.lost}, load-gen CPU ${row.load.loadCpuPct}%, GC max ${row.load.loadGcMaxMs} / sum ${row.load.loadGcMs} ms ${row.pass ? 'pass' : `FAIL (${row.why})`}`);
          if (!row.pass && row.load.slowWindows) progress(`    slow windows: ${row.load.slowWindows}`);
          if (row.load.loadStalls) progress(`    load generator stalled: ${row.load.loadStalls}`);
          if (!(await settle(load!, t, 20_000))) sc.note.push(`${t.name} still had messages outstanding 20 s after its ${rate} msg/s step`);
          if (row.pass) {
            ladder.passed(rate);
            break;
          }
          if (attempt === 2) ladder.failed(rate);
        }
      }
    }
    for (const t of [product, relay]) sc.best[t.name] = ladders.get(t)!.best;
    for (const t of [product, relay]) if (sc.best[t.name] === RATES.at(-1)) sc.capped[t.name] = true;
    // Where the product saturated (the lowest rate that failed twice) shows where its time goes under load.
    const failed = ladders.get(product)!.lowestFailed;
    const profileRate = failed ?? Math.max(sc.best.product, RATES[0]);
    if (profileFile) {
      progress('  one more product step under the CPU profiler');
      profiled = await profileStep(load!, product, profileRate, STEP_MS, profileFile);
    }
    if (perf) {
      progress(`  one more step of each server at ${profileRate} msg/s under perf record -a`);
      const steps: PerfStep[] = [];
      for (const t of [product, relay]) {
        await settle(load!, t, 20_000);
        const file = path.join(root, `.tmp/bench-relay-${t.name}-${process.pid}.perf.data`);
        steps.push(await perfStep(load!, t, profileRate, { durationMs: STEP_MS, drainMs: DRAIN_MS, db: t.name === 'product' && db!.kind === 'postgres' ? db : undefined, file }));
      }
      perfed = { rate: profileRate, steps };
    }
  } finally {
    await Promise.allSettled([load!.close(product.name), load!.close(relay.name)]);
    for (const t of [product, relay]) {
      await t.child.stop();
      children.delete(t.child);
    }
  }
}

function stepTable(sc: Scenario): void {
  report.line(`### ${sc.title}`);
  report.line();
  const rows = sc.rows.map((r) => [
    r.refining ? `${r.rate} (between)` : r.rate,
    r.target,
    r.load.sent,
    r.load.delivered,
    r.load.lost,
    r.load.duplicated,
    r.load.reordered + (r.load.seqInversions ? ` (${r.load.seqInversions} by seq)` : ''),
    fmt(r.load.p50Ms, 2),
    fmt(r.load.p99Ms, 2),
    fmt(r.cpuMsPerMsg, 3),
    r.dbMsPerMsg === undefined ? '–' : fmt(r.dbMsPerMsg, 3),
    fmt(r.packetsPerMsg, 1),
    r.queriesPerMsg === undefined ? '–' : fmt(r.queriesPerMsg, 3),
    fmt(r.rssMb, 0),
    r.loop ? `${fmt(r.loop.p99Ms, 1)} / ${fmt(r.loop.maxMs, 1)}` : '–',
    // Its longest stall, when it stalled: then it sent its backlog as one burst.
    r.load.loadStallMaxMs ? `${r.load.loadCpuPct}% (stalled ${r.load.loadStallMaxMs} ms)` : `${r.load.loadCpuPct}%`,
    Number.isFinite(r.stolenPct) ? `${fmt(r.stolenPct, 1)}%` : '–',
    r.pass ? (r.attempt === 2 ? 'pass (2nd try)' : 'pass') : `**fail**${r.attempt === 1 ? ' (tried again)' : ''}: ${r.why}`,
  ]);
  report.table(
    ['msg/s offered', 'server', 'sent', 'delivered', 'lost', 'dup', 'reordered', 'p50 ms', 'p99 ms', 'server CPU ms/msg', 'PG backends CPU ms/msg', 'packets/msg', 'DB queries/msg', 'RSS MB', 'loop delay p99 / max ms', 'load-gen CPU (its longest stall)', 'CPU stolen by the host', 'step'],
    rows,
  );
  for (const n of sc.note) report.line(`- ${n}`);
  if (sc.note.length) report.line();
  waitTable(sc);
}

/** BENCH_DB_WAITS: per product step, the share of the busy backends' samples in each state. */
function waitTable(sc: Scenario): void {
  const sampled = sc.rows.filter((r) => r.dbWaits?.samples);
  if (!sampled.length) return;
  const named = ['CPU', 'IO:WALSync', 'LWLock:WALWrite', 'IO:WALWrite', 'Client:ClientRead'];
  const pct = (n: number, of: number) => (of ? `${fmt((100 * n) / of, 1)}%` : '–');
  report.line(`What the database's busy backends were doing during the product's steps (sampled every 5 ms; "busy backends" is their average number at a sample; the shares are of their samples):`);
  report.line();
  report.table(
    ['msg/s offered', 'samples', 'busy backends', ...named, 'other (the largest)'],
    sampled.map((r) => {
      const { samples, counts } = r.dbWaits!;
      const busy = [...counts.values()].reduce((a, b) => a + b, 0);
      const others = [...counts].filter(([w]) => !named.includes(w)).sort((a, b) => b[1] - a[1]);
      const otherSum = others.reduce((a, [, n]) => a + n, 0);
      return [
        `${r.rate}${r.refining ? ' (between)' : ''}${r.attempt === 2 ? ' (2nd try)' : ''}`,
        samples,
        fmt(busy / samples, 2),
        ...named.map((w) => pct(counts.get(w) ?? 0, busy)),
        otherSum ? `${pct(otherSum, busy)} (${others.slice(0, 2).map(([w, n]) => `${w} ${pct(n, busy)}`).join(', ')})` : '0',
      ];
    }),
  );
}

function summary(scenarios: Scenario[], kind: 'postgres' | 'pglite'): void {
  const target = TARGET_RATIO[kind];
  const first = (sc: Scenario, t: Target['name']) => sc.rows.find((r) => r.target === t);
  // The passing step at the highest rate: a rate that failed once and passed on its second try has both rows.
  const atBest = (sc: Scenario, t: Target['name']) => sc.rows.find((r) => r.target === t && r.rate === sc.best[t] && r.pass);
  report.line(`### Summary (product on ${kind === 'postgres' ? 'PostgreSQL' : 'PGlite'}; target: product ≥ ${kind === 'postgres' ? '1/3' : '1/10'} of the relay)`);
  report.line();
  report.table(
    ['scenario', 'product highest passing msg/s', 'relay highest passing msg/s', 'ratio product/relay', 'target met', 'p50 at lowest rate, product / relay ms', 'CPU ms/msg at highest pass, product / relay', 'packets/msg, product / relay'],
    scenarios.map((sc) => {
      const ratio = sc.best.relay > 0 ? sc.best.product / sc.best.relay : NaN;
      const cap = (t: Target['name']) => `${sc.capped[t] ? '≥ ' : ''}${sc.best[t] || `< ${RATES[0]}`}`;
      return [
        sc.title,
        cap('product'),
        cap('relay'),
        Number.isFinite(ratio) ? `${sc.capped.relay ? '≤ ' : ''}${fmt(ratio, 3)}` : '–',
        // A relay that passed every rate could go faster: the ratio is then only an upper bound.
        !Number.isFinite(ratio) ? '–' : ratio < target ? 'no' : sc.capped.relay ? 'unknown (relay passed every rate)' : 'yes',
        `${fmt(first(sc, 'product')?.load.p50Ms, 2)} / ${fmt(first(sc, 'relay')?.load.p50Ms, 2)}`,
        `${fmt(atBest(sc, 'product')?.cpuMsPerMsg, 3)} / ${fmt(atBest(sc, 'relay')?.cpuMsPerMsg, 3)}`,
        `${fmt(first(sc, 'product')?.packetsPerMsg, 1)} / ${fmt(first(sc, 'relay')?.packetsPerMsg, 1)}`,
      ];
    }),
  );
}

function idleTable(results: IdleResult[]): void {
  report.line(`### ${IDLE_SOCKETS.toLocaleString('en-US')} idle widget sockets (fresh server each, ${IDLE_PROCS} load generators, connecting within the run's time budget)`);
  report.line();
  report.table(
    ['server', 'connected', 'failed', 'connects/s', 'server CPU ms per connect', 'RSS before MB', 'RSS after MB', 'RSS growth per socket KB', 'load-gen CPU'],
    results.map((r) => [
      r.target,
      `${r.connected}${r.timedOut ? ` (stopped at the ${Math.round(r.timeLimitMs / 1000)} s limit)` : ''}`,
      r.failed,
      fmt(r.connectsPerSec, 0),
      fmt(r.serverCpuMsPerConnect, 3),
      fmt(r.rssBeforeMb, 0),
      fmt(r.rssAfterMb, 0),
      fmt(r.kbPerSocket, 1),
      r.loadCpuPct.map((p) => `${p}%`).join(', '),
    ]),
  );
  const [p, r] = results;
  if (p && r && r.kbPerSocket > 0 && r.connectsPerSec > 0) {
    report.line(`- product/relay: memory per socket ${fmt(p.kbPerSocket / r.kbPerSocket, 2)}× (target ≤ 2×), connects per second ${fmt(p.connectsPerSec / r.connectsPerSec, 2)}× (target ≥ 0.5×)`);
  }
  for (const x of results) for (const [msg, n] of Object.entries(x.errors)) report.line(`- ${x.target}: ${n}× ${msg}`);
  report.line();
}

async function main(): Promise<void> {
  const dbUrl = process.env.BENCH_DATABASE_URL;
  const kind = dbUrl ? 'postgres' : 'pglite';
  report.line(`## bench:relay — ${new Date().toISOString()}`);
  report.line();
  const options = Object.entries(process.env)
    .filter(([k]) => k.startsWith('BENCH_') && k !== 'BENCH_DATABASE_URL')
    .map(([k, v]) => `${k}=${v} `)
    .join('');
  report.line(`- command: \`${options}${dbUrl ? `BENCH_DATABASE_URL=${maskedUrl(dbUrl)} ` : ''}npm run bench:relay\``);
  report.line(`- node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${os.platform()} ${os.release()}`);
  report.line(`- load average at start: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  report.line(`- product on ${kind === 'postgres' ? 'PostgreSQL (a fresh database, dropped afterwards)' : 'PGlite (a temporary DATA_DIR)'}; ${CONVERSATIONS} conversations per server, each alternating visitor → agent and agent → visitor; steps of ${STEP_MS / 1000} s (+ up to ${DRAIN_MS / 1000} s to drain), after one uncounted step at ${WARMUP_RATE} msg/s on each server, product and relay alternating; a step passes when p99 < 50 ms and every message is acknowledged and delivered once, in order; a failed step is tried once more, and a server's ladder ends at its second failure of one rate; then, while its highest passing and lowest failing rates are more than ${REFINE_GAP * 100}% apart, the rate halfway between them is tried ("between"), by the same rule for both servers`);
  report.line(`- server CPU: user + system of the server process (/proc/PID/stat) per message sent; packets: Socket.IO packets received by all load-side sockets per message sent; loop delay: the server's own monitorEventLoopDelay over the step (GET /metrics), less its 10 ms sampling interval; load-gen CPU: the load generator's, in % of its one core, with the longest stall of its sending loop's 1 ms timer, when 20 ms or more (its backlog then goes out as one burst: near 90% of its core, the relay's steps fail on such bursts); CPU stolen by the host: the machine's steal time over the step (/proc/stat), CPU the hypervisor gave other guests, which no server here could use`);
  const unset = unsetLimitVariables();
  if (unset.length) report.line(`- **warning**: server/limits.ts reads ${unset.join(', ')}, which this benchmark does not set: a limit may throttle the load (add it to LIMIT_ENV in bench/relay/servers.ts)`);
  report.line();

  // The browser measurement loads the built widget: a fresh clone has none until a build.
  progress('building the widget and the console');
  await buildPublic();
  db = await createBenchDatabase(dbUrl);
  const adminPassword = randomToken(18);
  // The product's first start migrates and seeds the demo site the one-site scenario uses.
  progress('first start of the product: migrations and the demo site');
  const seeder = own(await startProduct(db.env, { adminPassword }));
  await seeder.child.stop();
  children.delete(seeder.child);
  const agents = await seedAgents(db.env, CONVERSATIONS, DEMO_SITE);
  load = own(await startLoadGenerator());

  const scenarios: Scenario[] = [
    { title: `(a) one site, ${CONVERSATIONS} agents, each claims one conversation`, specs: agents.oneSite },
    { title: `(b) ${CONVERSATIONS} sites, one agent each`, specs: agents.manySites },
  ].map((s) => ({ ...s, rows: [], best: { product: 0, relay: 0 }, capped: { product: false, relay: false }, note: [] }));
  const profileFile = PROFILE >= 0 || PROFILE_IDLE ? path.join(root, `.tmp/bench-relay-product-${process.pid}.cpuprofile`) : undefined;
  if (PERF >= 0 && !perfAvailable()) throw new Error('BENCH_PERF needs Linux perf (Debian: apt-get install linux-perf)');
  await runScenario(scenarios[0], adminPassword, PROFILE === 0 ? profileFile : undefined, PERF === 0);
  await runScenario(scenarios[1], adminPassword, PROFILE === 1 ? profileFile : undefined, PERF === 1);
  for (const sc of scenarios) stepTable(sc);
  summary(scenarios, kind);
  if (profiled) profileTables(report, profiled, scenarios[PROFILE].title);
  if (perfed) perfTables(report, perfed.rate, scenarios[PERF].title, perfed.steps);

  // Each server's connecting ends by its share of what is left, keeping a minute for the browser
  // measurement and for stopping everything; the product, slower, goes first and gets more.
  const idleLimitMs = (share: number) => Math.min(150_000, (timeLeft() - 60_000) * share);
  if (idleLimitMs(0.5) > 10_000) {
    const extra = await Promise.all(Array.from({ length: IDLE_PROCS - 1 }, async () => own(await startLoadGenerator())));
    try {
      let idleProfile: ProfileSummary | undefined;
      const results = await idleSockets([load, ...extra], IDLE_SOCKETS, {
        product: async () => own(await startProduct(db!.env, { adminPassword, profileFile: PROFILE_IDLE ? profileFile : undefined })),
        aroundProduct: PROFILE_IDLE
          ? { before: startProfile, after: async (t) => void (idleProfile = await stopProfile(t, profileFile!)) }
          : undefined,
        relay: async () => own(await startRelay()),
        site: DEMO_SITE,
        timeLimitMs: (t) => idleLimitMs(t === 'product' ? 0.65 : 0.8),
        release: (t) => children.delete(t.child),
      });
      idleTable(results);
      if (idleProfile) {
        report.line(`### Where the product's CPU goes while its idle sockets connect, under V8's sampling profiler`);
        report.line();
        report.line(`- ${idleProfile.busySamples} busy and ${idleProfile.idleSamples} idle samples (profile: ${profileFile})`);
        report.line();
        summaryTables(report, idleProfile);
      }
    } finally {
      for (const l of extra) {
        await l.stop();
        children.delete(l.child);
      }
    }
  } else report.line(`- idle sockets not measured: the run's time budget was spent\n`);

  await widgetBytes(report, async () => own(await startProduct(db!.env, { adminPassword })), (t) => children.delete(t.child));

  report.line(`- load average at end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; took ${Math.round((Date.now() - started) / 1000)} s`);
}

try {
  await main();
} catch (err) {
  report.line(`\n**bench:relay failed**: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
} finally {
  await stopAll();
}
