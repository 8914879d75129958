/** The timer behind the snooze waker and the uploads sweep (server/ops/periodic.ts). */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { periodic } from '../../server/ops/periodic.ts';

describe('periodic', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs every interval from start, and not after stop', async () => {
    const run = vi.fn(async () => {});
    const job = periodic(run, { everyMs: 1000, onError: () => {} });
    job.start();
    job.start(); // a second start does not add a second timer
    await vi.advanceTimersByTimeAsync(999);
    expect(run).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(2001);
    expect(run).toHaveBeenCalledTimes(3);
    job.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(run).toHaveBeenCalledTimes(3);
  });

  it('runs first after firstAfterMs, then every interval', async () => {
    const run = vi.fn(async () => {});
    const job = periodic(run, { everyMs: 1000, firstAfterMs: 300, onError: () => {} });
    job.start();
    await vi.advanceTimersByTimeAsync(300);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(2);
    job.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('skips a tick while the last run is still going, and hands a failure to onError and goes on', async () => {
    let release!: () => void;
    const runs: string[] = [];
    const errors: unknown[] = [];
    const run = vi.fn(async () => {
      runs.push('start');
      if (runs.length === 1) await new Promise<void>((r) => (release = r));
      if (runs.length === 2) throw new Error('store down');
    });
    const job = periodic(run, { everyMs: 100, onError: (err) => errors.push(err) });
    job.start();
    await vi.advanceTimersByTimeAsync(350); // ticks at 100, 200, 300: the first still runs
    expect(run).toHaveBeenCalledTimes(1);
    release();
    await vi.advanceTimersByTimeAsync(100);
    expect(run).toHaveBeenCalledTimes(2);
    expect(errors).toEqual([new Error('store down')]);
    await vi.advanceTimersByTimeAsync(100);
    expect(run).toHaveBeenCalledTimes(3);
    job.stop();
  });

  it('stop aborts the run in progress and resolves once it has ended, without calling its failure an error', async () => {
    const events: string[] = [];
    const errors: unknown[] = [];
    const job = periodic(
      (signal) =>
        new Promise((_, reject) => {
          events.push('run');
          signal.addEventListener('abort', () => setTimeout(() => (events.push('ended'), reject(new Error('database closed'))), 50));
        }),
      { everyMs: 100, onError: (err) => errors.push(err) },
    );
    job.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(events).toEqual(['run']);
    const stopped = job.stop().then(() => events.push('stopped'));
    await vi.advanceTimersByTimeAsync(50);
    await stopped;
    expect(events).toEqual(['run', 'ended', 'stopped']);
    expect(errors).toEqual([]);
    await job.stop(); // nothing running: resolves at once
  });

  it('hands a run that throws before returning a promise to onError, and goes on', async () => {
    const errors: unknown[] = [];
    const run = vi.fn((): Promise<void> => {
      throw new Error('thrown at once');
    });
    const job = periodic(run, { everyMs: 100, onError: (err) => errors.push(err) });
    job.start();
    await vi.advanceTimersByTimeAsync(200);
    expect(run).toHaveBeenCalledTimes(2);
    expect(errors).toEqual([new Error('thrown at once'), new Error('thrown at once')]);
    await job.stop();
  });

  it('never keeps the process alive', () => {
    const job = periodic(async () => {}, { everyMs: 1000, onError: () => {} });
    const spy = vi.spyOn(globalThis, 'setInterval');
    job.start();
    expect(spy).toHaveBeenCalled();
    const timer = spy.mock.results[0]!.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    job.stop();
    spy.mockRestore();
  });
});
