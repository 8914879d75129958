/**
 * A job each node runs on a timer: one run at a time (a tick while the last still runs is skipped), a
 * failed run handed to `onError` and tried again at the next tick, timers unref'd so they never keep
 * the process alive. `firstAfterMs`: the first run that long after start (default: one interval).
 */
export function periodic(
  run: () => Promise<unknown>,
  opts: { everyMs: number; firstAfterMs?: number; onError: (err: unknown) => void },
): { start(): void; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    // Through a promise, so that a run that throws before its first await is handed to onError too.
    void Promise.resolve()
      .then(run)
      .catch(opts.onError)
      .finally(() => (running = false));
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
    stop() {
      clearTimeout(timer);
      clearInterval(timer);
      timer = undefined;
    },
  };
}
