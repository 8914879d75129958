/**
 * A job each node runs on a timer: one run at a time (a tick while the last still runs is skipped), a
 * failed run handed to `onError` and tried again at the next tick, timers unref'd so they never keep
 * the process alive. `firstAfterMs`: the first run that long after start (default: one interval).
 * `stop()` aborts the run in progress (its `signal`) and resolves once it has ended, so that a server
 * closing its database after it does not fail the run halfway.
 */
export function periodic(
  run: (signal: AbortSignal) => Promise<unknown>,
  opts: { everyMs: number; firstAfterMs?: number; onError: (err: unknown) => void },
): { start(): void; stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: { done: Promise<void>; abort: AbortController } | undefined;
  const tick = () => {
    if (running) return;
    const abort = new AbortController();
    // Through a promise, so that a run that throws before its first await is handed to onError too.
    const done = Promise.resolve()
      .then(() => run(abort.signal))
      .then(
        () => {},
        (err) => void (abort.signal.aborted || opts.onError(err)),
      )
      .finally(() => (running = undefined));
    running = { done, abort };
  };
  const every = () => {
    timer = setInterval(tick, opts.everyMs);
    timer.unref();
  };
  return {
    start() {
      if (timer) return;
      if (opts.firstAfterMs === undefined) return every();
      timer = setTimeout(() => {
        tick();
        every();
      }, opts.firstAfterMs);
      timer.unref();
    },
    async stop() {
      clearTimeout(timer);
      clearInterval(timer);
      timer = undefined;
      running?.abort.abort();
      await running?.done;
    },
  };
}
