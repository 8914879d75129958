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

/** Windows kept at most in this process; past it the oldest go first (see memoryRateLimiter). */
const MAX_KEYS = 200_000;
/** Windows looked at per hit for having ended: more than the one a hit can add, so the map shrinks. */
const SWEEP_PER_HIT = 8;

/**
 * Counts in a Map, whose insertion order is the order windows started in. Ended windows go when
 * their key is used again, or when the sweep reaches them: each hit looks at the next few keys, and
 * the sweep starts over once it has been through all (scanning every key on each hit, as before,
 * took seconds per thousand hits at 100k keys). The cap bounds memory against a flood of new keys
 * (an address or a name each): the oldest windows are forgotten first, and only when that many are
 * open at once.
 */
export function memoryRateLimiter(now: () => number = Date.now): RateLimiter & { readonly size: number } {
  const windows = new Map<string, { count: number; resetAt: number }>();
  const current = (key: string) => {
    const w = windows.get(key);
    if (w && w.resetAt > now()) return w;
    windows.delete(key);
    return undefined;
  };
  // A Map iterator sees keys added and deleted after it was made, until it is done.
  let sweep = windows.keys();
  const sweepSome = () => {
    for (let i = 0; i < SWEEP_PER_HIT; i++) {
      let next = sweep.next();
      if (next.done) {
        sweep = windows.keys();
        next = sweep.next();
        if (next.done) return;
      }
      current(next.value);
    }
  };
  return {
    get size() {
      return windows.size;
    },
    async hit(key, limit, windowMs) {
      sweepSome();
      let w = current(key);
      if (!w) {
        w = { count: 0, resetAt: now() + windowMs };
        windows.set(key, w);
        for (const oldest of windows.keys()) {
          if (windows.size <= MAX_KEYS) break;
          windows.delete(oldest);
        }
      }
      w.count += 1;
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
