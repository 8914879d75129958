/**
 * Request/response over one worker thread, for CPU work that must not hold up the event loop (grouping
 * questions, FAQ indexes). The worker runs a TypeScript module through ts-worker.mjs and answers each
 * request with `serve`. Started on first use; `idleMs` stops it when nothing has been asked for that long.
 */
import { parentPort, Worker, workerData } from 'node:worker_threads';

type Reply<R> = { id: number; ok: true; value: R } | { id: number; ok: false; error: string };

export class ThreadClient<Req, Res> {
  private worker?: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (value: Res) => void; reject: (err: Error) => void; watch?: NodeJS.Timeout }>();
  private idle?: NodeJS.Timeout;

  /**
   * `onExit` runs when the worker stops or fails: whatever state it held is gone. `stallMs`: a request
   * unanswered for that long means the worker is stuck (a pathological input, a bug), not slow: it is
   * terminated, every request in flight fails (their callers answer as when the worker fails) and the
   * next request starts a new one. Without it, one stuck request held every later one forever.
   */
  constructor(
    private readonly entry: URL,
    private readonly opts: { idleMs?: number; stallMs?: number; onExit?: () => void } = {},
  ) {}

  call(request: Req): Promise<Res> {
    clearTimeout(this.idle);
    const worker = (this.worker ??= this.start());
    // A worker with a request in flight keeps the process alive; an idle one does not.
    worker.ref();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const watch = this.opts.stallMs ? setTimeout(() => this.stalled(worker), this.opts.stallMs).unref() : undefined;
      this.pending.set(id, { resolve, reject, watch });
      worker.postMessage({ id, request });
    });
  }

  private start(): Worker {
    // No inherited --import flags: ts-worker.mjs registers tsx itself, and a preloaded .ts module
    // (a profiler hook, say) would fail in the worker before tsx is there.
    const worker = new Worker(new URL('./ts-worker.mjs', import.meta.url), { workerData: { entry: this.entry.href }, execArgv: [] });
    worker.on('message', (reply: Reply<Res>) => {
      const job = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      clearTimeout(job?.watch);
      if (reply.ok) job?.resolve(reply.value);
      else job?.reject(new Error(`worker failed: ${reply.error}`));
      if (this.pending.size > 0) return;
      worker.unref();
      if (this.opts.idleMs) this.idle = setTimeout(() => void this.stop(worker), this.opts.idleMs).unref();
    });
    const fail = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const job of this.pending.values()) {
        clearTimeout(job.watch);
        job.reject(err);
      }
      this.pending.clear();
      this.opts.onExit?.();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`worker exited with code ${code}`)));
    return worker;
  }

  /** A request waited stallMs: the worker goes (its exit fails what is in flight; see start). */
  private stalled(worker: Worker): void {
    if (this.worker !== worker) return;
    worker.emit('error', new Error(`worker stalled: no answer in ${this.opts.stallMs} ms`));
    void worker.terminate();
  }

  private async stop(worker: Worker): Promise<void> {
    if (this.worker !== worker || this.pending.size > 0) return;
    this.worker = undefined;
    this.opts.onExit?.();
    await worker.terminate();
  }
}

/** In the worker: answers each request with `handle` (one at a time as they come; async handlers may interleave). */
export function serve<Req, Res>(handle: (request: Req) => Res | Promise<Res>): void {
  const port = parentPort;
  if (!port || !(workerData as { entry?: string } | null)?.entry) throw new Error('serve() runs in a worker started by ThreadClient');
  port.on('message', async ({ id, request }: { id: number; request: Req }) => {
    try {
      port.postMessage({ id, ok: true, value: await handle(request) } satisfies Reply<Res>);
    } catch (err) {
      port.postMessage({ id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies Reply<Res>);
    }
  });
}
