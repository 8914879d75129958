/** Rate limits, per visitor and per IP (and per account for logins). Counted by ctx.limiter. */
import type { IncomingHttpHeaders } from 'node:http';

export const LIMITS = {
  messagesPerVisitor: { limit: Number(process.env.RATE_MESSAGES_PER_MINUTE ?? 30), windowMs: 60_000 },
  messagesPerIp: { limit: Number(process.env.RATE_MESSAGES_PER_MINUTE_IP ?? 120), windowMs: 60_000 },
  conversationsPerVisitor: { limit: 20, windowMs: 3600_000 },
  conversationsPerIp: { limit: 200, windowMs: 3600_000 },
  newVisitorsPerIp: { limit: Number(process.env.RATE_NEW_VISITORS_PER_HOUR_IP ?? 200), windowMs: 3600_000 },
  feedbackPerVisitor: { limit: 10, windowMs: 3600_000 },
  loginPerIp: { limit: 30, windowMs: 15 * 60_000 },
  /** Failed logins of one account before it is locked for the window. */
  loginFailuresPerAccount: { limit: 5, windowMs: 15 * 60_000 },
};

/**
 * The client's address behind `trustedHops` proxies that each append the address they saw to
 * X-Forwarded-For: the same rule as Express's numeric `trust proxy` (proxy-addr), so sockets and
 * HTTP agree. Only the right-most `trustedHops` entries were written by our proxies; anything to
 * their left came from the client, so the left-most entry is never trusted for itself.
 */
export function clientIp(address: string, headers: IncomingHttpHeaders, trustedHops: number): string {
  const header = headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((a) => a.trim()).filter(Boolean);
  // Nearest first: the socket's peer, then what each proxy appended, right to left.
  const chain = [address, ...forwarded.reverse()];
  return chain[Math.min(trustedHops, chain.length - 1)];
}
