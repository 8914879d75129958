/** One more product step, under V8's sampling profiler (bench/relay/profile-hook.ts), and where its CPU went. */
import { existsSync } from 'node:fs';
import type { LoadGenerator } from './load-client.ts';
import { summarizeProfile, type ProfileSummary } from './profile.ts';
import { fmt } from './report.ts';
import type { Report } from './report.ts';
import type { Target } from './servers.ts';
import { measureStep, type StepRow } from './steps.ts';

export interface ProfiledStep {
  rate: number;
  row: StepRow;
  summary: ProfileSummary;
  file: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the product's profiler (the hook's first SIGUSR2). */
export async function startProfile(product: Target): Promise<void> {
  process.kill(product.child.pid, 'SIGUSR2');
  await sleep(300);
}

/** Stops it (the second SIGUSR2) and reads the profile the hook wrote. */
export async function stopProfile(product: Target, file: string): Promise<ProfileSummary> {
  process.kill(product.child.pid, 'SIGUSR2');
  for (let i = 0; i < 100 && !existsSync(file); i++) await sleep(100);
  if (!existsSync(file)) throw new Error(`no profile written to ${file}`);
  await sleep(300); // the file is written in one call; give it time to finish on a busy disk
  return summarizeProfile(file);
}

export async function profileStep(load: LoadGenerator, product: Target, rate: number, stepMs: number, file: string): Promise<ProfiledStep> {
  await startProfile(product);
  const row = await measureStep(load, product, rate, { durationMs: stepMs, drainMs: 3000 });
  return { rate, row, summary: await stopProfile(product, file), file };
}

/** The three tables of a profile: by package or folder, by function, and by project function with what it ran. */
export function summaryTables(report: Report, s: ProfileSummary): void {
  report.table(['self time by package or folder', 'samples', '% of busy'], s.areas.map((a) => [a.name, a.samples, a.pct]));
  report.table(['self time by function', 'samples', '% of busy'], s.functions.map((f) => [`\`${f.name}\``, f.samples, f.pct]));
  report.table(['project function, with what it ran synchronously', 'samples', '% of busy'], s.project.map((f) => [`\`${f.name}\``, f.samples, f.pct]));
}

export function profileTables(report: Report, p: ProfiledStep, scenario: string): void {
  const s = p.summary;
  report.line(`### Where the product's CPU goes: one ${p.rate} msg/s step of ${scenario}, under V8's sampling profiler`);
  report.line();
  report.line(`- step under the profiler: p50 ${fmt(p.row.load.p50Ms, 2)} ms, p99 ${fmt(p.row.load.p99Ms, 2)} ms, ${fmt(p.row.cpuMsPerMsg, 3)} ms server CPU per message; ${s.busySamples} busy and ${s.idleSamples} idle samples (profile: ${p.file})`);
  report.line();
  summaryTables(report, s);
}
