/** The parent's side of the load generator: starts bench/relay/load.ts and sends it commands over IPC. */
import type { Command, IdleOutcome, StepResult } from './load.ts';
import { baseEnv, startNode, type Child } from './proc.ts';

export interface LoadGenerator {
  child: Child;
  open(target: string, url: string, conversations: { site: string; cookie?: string }[]): Promise<{ conversations: number; setupMs: number }>;
  step(target: string, rate: number, durationMs: number, drainMs: number): Promise<StepResult>;
  outstanding(target: string): Promise<{ undelivered: number; unacked: number }>;
  close(target: string): Promise<void>;
  idle(url: string, site: string, count: number, concurrency: number, timeLimitMs: number): Promise<IdleOutcome>;
  closeIdle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLoadGenerator(): Promise<LoadGenerator> {
  const child = startNode('bench/relay/load.ts', { env: baseEnv(), ipc: true });
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  const ready = new Promise<void>((resolve) => {
    child.proc.on('message', (msg: { ready?: boolean; id?: number; ok?: boolean; result?: unknown; error?: string }) => {
      if (msg.ready) return resolve();
      const p = pending.get(msg.id!);
      if (!p) return;
      pending.delete(msg.id!);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(`load generator: ${msg.error}`));
    });
  });
  void child.exited.then(() => {
    for (const p of pending.values()) p.reject(new Error(`load generator exited:\n${child.output().slice(-3000)}`));
    pending.clear();
  });
  await Promise.race([ready, child.exited.then(() => Promise.reject(new Error(`load generator did not start:\n${child.output()}`)))]);

  // A generator that died (Ctrl-C reaches it too) must fail the command, not crash the parent.
  child.proc.on('error', () => {});
  const send = <T>(command: Command): Promise<T> =>
    new Promise((resolve, reject) => {
      if (!child.proc.connected) return reject(new Error(`load generator is gone:\n${child.output().slice(-3000)}`));
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.proc.send({ id, command }, (err) => {
        if (!err) return;
        pending.delete(id);
        reject(err);
      });
    });
  return {
    child,
    open: (target, url, conversations) => send({ cmd: 'open', target, url, conversations }),
    step: (target, rate, durationMs, drainMs) => send({ cmd: 'step', target, rate, durationMs, drainMs }),
    outstanding: (target) => send({ cmd: 'outstanding', target }),
    close: (target) => send({ cmd: 'close', target }),
    idle: (url, site, count, concurrency, timeLimitMs) => send({ cmd: 'idle', url, site, count, concurrency, timeLimitMs }),
    closeIdle: () => send({ cmd: 'closeIdle' }),
    stop: () => child.stop(2000),
  };
}
