/**
 * Rate-limit refusals by rule, counted in one place: every limit in server/limits.ts is a hit on
 * ctx.limiter under a key that starts with its rule, so wrapping the limiter counts them all
 * without a line in each handler. Flood refusals are counted in realtime/flood.ts.
 */
import type { RateLimiter } from '../ratelimit.ts';
import { countRefusal } from './counters.ts';

/** Key prefixes (up to the visitor, address or account) and the rule each one is. */
const RULES: [prefix: string, rule: string][] = [
  ['msg:v:', 'messages_per_visitor'],
  ['msg:ip:', 'messages_per_ip'],
  ['conv:v:', 'conversations_per_visitor'],
  ['conv:ip:', 'conversations_per_ip'],
  ['visitor-new:ip:', 'new_visitors_per_ip'],
  ['fb:v:', 'feedback_per_visitor'],
  ['login:ip:', 'logins_per_ip'],
  ['login-fail:', 'login_lockout'],
];

/** The rule a limiter key belongs to; `other` for a key no rule names, so the label stays a closed set. */
export function ruleOf(key: string): string {
  return RULES.find(([prefix]) => key.startsWith(prefix))?.[1] ?? 'other';
}

/** `limiter`, with every refused hit counted in support_rate_limited_total{rule}. */
export function countingLimiter(limiter: RateLimiter): RateLimiter {
  return {
    async hit(key, limit, windowMs) {
      const wait = await limiter.hit(key, limit, windowMs);
      if (wait > 0) countRefusal(ruleOf(key));
      return wait;
    },
    peek: (key, limit) => limiter.peek(key, limit),
    reset: (key) => limiter.reset(key),
  };
}
