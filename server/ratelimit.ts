/**
 * Fixed-window counters for rate limits and lockouts. In Redis when there is one, so every node
 * counts together; otherwise in this process (a single node is the whole deployment then).
 */
import type { RedisClientType } from 'redis';
import type { Logger } from './logger.ts';

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

/** One atomic step: count the hit, and start the window on the first one (a key never outlives it). */
const HIT = `local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

/**
 * `prefix` keeps deployments that share one Redis apart. Single commands and a script, not MULTI:
 * node-redis applies its command timeout and `disableOfflineQueue` to those only.
 */
export function redisRateLimiter(redis: RedisClientType, prefix = 'sc'): RateLimiter {
  const k = (key: string) => `${prefix}:rl:${key}`;
  return {
    async hit(key, limit, windowMs) {
      const [count, ttl] = (await redis.eval(HIT, { keys: [k(key)], arguments: [String(windowMs)] })) as [number, number];
      return count > limit ? ttl : 0;
    },
    async peek(key, limit) {
      const [count, ttl] = await Promise.all([redis.get(k(key)), redis.pTTL(k(key))]);
      return Number(count ?? 0) >= limit && ttl > 0 ? ttl : 0;
    },
    async reset(key) {
      await redis.del(k(key));
    },
  };
}

/**
 * `primary` (Redis) while `isUp()` says it is reachable and it answers; this process's own
 * counters otherwise, so that a Redis outage degrades limits to per-node instead of making every
 * login, handshake and message wait for it. The primary must fail fast by itself (a command
 * timeout, no offline queue: see server/index.ts). Says once when it falls back and once when it
 * is back.
 */
export function fallbackRateLimiter(primary: RateLimiter, isUp: () => boolean, log: Logger, fallback: RateLimiter = memoryRateLimiter()): RateLimiter {
  let degraded = false;
  const use = async <T>(op: (l: RateLimiter) => Promise<T>): Promise<T> => {
    if (isUp()) {
      try {
        const result = await op(primary);
        if (degraded) log.info('rate limits are shared through Redis again');
        degraded = false;
        return result;
      } catch (err) {
        if (!degraded) log.warn({ err }, 'Redis did not answer: rate limits are counted per node until it does');
        degraded = true;
      }
    } else if (!degraded) {
      log.warn('Redis is down: rate limits are counted per node until it is back');
      degraded = true;
    }
    return op(fallback);
  };
  return {
    hit: (key, limit, windowMs) => use((l) => l.hit(key, limit, windowMs)),
    peek: (key, limit) => use((l) => l.peek(key, limit)),
    reset: (key) => use((l) => l.reset(key)),
  };
}
