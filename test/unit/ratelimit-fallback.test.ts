/** Rate limits while Redis is down: counted in this process, never waiting for Redis, and back on Redis when it answers. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fallbackRateLimiter, memoryRateLimiter, type RateLimiter } from '../../server/ratelimit.ts';
import { createLogger } from '../../server/logger.ts';

function logged() {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) });
  return { log: createLogger('info', sink), lines };
}

/** A Redis stand-in: counts in memory while up, rejects while "down". */
function flakyPrimary() {
  const inner = memoryRateLimiter();
  const state = { up: true, calls: 0 };
  const guard = <T>(fn: () => Promise<T>) => {
    state.calls += 1;
    return state.up ? fn() : Promise.reject(Object.assign(new Error('socket closed'), { code: 'ECONNRESET' }));
  };
  const limiter: RateLimiter = {
    hit: (k, l, w) => guard(() => inner.hit(k, l, w)),
    peek: (k, l) => guard(() => inner.peek(k, l)),
    reset: (k) => guard(() => inner.reset(k)),
  };
  return { limiter, state };
}

describe('rate limits when Redis fails', () => {
  it('count in this process when a Redis command fails, say so once, and use Redis again when it answers', async () => {
    const { limiter: primary, state } = flakyPrimary();
    const { log, lines } = logged();
    const limits = fallbackRateLimiter(primary, () => true, log);
    expect(await limits.hit('k', 2, 60_000)).toBe(0);
    state.up = false;
    // The fallback starts its own count: limits degrade to per node, they do not vanish.
    expect(await limits.hit('k', 2, 60_000)).toBe(0);
    expect(await limits.hit('k', 2, 60_000)).toBe(0);
    expect(await limits.hit('k', 2, 60_000)).toBeGreaterThan(0);
    expect(lines.filter((l) => l.level === 40)).toHaveLength(1);
    state.up = true;
    // Redis had counted one hit before it went away.
    expect(await limits.hit('k', 2, 60_000)).toBe(0);
    expect(await limits.hit('k', 2, 60_000)).toBeGreaterThan(0);
    expect(lines.map((l) => l.msg)).toContain('rate limits are shared through Redis again');
  });

  it('do not call Redis at all while the client says it is not ready', async () => {
    const { limiter: primary, state } = flakyPrimary();
    const { log, lines } = logged();
    let ready = false;
    const limits = fallbackRateLimiter(primary, () => ready, log);
    await limits.hit('k', 5, 60_000);
    await limits.peek('k', 5);
    await limits.reset('k');
    expect(state.calls).toBe(0);
    expect(lines.filter((l) => l.level === 40)).toHaveLength(1);
    ready = true;
    await limits.hit('k', 5, 60_000);
    expect(state.calls).toBe(1);
  });
});
