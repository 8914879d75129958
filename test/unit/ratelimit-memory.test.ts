/**
 * The in-process rate limiter with many keys: the same limits and windows, a bounded amount of work
 * per hit (it used to look at every key on each hit past 100k keys), and bounded memory.
 */
import { describe, expect, it } from 'vitest';
import { memoryRateLimiter } from '../../server/ratelimit.ts';

/** A clock the test moves, which counts its reads: the limiter reads it once for each window it looks at. */
function fakeClock() {
  const clock = { t: 0, reads: 0, now: () => (clock.reads++, clock.t) };
  return clock;
}

describe('the in-memory rate limiter with many keys', () => {
  it('looks at a few keys per hit, not all of them, and counts as before', async () => {
    const clock = fakeClock();
    const limits = memoryRateLimiter(clock.now);
    for (let i = 0; i < 150_000; i++) await limits.hit(`ip:${i}`, 3, 60_000);
    expect(limits.size).toBe(150_000);

    clock.reads = 0;
    for (let i = 0; i < 1_000; i++) await limits.hit(`login:${i % 10}`, 3, 60_000);
    // Each hit: a few swept keys, its own key, the wait. Scanning every key was 150,000 reads a hit.
    expect(clock.reads / 1_000).toBeLessThanOrEqual(16);

    // Limits and windows as ever: three hits pass, the fourth waits until the window ends.
    clock.t = 10_000;
    expect(await limits.hit('fresh', 3, 60_000)).toBe(0);
    expect(await limits.hit('fresh', 3, 60_000)).toBe(0);
    expect(await limits.hit('fresh', 3, 60_000)).toBe(0);
    expect(await limits.hit('fresh', 3, 60_000)).toBe(60_000);
    expect(await limits.peek('fresh', 3)).toBe(60_000);
    clock.t = 40_000;
    expect(await limits.hit('fresh', 3, 60_000)).toBe(30_000);
    // An early key still counts its one hit; the window ends on time and a new one starts.
    expect(await limits.hit('ip:0', 1, 60_000)).toBe(20_000);
    clock.t = 70_000;
    expect(await limits.peek('fresh', 3)).toBe(0);
    expect(await limits.hit('fresh', 3, 60_000)).toBe(0);
    await limits.reset('fresh');
    expect(await limits.peek('fresh', 3)).toBe(0);
  });

  it('forgets ended windows a few per hit, until none is left', async () => {
    const clock = fakeClock();
    const limits = memoryRateLimiter(clock.now);
    for (let i = 0; i < 120_000; i++) await limits.hit(`ip:${i}`, 3, 60_000);
    clock.t = 60_000;
    let hits = 0;
    while (limits.size > 1 && hits < 100_000) {
      await limits.hit('one', 1_000_000, 3600_000);
      hits++;
    }
    expect(limits.size).toBe(1);
    // 120,000 ended windows took thousands of hits, not one.
    expect(hits).toBeGreaterThan(1_000);
  });

  it('keeps at most 200,000 windows, forgetting the oldest first', async () => {
    const clock = fakeClock();
    const limits = memoryRateLimiter(clock.now);
    for (let i = 0; i < 250_000; i++) await limits.hit(`ip:${i}`, 1, 60_000);
    expect(limits.size).toBe(200_000);
    // The newest are still counted (a second hit is over the limit); the oldest start again.
    expect(await limits.hit('ip:249999', 1, 60_000)).toBeGreaterThan(0);
    expect(await limits.peek('ip:50000', 1)).toBeGreaterThan(0);
    expect(await limits.peek('ip:49999', 1)).toBe(0);
  });
});
