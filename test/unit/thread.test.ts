/**
 * The worker threads' client: a request the worker never answers (stuck on a pathological input)
 * fails after `stallMs`, and so does every request waiting behind it, instead of all of them
 * waiting forever; the next request gets a new worker.
 */
import { describe, expect, it } from 'vitest';
import { ThreadClient } from '../../server/faq/thread.ts';

const entry = new URL('../support/stuck.worker.ts', import.meta.url);

describe('a worker thread that stops answering', () => {
  it('is stopped after stallMs: what waited fails, the next request gets a new worker', async () => {
    let exits = 0;
    const client = new ThreadClient<{ n: number; spin?: boolean }, number>(entry, { stallMs: 1_000, onExit: () => exits++ });
    expect(await client.call({ n: 1 })).toBe(2);
    const stuck = client.call({ n: 0, spin: true });
    const behind = client.call({ n: 3 });
    await expect(stuck).rejects.toThrow(/stalled/);
    await expect(behind).rejects.toThrow(/stalled/);
    expect(exits).toBe(1);
    expect(await client.call({ n: 21 })).toBe(42);
  });

  it('never stops a worker that answers, however many requests it gets', async () => {
    let exits = 0;
    const client = new ThreadClient<{ n: number }, number>(entry, { stallMs: 5_000, onExit: () => exits++ });
    const answers = await Promise.all(Array.from({ length: 200 }, (_, n) => client.call({ n })));
    expect(answers).toEqual(Array.from({ length: 200 }, (_, n) => n * 2));
    expect(exits).toBe(0);
  });
});
