/**
 * Fixed-window counters for rate limits and lockouts. In Redis when there is one, so every node
 * counts together; otherwise in this process (a single node is the whole deployment then).
 */
import type { RedisClientType } from 'redis';

export interface RateLimiter {
  /** Counts one hit; returns how long to wait when the limit is exceeded, else 0. */
  hit(key: string, limit: number, windowMs: number): Promise<number>;
  /** How long `key` is blocked, without counting a hit. */
  peek(key: string, limit: number): Promise<number>;
  reset(key: string): Promise<void>;
}

export function memoryRateLimiter(now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  const current = (key: string) => {
    const w = windows.get(key);
    if (w && w.resetAt > now()) return w;
    windows.delete(key);
    return undefined;
  };
  return {
    async hit(key, limit, windowMs) {
      if (windows.size > 100_000) for (const k of windows.keys()) current(k);
      const w = current(key) ?? { count: 0, resetAt: now() + windowMs };
      w.count += 1;
      windows.set(key, w);
      return w.count > limit ? w.resetAt - now() : 0;
    },
    async peek(key, limit) {
      const w = current(key);
      return w && w.count >= limit ? w.resetAt - now() : 0;
    },
    async reset(key) {
      windows.delete(key);
    },
  };
}

/** `prefix` keeps deployments that share one Redis apart. */
export function redisRateLimiter(redis: RedisClientType, prefix = 'sc'): RateLimiter {
  const k = (key: string) => `${prefix}:rl:${key}`;
  return {
    async hit(key, limit, windowMs) {
      const [count, ttl] = (await redis.multi().incr(k(key)).pTTL(k(key)).exec()) as unknown as [number, number];
      if (ttl < 0) await redis.pExpire(k(key), windowMs);
      return count > limit ? (ttl > 0 ? ttl : windowMs) : 0;
    },
    async peek(key, limit) {
      const [count, ttl] = (await redis.multi().get(k(key)).pTTL(k(key)).exec()) as unknown as [string | null, number];
      return Number(count ?? 0) >= limit && ttl > 0 ? ttl : 0;
    },
    async reset(key) {
      await redis.del(k(key));
    },
  };
}
