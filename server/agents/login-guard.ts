/**
 * Password guessing. Every attempt is counted before its password is checked, with one atomic
 * increment in ctx.limiter (Redis when there are several nodes), so attempts sent in parallel are
 * counted before any of them is checked: at most `loginFailuresPerAccount.limit` are ever checked.
 *
 * Whose count an attempt joins depends on where it comes from:
 * - from an address this account has logged in from before (a "known" address), the count of
 *   that account and address: the user's own typos, forgotten once they get the password right;
 * - from anywhere else, the count of the account, which a success never resets: a login from
 *   one address does not erase the count of an attack going on from others, and the attack does
 *   not lock the user out of the addresses they already use.
 */
import { sha256 } from '../crypto.ts';
import type { Ctx } from '../context.ts';
import { AppError } from '../errors.ts';
import { LIMITS } from '../limits.ts';

/** How long an address stays known for an account after a successful login from it. */
const KNOWN_ADDRESS_MS = 30 * 24 * 3600_000;

export interface LoginAttempt {
  /** The password was right: forgets this address's failures and remembers the address. */
  succeeded(): Promise<void>;
}

/**
 * Counts one attempt to log in as `email` from `ip`; throws RATE_LIMITED (too many from this
 * address) or LOCKED_OUT (too many failures of this account), each with the time to wait.
 */
export async function countLoginAttempt(ctx: Ctx, email: string, ip: string): Promise<LoginAttempt> {
  const ipWait = await ctx.limiter.hit(`login:ip:${ip}`, LIMITS.loginPerIp.limit, LIMITS.loginPerIp.windowMs);
  if (ipWait) throw new AppError('RATE_LIMITED', ipWait);
  const account = sha256(email.toLowerCase());
  const address = sha256(ip);
  const knownKey = `login-known:${account}:${address}`;
  const known = (await ctx.limiter.peek(knownKey, 1)) > 0;
  const failures = known ? `login-fail:${account}:${address}` : `login-fail:${account}`;
  const { limit, windowMs } = LIMITS.loginFailuresPerAccount;
  const locked = await ctx.limiter.hit(failures, limit, windowMs);
  if (locked) throw new AppError('LOCKED_OUT', locked);
  return {
    async succeeded() {
      if (known) await ctx.limiter.reset(failures);
      await ctx.limiter.hit(knownKey, Number.MAX_SAFE_INTEGER, KNOWN_ADDRESS_MS);
    },
  };
}
