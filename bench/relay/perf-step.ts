/**
 * BENCH_PERF=a or b: one more step of the product and one of the relay at the same rate, each under
 * Linux `perf record -a` (every process of the machine, kernel included), and where the machine's CPU
 * went per message: the server, the load generator, the PostgreSQL backends and the rest, and inside
 * the backends, by phase. V8's profiler (BENCH_CPU_PROF) sees one process, and it samples wall time:
 * a socket write that wakes the database, which then takes the core, shows there as a long write.
 * This shows who used the cores, which is what sets the highest rate on two of them.
 *
 * Needs `perf` (Debian: linux-perf) and the right to sample every CPU (root, or
 * kernel.perf_event_paranoid ≤ 0). The software clock is sampled, so it works in a VM without
 * hardware counters.
 */
import { spawn, spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import type { BenchDatabase } from './database.ts';
import type { LoadGenerator } from './load-client.ts';
import { fmt, type Report } from './report.ts';
import type { Target } from './servers.ts';
import { measureStep, type StepRow } from './steps.ts';

const FREQUENCY = 499;

/**
 * Inside the backends: a sample counts for each phase whose function is on its stack (phases nest).
 * Debian's postgres is built without frame pointers, so the walk up a stack often stops short: these
 * are lower bounds, and a phase under a static function (the foreign keys' triggers, heap_update)
 * is not seen at all, so none is listed.
 */
const PHASES: [string, RegExp][] = [
  ['the statement run (PortalRun)', /^PortalRun$/],
  ['  index entries (ExecInsertIndexTuples)', /^ExecInsertIndexTuples$/],
  ['    B-tree (btinsert)', /^btinsert$/],
  ['    GIN (gininsert)', /^gininsert$/],
  ['  PL/pgSQL (none on the message path since migration 0013)', /^plpgsql_call_handler$/],
  ['executor start (standard_ExecutorStart)', /^standard_ExecutorStart$/],
  ['commit (CommitTransactionCommand)', /^CommitTransactionCommand$/],
  ['  WAL flush (XLogFlush)', /^XLogFlush$/],
  ['sending results (socket send, kernel)', /^(tcp_sendmsg|unix_stream_sendmsg)$/],
  ['reading queries (socket receive, kernel)', /^(tcp_recvmsg|unix_stream_recvmsg)$/],
  ['waiting to be woken, and the wake-ups it causes (kernel scheduler)', /^(schedule|try_to_wake_up)$/],
];

export function perfAvailable(): boolean {
  return spawnSync('perf', ['--version'], { stdio: 'ignore' }).status === 0;
}

interface Sample {
  pid: number;
  kernel: boolean;
  frames: string[];
}

/** Runs `fn` under `perf record -a` and returns its samples (pid, whether the CPU was in the kernel, the stack's symbols). */
async function record<T>(file: string, fn: () => Promise<T>): Promise<{ result: T; samples: Sample[] }> {
  const perf = spawn('perf', ['record', '-a', '-g', '-F', String(FREQUENCY), '-e', 'cpu-clock', '-o', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  perf.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => perf.on('exit', resolve));
  await new Promise((r) => setTimeout(r, 500));
  if (perf.exitCode !== null) throw new Error(`perf record: ${stderr.trim()}`);
  let result: T;
  try {
    result = await fn();
  } finally {
    perf.kill('SIGINT');
    await exited;
  }
  const script = spawnSync('perf', ['script', '-i', file, '-F', 'pid,ip,sym'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  await rm(file, { force: true });
  if (script.status !== 0) throw new Error(`perf script: ${script.stderr}`);
  const samples: Sample[] = [];
  for (const block of script.stdout.split('\n\n')) {
    const lines = block.split('\n').filter(Boolean);
    if (!lines.length) continue;
    const pid = Number(lines[0].trim());
    const frames = lines.slice(1).map((l) => l.trim().split(/\s+/));
    samples.push({ pid, kernel: /^ffff/.test(frames[0]?.[0] ?? ''), frames: frames.map((f) => f[1] ?? '') });
  }
  return { result, samples };
}

export interface PerfStep {
  row: StepRow;
  /** Role → CPU ms per message and the kernel's share of it. */
  roles: { role: string; msPerMsg: number; kernelPct: number }[];
  /** Idle share of the machine's two cores over the step. */
  idlePct: number;
  phases?: { phase: string; pct: number }[];
  /** The backends' functions by self time (the sampled frame itself: exact, unlike the phases). */
  hot?: { name: string; pct: number }[];
}

/** A role's name in the table: the product's server and the relay's share a row. */
const rowOf = (role: string) => role.replace(/^(product|relay) server$/, 'server');

export async function perfStep(
  load: LoadGenerator,
  target: Target,
  rate: number,
  opts: { durationMs: number; drainMs: number; db?: BenchDatabase; file: string },
): Promise<PerfStep> {
  const { result: row, samples } = await record(opts.file, () => measureStep(load, target, rate, opts));
  const backends = new Set(opts.db ? await opts.db.backendPids() : []);
  const postgres = new Set(
    spawnSync('pgrep', ['-x', 'postgres'], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean)
      .map(Number),
  );
  const roleOf = (pid: number) =>
    pid === 0
      ? 'idle'
      : pid === target.child.pid
        ? `${target.name} server`
        : pid === load.child.pid
          ? 'load generator'
          : backends.has(pid)
            ? 'PostgreSQL backends of the product'
            : postgres.has(pid)
              ? 'PostgreSQL, other processes'
              : 'everything else';
  const byRole = new Map<string, { n: number; kernel: number }>();
  for (const s of samples) {
    const r = roleOf(s.pid);
    const v = byRole.get(r) ?? { n: 0, kernel: 0 };
    v.n += 1;
    if (s.kernel) v.kernel += 1;
    byRole.set(r, v);
  }
  const msPerSample = 1000 / FREQUENCY;
  const roles = [...byRole]
    .filter(([r]) => r !== 'idle')
    .sort((a, b) => b[1].n - a[1].n)
    .map(([role, v]) => ({ role, msPerMsg: (v.n * msPerSample) / row.load.sent, kernelPct: (100 * v.kernel) / v.n }));
  const idlePct = (100 * (byRole.get('idle')?.n ?? 0)) / Math.max(1, samples.length);
  let phases: PerfStep['phases'];
  const inBackends = samples.filter((s) => backends.has(s.pid));
  if (inBackends.length) {
    phases = PHASES.map(([phase, re]) => ({ phase, pct: (100 * inBackends.filter((s) => s.frames.some((f) => re.test(f))).length) / inBackends.length }));
  }
  const self = new Map<string, number>();
  for (const s of inBackends) {
    const name = `${s.frames[0] || '?'}${s.kernel ? ' [kernel]' : ''}`;
    self.set(name, (self.get(name) ?? 0) + 1);
  }
  const hot = inBackends.length
    ? [...self]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 15)
        .map(([name, n]) => ({ name, pct: (100 * n) / inBackends.length }))
    : undefined;
  return { row, roles, idlePct, phases, hot };
}

export function perfTables(report: Report, rate: number, scenario: string, steps: PerfStep[]): void {
  report.line(`### Where the machine's CPU goes: one ${rate} msg/s step of ${scenario} on each server, under \`perf record -a\``);
  report.line();
  for (const s of steps) {
    report.line(`- ${s.row.target}: p50 ${fmt(s.row.load.p50Ms, 2)} ms, p99 ${fmt(s.row.load.p99Ms, 2)} ms, ${s.row.pass ? 'pass' : `fail (${s.row.why})`}; the cores idle ${fmt(s.idlePct, 0)}% of the step (its drain included)`);
  }
  report.line();
  report.table(
    ['process', ...steps.map((s) => `${s.row.target}: CPU ms per message (kernel %)`)],
    [...new Set(steps.flatMap((s) => s.roles.map((r) => rowOf(r.role))))].map((role) => [
      role,
      ...steps.map((s) => {
        const r = s.roles.find((x) => rowOf(x.role) === role);
        return r ? `${fmt(r.msPerMsg, 3)} (${fmt(r.kernelPct, 0)}%)` : '–';
      }),
    ]),
  );
  const phases = steps.find((s) => s.phases)?.phases;
  if (phases) {
    report.table(['inside the product’s PostgreSQL backends: phases (a sample counts for every phase on its stack; lower bounds, see perf-step.ts)', '% of their samples'], phases.map((p) => [p.phase, fmt(p.pct, 1)]));
  }
  const hot = steps.find((s) => s.hot)?.hot;
  if (hot) report.table(['inside the product’s PostgreSQL backends: functions by self time', '% of their samples'], hot.map((h) => [`\`${h.name}\``, fmt(h.pct, 1)]));
}
