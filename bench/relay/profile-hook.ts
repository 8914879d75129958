/**
 * Loaded into the product by `bench:relay` with BENCH_CPU_PROF=1 (`node --import` this file): the
 * first SIGUSR2 starts V8's CPU profiler, the second writes the profile to BENCH_CPU_PROF_FILE.
 * `--cpu-prof` would cover the whole life of the process, start-up and migrations included; this
 * covers one load step.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

const file = process.env.BENCH_CPU_PROF_FILE;
const session = new Session();
session.connect();
let running = false;

process.on('SIGUSR2', () => {
  void (async () => {
    if (!running) {
      running = true;
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 500 });
      await session.post('Profiler.start');
      return;
    }
    running = false;
    const { profile } = await session.post('Profiler.stop');
    if (file) writeFileSync(file, JSON.stringify(profile));
  })().catch((err) => console.error('profile hook failed', err));
});
